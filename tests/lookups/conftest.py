"""Fixtures of the look-up tests: the three APIs' clients pointed at the sandbox (real HTTP),
served to the look-ups by their client caches, on a wall clock the test sets."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pytest

from pulumi_backups.core.retry import RetryPolicy
from pulumi_backups.core.waiting import Clock
from pulumi_backups.ovh import client as ovh
from pulumi_backups.sandbox import Sandbox
from pulumi_backups.scaleway import client as scaleway
from pulumi_backups.scaleway.settings import ScalewaySettings
from pulumi_backups.vps import client as vps
from pulumi_backups.vps.settings import VpsSettings


@dataclass
class Wall:
    """The clients' wall clock: what a look-up measures ages on."""

    at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


@dataclass
class Served:
    wall: Wall
    ovh: ovh.OvhClient
    vps: vps.VpsClient
    rdb: scaleway.RdbClient


@pytest.fixture
def served(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    """Clients of the sandbox on the test's wall clock (retries without pauses); the settings
    the look-ups resolve name the sandbox too."""
    for name, value in sandbox.env().items():
        monkeypatch.setenv(name, value)
    env, wall = sandbox.env(), Wall()
    clock = Clock(sleep=lambda _: None, utc=lambda: wall.at)
    retry = RetryPolicy(attempts=4, base=0.0, cap=0.0)
    found = Served(
        wall,
        ovh.OvhClient(sandbox.ovh_settings(), retry, clock),
        vps.VpsClient(VpsSettings(sandbox.url, env["VPS_API_TOKEN"]), retry=retry, clock=clock),
        scaleway.RdbClient(
            ScalewaySettings(secret_key=env["SCW_SECRET_KEY"], api_url=sandbox.url),
            retry=retry,
            clock=clock,
        ),
    )
    with (
        ovh.clients.substitute(found.ovh),
        vps.clients.substitute(found.vps),
        scaleway.clients.substitute(found.rdb),
    ):
        yield found
    found.vps.close()
    found.rdb.close()
