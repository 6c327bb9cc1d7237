"""The RDB providers' own create, with the client cache serving a client of the sandbox on a
fake clock (`rdb_api`): the dates a create writes into names and ids are its client's, not
this machine's."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from support.scaleway import INSTANCE, SandboxRdb

from pulumi_backups.core.ids import split_id
from pulumi_backups.sandbox import Sandbox
from pulumi_backups.scaleway.rdb_backup import RdbBackupProvider
from pulumi_backups.scaleway.rdb_backup_restore import ID_SHAPE, RdbBackupRestoreProvider

AHEAD = timedelta(days=400).total_seconds()
"""How far the sandbox's clock (the client's) runs ahead of this machine's."""


def test_a_backup_without_a_name_is_named_on_its_clients_clock(
    rdb_api: SandboxRdb, sandbox: Sandbox
) -> None:
    sandbox.advance(AHEAD)
    before = rdb_api.utc().replace(microsecond=0)
    created = RdbBackupProvider().create({"instance_id": INSTANCE, "database_name": "app"})
    after = rdb_api.utc()
    name = created.outs["name"]
    named_at = datetime.strptime(name, "app-%Y%m%d-%H%M%S").replace(tzinfo=timezone.utc)
    assert before <= named_at <= after, name
    assert created.id == f"fr-par/{created.outs['backup_id']}"
    assert created.outs["status"] == "ready" and rdb_api.calls("POST") == [
        "POST /rdb/v1/regions/fr-par/backups"
    ]


def test_a_restore_is_numbered_by_its_clients_clock(rdb_api: SandboxRdb, sandbox: Sandbox) -> None:
    backup = rdb_api.add()
    sandbox.advance(AHEAD)
    before = rdb_api.utc().timestamp()
    restored = RdbBackupRestoreProvider().create(
        {"backup_id": f"fr-par/{backup.id}", "instance_id": INSTANCE}
    )
    after = rdb_api.utc().timestamp()
    region, backup_id, started_ms = split_id(restored.id, ID_SHAPE)
    assert (region, backup_id) == ("fr-par", backup.id)
    assert before * 1000 - 1 <= int(started_ms) <= after * 1000 + 1
    assert restored.outs["status"] == "ready"
