"""Shared fixtures: one in-process sandbox per test run, reset before each test; each of its
APIs on a fake clock (`ovh_api`, `rdb_api`, `vps_api`, from tests/support/<api>.py), served
to the providers; the throw-away provider's store and engines for the harness's own tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from support import Engine
from support.fakes import Connections, forbid_network
from support.ovh import SandboxOvh
from support.scaleway import SandboxRdb
from support.vps import SandboxVps
from throwaway_provider import STORE_ENV, TOKEN, Store

from pulumi_backups.ovh import client as ovh
from pulumi_backups.sandbox import Sandbox, SandboxSettings
from pulumi_backups.scaleway import client as scaleway
from pulumi_backups.vps import client as vps


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[Sandbox]:
    """The test run's sandbox (operations finish at once), served on a free loopback port."""
    server = Sandbox(SandboxSettings(task_seconds=0)).start()
    yield server
    server.stop()


@pytest.fixture
def sandbox(sandbox_server: Sandbox) -> Sandbox:
    """The test run's sandbox, freshly reset: seeded objects only, start config, no faults."""
    sandbox_server.reset()
    return sandbox_server


@pytest.fixture
def ovh_api(sandbox: Sandbox) -> Iterator[SandboxOvh]:
    """The freshly reset sandbox's OVHcloud API on a fake clock; meanwhile the providers get
    one of its clients from their client cache."""
    api = SandboxOvh(sandbox)
    try:
        with ovh.clients.substitute(api.client()):
            yield api
    finally:
        api.stop()


@pytest.fixture
def rdb_api(sandbox: Sandbox) -> Iterator[SandboxRdb]:
    """The freshly reset sandbox's RDB API on a fake clock, its exchanges recorded; meanwhile
    the providers get one of its clients from their client cache."""
    api = SandboxRdb(sandbox)
    try:
        with scaleway.clients.substitute(api.client()):
            yield api
    finally:
        api.stop()


@pytest.fixture
def vps_api(sandbox: Sandbox) -> Iterator[SandboxVps]:
    """The freshly reset sandbox's VPS panel on a fake clock, its exchanges recorded;
    meanwhile the providers get one of its clients from their client cache."""
    api = SandboxVps(sandbox)
    try:
        with vps.clients.substitute(api.client()):
            yield api
    finally:
        api.stop()


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[Connections]:
    """No connection can be opened during the test, and none may have been tried (a caught
    OSError does not hide an attempt)."""
    seen = forbid_network(monkeypatch)
    yield seen
    assert seen.attempts == [], "network used"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    """The throw-away provider's "API": a JSON file in the test's directory."""
    return Store(tmp_path / "store.json")


@pytest.fixture
def make_engine(tmp_path: Path, store: Store) -> Callable[..., Engine]:
    """Engines for a program of throw-away items; config `throwaway:label` and a secret
    `throwaway:token`, the store's path in the environment."""

    def make(program: Any, **kwargs: Any) -> Engine:
        config = {"throwaway:label": "blue", "throwaway:token": TOKEN}
        return Engine(
            program,
            tmp_path / "state.json",
            config,
            {STORE_ENV: str(store.path)},
            secret_keys=["throwaway:token"],
            **kwargs,
        )

    return make


@pytest.fixture
def tests_dir() -> str:
    """The tests directory (importable by the provider host)."""
    return str(Path(__file__).parent)
