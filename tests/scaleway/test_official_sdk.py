"""The official Scaleway Python SDK against the sandbox: every RDB backup route."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from scaleway import Client, ScalewayException
from scaleway.rdb.v1 import RdbV1API
from scaleway.rdb.v1.types import ListDatabaseBackupsRequestOrderBy

from pulumi_backups.sandbox import CREDENTIALS, Sandbox

INSTANCE = "11111111-1111-1111-1111-111111111111"


def sdk(sandbox: Sandbox, **extra: str) -> RdbV1API:
    client = Client(
        access_key=CREDENTIALS["SCW_ACCESS_KEY"],
        secret_key=CREDENTIALS["SCW_SECRET_KEY"],
        default_project_id=CREDENTIALS["SCW_DEFAULT_PROJECT_ID"],
        default_region="fr-par",
        api_url=sandbox.url,
        **extra,
    )
    return RdbV1API(client)


def test_every_backup_route(sandbox: Sandbox) -> None:
    api = sdk(sandbox)
    created = api.create_database_backup(instance_id=INSTANCE, database_name="app", name="sdk-1")
    assert created.status == "creating"
    ready = api.wait_for_database_backup(database_backup_id=created.id)
    assert ready.status == "ready" and ready.size
    assert api.get_database_backup(database_backup_id=created.id).name == "sdk-1"
    for n in range(2, 5):
        api.create_database_backup(instance_id=INSTANCE, database_name="app", name=f"sdk-{n}")
    everything = api.list_database_backups_all(
        instance_id=INSTANCE, order_by=ListDatabaseBackupsRequestOrderBy.NAME_DESC, page_size=2
    )
    assert [b.name for b in everything] == ["sdk-4", "sdk-3", "sdk-2", "sdk-1"]
    assert [b.name for b in api.list_database_backups(name="sdk-2").database_backups] == ["sdk-2"]
    later = datetime.now(timezone.utc) + timedelta(days=3)
    updated = api.update_database_backup(
        database_backup_id=created.id, name="renamed", expires_at=later
    )
    assert updated.name == "renamed" and updated.expires_at is not None
    exported = api.export_database_backup(database_backup_id=created.id)
    assert exported.status == "exporting"
    assert api.wait_for_database_backup(database_backup_id=created.id).download_url
    restored = api.restore_database_backup(
        database_backup_id=created.id, instance_id=INSTANCE, database_name="app_restore"
    )
    assert restored.status == "restoring"
    api.wait_for_database_backup(database_backup_id=created.id)
    assert api.delete_database_backup(database_backup_id=created.id).status == "deleting"
    with pytest.raises(ScalewayException) as gone:
        api.wait_for_database_backup(database_backup_id=created.id)
    assert gone.value.status_code == 404


def test_a_client_from_a_scw_config_file_with_an_organization(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        f"access_key: {CREDENTIALS['SCW_ACCESS_KEY']}\n"
        f"secret_key: {CREDENTIALS['SCW_SECRET_KEY']}\n"
        f"default_organization_id: {CREDENTIALS['SCW_DEFAULT_ORGANIZATION_ID']}\n"
        f"default_project_id: {CREDENTIALS['SCW_DEFAULT_PROJECT_ID']}\n"
        "default_region: fr-par\n"
        f"api_url: {sandbox.url}\n"
    )
    api = RdbV1API(Client.from_config_file(str(config)))
    api.create_database_backup(instance_id=INSTANCE, database_name="app", name="from-file")
    assert [b.name for b in api.list_database_backups_all()] == ["from-file"]
