"""Fixtures of the VPS tests (the sandbox's panel itself is `vps_api`, tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.vps import operator_client

from pulumi_backups.sandbox import Sandbox
from pulumi_backups.vps.client import VpsClient


@pytest.fixture
def operator(sandbox: Sandbox) -> Iterator[VpsClient]:
    """The panel as an operator acting out of band sees it."""
    with operator_client(sandbox) as client:
        yield client
