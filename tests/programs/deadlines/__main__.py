"""One resource of each API, all with the deadlines of config `timeouts` (JSON).

Config (project namespace): `kinds` (JSON list of `db`, `vps`, `rdb`, `snapshot`):
HostingDatabase `db` (with `password`, deletion protection off), VpsBackup `vpsbackup`,
RdbBackup `rdbbackup`, NashaCustomSnapshot `snapshot`.
"""

from __future__ import annotations

import pulumi

from pulumi_backups.ovh.hosting_database import HostingDatabase
from pulumi_backups.ovh.nasha_custom_snapshot import NashaCustomSnapshot
from pulumi_backups.scaleway import RdbBackup
from pulumi_backups.vps import VpsBackup

config = pulumi.Config()
kinds = config.get_object("kinds") or []
timeouts = config.get_object("timeouts")

if "db" in kinds:
    HostingDatabase(
        "db",
        service_name="sandbox.cluster000.hosting.ovh.net",
        user="sandboxdl",
        type="mysql",
        capability="sqlPerso",
        password=config.get("password"),
        deletion_protection=False,
        timeouts=timeouts,
    )

if "vps" in kinds:
    VpsBackup("vpsbackup", server_id=12345, description="deadline", timeouts=timeouts)

if "rdb" in kinds:
    RdbBackup(
        "rdbbackup",
        instance_id="11111111-1111-1111-1111-111111111111",
        database_name="app",
        timeouts=timeouts,
    )

if "snapshot" in kinds:
    NashaCustomSnapshot(
        "snapshot",
        service_name="zpool-000000",
        partition_name="backups",
        name="deadline",
        timeouts=timeouts,
    )
