"""Refuse to deploy on stale backups: list the backups of the databases and servers named in
config and fail (in the preview already) when any newest usable backup is older than
`max_age_hours`, or missing.

The look-ups read, and never change, what exists: `get_hosting_database_dumps` (OVHcloud web
hosting), `get_vps_backups` (VPS panel) and `get_rdb_backups` (Scaleway Managed Databases),
each newest first with the age of its newest usable backup on this machine's clock. A
listing that cannot be read completely stops the program too: an unreadable list is never
taken for an empty one. Put these lines before the resources of a deployment to gate it.
"""

from __future__ import annotations

from typing import Any

import pulumi

from pulumi_backups import get_hosting_database_dumps, get_rdb_backups, get_vps_backups
from pulumi_backups.examples import sandbox_default  # the sandbox's ids only against it

SANDBOX_HOSTING = "sandbox.cluster000.hosting.ovh.net"
SANDBOX_SERVER = 12345
SANDBOX_INSTANCE = "11111111-1111-1111-1111-111111111111"

config = pulumi.Config()
max_age_hours = config.get_float("max_age_hours")
limit_hours = 24.0 if max_age_hours is None else max_age_hours
hosting = sandbox_default(config.get("hosting_service"), "hosting_service", SANDBOX_HOSTING, "ovh")
hosting_databases: list[str] = config.get_object("hosting_databases") or []
vps_servers = sandbox_default(
    config.get_object("vps_servers"), "vps_servers", [SANDBOX_SERVER], "vps"
)
rdb_instance = sandbox_default(
    config.get("rdb_instance"), "rdb_instance", SANDBOX_INSTANCE, "scaleway"
)
rdb_databases: list[str] = config.get_object("rdb_databases") or ["app"]
region = config.get("region")


def audited(what: str, count: int, age_seconds: float | None, created: str | None) -> dict:
    """One line of the audit; the entry is stale when it has no usable backup or an old one."""
    age_hours = None if age_seconds is None else round(age_seconds / 3600, 2)
    stale = age_hours is None or age_hours > limit_hours
    return {"what": what, "backups": count, "newest_created_at": created,
            "newest_age_hours": age_hours, "stale": stale}  # fmt: skip


audit: list[dict[str, Any]] = []
for database in hosting_databases:
    dumps = get_hosting_database_dumps(hosting, database)
    audit.append(audited(f"hosting database {database}", len(dumps.dumps),
                         dumps.newest_age_seconds, dumps.newest_created_at))  # fmt: skip
for server in vps_servers:
    backups = get_vps_backups(int(server))
    audit.append(audited(f"VPS {server}", len(backups.backups),
                         backups.newest_age_seconds, backups.newest_created_at))  # fmt: skip
for database in rdb_databases:
    rdb = get_rdb_backups(region=region, instance_id=rdb_instance, database_name=database)
    audit.append(audited(f"RDB database {database} of {rdb_instance}", len(rdb.backups),
                         rdb.newest_age_seconds, rdb.newest_created_at))  # fmt: skip

pulumi.export("max_age_hours", limit_hours)
pulumi.export("audit", audit)

stale = [entry for entry in audit if entry["stale"]]
for entry in stale:
    age = entry["newest_age_hours"]
    pulumi.log.error(
        f"{entry['what']}: no usable backup"
        if age is None
        else f"{entry['what']}: newest usable backup {age:g} h old, over {limit_hours:g} h"
    )
if stale:
    names = ", ".join(entry["what"] for entry in stale)
    raise pulumi.RunError(f"stale backups, not deploying: {names} (max_age_hours={limit_hours:g})")
