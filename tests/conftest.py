"""Shared fixtures: one in-process sandbox per test run, reset before each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pulumi_backups.sandbox import Sandbox, SandboxSettings


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
