"""Fixtures of the VPS tests: the sandbox's panel, served to the providers by their cache."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from vps.panel import Panel, operator_client

from pulumi_backups.sandbox import Sandbox
from pulumi_backups.vps.client import VpsClient, clients


@pytest.fixture
def operator(sandbox: Sandbox) -> Iterator[VpsClient]:
    """The panel as an operator acting out of band sees it."""
    with operator_client(sandbox) as client:
        yield client


@pytest.fixture
def panel(sandbox: Sandbox, operator: VpsClient) -> Iterator[Panel]:
    """The freshly reset sandbox's panel; meanwhile the providers get `panel.client()` from
    their client cache (no settings are resolved)."""
    with Panel(sandbox, operator) as found, clients.substitute(found.client()):
        yield found
