"""Fixtures shared by the plugin tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support import ProviderHost
from support.plugin import start_plugin

from pulumi_backups.sandbox import Sandbox


@pytest.fixture
def plugin(sandbox: Sandbox) -> Iterator[ProviderHost]:
    """The plugin process, configured for the test's sandbox."""
    with start_plugin(sandbox) as host:
        yield host
