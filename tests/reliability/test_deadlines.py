"""Timeouts are deadlines: a server that never answers, or answers a byte a second, holds no
create or read past its deadline, through both adapters (the dynamic path: the provider host
under the engine model, program tests/programs/deadlines; the plugin over gRPC), for every
API; and nothing it may have made is left unknown (every new object on the server is in the
state or named in the error).

Before: each request waited a full socket timeout (120 s, and again on every retry of a read).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from reliability.inventory import held
from support import DeploymentError, Engine, HostError, ProviderHost
from support.plugin import start_plugin, urn

from pulumi_backups.core.waiting import GRACE
from pulumi_backups.sandbox import Sandbox
from pulumi_backups.sandbox.settings import (
    HOSTING_SERVICE,
    NASHA_SERVICE,
    RDB_INSTANCE_ID,
    VPS_SERVER_ID,
)

PROGRAM = Path(__file__).resolve().parents[1] / "programs" / "deadlines"
TIMEOUT = 2
MARGIN = 6.0
"""Seconds past timeout + GRACE a run may take: the provider host's start, a loaded machine."""
RDB = "/rdb/v1/regions/{region}/backups"
WEB = "/1.0/hosting/web/{serviceName}/database"
PART = "/1.0/dedicated/nasha/{serviceName}/partition/{partitionName}"
KINDS: dict[str, dict[str, Any]] = {
    # resource -> its kind in the program and the sandbox, routes, plugin token and inputs
    "db": {
        "kind": "db",
        "held": "HostingDatabase",
        "create": f"POST {WEB}",
        "read": f"GET {WEB}/{{name}}",
        "token": "backups:ovh:HostingDatabase",
        "inputs": {"serviceName": HOSTING_SERVICE, "user": "sandboxdl", "type": "mysql",
                   "capability": "sqlPerso", "deletionProtection": False},
    },
    "vpsbackup": {
        "kind": "vps",
        "held": "VpsBackup",
        "create": "POST /api/v1/backups/",
        "read": "GET /api/v1/backups/",
        "token": "backups:vps:VpsBackup",
        "inputs": {"serverId": VPS_SERVER_ID},
    },
    "rdbbackup": {
        "kind": "rdb",
        "held": "RdbBackup",
        "create": f"POST {RDB}",
        "read": f"GET {RDB}/{{backup_id}}",
        "token": "backups:scaleway:RdbBackup",
        "inputs": {"instanceId": RDB_INSTANCE_ID, "databaseName": "app"},
    },
    "snapshot": {
        "kind": "snapshot",
        "held": "NashaCustomSnapshot",
        "create": f"POST {PART}/customSnapshot",
        "read": f"GET {PART}/customSnapshot/{{name}}",
        "token": "backups:ovh:NashaCustomSnapshot",
        "inputs": {"serviceName": NASHA_SERVICE, "partitionName": "backups", "name": "deadline"},
    },
}  # fmt: skip
LIES = ["silent", "trickle:1"]


def engine(sandbox: Sandbox, tmp_path: Path, name: str, **timeouts: float) -> Engine:
    run = Engine(
        PROGRAM,
        tmp_path / "state.json",
        dict(sandbox.stack_config()),
        env={"SCW_CONFIG_PATH": str(tmp_path / "absent.yaml")},
    )
    settings = {"kinds": [KINDS[name]["kind"]], "timeouts": timeouts}
    run.stack_config.update({f"{run.project}:{k}": v for k, v in settings.items()})
    return run


def new_objects(sandbox: Sandbox, before: dict[str, Any], name: str) -> set[str]:
    kind = KINDS[name]["held"]
    return set(held(sandbox.objects())[kind]) - set(before[kind])


def assert_nothing_unknown(
    sandbox: Sandbox, before: dict[str, Any], name: str, ids: set[str], message: str
) -> None:
    """Every object made since ``before`` is known: in the state (``ids``) or in the error."""
    for made in new_objects(sandbox, before, name):
        assert made in ids or made.rsplit("/", 1)[-1] in message, (made, message)


@pytest.mark.parametrize("lie", LIES)
@pytest.mark.parametrize("name", list(KINDS))
def test_a_create_ends_at_its_deadline(
    sandbox: Sandbox, tmp_path: Path, name: str, lie: str
) -> None:
    run = engine(sandbox, tmp_path, name, create=TIMEOUT)
    before = held(sandbox.objects())
    sandbox.fault(lie, KINDS[name]["create"], count=None)
    start = time.monotonic()
    with pytest.raises(DeploymentError) as info:
        run.up(skip_preview=True)
    took = time.monotonic() - start
    message = info.value.errors[name]
    assert took < TIMEOUT + GRACE + MARGIN, f"{took:.1f} s for a {TIMEOUT} s deadline"
    assert f"deadline of {TIMEOUT} s" in message, message
    assert_nothing_unknown(sandbox, before, name, {r.id for r in run.state}, message)


@pytest.mark.parametrize("name", ["vpsbackup", "rdbbackup"])
def test_a_create_whose_wait_is_never_answered_ends_at_its_deadline(
    sandbox: Sandbox, tmp_path: Path, name: str
) -> None:
    """The backup is made; every poll of it is held: the deadline ends the wait, and the
    backup is deleted or named."""
    run = engine(sandbox, tmp_path, name, create=TIMEOUT)
    before = held(sandbox.objects())
    sandbox.fault("silent", KINDS[name]["read"], count=None)
    # A Scaleway create whose read-back gets no answer looks for its backup in the listing.
    sandbox.fault("silent", KINDS[name]["create"].replace("POST", "GET"), count=None)
    start = time.monotonic()
    with pytest.raises(DeploymentError) as info:
        run.up(skip_preview=True)
    took = time.monotonic() - start
    assert took < TIMEOUT + GRACE + MARGIN, f"{took:.1f} s for a {TIMEOUT} s deadline"
    assert_nothing_unknown(
        sandbox, before, name, {r.id for r in run.state}, info.value.errors[name]
    )


@pytest.mark.parametrize("lie", LIES)
def test_a_refresh_ends_at_the_read_deadline_and_keeps_every_resource(
    sandbox: Sandbox, tmp_path: Path, lie: str
) -> None:
    """Three resources, every read held: the refresh takes one read deadline, not three."""
    run = engine(sandbox, tmp_path, "db", read=TIMEOUT)
    run.stack_config[f"{run.project}:kinds"] = ["db", "vps", "rdb"]
    run.up()
    ids = {r.name: r.id for r in run.state if r.name in KINDS}
    for spec in KINDS.values():
        sandbox.fault(lie, spec["read"], count=None)
    start = time.monotonic()
    with pytest.raises(DeploymentError) as info:
        run.refresh()
    took = time.monotonic() - start
    sandbox.clear_faults()
    assert took < TIMEOUT + GRACE + MARGIN, f"{took:.1f} s for {TIMEOUT} s read deadlines"
    for name, id_ in ids.items():
        assert f"deadline of {TIMEOUT} s" in info.value.errors[name]
        assert run.resource(name).id == id_
    run.destroy()
    assert [r for r in run.state if r.name in KINDS] == []


@pytest.fixture
def plugin(sandbox: Sandbox) -> Iterator[ProviderHost]:
    with start_plugin(sandbox) as host:
        yield host


@pytest.mark.parametrize("lie", LIES)
@pytest.mark.parametrize("name", list(KINDS))
def test_a_plugin_create_ends_at_its_custom_timeout(
    plugin: ProviderHost, sandbox: Sandbox, name: str, lie: str
) -> None:
    spec = KINDS[name]
    inputs = plugin.check(urn(spec["token"], name), {}, spec["inputs"]).inputs
    before = held(sandbox.objects())
    sandbox.fault(lie, spec["create"], count=None)
    start = time.monotonic()
    with pytest.raises(HostError) as info:
        plugin.create(urn(spec["token"], name), inputs, timeout=TIMEOUT)
    took = time.monotonic() - start
    message = str(info.value)
    # Only the create's own request was held: a look at what it made needs no grace (the
    # same request sent again would be held for all of it).
    assert took < TIMEOUT + GRACE / 2, f"{took:.1f} s for a {TIMEOUT} s custom timeout"
    assert f"deadline of {TIMEOUT} s" in message and "customTimeouts" in message, message
    assert_nothing_unknown(sandbox, before, name, set(), message)


def test_a_plugin_read_ends_at_its_read_deadline(plugin: ProviderHost, sandbox: Sandbox) -> None:
    spec = KINDS["vpsbackup"]
    inputs = plugin.check(
        urn(spec["token"], "b"), {}, {**spec["inputs"], "timeouts": {"read": TIMEOUT}}
    ).inputs
    id_, outputs = plugin.create(urn(spec["token"], "b"), inputs)
    sandbox.fault("trickle:1", spec["read"], count=None)
    start = time.monotonic()
    with pytest.raises(HostError) as info:
        read_by_another_command(sandbox, spec["token"], "b", id_, outputs, inputs)
    took = time.monotonic() - start
    sandbox.clear_faults()
    assert took < TIMEOUT + GRACE + 2.0, f"{took:.1f} s for a {TIMEOUT} s read deadline"
    assert f"deadline of {TIMEOUT} s" in str(info.value)
    assert id_ in held(sandbox.objects())["VpsBackup"]
    plugin.delete(urn(spec["token"], "b"), id_, outputs)


def read_by_another_command(
    sandbox: Sandbox, token: str, name: str, id_: str, outputs: Any, inputs: Any
) -> Any:
    """A refresh is a command of its own: the engine starts a plugin process for it, so
    nothing the create's process listed or cached serves its read."""
    with start_plugin(sandbox) as host:
        return host.read(urn(token, name), id_, outputs, inputs)


ERROR_SIZE = 4096
"""Characters an error may have at most: far below the 16 KiB of gRPC metadata."""
HOST_ERROR_SIZE = 12_000
"""The same through the SDK's dynamic provider host, which adds its Python traceback."""
HUGE_READ = 10
"""The read deadline of the huge-body tests: the sandbox takes a while to make 20 MB."""


@pytest.mark.parametrize("name", list(KINDS))
def test_a_huge_error_body_makes_a_short_error(sandbox: Sandbox, tmp_path: Path, name: str) -> None:
    """A 500 with a 20 MB body on each read of a refresh: read no further than 64 KiB each
    time, the error cut, the resource kept (no retry past the read deadline)."""
    run = engine(sandbox, tmp_path, name, read=HUGE_READ)
    run.up()
    id_ = run.resource(name).id
    sandbox.fault("body:huge", KINDS[name]["read"], count=None)
    with pytest.raises(DeploymentError) as info:
        run.refresh()
    sandbox.clear_faults()
    message = info.value.errors[name]
    assert "read failed: GET " in message and len(message) < HOST_ERROR_SIZE, len(message)
    assert run.resource(name).id == id_
    run.destroy()


@pytest.mark.parametrize("name", list(KINDS))
def test_a_huge_error_body_reaches_the_engine_through_the_plugin(
    plugin: ProviderHost, sandbox: Sandbox, name: str
) -> None:
    """Before, the 20 MB message exceeded gRPC's metadata: the engine saw "Stream removed"."""
    spec = KINDS[name]
    given = {**spec["inputs"], "timeouts": {"read": HUGE_READ}}
    inputs = plugin.check(urn(spec["token"], name), {}, given).inputs
    id_, outputs = plugin.create(urn(spec["token"], name), inputs)
    sandbox.fault("body:huge", spec["read"], count=None)
    with pytest.raises(HostError) as info:
        read_by_another_command(sandbox, spec["token"], name, id_, outputs, inputs)
    sandbox.clear_faults()
    message = str(info.value)
    assert "read failed: GET " in message and len(message) < ERROR_SIZE, message[:300]
    plugin.delete(urn(spec["token"], name), id_, outputs)
