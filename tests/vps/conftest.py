"""Fixtures of the VPS tests: the sandbox's panel, served to the providers by their cache."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from vps.panel import TOKEN, Panel, operator_client

from pulumi_backups.sandbox import Sandbox
from pulumi_backups.vps.client import VpsClient, clients


@pytest.fixture
def operator(sandbox: Sandbox) -> Iterator[VpsClient]:
    """The panel as an operator acting out of band sees it."""
    with operator_client(sandbox) as client:
        yield client


@pytest.fixture
def panel(
    sandbox: Sandbox, operator: VpsClient, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Panel]:
    """The freshly reset sandbox's panel; meanwhile the providers get `panel.client()` from
    their client cache (settings are still resolved: they name the sandbox)."""
    monkeypatch.setenv("VPS_API_URL", sandbox.url)
    monkeypatch.setenv("VPS_API_TOKEN", TOKEN)
    with Panel(sandbox, operator) as found, clients.substitute(found.client()):
        yield found
