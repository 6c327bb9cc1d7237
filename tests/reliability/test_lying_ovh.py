"""OVHcloud answers that lie (a proxy between the provider and the API), through both adapters.

The dynamic path runs the real provider host under the engine model (program
tests/programs/safety_all); the plugin runs as its own process. Each test lies on one route
with the sandbox's lying answers and then counts, from the sandbox's own objects, what the
state took: no object taken over, lost, left unnamed, deleted by mistake or dropped.

- A dump create whose task answer names another task (one that made an existing dump)
  never makes the state take that dump; destroy leaves it; the dump actually made is named.
- The dump listing that omits the new dump once, or pads made-up ids, still gives the
  right dump; 2,000,000 made-up ids end the create within its deadline, nothing made.
- A read about another dump, database or snapshot (or a task about another task) is an
  error naming both, and the state keeps what it had.
- A garbled 2xx on a create: the database and the snapshot are taken (their name says
  which is theirs).
- A dump create whose answer is lost (500, dropped) or garbled (truncated, empty, 204): the
  state takes the one dump the server made, and the next `up` makes none; with a second new
  dump (another program's, made meanwhile) the error names both and the state takes neither.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from reliability.inventory import differences, held
from support import DeploymentError, Engine, HostError, ProviderHost
from support.ovh import fast_ovh_client
from support.plugin import start_plugin, urn

from pulumi_backups.core.waiting import WaitPolicy
from pulumi_backups.ovh.hosting_client import HostingApi
from pulumi_backups.ovh.waiters import wait_hosting
from pulumi_backups.sandbox import Sandbox
from pulumi_backups.sandbox.settings import HOSTING_SERVICE, NASHA_SERVICE

PROGRAM = Path(__file__).resolve().parents[1] / "programs" / "safety_all"
WEB = "/1.0/hosting/web/{serviceName}"
DB_ROUTE = f"{WEB}/database/{{name}}"
DUMPS = f"GET {DB_ROUTE}/dump"
POST_DUMP = f"POST {DB_ROUTE}/dump"
GET_DUMP = f"GET {DB_ROUTE}/dump/{{id}}"
TASK = f"GET {WEB}/tasks/{{id}}"
PART = "/1.0/dedicated/nasha/{serviceName}/partition/{partitionName}"
SAFE_DB = "sandboxsafe.mysql.db"  # the program's database
SEEDED_DB = "sandboxapp.mysql.db"  # made for the plugin's tests
DUMP_TOKEN = "backups:ovh:HostingDatabaseDump"
FAST = WaitPolicy(timeout=5)


def engine(sandbox: Sandbox, tmp_path: Path, **settings: Any) -> Engine:
    run = Engine(PROGRAM, tmp_path / "state.json", dict(sandbox.stack_config()))
    values = {"deletion_protection": False, **settings}
    run.stack_config.update({f"{run.project}:{k}": v for k, v in values.items()})
    return run


@pytest.fixture
def plugin(sandbox: Sandbox) -> Iterator[ProviderHost]:
    """The plugin, configured for the sandbox, which holds the database ``SEEDED_DB``."""
    api = HostingApi(fast_ovh_client(sandbox), HOSTING_SERVICE)
    body = {"capabilitie": "sqlPerso", "type": "mysql", "user": "sandboxapp"}
    wait_hosting(api, api.create_database(body), FAST)
    with start_plugin(sandbox) as host:
        yield host


def dumps(sandbox: Sandbox) -> dict[int, dict[str, Any]]:
    return {doc["id"]: doc for doc in sandbox.objects().get("ovh:hosting:dump", {}).values()}


def bystander_dump(sandbox: Sandbox, database: str) -> dict[str, Any]:
    """A dump made out of band (by another stack, say): no state of the test has it."""
    api = HostingApi(fast_ovh_client(sandbox), HOSTING_SERVICE)
    wait_hosting(api, api.create_dump(database, "now", False), FAST)
    (doc,) = [d for d in dumps(sandbox).values() if d["databaseName"] == database]
    return doc


def next_dump_id(sandbox: Sandbox) -> int:
    """The id the sandbox gives the next dump (ids follow each other)."""
    return max(dumps(sandbox), default=1_000_000) + 1


def plugin_dump(plugin: ProviderHost, **more: Any) -> tuple[str, dict[str, Any]]:
    inputs = {"serviceName": HOSTING_SERVICE, "databaseName": SEEDED_DB, **more}
    checked = plugin.check(urn(DUMP_TOKEN, "dump"), {}, inputs).inputs
    return plugin.create(urn(DUMP_TOKEN, "dump"), checked)


# -- a create answer that names another task ----------------------------------------------------


def test_a_dump_task_answer_naming_another_task_never_takes_its_dump_dynamic(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    run = engine(sandbox, tmp_path)
    run.up()
    other = bystander_dump(sandbox, SAFE_DB)
    run.stack_config[f"{run.project}:backups"] = ["dump"]
    sandbox.fault(f"set:id={other['taskId']}", POST_DUMP)
    with pytest.raises(DeploymentError) as failed:
        run.up()
    assert "taskId" in failed.value.errors["dump"], failed.value.errors
    assert all(res.name != "dump" for res in run.state)  # nothing taken over
    run.destroy()
    assert other["id"] in dumps(sandbox)  # not deleted by mistake
    made = [d for d in dumps(sandbox).values() if d["id"] != other["id"]]
    assert len(made) == 1 and str(made[0]["taskId"]) not in str(other["taskId"])


def test_a_dump_task_answer_naming_another_task_never_takes_its_dump_plugin(
    sandbox: Sandbox, plugin: ProviderHost
) -> None:
    other = bystander_dump(sandbox, SEEDED_DB)
    sandbox.fault(f"set:id={other['taskId']}", POST_DUMP)
    with pytest.raises(HostError, match="taskId"):
        plugin_dump(plugin)
    assert dumps(sandbox)[other["id"]] == other  # neither taken nor changed


# -- the dump listing -------------------------------------------------------------------------


@pytest.mark.parametrize("lie", ["omit", "pad:50"])
def test_a_listing_that_omits_or_pads_still_gives_the_right_dump_dynamic(
    sandbox: Sandbox, tmp_path: Path, lie: str
) -> None:
    run = engine(sandbox, tmp_path)
    run.up()
    run.stack_config[f"{run.project}:backups"] = ["dump"]
    if lie == "omit":  # the listing before the request, and the first one after it
        sandbox.fault(f"omit:{next_dump_id(sandbox)}", DUMPS, count=2)
    else:
        sandbox.fault(lie, DUMPS, count=None)
    run.up()
    sandbox.clear_faults()
    assert differences(sandbox.objects(), run.state) == {"duplicates": [], "lost": []}
    run.destroy()
    assert dumps(sandbox) == {}


@pytest.mark.parametrize("lie", ["omit", "pad:50"])
def test_a_listing_that_omits_or_pads_still_gives_the_right_dump_plugin(
    sandbox: Sandbox, plugin: ProviderHost, lie: str
) -> None:
    if lie == "omit":
        sandbox.fault(f"omit:{next_dump_id(sandbox)}", DUMPS, count=2)
    else:
        sandbox.fault(lie, DUMPS, count=None)
    id_, outs = plugin_dump(plugin)
    dump_id = int(outs["dumpId"])
    assert list(dumps(sandbox)) == [dump_id] and id_.endswith(f"/{dump_id}")


def test_two_million_listed_dumps_end_the_create_within_its_deadline_dynamic(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    run = engine(sandbox, tmp_path)
    run.up()
    run.stack_config[f"{run.project}:backups"] = ["dump"]
    sandbox.fault("pad:2000000", DUMPS, count=None)
    started = time.monotonic()
    with pytest.raises(DeploymentError) as failed:
        run.up()
    assert time.monotonic() - started < 60  # the create's deadline is 30 minutes
    assert "100000" in failed.value.errors["dump"]
    assert dumps(sandbox) == {}  # refused before anything was made
    sandbox.clear_faults()
    run.destroy()


def test_two_million_listed_dumps_end_the_create_within_its_deadline_plugin(
    sandbox: Sandbox, plugin: ProviderHost
) -> None:
    sandbox.fault("pad:2000000", DUMPS, count=None)
    started = time.monotonic()
    with pytest.raises(HostError, match="malformed answer"):
        plugin_dump(plugin, timeouts={"create": 10})
    assert time.monotonic() - started < 10 + 5
    assert dumps(sandbox) == {}


# -- reads about another object ---------------------------------------------------------------

READS = {  # resource -> (settings, route, lie)
    "dump": ({"backups": ["dump"]}, GET_DUMP, "set:id=777"),
    "dump-link": ({"backups": ["dump"]}, GET_DUMP, "set:url=LINK"),
    "dump-date": ({"backups": ["dump"]}, GET_DUMP, 'set:creationDate="2020-01-01T00:00:00Z"'),
    "db": ({}, f"GET {DB_ROUTE}", 'set:name="sandboxother.mysql.db"'),
    "db-user": ({}, f"GET {DB_ROUTE}", 'set:user="sandboxother"'),
    "snapshot": (
        {"database": False, "backups": ["snapshot"]},
        f"GET {PART}/customSnapshot/{{name}}",
        'set:name="other"',
    ),
}


def another_link(sandbox: Sandbox) -> tuple[int, str]:
    """Another dump than the program's (made out of band), and its download link."""
    known = set(dumps(sandbox))
    api = HostingApi(fast_ovh_client(sandbox), HOSTING_SERVICE)
    wait_hosting(api, api.create_dump(SAFE_DB, "now", False), FAST)
    (other,) = set(dumps(sandbox)) - known
    return other, str(api.dump(SAFE_DB, other).url)


@pytest.mark.parametrize("case", list(READS))
def test_a_read_about_another_object_keeps_the_state_dynamic(
    sandbox: Sandbox, tmp_path: Path, case: str
) -> None:
    settings, route, lie = READS[case]
    name = case.split("-")[0]
    run = engine(sandbox, tmp_path, **settings)
    run.up()
    before = run.resource(name)
    bystander = None
    if "LINK" in lie:  # the link of another dump, made out of band
        bystander, link = another_link(sandbox)
        lie = f"set:url={json.dumps(link)}"
    sandbox.fault(lie, route, count=None)
    with pytest.raises(DeploymentError) as failed:
        run.refresh()
    assert "about another object" in failed.value.errors[name], failed.value.errors
    kept = run.resource(name)
    assert (kept.id, kept.outputs) == (before.id, before.outputs)
    sandbox.clear_faults()
    run.destroy()
    left = [i for docs in held(sandbox.objects()).values() for i in docs]
    assert left == ([f"{HOSTING_SERVICE}/{SAFE_DB}/{bystander}"] if bystander else [])


def test_a_task_about_another_task_is_an_error_and_leaves_nothing_plugin(
    sandbox: Sandbox, plugin: ProviderHost
) -> None:
    sandbox.fault('set:status="doing"', POST_DUMP)  # so that its task is polled
    sandbox.fault('set:function="database/delete"', TASK, count=None)
    with pytest.raises(HostError, match="about another object"):
        plugin_dump(plugin)
    sandbox.clear_faults()
    assert dumps(sandbox) == {}  # the dump its task made was deleted, not left unknown


@pytest.mark.parametrize("lie", ["set:id=777", 'set:creationDate="2020-01-01T00:00:00Z"'])
def test_a_dump_read_about_another_dump_keeps_the_state_plugin(
    sandbox: Sandbox, plugin: ProviderHost, lie: str
) -> None:
    id_, outs = plugin_dump(plugin)
    inputs = {"serviceName": HOSTING_SERVICE, "databaseName": SEEDED_DB}
    sandbox.fault(lie, GET_DUMP, count=None)
    with pytest.raises(HostError, match="about another object"):
        plugin.read(urn(DUMP_TOKEN, "dump"), id_, outs, inputs)
    sandbox.clear_faults()
    assert plugin.read(urn(DUMP_TOKEN, "dump"), id_, outs, inputs).id == id_


# -- malformed answers to a create ------------------------------------------------------------

CREATES = {  # resource -> (settings, route)
    "db": ({}, f"POST {WEB}/database"),
    "snapshot": ({"database": False, "backups": ["snapshot"]}, f"POST {PART}/customSnapshot"),
}


@pytest.mark.parametrize("body", ["truncated", "empty", "204"])
@pytest.mark.parametrize("name", list(CREATES))
def test_a_garbled_create_answer_still_gives_the_object_made_dynamic(
    sandbox: Sandbox, tmp_path: Path, name: str, body: str
) -> None:
    settings, route = CREATES[name]
    run = engine(sandbox, tmp_path, **settings)
    sandbox.fault(f"body:{body}", route)
    run.up()
    assert differences(sandbox.objects(), run.state) == {"duplicates": [], "lost": []}
    run.destroy()
    assert all(docs == {} for docs in held(sandbox.objects()).values())


# -- a dump create whose answer is lost or garbled --------------------------------------------

UNBELIEVED = ["lost-500", "lost-drop", "body:truncated", "body:empty", "body:204"]


@pytest.mark.parametrize("lie", UNBELIEVED)
def test_a_dump_create_whose_answer_is_lost_or_garbled_still_gives_the_dump_made_dynamic(
    sandbox: Sandbox, tmp_path: Path, lie: str
) -> None:
    run = engine(sandbox, tmp_path)
    run.up()
    run.stack_config[f"{run.project}:backups"] = ["dump"]
    sandbox.fault(lie, POST_DUMP)
    run.up()
    (made,) = dumps(sandbox)  # the server made one, and only one
    assert run.resource("dump").id == f"{HOSTING_SERVICE}/{SAFE_DB}/{made}"
    assert differences(sandbox.objects(), run.state) == {"duplicates": [], "lost": []}
    run.up()  # nothing more is made
    assert list(dumps(sandbox)) == [made]
    run.destroy()
    assert dumps(sandbox) == {}


@pytest.mark.parametrize("lie", UNBELIEVED)
def test_a_dump_create_whose_answer_is_lost_or_garbled_still_gives_the_dump_made_plugin(
    sandbox: Sandbox, plugin: ProviderHost, lie: str
) -> None:
    sandbox.fault(lie, POST_DUMP)
    id_, outs = plugin_dump(plugin)
    (made,) = dumps(sandbox)
    assert id_ == f"{HOSTING_SERVICE}/{SEEDED_DB}/{made}" and int(outs["dumpId"]) == made


def _meanwhile(sandbox: Sandbox, database: str) -> dict[str, Any]:
    """A dump another program made meanwhile: its task ended after the create's first
    listing, which so does not show it."""
    other = bystander_dump(sandbox, database)
    sandbox.fault(f"omit:{other['id']}", DUMPS)
    sandbox.fault("lost-500", POST_DUMP)
    return other


def test_two_new_dumps_after_a_lost_answer_are_named_and_none_taken_dynamic(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    run = engine(sandbox, tmp_path)
    run.up()
    run.stack_config[f"{run.project}:backups"] = ["dump"]
    other = _meanwhile(sandbox, SAFE_DB)
    with pytest.raises(DeploymentError) as failed:
        run.up()
    message = failed.value.errors["dump"]
    both = sorted(dumps(sandbox))
    assert len(both) == 2 and other["id"] in both
    assert all(str(i) in message for i in both), message
    assert all(res.name != "dump" for res in run.state)  # nothing taken over
    run.destroy()
    assert sorted(dumps(sandbox)) == both  # nothing deleted


def test_two_new_dumps_after_a_lost_answer_are_named_and_none_taken_plugin(
    sandbox: Sandbox, plugin: ProviderHost
) -> None:
    other = _meanwhile(sandbox, SEEDED_DB)
    with pytest.raises(HostError) as failed:
        plugin_dump(plugin)
    both = sorted(dumps(sandbox))
    assert len(both) == 2 and other["id"] in both
    assert all(str(i) in failed.value.message for i in both), failed.value.message
    assert dumps(sandbox)[other["id"]] == other  # neither taken nor changed


def test_a_garbled_snapshot_answer_still_gives_the_snapshot_plugin(
    sandbox: Sandbox, plugin: ProviderHost
) -> None:
    token = "backups:ovh:NashaCustomSnapshot"
    inputs = {"serviceName": NASHA_SERVICE, "partitionName": "backups", "name": "lie"}
    checked = plugin.check(urn(token, "s"), {}, inputs).inputs
    sandbox.fault("body:truncated", f"POST {PART}/customSnapshot")
    id_, _ = plugin.create(urn(token, "s"), checked)
    assert id_ == f"{NASHA_SERVICE}/backups/lie"
    assert list(held(sandbox.objects())["NashaCustomSnapshot"]) == [id_]
