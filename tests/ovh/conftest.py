"""Fixtures shared by the OVHcloud unit tests."""

from __future__ import annotations

import pytest
from support.fakes import FakeClock
from support.ovh import SandboxOvh

from pulumi_backups.ovh import hosting_operations


@pytest.fixture
def clock(ovh_api: SandboxOvh) -> FakeClock:
    """Time for the provider's waits (the clock of ``ovh_api``): sleeping only moves it
    forward."""
    return ovh_api.clock


@pytest.fixture(autouse=True)
def claims(monkeypatch: pytest.MonkeyPatch) -> hosting_operations.Claims:
    """The dumps and tasks the creates of this test claim: the sandbox of each test gives
    the same ids again, which a process talking to one API never sees."""
    fresh = hosting_operations.Claims()
    monkeypatch.setattr(hosting_operations, "CLAIMS", fresh)
    return fresh
