"""Recover a deleted web hosting database from the dumps OVHcloud kept of it.

When a database is deleted, its dumps stay 30 more days as "orphans". The API cannot restore
them: the recovery is to create a new database and import the newest dump into it. This
program looks the dumps up (`get_orphan_dumps`, newest first), creates the new database and
exports the chosen dump's download link with the command that imports it.

`python -m pulumi_backups orphan-dumps --service S --database D` lists the same dumps.
"""

from __future__ import annotations

import pulumi

from pulumi_backups import HostingDatabase, get_orphan_dumps
from pulumi_backups.examples import sandbox_default  # the sandbox's ids only against it

SANDBOX_HOSTING = "sandbox.cluster000.hosting.ovh.net"


config = pulumi.Config()
service = sandbox_default(config.get("hosting_service"), "hosting_service", SANDBOX_HOSTING, "ovh")
deleted_database = sandbox_default(
    config.get("deleted_database"), "deleted_database", "sandboxpd.mysql.db", "ovh"
)
wanted_dump = config.get_int("dump_id")  # none: the newest

dumps = get_orphan_dumps(service, deleted_database)
chosen = next((d for d in dumps if wanted_dump in (None, d.id)), None)
if chosen is None:
    pulumi.log.warn(
        f"no dump of {deleted_database} kept on {service}"
        + (f" with id {wanted_dump}" if wanted_dump else "")
        + ": the new database will be empty"
    )

database = HostingDatabase(
    "recovered",
    service_name=service,
    user=config.get("database_user") or "sandboxrc",
    type="mysql",
    capability="sqlPerso",
    password=config.get_secret("database_password"),
    deletion_protection=config.get_bool("deletion_protection") or False,
)

pulumi.export("database", database.name)
pulumi.export("orphan_dumps", [{"id": d.id, "created": d.creation_date} for d in dumps])
if chosen is not None:
    pulumi.export("dump_id", chosen.id)
    pulumi.export("dump_created", chosen.creation_date)
    pulumi.export("dump_url", pulumi.Output.secret(chosen.url))
    pulumi.export(
        "import_command",
        pulumi.Output.format(
            'curl -fsS "$(pulumi stack output dump_url --show-secrets)" | gunzip'
            " | mysql -h {0} -P {1} -u {2} -p {3}",
            database.server,
            database.port,
            database.user,
            database.name,
        ),
    )
