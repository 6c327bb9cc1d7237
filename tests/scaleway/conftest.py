"""The sandbox's RDB API on a fake clock, for the operations' and the client's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.scw_fakes import SandboxRdb

from pulumi_backups.sandbox import Sandbox


@pytest.fixture
def api(sandbox: Sandbox) -> Iterator[SandboxRdb]:
    """The freshly reset sandbox's RDB API, its exchanges recorded, on a fake clock."""
    rdb = SandboxRdb(sandbox)
    yield rdb
    rdb.stop()
