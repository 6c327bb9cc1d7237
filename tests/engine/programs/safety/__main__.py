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


def declare(kind: type[pulumi.CustomResource], resource_name: str, /, **args: object) -> None:
    """`kind` named `resource_name`, with the options the config gives; its id exported
    under that name."""
    resource = kind(resource_name, **args, opts=options(resource_name))  # type: ignore[call-arg]
    pulumi.export(resource_name, resource.id)
    declared.append(resource)


if "snapshot" in kinds:
    declare(
        NashaCustomSnapshot,
        "snapshot",
        service_name="zpool-000000",
        partition_name="backups",
        name="engine-safety",
    )
if "vps" in kinds:
    declare(VpsBackup, "vpsbackup", server_id=12345, description="engine safety")
if "rdb" in kinds:
    declare(
        RdbBackup,
        "rdbbackup",
        instance_id="11111111-1111-1111-1111-111111111111",
        database_name="app",
        name="engine-safety",
    )
