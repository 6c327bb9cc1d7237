"""Scaleway RDB answers that lie, through both adapters, against the sandbox's lying proxy.

The dynamic path runs program tests/programs/rdb_backup in the real provider host (the
engine model); the plugin is driven as the engine drives it, its state kept here as the
engine keeps it (a partial result included). Each test then holds the state against the
sandbox's own objects: nothing lost, leaked, duplicated, wrongly deleted or dropped, and no
output describing another backup (another id, name, or another backup's download link).
"""

from __future__ import annotations

import inspect
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from google.protobuf.json_format import MessageToDict
from reliability.inventory import held, managed, mismatches
from support import DeploymentError, HostError, ProviderHost, reveal, sandbox_engine
from support.plugin import start_plugin, urn

from pulumi_backups.sandbox import CREDENTIALS, Sandbox
from pulumi_backups.sandbox.settings import RDB_INSTANCE_ID
from pulumi_backups.scaleway.client import RdbClient
from pulumi_backups.scaleway.models import Backup, CreateBackupRequest
from pulumi_backups.scaleway.settings import ScalewaySettings

PROGRAM = Path(__file__).resolve().parents[1] / "programs" / "rdb_backup"
TOKEN = "backups:scaleway:RdbBackup"
BACKUPS = "/rdb/v1/regions/{region}/backups"
CREATE, GET = f"POST {BACKUPS}", f"GET {BACKUPS}/{{backup_id}}"
EXPORT, DELETE = f"POST {BACKUPS}/{{backup_id}}/export", f"DELETE {BACKUPS}/{{backup_id}}"
TEN_YEARS = 315360000
NAME = "nightly"
PARTIAL_WIRED = "partial" in inspect.signature(HostError).parameters
needs_partial = pytest.mark.skipif(
    not PARTIAL_WIRED, reason="the plugin does not answer partial results yet"
)


class Dynamic:
    """The dynamic resource through the provider host; its state is the engine's."""

    name = "dynamic"

    def __init__(self, sandbox: Sandbox, where: Path) -> None:
        self.run = sandbox_engine(sandbox, PROGRAM, where, name=NAME)

    def up(self, **config: Any) -> str | None:
        """Deploy with ``config``; the error of the backup, None when it went through."""
        self.run.configure(**config)
        try:
            self.run.up(skip_preview=True)
        except DeploymentError as err:
            return str(err.errors.get("backup", err))
        return None

    def refresh(self) -> str | None:
        try:
            self.run.refresh()
        except DeploymentError as err:
            return str(err.errors.get("backup", err))
        return None

    def destroy(self) -> None:
        self.run.destroy()

    def state(self) -> dict[str, dict[str, Any]]:
        return managed(self.run.state)["RdbBackup"]

    def close(self) -> None:
        pass


class Plugin:
    """The plugin, its state kept as the engine keeps it: a create's result, or its partial
    result (then the next up sends an Update); a refresh's read; a destroy's deletes."""

    name = "plugin"

    def __init__(self, sandbox: Sandbox, where: Path) -> None:
        self.host: ProviderHost = start_plugin(sandbox)
        self.urn = urn(TOKEN, "backup")
        self.inputs: dict[str, Any] = {}
        self.entry: tuple[str, dict[str, Any]] | None = None

    def up(self, **config: Any) -> str | None:
        inputs = {"instanceId": RDB_INSTANCE_ID, "databaseName": "app", "name": NAME}
        inputs.update({_camel(k): v for k, v in config.items()})
        self.inputs = self.host.check(self.urn, {}, inputs).inputs
        try:
            if self.entry is None:
                self.entry = self.host.create(self.urn, self.inputs)
            else:
                id_, olds = self.entry
                self.entry = (id_, self.host.update(self.urn, id_, olds, self.inputs))
        except HostError as err:
            partial = getattr(err, "partial", None)
            if partial is not None:
                self.entry = (partial.id, MessageToDict(partial.properties))
            return err.message
        return None

    def refresh(self) -> str | None:
        assert self.entry is not None
        id_, olds = self.entry
        try:
            read = self.host.read(self.urn, id_, olds, self.inputs)
        except HostError as err:
            return err.message
        self.entry = (read.id, read.outputs) if read.id else None
        return None

    def destroy(self) -> None:
        if self.entry is not None:
            self.host.delete(self.urn, *self.entry)
            self.entry = None

    def state(self) -> dict[str, dict[str, Any]]:
        if self.entry is None:
            return {}
        id_, props = self.entry
        return {id_: {_snake(k): reveal(v) for k, v in props.items()}}

    def close(self) -> None:
        self.host.close()


Adapter = Dynamic | Plugin


def linked_backup(url: str) -> str:
    """The backup a download link is for: its file's name (``.../{backup_id}.custom``)."""
    return url.split("?", 1)[0].rsplit("/", 1)[-1].split(".", 1)[0]


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part.title() for part in rest)


def _snake(key: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in key)


@pytest.fixture(params=["dynamic", "plugin"])
def adapter(request: pytest.FixtureRequest, sandbox: Sandbox, tmp_path: Path) -> Iterator[Adapter]:
    made: Adapter = (Dynamic if request.param == "dynamic" else Plugin)(sandbox, tmp_path)
    yield made
    made.close()


@pytest.fixture
def operator(sandbox: Sandbox) -> Iterator[RdbClient]:
    """The API as someone acting out of band sees it (no lie reaches it: faults are on)."""
    client = RdbClient(ScalewaySettings(CREDENTIALS["SCW_SECRET_KEY"], api_url=sandbox.url))
    yield client
    client.close()


def _other(operator: RdbClient, name: str = "other", export: bool = False) -> Backup:
    """A backup made out of band, ready (and exported), before the lie."""
    request = CreateBackupRequest(instance_id=RDB_INSTANCE_ID, database_name="app", name=name)
    made = operator.create_backup("fr-par", request)
    if export:
        operator.export_backup("fr-par", made.id)
    return operator.get_backup("fr-par", made.id)


def audit(sandbox: Sandbox, adapter: Adapter, others: dict[str, Backup]) -> dict[str, list[str]]:
    """What went wrong, by kind; every list empty when nothing did. ``others``: the backups
    made out of band, by resource id, which must stay untouched."""
    sandbox.clear_faults()
    have, want = held(sandbox.objects())["RdbBackup"], adapter.state()
    ours = set(have) - set(others)
    wrong = []
    for id_, outputs in want.items():
        doc = have.get(id_)
        wrong += [f"{id_}: {m}" for m in (mismatches("RdbBackup", outputs, doc) if doc else [])]
        link = outputs.get("download_url")
        if link and linked_backup(link) != id_.split("/")[1]:
            wrong.append(f"{id_}: the download link of {linked_backup(link)}")
    return {
        "lost": sorted(set(want) - set(have)),
        "leaked": sorted(ours - set(want)),
        "wrongly deleted": sorted(set(others) - set(have)),
        "duplicated": sorted(ours) if len(ours) > 1 else [],
        "crossed": wrong,
    }


CLEAN = {"lost": [], "leaked": [], "wrongly deleted": [], "duplicated": [], "crossed": []}


def _ref(backup: Backup) -> str:
    return f"fr-par/{backup.id}"


# -- create answers ------------------------------------------------------------------------------


@pytest.mark.parametrize("lie", ["set:id", 'set:name="other"', "body:truncated", "body:empty",
                                 "body:204", "body:deep"])  # fmt: skip
def test_a_create_answer_that_lies_leaves_one_backup_the_state_knows(
    sandbox: Sandbox, adapter: Adapter, operator: RdbClient, lie: str
) -> None:
    other = _other(operator, name=NAME)  # same name, same database: only its date differs
    sandbox.advance(60)
    kind = f"set:id={json.dumps(other.id)}" if lie == "set:id" else lie
    sandbox.fault(kind, CREATE)
    assert adapter.up() is None
    assert audit(sandbox, adapter, {_ref(other): other}) == CLEAN
    assert _ref(other) not in adapter.state()
    adapter.destroy()
    assert audit(sandbox, adapter, {_ref(other): other}) == CLEAN
    assert sandbox.counters().get(DELETE) == 1  # ours, never the other one


# -- read answers --------------------------------------------------------------------------------


@pytest.mark.parametrize("lie", ["set:id", 'set:database_name="app_restore"',
                                 'set:created_at="2020-01-01T00:00:00Z"', "set:download_url",
                                 'set:download_url="https://elsewhere.example/x"',
                                 "body:truncated", "body:204", "body:deep"])  # fmt: skip
def test_a_read_about_another_backup_changes_nothing(
    sandbox: Sandbox, adapter: Adapter, operator: RdbClient, lie: str
) -> None:
    """Another id, database, creation date or download link: not this backup. (Another name
    alone is a rename outside Pulumi, which a refresh shows as drift.)"""
    assert adapter.up(export=True) is None
    before = adapter.state()
    other = _other(operator, export=True)
    others = {_ref(other): other}
    kinds = {"set:id": f"set:id={json.dumps(other.id)}",
             "set:download_url": f"set:download_url={json.dumps(other.download_url)}"}  # fmt: skip
    sandbox.fault(kinds.get(lie, lie), GET, count=None)
    error = adapter.refresh()
    assert error is not None and ("about another object" in error or "malformed" in error)
    assert "X-Amz-Signature" not in error  # no link in an error: it is a secret
    assert adapter.state() == before
    assert audit(sandbox, adapter, others) == CLEAN
    adapter.destroy()
    assert audit(sandbox, adapter, others) == CLEAN


# -- server clocks -------------------------------------------------------------------------------


@pytest.mark.parametrize("shift", [TEN_YEARS, -TEN_YEARS])
def test_a_far_off_date_on_the_export_path_neither_delays_nor_deletes(
    sandbox: Sandbox, adapter: Adapter, shift: int
) -> None:
    """A Date ten years ahead used to make the export wait out the deadline for a link that
    never looked valid, then delete the backup just made."""
    for route in (CREATE, GET, EXPORT):
        sandbox.fault(f"date:{shift:+d}", route, count=None)
    start = time.monotonic()
    error = adapter.up(export=True, timeouts={"create": 60})
    took = time.monotonic() - start
    assert error is None and took < 30, (error, took)
    assert DELETE not in sandbox.counters()
    ((_, outputs),) = adapter.state().items()
    assert outputs["download_url"] and outputs["status"] == "ready"
    assert audit(sandbox, adapter, {}) == CLEAN


def test_a_date_in_the_past_does_not_pass_a_dead_link_for_live(
    sandbox: Sandbox, adapter: Adapter, operator: RdbClient
) -> None:
    assert adapter.up(export=True) is None
    ((id_, _),) = adapter.state().items()
    sandbox.configure(link_seconds=0)  # exported again out of band: a link dead at once
    operator.export_backup("fr-par", id_.split("/")[1])
    dead = operator.get_backup("fr-par", id_.split("/")[1])
    assert dead.done and dead.download_url and dead.download_url_expires_at
    assert dead.download_url_expires_at <= operator.clock.utc()
    sandbox.configure(link_seconds=86400)
    sandbox.fault(f"date:{-TEN_YEARS:+d}", GET, count=None)
    assert adapter.refresh() is None
    ((_, outputs),) = adapter.state().items()
    assert not outputs.get("download_url") and outputs.get("download_url_expires_at")
    assert audit(sandbox, adapter, {}) == CLEAN


# -- creates that made a backup and did not finish ------------------------------------------------


@pytest.mark.parametrize("failure", ["refused", "ended in error"])
def test_a_failed_export_never_deletes_the_ready_backup(
    sandbox: Sandbox, adapter: Adapter, failure: str
) -> None:
    """Through the plugin the backup stays in the state and the next up exports it (an export
    that ended in `error` leaves the backup so: the next up says it); the dynamic path cannot
    keep it: its error names it and how to adopt it."""
    if isinstance(adapter, Plugin) and not PARTIAL_WIRED:
        pytest.skip("the plugin does not answer partial results yet")
    if failure == "refused":
        sandbox.fault("500", EXPORT)
    else:
        sandbox.script("scaleway:backup/export", "fail")
    error = adapter.up(export=True)
    assert error is not None and ("HTTP 500" in error or "ended with status 'error'" in error)
    assert DELETE not in sandbox.counters()
    (made,) = held(sandbox.objects())["RdbBackup"]
    if isinstance(adapter, Dynamic):
        assert f"the backup {made} is ready and was kept" in error
        assert f"pulumi import backups:scaleway:RdbBackup <name> {made}" in error
        return
    assert list(adapter.state()) == [made]
    error = adapter.up(export=True)  # the engine's Update of a partial create
    assert list(adapter.state()) == [made] and DELETE not in sandbox.counters()
    if failure == "refused":
        ((_, outputs),) = adapter.state().items()
        assert error is None and outputs["download_url"]
    else:
        assert error is not None and f"backup {made} ended with status 'error'" in error
    assert audit(sandbox, adapter, {}) == CLEAN


def test_a_create_still_being_made_at_its_deadline(sandbox: Sandbox, adapter: Adapter) -> None:
    """Through the plugin it stays in the state and the next up waits for it; the dynamic path
    cleans up as it always did (a backup being made cannot be deleted yet: named)."""
    if isinstance(adapter, Plugin) and not PARTIAL_WIRED:
        pytest.skip("the plugin does not answer partial results yet")
    sandbox.configure(task_seconds=3600)
    error = adapter.up(timeouts={"create": 2})
    assert error is not None and "timed out after 2 s" in error
    (made,) = held(sandbox.objects())["RdbBackup"]
    if isinstance(adapter, Dynamic):
        assert f"the backup {made} it created could NOT be deleted" in error
        return
    assert DELETE not in sandbox.counters() and list(adapter.state()) == [made]
    sandbox.advance(3600)  # made on the server meanwhile
    assert adapter.up(timeouts={"create": 2}) is None
    ((_, outputs),) = adapter.state().items()
    assert outputs["status"] == "ready" and audit(sandbox, adapter, {}) == CLEAN
