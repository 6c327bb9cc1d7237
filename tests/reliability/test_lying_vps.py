"""VPS backups under a lying proxy, through both adapters, against the sandbox's own objects.

Each lie goes through the dynamic path (the real provider host, `support.Engine`, program
tests/programs/safety_all with its one VpsBackup `vpsbackup`) and through the provider plugin
(`support.plugin.start_plugin`, driven as the engine drives it). After each: no backup lost
(the state names one the panel no longer holds), none leaked (the panel holds one no state
names and no error told of), none duplicated (two for one resource), no wrong delete (a
backup the stack does not own deleted), none dropped from the state while still there.

- a create answer lost (500, dropped), garbled (truncated, empty, 204) or about another
  backup (an id that existed before, another server's, another description) is never taken
  at its word: the backup made is found by listing and taken, once; two that the create may
  have made (another program's create of the same server and description meanwhile) are
  named in the error and neither is taken;
- a listing that omits the backup once is read again; one that keeps lying (empty, 204,
  another server's entries, a count of 0) fails refresh and destroy, and the backup stays;
- many deletes at once: 100 of 130 backups of one server deleted 40 at a time beside a
  refresh of the other 30 (another plugin process, 30 reads at once): none fails, none is
  answered done while its backup stays, none of the 30 is dropped.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pytest
from reliability.inventory import held
from support import DeploymentError, Engine, HostError, ProviderHost
from support.plugin import start_plugin, urn
from support.vps import operator_client

from pulumi_backups.sandbox import Sandbox
from pulumi_backups.sandbox.settings import VPS_SERVER_ID
from pulumi_backups.sandbox.vps.models import VpsBackend
from pulumi_backups.vps.models import CreateBackupRequest

PROGRAM = Path(__file__).resolve().parents[1] / "programs" / "safety_all"
NAME = "vpsbackup"
DESCRIPTION = "safety"  # the program's
TOKEN = "backups:vps:VpsBackup"
LIST = "GET /api/v1/backups/"
CREATE = "POST /api/v1/backups/"
DELETE = "DELETE /api/v1/backups/{backup_id}/"
MANUAL = f"GET /api/v1/backups/?server_id={VPS_SERVER_ID}&backup_type=manual"


class Failed(Exception):
    """An adapter's command failed for the resource, with this message."""


class Adapter(Protocol):
    """One VpsBackup `vpsbackup` (server 12345, description "safety") through one adapter."""

    def up(self) -> None: ...
    def refresh(self) -> None: ...
    def destroy(self) -> None: ...
    def ids(self) -> set[str]: ...


class Dynamic:
    def __init__(self, sandbox: Sandbox, tmp_path: Path) -> None:
        self.run = Engine(PROGRAM, tmp_path / "state.json", dict(sandbox.stack_config()))
        settings = {"deletion_protection": False, "database": False, "backups": ["vps"]}
        self.run.stack_config.update({f"{self.run.project}:{k}": v for k, v in settings.items()})

    def _do(self, command: str) -> None:
        try:
            getattr(self.run, command)()
        except DeploymentError as err:
            raise Failed(err.errors.get(NAME, str(err))) from err

    def up(self) -> None:
        self._do("up")

    def refresh(self) -> None:
        self._do("refresh")

    def destroy(self) -> None:
        self._do("destroy")

    def ids(self) -> set[str]:
        return {res.id for res in self.run.state if res.name == NAME}


@dataclass
class Plugin:
    """The resource through the plugin: one plugin process per command, as the engine runs
    one (no listing is shared from one command to the next)."""

    sandbox: Sandbox
    id: str = ""
    outputs: dict[str, Any] = field(default_factory=dict)

    def _call(self, method: str) -> None:
        news = {"serverId": VPS_SERVER_ID, "description": DESCRIPTION}
        with start_plugin(self.sandbox) as host:
            inputs = host.check(urn(TOKEN, NAME), {}, news).inputs
            try:
                if method == "create":
                    self.id, self.outputs = host.create(urn(TOKEN, NAME), inputs)
                elif method == "read":
                    read = host.read(urn(TOKEN, NAME), self.id, self.outputs, inputs)
                    self.id, self.outputs = read.id, read.outputs
                else:
                    host.delete(urn(TOKEN, NAME), self.id, self.outputs, old_inputs=inputs)
                    self.id = ""
            except HostError as err:
                raise Failed(err.message) from err

    def up(self) -> None:
        if not self.id:
            self._call("create")

    def refresh(self) -> None:
        self._call("read")

    def destroy(self) -> None:
        self._call("delete")

    def ids(self) -> set[str]:
        return {self.id} if self.id else set()


@pytest.fixture(params=["dynamic", "plugin"])
def adapter(request: pytest.FixtureRequest, sandbox: Sandbox, tmp_path: Path) -> Adapter:
    if request.param == "dynamic":
        return Dynamic(sandbox, tmp_path)
    return Plugin(sandbox)


def on_panel(sandbox: Sandbox) -> dict[str, dict[str, Any]]:
    """The panel's backups as the sandbox holds them, by resource id."""
    return held(sandbox.objects())["VpsBackup"]


def assert_sound(sandbox: Sandbox, adapter: Adapter, *, told: set[str] = frozenset()) -> None:
    """0 lost, 0 leaked (but the backups an error told of: `told`), 0 duplicated."""
    panel, state = set(on_panel(sandbox)), adapter.ids()
    assert state - panel == set(), "lost"
    assert panel - state - told == set(), "leaked"
    assert len(state) <= 1, "duplicated"


# -- create answers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lie",
    [
        "lost-500",
        "lost-drop",
        "body:truncated",
        "body:empty",
        "body:204",
        "set:id={existing}",
        "set:server.id=54321",
        'set:description="other"',
    ],
)
def test_a_create_answer_that_cannot_be_believed_adopts_the_backup_made(
    sandbox: Sandbox, adapter: Adapter, lie: str
) -> None:
    """The panel made the backup; its answer is lost, garbled or about another backup (one
    that existed before, another server's or description's): the state takes the one made,
    found by listing; the existing one is nobody's and stays; the next up makes no other."""
    with operator_client(sandbox) as panel:
        existing = panel.create_backup(CreateBackupRequest(server_id=VPS_SERVER_ID)).id
    before = set(on_panel(sandbox))
    sandbox.fault(lie.format(existing=existing), CREATE)
    adapter.up()
    (made,) = set(on_panel(sandbox)) - before
    assert adapter.ids() == {made}
    assert on_panel(sandbox)[made]["status"] == "completed"
    adapter.up()
    assert set(on_panel(sandbox)) == before | {made} and adapter.ids() == {made}
    assert_sound(sandbox, adapter, told=before)  # the existing one: nobody's


def another_program_creates(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    """When the panel receives the next create, another program's create of the same server
    and description reaches it first."""
    assert sandbox.context is not None  # an in-process sandbox
    ctx, count = sandbox.context, sandbox.context.count
    pending = [True]

    def counting(key: str) -> None:
        count(key)
        if key == CREATE and pending:
            pending.clear()
            VpsBackend(ctx).create(VPS_SERVER_ID, DESCRIPTION)

    monkeypatch.setattr(ctx, "count", counting)


@pytest.mark.parametrize("lie", ["lost-500", "body:truncated"])
def test_two_backups_a_create_may_have_made_are_named_and_neither_taken(
    sandbox: Sandbox, adapter: Adapter, monkeypatch: pytest.MonkeyPatch, lie: str
) -> None:
    another_program_creates(sandbox, monkeypatch)
    sandbox.fault(lie, CREATE)
    with pytest.raises(Failed) as caught:
        adapter.up()
    message = str(caught.value)
    made = sorted(int(id_.split("/")[1]) for id_ in on_panel(sandbox))
    assert len(made) == 2
    assert f"backups {made[0]}, {made[1]} of server {VPS_SERVER_ID}" in message
    assert "none is taken, none deleted" in message and MANUAL in message
    assert adapter.ids() == set() and len(on_panel(sandbox)) == 2, "taken over or deleted"
    assert DELETE not in sandbox.counters()


# -- listings -------------------------------------------------------------------------------


def test_a_listing_that_omits_the_backup_once_drops_nothing_and_deletes_it(
    sandbox: Sandbox, adapter: Adapter
) -> None:
    adapter.up()
    (id_,) = adapter.ids()
    sandbox.fault(f"omit:{int(id_.split('/')[1])}", LIST)
    adapter.refresh()
    assert adapter.ids() == {id_} and id_ in on_panel(sandbox)
    sandbox.fault(f"omit:{int(id_.split('/')[1])}", LIST)
    sandbox.clear_counters()
    adapter.destroy()
    assert sandbox.counters().get(DELETE) == 1 and on_panel(sandbox) == {}
    assert adapter.ids() == set()


@pytest.mark.parametrize(
    "lie",
    ["set:results=[]", "set:count=0", "set:results.*.server.id=54321", "body:empty", "body:204"],
)
def test_a_listing_that_keeps_lying_fails_and_keeps_the_backup(
    sandbox: Sandbox, adapter: Adapter, lie: str
) -> None:
    adapter.up()
    (id_,) = adapter.ids()
    sandbox.fault(lie, LIST, count=None)
    for command in (adapter.refresh, adapter.destroy):
        sandbox.clear_counters()
        with pytest.raises(Failed, match="GET /api/v1/backups/ failed"):
            command()
        assert adapter.ids() == {id_} and id_ in on_panel(sandbox), "dropped"
        assert DELETE not in sandbox.counters()
    sandbox.clear_faults()
    adapter.destroy()
    assert adapter.ids() == set() and on_panel(sandbox) == {}


# -- many deletes at once -------------------------------------------------------------------


BACKUPS, DELETED, AT_ONCE = 130, 100, 40


Made = tuple[str, str, dict[str, Any], dict[str, Any]]  # name, id, outputs, inputs


def _create(host: ProviderHost, index: int) -> Made:
    name = f"b{index}"
    news = {"serverId": VPS_SERVER_ID, "description": f"many {index}"}
    inputs = host.check(urn(TOKEN, name), {}, news).inputs
    id_, outputs = host.create(urn(TOKEN, name), inputs)
    return name, id_, outputs, inputs


def deleting_begun(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Set once the sandbox counts a first DELETE: the refresh then lists while they run."""
    assert sandbox.context is not None  # an in-process sandbox
    ctx, count, begun = sandbox.context, sandbox.context.count, threading.Event()

    def counting(key: str) -> None:
        count(key)
        if key == DELETE:
            begun.set()

    monkeypatch.setattr(ctx, "count", counting)
    return begun


def test_many_deletes_beside_a_refresh_all_succeed(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process per command, as the engine runs them: one made the backups, one deletes 100
    of them 40 at a time (its first listing is its own), one refreshes the other 30 while
    the DELETEs go (its listing shifts under it)."""
    with start_plugin(sandbox) as creating, ThreadPoolExecutor(AT_ONCE) as pool:
        made = list(pool.map(lambda i: _create(creating, i), range(BACKUPS)))
    assert len({id_ for _, id_, _, _ in made}) == BACKUPS == len(on_panel(sandbox))
    gone, kept = made[:DELETED], made[DELETED:]
    begun = deleting_begun(sandbox, monkeypatch)
    sandbox.configure(latency_ms=30)  # the DELETEs last long enough for pages to shift
    with start_plugin(sandbox) as deleting, start_plugin(sandbox) as refreshing:

        def delete(entry: Made) -> str:
            name, id_, outputs, inputs = entry
            try:
                deleting.delete(urn(TOKEN, name), id_, outputs, old_inputs=inputs)
            except HostError as err:
                return f"{id_}: {err.message}"
            return ""

        def read(entry: Made) -> str:
            name, id_, outputs, inputs = entry
            assert begun.wait(60)
            try:
                return refreshing.read(urn(TOKEN, name), id_, outputs, inputs).id
            except HostError as err:
                return f"{id_}: {err.message}"

        sandbox.clear_counters()
        with ThreadPoolExecutor(AT_ONCE) as deleters, ThreadPoolExecutor(len(kept)) as readers:
            reads = [readers.submit(read, entry) for entry in kept]
            deletes = [deleters.submit(delete, entry) for entry in gone]
            failed = [f.result() for f in deletes if f.result()]
            refreshed = [f.result() for f in reads]
    assert failed == []
    assert set(on_panel(sandbox)) == {id_ for _, id_, _, _ in kept}, "answered done, still there"
    assert refreshed == [id_ for _, id_, _, _ in kept], "a refresh read dropped or failed"
    # The deletes share listings to prove ownership: not one listing (3 pages) per delete.
    assert sandbox.counters().get(LIST, 0) < DELETED, sandbox.counters()
