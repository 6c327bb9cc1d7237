"""OVHcloud answers are believed only well formed and about the object asked for; an
unfinished create is handed to the engine when the adapter keeps partial results.

Against the sandbox and its lying answers, with the provider's waits on a fake clock.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from support.fakes import FakeClock
from support.ovh import fast_ovh_client, hosting_with_database

from pulumi_backups.core.answers import MALFORMED, parsed
from pulumi_backups.core.errors import ApiError, BackupsError
from pulumi_backups.core.partial import IncompleteCreateError, partial_results
from pulumi_backups.core.waiting import WaitPolicy
from pulumi_backups.ovh.client import clients
from pulumi_backups.ovh.hosting_client import HostingApi
from pulumi_backups.ovh.hosting_database import HostingDatabaseArgs, HostingDatabaseProvider
from pulumi_backups.ovh.hosting_database_dump import (
    HostingDatabaseDumpArgs,
    HostingDatabaseDumpProvider,
)
from pulumi_backups.ovh.models import (
    MAX_LISTED,
    Database,
    Dump,
    HostingTask,
    ServiceDump,
    linked_dump,
    listed_ids,
    listed_names,
)
from pulumi_backups.ovh.nasha.client import NashaPartition
from pulumi_backups.ovh.nasha.models import CustomSnapshot, NashaTask
from pulumi_backups.ovh.nasha.policy_operations import find_records, record_name
from pulumi_backups.ovh.nasha.waiters import wait_nasha
from pulumi_backups.ovh.nasha_custom_snapshot import (
    NashaCustomSnapshotArgs,
    NashaCustomSnapshotProvider,
)
from pulumi_backups.ovh.waiters import consistent, wait_hosting
from pulumi_backups.sandbox import Sandbox
from pulumi_backups.sandbox.settings import NASHA_SERVICE

SN = "sandbox.cluster000.hosting.ovh.net"
DB = "sandboxapp.mysql.db"
WEB = "/1.0/hosting/web/{serviceName}"
DUMPS = f"GET {WEB}/database/{{name}}/dump"
TASK = f"GET {WEB}/tasks/{{id}}"
PART = "/1.0/dedicated/nasha/{serviceName}/partition/{partitionName}"
FAST = WaitPolicy(timeout=5)


@pytest.fixture
def api(sandbox: Sandbox, clock: FakeClock) -> Iterator[HostingApi]:
    """The sandbox's hosting API with the database ``DB``, served to every provider."""
    hosting = hosting_with_database(fast_ovh_client(sandbox, clock=clock))
    with clients.substitute(hosting.client):
        yield hosting


def stored_dumps(sandbox: Sandbox) -> list[int]:
    return sorted(doc["id"] for doc in sandbox.objects().get("ovh:hosting:dump", {}).values())


# -- malformed answers ----------------------------------------------------------------------

BAD_BODIES: list[Any] = [None, [], "text", 7, {}, {"id": "x", "status": "done"}, {"id": 1}]


@pytest.mark.parametrize(
    "build",
    [HostingTask.from_api, NashaTask.from_api, Database.from_api, Dump.from_api,
     ServiceDump.from_api, CustomSnapshot.from_api],
)  # fmt: skip
@pytest.mark.parametrize("body", BAD_BODIES)
def test_every_model_refuses_a_malformed_body_as_an_api_error(build: Any, body: Any) -> None:
    if build in (Dump.from_api, ServiceDump.from_api) and body == {"id": 1}:
        return  # a dump needs nothing but its id
    with pytest.raises(ApiError, match=MALFORMED):
        parsed("GET /x", build, body)


@pytest.mark.parametrize("body", [None, {"a": 1}, "abc", [1, "2"], [True], [None]])
def test_a_listing_is_a_list_of_ids_or_names(body: Any) -> None:
    with pytest.raises(ApiError, match=MALFORMED):
        parsed("GET /x", listed_ids, body)
    with pytest.raises(ApiError, match=MALFORMED):
        parsed("GET /x", listed_names, body if body != ["abc"] else [1])


def test_a_listing_of_more_than_it_can_hold_is_refused() -> None:
    assert parsed("GET /x", listed_ids, list(range(MAX_LISTED))) == list(range(MAX_LISTED))
    with pytest.raises(ApiError, match=f"lists {MAX_LISTED + 1} entries"):
        parsed("GET /x", listed_ids, list(range(MAX_LISTED + 1)))


def test_the_dump_a_link_names() -> None:
    assert linked_dump("https://h/_download/dump/1000002.sql.gz?sign=x") == 1000002
    assert linked_dump("https://h/files/1000003.sql.gz") == 1000003
    assert linked_dump("https://elsewhere.example/x") is None and linked_dump(None) is None


# -- answers about another object -------------------------------------------------------------


def test_a_dump_task_naming_an_older_task_never_takes_its_dump(
    sandbox: Sandbox, api: HostingApi
) -> None:
    older = wait_hosting(api, api.create_dump(DB, "now", False), FAST)
    (kept,) = stored_dumps(sandbox)
    sandbox.fault(f"set:id={older.id}", f"POST {WEB}/database/{{name}}/dump")
    with pytest.raises(BackupsError, match=r"none of the dumps .* made since the request"):
        HostingDatabaseDumpProvider().create_resource(
            HostingDatabaseDumpArgs(service_name=SN, database_name=DB)
        )
    assert kept in stored_dumps(sandbox)


def test_a_task_about_another_task_is_refused(sandbox: Sandbox, api: HostingApi) -> None:
    task = api.create_dump(DB, "now", False)
    sandbox.fault('set:objectId="other.mysql.db"', TASK)
    with pytest.raises(ApiError, match=r"objectId 'other\.mysql\.db'.* than hosting task"):
        api.follow(task.model_copy(update={"status": "doing"}))
    sandbox.fault("set:id=1", TASK)
    with pytest.raises(ApiError, match="about another object"):
        api.task(task.id)


@pytest.mark.parametrize(
    ("lie", "said"),
    [("set:id=777", "id 777"), ('set:url="https://h/dump/5.sql.gz"', "link 5")],
)
def test_a_dump_read_about_another_dump_is_refused(
    sandbox: Sandbox, api: HostingApi, lie: str, said: str
) -> None:
    task = wait_hosting(api, api.create_dump(DB, "now", False), FAST)
    (dump_id,) = stored_dumps(sandbox)
    assert task.done
    sandbox.fault(lie, f"GET {WEB}/database/{{name}}/dump/{{id}}", count=None)
    with pytest.raises(ApiError, match=said):
        api.dump(DB, dump_id)
    sandbox.fault(lie, f"GET {WEB}/dump/{{id}}", count=None)
    with pytest.raises(ApiError, match=said):
        api.service_dump(dump_id, DB)


def test_a_database_read_about_another_is_refused(sandbox: Sandbox, api: HostingApi) -> None:
    args = HostingDatabaseArgs(service_name=SN, user="sandboxapp", type="mysql",
                               capability="sqlPerso")  # fmt: skip
    sandbox.fault('set:user="sandboxother"', f"GET {WEB}/database/{{name}}", count=None)
    with pytest.raises(ApiError, match="user 'sandboxother'"):
        HostingDatabaseProvider().read_resource(f"{SN}/{DB}", args, {})


def test_a_snapshot_read_about_another_is_refused(sandbox: Sandbox, clock: FakeClock) -> None:
    partition = NashaPartition(fast_ovh_client(sandbox, clock=clock), NASHA_SERVICE, "backups")
    wait_nasha(partition, partition.create_custom_snapshot("mine", None), FAST)
    sandbox.fault('set:name="other"', f"GET {PART}/customSnapshot/{{name}}")
    with pytest.raises(ApiError, match="name 'other'"):
        partition.custom_snapshot("mine")


# -- listings taken as proof ------------------------------------------------------------------


def test_a_consistent_listing_is_two_reads_that_agree() -> None:
    answers = iter([[1], [1, 2], [2, 1]])
    assert consistent(lambda: next(answers), "x") == [2, 1]
    changing = iter([[1], [2], [3]])
    with pytest.raises(BackupsError, match="changed at each of 3 reads"):
        consistent(lambda: next(changing), "the listing")


def test_a_schedule_record_omitted_once_is_still_found(sandbox: Sandbox, clock: FakeClock) -> None:
    partition = NashaPartition(fast_ovh_client(sandbox, clock=clock), NASHA_SERVICE, "backups")
    name = record_name(["day-1"])
    wait_nasha(partition, partition.create_custom_snapshot(name, None), FAST)
    sandbox.fault(f"omit:{json.dumps(name)}", f"GET {PART}/customSnapshot")
    assert find_records(partition) == {name: ["day-1"]}


def test_a_dump_omitted_once_from_its_listing_is_still_found(
    sandbox: Sandbox, api: HostingApi
) -> None:
    sandbox.fault("omit:1000001", DUMPS, count=2)  # before the request, and once after it
    _, outs = HostingDatabaseDumpProvider().create_resource(
        HostingDatabaseDumpArgs(service_name=SN, database_name=DB)
    )
    assert stored_dumps(sandbox) == [outs["dump_id"]] == [1000001]


# -- unfinished creates, kept by the plugin -------------------------------------------------


def test_a_dump_made_whose_task_seems_endless_is_kept_as_a_partial_result(
    sandbox: Sandbox, api: HostingApi, clock: FakeClock
) -> None:
    sandbox.fault('set:status="doing"', f"POST {WEB}/database/{{name}}/dump")
    sandbox.fault('set:status="doing"', TASK, count=None)
    args = HostingDatabaseDumpArgs(service_name=SN, database_name=DB, timeouts={"create": 20})
    with partial_results(), pytest.raises(IncompleteCreateError) as caught:
        HostingDatabaseDumpProvider().create_resource(args)
    (dump_id,) = stored_dumps(sandbox)
    assert caught.value.id == f"{SN}/{DB}/{dump_id}"
    assert caught.value.outputs["dump_id"] == dump_id and "timed out" in str(caught.value)
    assert 20 <= clock.t < 21


def test_without_partial_results_the_same_dump_is_deleted(
    sandbox: Sandbox, api: HostingApi
) -> None:
    sandbox.fault('set:status="doing"', f"POST {WEB}/database/{{name}}/dump")
    sandbox.fault('set:status="doing"', TASK, count=None)
    args = HostingDatabaseDumpArgs(service_name=SN, database_name=DB, timeouts={"create": 20})
    with pytest.raises(BackupsError, match="deleting dump"):
        HostingDatabaseDumpProvider().create_resource(args)
    sandbox.clear_faults()
    left = sandbox.objects().get("ovh:hosting:dump", {}).values()
    assert [d for d in left if d["status"] != "deleting"] == []


def test_an_endless_database_create_is_kept_as_a_partial_result(
    sandbox: Sandbox, api: HostingApi
) -> None:
    sandbox.script("hosting:database/create", "hang")
    args = HostingDatabaseArgs(service_name=SN, user="sandboxslow", type="mysql",
                               capability="sqlPerso", timeouts={"create": 20})  # fmt: skip
    with partial_results(), pytest.raises(IncompleteCreateError) as caught:
        HostingDatabaseProvider().create_resource(args)
    assert caught.value.id == f"{SN}/sandboxslow.mysql.db"
    assert caught.value.outputs["status"] == "creating"
    assert "sandboxslow.mysql.db" in api.database_names()


def test_an_endless_custom_snapshot_is_kept_as_a_partial_result(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    sandbox.script("nasha:customSnapshot/create", "hang")
    client = fast_ovh_client(sandbox, clock=clock)
    args = NashaCustomSnapshotArgs(service_name=NASHA_SERVICE, partition_name="backups",
                                   name="slow", timeouts={"create": 20})  # fmt: skip
    with clients.substitute(client), partial_results(), pytest.raises(IncompleteCreateError) as e:
        NashaCustomSnapshotProvider().create_resource(args)
    assert e.value.id == f"{NASHA_SERVICE}/backups/slow" and e.value.outputs == {"expiration": None}
