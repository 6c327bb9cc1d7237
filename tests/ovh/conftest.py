"""Fixtures shared by the OVHcloud unit tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.fakes import FakeClock, fast_ovh_client

from pulumi_backups.ovh import hosting_operations
from pulumi_backups.ovh.client import OvhClient, clients
from pulumi_backups.sandbox import Sandbox


@pytest.fixture
def clock() -> FakeClock:
    """Time for the provider's waits: sleeping only moves it forward."""
    return FakeClock()


@pytest.fixture
def ovh(sandbox: Sandbox, clock: FakeClock) -> Iterator[OvhClient]:
    """The client every provider of the test gets: the sandbox's, with fast retries and
    waits on ``clock``."""
    client = fast_ovh_client(sandbox, clock=clock)
    with clients.substitute(client):
        yield client


@pytest.fixture(autouse=True)
def claims(monkeypatch: pytest.MonkeyPatch) -> hosting_operations.Claims:
    """The dumps and tasks the creates of this test claim: the sandbox of each test gives
    the same ids again, which a process talking to one API never sees."""
    fresh = hosting_operations.Claims()
    monkeypatch.setattr(hosting_operations, "CLAIMS", fresh)
    return fresh
