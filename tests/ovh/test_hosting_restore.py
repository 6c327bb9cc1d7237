"""HostingDatabaseRestore: pure check/diff, and the provider against the sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from support.ovh import fast_ovh_client, hosting_with_database

from pulumi_backups.core.errors import BackupsError
from pulumi_backups.core.waiting import WaitPolicy
from pulumi_backups.ovh.client import clients
from pulumi_backups.ovh.hosting_client import HostingApi
from pulumi_backups.ovh.hosting_database_restore import (
    HostingDatabaseRestoreArgs,
    HostingDatabaseRestoreProvider,
)
from pulumi_backups.ovh.waiters import wait_hosting
from pulumi_backups.sandbox import Sandbox

SN = "sandbox.cluster000.hosting.ovh.net"
DB = "sandboxapp.mysql.db"
BASE = {"service_name": SN, "database_name": DB}
PROVIDER = HostingDatabaseRestoreProvider()
FAST = WaitPolicy(timeout=5)


@pytest.fixture
def api(sandbox: Sandbox) -> HostingApi:
    """The sandbox's hosting API, with one database ``DB``."""
    return hosting_with_database(fast_ovh_client(sandbox, attempts=6))


@pytest.fixture
def provider(api: HostingApi) -> Iterator[HostingDatabaseRestoreProvider]:
    """The provider, talking to ``api``'s client."""
    with clients.substitute(api.client):
        yield HostingDatabaseRestoreProvider()


def failures(news: dict[str, Any]) -> dict[str, str]:
    result = PROVIDER.check({}, {"__provider": "p", **BASE, **news})
    return {f.property: f.reason for f in result.failures}


def test_check_wants_exactly_one_source() -> None:
    assert failures({"dump_id": 1000001.0}) == {}
    assert failures({"date": "daily.1"}) == {}
    assert "exactly one" in failures({})["dump_id"]
    assert "exactly one" in failures({"dump_id": 5, "date": "weekly.1"})["dump_id"]
    assert list(failures({"dump_id": 1.5})) == ["dump_id"]
    assert list(failures({"date": "yesterday"})) == ["date"]
    result = PROVIDER.check({}, {"__provider": "p", **BASE, "dump_id": "1000001"})
    assert result.inputs == {**BASE, "dump_id": 1000001}


def test_diff_restores_again_on_any_change() -> None:
    olds = {"__provider": "p", **BASE, "dump_id": 7.0, "task_id": 1.0, "triggers": ["a"]}
    result = PROVIDER.diff(f"{SN}/{DB}/restore/1", olds, {**BASE, "dump_id": 7, "triggers": ["b"]})
    assert result.replaces == ["triggers"]
    result = PROVIDER.diff(f"{SN}/{DB}/restore/1", olds, {**BASE, "dump_id": 8, "triggers": ["a"]})
    assert result.replaces == ["dump_id"]


def test_restore_a_dump_and_a_backup(
    provider: HostingDatabaseRestoreProvider, api: HostingApi, sandbox: Sandbox
) -> None:
    wait_hosting(api, api.create_dump(DB, "now", False), FAST)
    (dump_id,) = api.dump_ids(DB)
    sandbox.clear_counters()
    args = HostingDatabaseRestoreArgs(**BASE, dump_id=dump_id)
    resource_id, outs = provider.create_resource(args)
    assert resource_id == f"{SN}/{DB}/restore/{outs['task_id']}"
    assert outs["done_date"]
    assert sandbox.counters() == {
        "POST /1.0/hosting/web/{serviceName}/database/{name}/dump/{id}/restore": 1
    }
    _, backup_outs = provider.create_resource(HostingDatabaseRestoreArgs(**BASE, date="daily.1"))
    assert backup_outs["task_id"] != outs["task_id"]
    assert provider.read_resource(resource_id, args, outs) == outs


def test_failed_restore_names_the_task(
    provider: HostingDatabaseRestoreProvider, sandbox: Sandbox
) -> None:
    sandbox.script("hosting:database/restore", "fail")
    with pytest.raises(BackupsError) as caught:
        provider.create({**BASE, "date": "weekly.1"})
    message = str(caught.value)
    assert message.startswith(f"HostingDatabaseRestore of backup weekly.1 into {DB}")
    assert "database/restore #" in message and "'cancelled'" in message


def test_delete_only_forgets_and_says_so(
    provider: HostingDatabaseRestoreProvider,
    sandbox: Sandbox,
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = HostingDatabaseRestoreArgs(**BASE, date="daily.1")
    resource_id, outs = provider.create_resource(args)
    sandbox.clear_counters()
    provider.delete_resource(resource_id, args, outs)
    assert sandbox.counters() == {}
    assert "cannot be undone" in capsys.readouterr().err


def test_refresh_keeps_a_restore_whatever_became_of_its_database(
    provider: HostingDatabaseRestoreProvider, api: HostingApi, sandbox: Sandbox
) -> None:
    args = HostingDatabaseRestoreArgs(**BASE, date="daily.1")
    resource_id, outs = provider.create_resource(args)
    wait_hosting(api, api.delete_database(DB), FAST)
    sandbox.clear_counters()
    assert provider.read_resource(resource_id, args, outs) == outs  # it took place
    assert sandbox.counters() == {}  # nothing to ask the API: a restore is a past action
