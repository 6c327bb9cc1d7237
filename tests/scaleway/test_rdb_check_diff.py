"""RdbBackup / RdbBackupRestore: pure check (normalization, property-level failures) and diff."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from pulumi.runtime import rpc

from pulumi_backups.scaleway.rdb_backup import RdbBackupArgs, RdbBackupProvider, default_name
from pulumi_backups.scaleway.rdb_backup_restore import (
    RdbBackupRestoreArgs,
    RdbBackupRestoreProvider,
)

PROVIDER = "c2VyaWFsaXplZA=="
INSTANCE = "11111111-1111-1111-1111-111111111111"
BACKUP = "966dbbcc-8ffc-4ff3-9f9a-f0d332a48780"
BASE = {"instance_id": INSTANCE, "database_name": "app"}
RESTORE = {"backup_id": f"fr-par/{BACKUP}", "instance_id": INSTANCE}


pytestmark = pytest.mark.usefixtures("no_network")  # check and diff are pure


def check(olds: dict[str, Any] | None = None, **news: Any) -> tuple[dict[str, Any], dict[str, str]]:
    result = RdbBackupProvider().check(olds or {}, {"__provider": PROVIDER, **news})
    return result.inputs, {f.property: f.reason for f in result.failures}


def check_restore(**news: Any) -> tuple[dict[str, Any], dict[str, str]]:
    result = RdbBackupRestoreProvider().check({}, {"__provider": PROVIDER, **news})
    return result.inputs, {f.property: f.reason for f in result.failures}


def diff(olds: dict[str, Any], news: dict[str, Any]) -> tuple[bool, list[str]]:
    result = RdbBackupProvider().diff(f"fr-par/{BACKUP}", {"__provider": "old", **olds}, news)
    return bool(result.changes), list(result.replaces or [])


# -- RdbBackup: check --------------------------------------------------------------------------


def test_minimal_inputs_get_defaults() -> None:
    inputs, failures = check(**BASE)
    assert failures == {} and inputs == {**BASE, "export": False}


def test_expiry_is_normalized_to_utc() -> None:
    inputs, failures = check(**BASE, expires_at="2030-01-31T01:00:00+01:00", region="nl-ams")
    assert failures == {}
    assert inputs["expires_at"] == "2030-01-31T00:00:00Z" and inputs["region"] == "nl-ams"


@pytest.mark.parametrize(
    ("inputs", "prop", "reason"),
    [
        ({"database_name": "app"}, "instance_id", "Field required"),
        ({**BASE, "instance_id": "i-123"}, "instance_id", "must be a UUID"),
        ({**BASE, "database_name": ""}, "database_name", "at least 1 character"),
        ({**BASE, "region": "fr-pra"}, "region", "fr-par, nl-ams, pl-waw"),
        ({**BASE, "expires_at": "tomorrow"}, "expires_at", "RFC 3339"),
        ({**BASE, "expires_at": "1700000000"}, "expires_at", "RFC 3339"),
        ({**BASE, "expires_at": "2030-01-31T00:00:00"}, "expires_at", "UTC offset"),
        ({**BASE, "timeouts": {"create": -1}}, "timeouts.create", "greater than 0"),
        ({**BASE, "triggers": [1]}, "triggers", "Extra inputs are not permitted"),
    ],
)
def test_each_bad_input_fails_on_its_property(
    inputs: dict[str, Any], prop: str, reason: str
) -> None:
    _, failures = check(**inputs)
    assert list(failures) == [prop] and reason in failures[prop]


def test_removing_an_expiry_is_refused_with_the_reason() -> None:
    olds = {**BASE, "expires_at": "2030-01-31T00:00:00Z"}
    _, failures = check(olds, **BASE)
    assert list(failures) == ["expires_at"]
    assert "cannot be removed once set" in failures["expires_at"]
    assert "give the resource another name" in failures["expires_at"]
    _, failures = check(olds, **BASE, expires_at="2031-01-31T00:00:00Z")
    assert failures == {}
    _, failures = check(olds, **{**BASE, "database_name": "other"})  # a new backup anyway
    assert failures == {}


def test_unknown_values_pass_check_during_preview() -> None:
    inputs, failures = check(instance_id=rpc.UNKNOWN, database_name="app")
    assert failures == {} and inputs["instance_id"] == rpc.UNKNOWN


def test_default_name_is_the_database_and_utc_time() -> None:
    when = datetime(2026, 11, 25, 16, 30, 4, tzinfo=timezone.utc)
    assert default_name("app", when) == "app-20261125-163004"


# -- RdbBackup: diff ---------------------------------------------------------------------------

STORED = {**BASE, "export": False, "name": "app-20261125-163004", "region": "fr-par",
          "backup_id": BACKUP, "status": "ready"}  # fmt: skip


def test_no_change_when_name_and_region_were_chosen_at_create() -> None:
    assert diff(STORED, {**BASE, "export": False}) == (False, [])


def test_rename_and_expiry_and_export_update_in_place() -> None:
    assert diff(STORED, {**BASE, "export": False, "name": "nightly"}) == (True, [])
    assert diff(STORED, {**BASE, "export": False, "expires_at": "2030-01-01T00:00:00Z"}) == (
        True,
        [],
    )
    assert diff(STORED, {**BASE, "export": True}) == (True, [])


@pytest.mark.parametrize(
    ("change", "replaced"),
    [
        ({"instance_id": "22222222-2222-2222-2222-222222222222"}, ["instance_id"]),
        ({"database_name": "other"}, ["database_name"]),
        ({"region": "nl-ams"}, ["region"]),
    ],
)
def test_instance_database_and_region_replace(change: dict[str, Any], replaced: list[str]) -> None:
    assert diff(STORED, {**BASE, "export": False, **change}) == (True, replaced)


def test_explicit_region_equal_to_the_resolved_one_is_no_change() -> None:
    assert diff(STORED, {**BASE, "export": False, "region": "fr-par"}) == (False, [])


def test_unknown_name_is_a_change() -> None:
    assert diff(STORED, {**BASE, "export": False, "name": rpc.UNKNOWN}) == (True, [])


NOW = datetime(2026, 12, 4, 12, 0, tzinfo=timezone.utc)
EXPORTED = {**STORED, "export": True, "download_url": "https://s3.example/dump?X-Amz-Signature=x"}


@pytest.mark.parametrize(
    ("link", "due"),
    [
        ({"download_url_expires_at": "2026-12-05T12:00:00Z"}, False),  # a day left
        ({"download_url_expires_at": "2026-12-04T12:04:00Z"}, True),  # 4 minutes left
        ({"download_url_expires_at": "2026-12-04T11:00:00Z"}, True),  # expired
        ({"download_url": None, "download_url_expires_at": "2026-12-04T11:00:00Z"}, True),
        ({"download_url_expires_at": None}, True),
    ],
)
def test_an_exported_backup_whose_link_is_due_is_updated_not_replaced(
    link: dict[str, Any], due: bool
) -> None:
    """The refresh reports an expired link as none; Diff plans the update that renews it."""
    result = RdbBackupProvider().diff(
        f"fr-par/{BACKUP}", {"__provider": "old", **EXPORTED, **link}, {**BASE, "export": True}, NOW
    )
    assert (bool(result.changes), list(result.replaces or [])) == (due, [])
    unexported = {**STORED, **link}
    assert diff(unexported, {**BASE, "export": False}) == (False, [])


# -- RdbBackupRestore ----------------------------------------------------------------------------


def test_restore_accepts_region_slash_uuid_and_bare_uuid() -> None:
    inputs, failures = check_restore(**RESTORE, database_name="app_restore", triggers=["v1"])
    assert failures == {} and inputs["triggers"] == ["v1"]
    _, failures = check_restore(backup_id=BACKUP, instance_id=INSTANCE, region="pl-waw")
    assert failures == {}


@pytest.mark.parametrize(
    ("inputs", "prop", "reason"),
    [
        ({**RESTORE, "backup_id": "fr-par/x/y"}, "backup_id", "region/uuid"),
        ({**RESTORE, "backup_id": "moon/" + BACKUP}, "backup_id", "fr-par, nl-ams, pl-waw"),
        ({**RESTORE, "backup_id": "not-a-uuid"}, "backup_id", "must be a UUID"),
        ({**RESTORE, "instance_id": "x"}, "instance_id", "must be a UUID"),
        ({**RESTORE, "region": "nl-ams"}, "region", "contradicts backup_id's region"),
        ({"backup_id": BACKUP}, "instance_id", "Field required"),
    ],
)
def test_restore_bad_inputs_fail_on_their_property(
    inputs: dict[str, Any], prop: str, reason: str
) -> None:
    _, failures = check_restore(**inputs)
    assert list(failures) == [prop] and reason in failures[prop]


def test_restore_any_change_restores_again() -> None:
    provider = RdbBackupRestoreProvider()
    olds = {"__provider": "old", **RESTORE, "triggers": ["v1"], "status": "ready"}
    same = provider.diff("x", olds, {**RESTORE, "triggers": ["v1"]})
    assert not same.changes
    again = provider.diff("x", olds, {**RESTORE, "triggers": ["v2"]})
    assert again.changes and again.replaces == ["triggers"]
    moved = provider.diff("x", olds, {**RESTORE, "triggers": ["v1"], "database_name": "b"})
    assert moved.replaces == ["database_name"]


@pytest.mark.parametrize(
    "olds",
    [
        {"backup_id": f"fr-par/{BACKUP}", "instance_id": INSTANCE},  # as created from a program
        {"backup_id": BACKUP, "region": "fr-par", "instance_id": INSTANCE},  # as imported
        {"backup_id": BACKUP, "instance_id": INSTANCE},  # created with the config's region
    ],
)
@pytest.mark.parametrize(
    "news",
    [
        {"backup_id": f"fr-par/{BACKUP}", "instance_id": INSTANCE},
        {"backup_id": BACKUP, "region": "fr-par", "instance_id": INSTANCE},
        {"backup_id": BACKUP, "instance_id": INSTANCE},
    ],
)
def test_one_backup_named_either_way_restores_nothing_again(
    olds: dict[str, Any], news: dict[str, Any]
) -> None:
    restore_id = f"fr-par/{BACKUP}/restore/1796630779933"
    result = RdbBackupRestoreProvider().diff(restore_id, {**olds, "status": "ready"}, news)
    assert not result.changes, result.replaces


def test_another_backup_or_region_restores_again() -> None:
    provider = RdbBackupRestoreProvider()
    restore_id = f"fr-par/{BACKUP}/restore/1796630779933"
    olds = {"backup_id": BACKUP, "region": "fr-par", "instance_id": INSTANCE, "status": "ready"}
    other = "0a0a0a0a-8ffc-4ff3-9f9a-f0d332a48780"
    assert provider.diff(restore_id, olds, {**RESTORE, "backup_id": other}).replaces
    moved = provider.diff(restore_id, olds, {**RESTORE, "backup_id": f"nl-ams/{BACKUP}"})
    assert moved.replaces
    assert provider.diff(restore_id, olds, {**olds, "region": "pl-waw"}).replaces
    unknown = provider.diff(restore_id, olds, {**RESTORE, "backup_id": rpc.UNKNOWN})
    assert unknown.changes


def test_args_accept_explicit_nones() -> None:
    args = RdbBackupArgs(**BASE, name=None, expires_at=None, region=None)
    assert args.to_inputs() == {**BASE, "export": False}
    restore = RdbBackupRestoreArgs(**RESTORE, region=None, database_name=None)
    assert restore.backup_ref() == ("fr-par", BACKUP)
    assert RdbBackupRestoreArgs(backup_id=BACKUP, instance_id=INSTANCE).backup_ref() == (
        None,
        BACKUP,
    )
