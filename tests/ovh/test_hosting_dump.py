"""HostingDatabaseDump: pure check/diff, and the provider's CRUD against the sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from support.fakes import FakeClock, mutations
from support.ovh import fast_ovh_client, hosting_with_database

from pulumi_backups.core.errors import ApiError, BackupsError
from pulumi_backups.core.waiting import Deadline, WaitPolicy
from pulumi_backups.ovh.client import clients
from pulumi_backups.ovh.hosting_client import HostingApi
from pulumi_backups.ovh.hosting_database_dump import (
    HostingDatabaseDumpArgs,
    HostingDatabaseDumpProvider,
)
from pulumi_backups.ovh.hosting_operations import find_task_dump
from pulumi_backups.ovh.waiters import wait_hosting
from pulumi_backups.sandbox import Sandbox

SN = "sandbox.cluster000.hosting.ovh.net"
DB = "sandboxapp.mysql.db"
BASE = {"service_name": SN, "database_name": DB}
PROVIDER = HostingDatabaseDumpProvider()
FAST = WaitPolicy(timeout=5)


@pytest.fixture
def api(sandbox: Sandbox, clock: FakeClock) -> HostingApi:
    """The sandbox's hosting API, with one database ``DB``."""
    hosting = hosting_with_database(fast_ovh_client(sandbox, clock=clock))
    return hosting


@pytest.fixture
def provider(api: HostingApi) -> Iterator[HostingDatabaseDumpProvider]:
    """The provider, talking to ``api``'s client."""
    with clients.substitute(api.client):
        yield HostingDatabaseDumpProvider()


def stored_dumps(sandbox: Sandbox) -> dict[str, Any]:
    return sandbox.objects().get("ovh:hosting:dump", {})


# -- check / diff -----------------------------------------------------------------------------


def test_check_defaults_and_refusals() -> None:
    result = PROVIDER.check({}, {"__provider": "p", **BASE, "triggers": ["v1"]})
    assert result.failures == []
    assert result.inputs == {**BASE, "date": "now", "send_email": False, "triggers": ["v1"]}
    bad = PROVIDER.check({}, {"__provider": "p", **BASE, "date": "monthly.1", "sendEmail": 1})
    assert sorted(f.property for f in bad.failures) == ["date", "sendEmail"]
    bad = PROVIDER.check({}, {"__provider": "p", "service_name": SN, "database_name": "a/b"})
    assert [f.property for f in bad.failures] == ["database_name"]


def test_diff_replaces_on_triggers_and_date_only() -> None:
    olds = {"__provider": "p", **BASE, "date": "now", "send_email": False, "dump_id": 7.0}

    def diff(news: dict[str, Any]) -> tuple[bool, list[str]]:
        result = PROVIDER.diff(f"{SN}/{DB}/7", olds, {**BASE, "date": "now", **news})
        return bool(result.changes), list(result.replaces or [])

    assert diff({"send_email": False}) == (False, [])
    assert diff({"send_email": True}) == (True, [])
    assert diff({"triggers": ["v2"]}) == (True, ["triggers"])
    assert diff({"date": "daily.1"}) == (True, ["date"])


# -- CRUD against the sandbox -----------------------------------------------------------------


def test_create_read_and_delete(provider: HostingDatabaseDumpProvider, api: HostingApi) -> None:
    args = HostingDatabaseDumpArgs(**BASE)
    resource_id, outs = provider.create_resource(args)
    dump_id = outs["dump_id"]
    assert resource_id == f"{SN}/{DB}/{dump_id}"
    assert outs["status"] == "created" and outs["url"].startswith("http")
    assert outs["creation_date"] < outs["deletion_date"]
    assert provider.read_resource(resource_id, args, outs) == outs
    provider.delete_resource(resource_id, args, outs)
    assert api.dump_ids(DB) == []
    assert provider.read_resource(resource_id, args, outs) is None
    provider.delete_resource(resource_id, args, outs)  # gone already: success


def test_concurrent_dumps_of_one_database_each_get_their_own(
    provider: HostingDatabaseDumpProvider, api: HostingApi, sandbox: Sandbox
) -> None:
    args = HostingDatabaseDumpArgs(**BASE)
    with ThreadPoolExecutor(4) as pool:
        created = list(pool.map(lambda _: provider.create_resource(args), range(4)))
    ids = [outs["dump_id"] for _, outs in created]
    assert len(set(ids)) == 4
    assert sorted(ids) == sorted(api.dump_ids(DB))
    # each resource holds the dump its own task produced
    task_of = {doc["id"]: doc["taskId"] for doc in stored_dumps(sandbox).values()}
    assert len(set(task_of.values())) == 4


def test_the_dump_is_found_by_its_task_never_by_position(api: HostingApi) -> None:
    tasks = [api.create_dump(DB, "now", False) for _ in range(3)]
    for task in tasks:
        wait_hosting(api, task, FAST)
    ids = sorted(api.dump_ids(DB))
    deadline = Deadline(FAST, api.clock)
    found = [find_task_dump(api, DB, task, set(), deadline) for task in tasks]
    assert [dump.id for dump in found if dump] == ids  # the middle one is neither end
    assert find_task_dump(api, DB, tasks[1].model_copy(update={"id": 1}), set(), deadline) is None
    # a dump listed before the request is never the one it made, whatever its taskId
    assert find_task_dump(api, DB, tasks[1], {ids[1]}, deadline) is None


def test_failed_dump_names_the_task_and_leaves_nothing(
    provider: HostingDatabaseDumpProvider, api: HostingApi, sandbox: Sandbox
) -> None:
    sandbox.script("hosting:dump/create", "fail")
    with pytest.raises(BackupsError) as caught:
        provider.create(dict(BASE))
    message = str(caught.value)
    assert message.startswith(f"HostingDatabaseDump of {DB} on {SN}: create failed")
    assert "dump/create #" in message and "'cancelled'" in message
    assert stored_dumps(sandbox) == {}


def test_endless_dump_times_out_and_says_what_may_appear(
    provider: HostingDatabaseDumpProvider, sandbox: Sandbox, clock: FakeClock
) -> None:
    sandbox.script("hosting:dump/create", "hang")
    with pytest.raises(BackupsError) as caught:
        provider.create({**BASE, "timeouts": {"create": 20}})
    message = str(caught.value)
    assert "timed out after 20 s" in message and "taskId" in message
    assert 20 <= clock.t < 21
    assert stored_dumps(sandbox) == {}


def test_out_of_band_deletion_drops_the_dump(
    provider: HostingDatabaseDumpProvider, api: HostingApi
) -> None:
    args = HostingDatabaseDumpArgs(**BASE)
    resource_id, outs = provider.create_resource(args)
    wait_hosting(api, api.delete_dump(DB, outs["dump_id"]), FAST)
    assert provider.read_resource(resource_id, args, outs) is None


def test_expired_dump_is_dropped(provider: HostingDatabaseDumpProvider, sandbox: Sandbox) -> None:
    args = HostingDatabaseDumpArgs(**BASE, date="daily.1")  # kept 7 days
    resource_id, outs = provider.create_resource(args)
    sandbox.advance(8 * 86_400)
    later = HostingApi(fast_ovh_client(sandbox), SN)  # a client that learns the new time

    with clients.substitute(later.client):
        assert provider.read_resource(resource_id, args, outs) is None


WEB = "/1.0/hosting/web/{serviceName}"
SERVICE_DUMP = f"{WEB}/dump/{{id}}"
DATABASE_DUMP = f"{WEB}/database/{{name}}/dump/{{id}}"


def test_a_dump_of_a_deleted_database_stays_readable_until_deleted(
    provider: HostingDatabaseDumpProvider, api: HostingApi, sandbox: Sandbox
) -> None:
    args = HostingDatabaseDumpArgs(**BASE, date="daily.1")  # kept 7 days while its database lives
    resource_id, outs = provider.create_resource(args)
    wait_hosting(api, api.delete_database(DB), FAST)
    sandbox.clear_counters()

    kept = provider.read_resource(resource_id, args, outs)
    assert kept is not None and kept["dump_id"] == outs["dump_id"]
    assert kept["deletion_date"] > outs["deletion_date"]  # 30 days from the deletion
    assert sandbox.counters() == {f"GET {DATABASE_DUMP}": 1, f"GET {SERVICE_DUMP}": 1}

    provider.delete_resource(resource_id, args, outs)  # the program asked: it goes
    assert api.orphan_dump_ids(DB) == []
    assert provider.read_resource(resource_id, args, outs) is None
    provider.delete_resource(resource_id, args, outs)  # gone from both routes: success


def test_a_dump_of_a_replaced_database_is_not_taken_for_the_new_one_s(
    provider: HostingDatabaseDumpProvider, api: HostingApi, sandbox: Sandbox
) -> None:
    args = HostingDatabaseDumpArgs(**BASE)
    resource_id, outs = provider.create_resource(args)
    wait_hosting(api, api.delete_database(DB), FAST)  # replaced: deleted, then created again
    body = {"capabilitie": "sqlPerso", "type": "mariadb", "user": "sandboxapp"}
    wait_hosting(api, api.create_database(body), FAST)
    _, new_outs = provider.create_resource(args)  # a dump of the new database
    assert api.dump_ids(DB) == [new_outs["dump_id"]]

    kept = provider.read_resource(resource_id, args, outs)
    assert kept is not None and kept["dump_id"] == outs["dump_id"]
    sandbox.clear_counters()
    provider.delete_resource(resource_id, args, outs)
    # its database's route answers 404; the service-level one deletes it
    assert mutations(sandbox) == {f"DELETE {DATABASE_DUMP}": 1, f"DELETE {SERVICE_DUMP}": 1}
    assert api.orphan_dump_ids(DB) == [] and api.dump_ids(DB) == [new_outs["dump_id"]]


def test_a_dump_id_of_another_database_is_not_this_resource_s(
    provider: HostingDatabaseDumpProvider, api: HostingApi, sandbox: Sandbox
) -> None:
    """The service-level route answers for any dump of the service: one of another database
    than the id names is no proof of anything; read and delete fail alike, naming both, and
    the dump is left alone."""
    _, outs = provider.create_resource(HostingDatabaseDumpArgs(**BASE))
    other = {**BASE, "database_name": "sandboxold.mysql.db"}
    resource_id = f"{SN}/sandboxold.mysql.db/{outs['dump_id']}"
    args = HostingDatabaseDumpArgs(**other)
    sandbox.clear_counters()

    with pytest.raises(ApiError, match=f"databaseName '{DB}'.* than dump"):
        provider.read_resource(resource_id, args, outs)
    with pytest.raises(ApiError, match="about another object"):
        provider.delete_resource(resource_id, args, outs)
    assert mutations(sandbox) == {f"DELETE {WEB}/database/{{name}}/dump/{{id}}": 1}  # a 404
    assert api.dump_ids(DB) == [outs["dump_id"]]


def test_an_orphan_dump_is_dropped_once_expired(
    provider: HostingDatabaseDumpProvider, api: HostingApi, sandbox: Sandbox
) -> None:
    args = HostingDatabaseDumpArgs(**BASE)
    resource_id, outs = provider.create_resource(args)
    wait_hosting(api, api.delete_database(DB), FAST)
    sandbox.advance(30 * 86_400 + 1)
    later = HostingApi(fast_ovh_client(sandbox), SN)  # a client that learns the new time

    with clients.substitute(later.client):
        assert provider.read_resource(resource_id, args, outs) is None
