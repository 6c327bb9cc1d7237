"""A NAS-HA custom snapshot, a VPS backup and a Scaleway RDB backup, each declared when the
config asks for it, with the engine's resource options the config gives.

Config (project namespace):
- `kinds` (JSON list of `snapshot`, `vps`, `rdb`; default all three): which resources are
  declared: NashaCustomSnapshot `snapshot` (named `engine-safety`), VpsBackup `vpsbackup`
  (described `engine safety`), RdbBackup `rdbbackup` (named `engine-safety`);
- `protect`, `retain` (JSON lists of resource names): those get `protect=True`,
  `retain_on_delete=True`;
- `chain` (bool): each resource depends on those declared before it (one create at a time,
  in this order).
"""

from __future__ import annotations

import pulumi

from pulumi_backups import NashaCustomSnapshot, RdbBackup, VpsBackup

config = pulumi.Config()
kinds = config.get_object("kinds") or ["snapshot", "vps", "rdb"]
protect = set(config.get_object("protect") or [])
retain = set(config.get_object("retain") or [])
declared: list[pulumi.Resource] = []


def options(name: str) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(
        protect=name in protect,
        retain_on_delete=name in retain,
        depends_on=list(declared) if config.get_bool("chain") else None,
    )


if "snapshot" in kinds:
    snapshot = NashaCustomSnapshot(
        "snapshot",
        service_name="zpool-000000",
        partition_name="backups",
        name="engine-safety",
        opts=options("snapshot"),
    )
    pulumi.export("snapshot", snapshot.id)
    declared.append(snapshot)
if "vps" in kinds:
    backup = VpsBackup(
        "vpsbackup", server_id=12345, description="engine safety", opts=options("vpsbackup")
    )
    pulumi.export("vpsbackup", backup.id)
    declared.append(backup)
if "rdb" in kinds:
    rdb = RdbBackup(
        "rdbbackup",
        instance_id="11111111-1111-1111-1111-111111111111",
        database_name="app",
        name="engine-safety",
        opts=options("rdbbackup"),
    )
    pulumi.export("rdbbackup", rdb.id)
