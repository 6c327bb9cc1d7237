"""Fixtures shared by the OVHcloud unit tests."""

from __future__ import annotations

import pytest
from support.fakes import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    """Time for the provider's waits: sleeping only moves it forward."""
    return FakeClock()
