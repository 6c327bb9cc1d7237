"""The shared readings of a VPS server's listing: a caller waiting for another operation's
reading waits within its own deadline, not the reading's. On the system clock (0.3 s)."""

from __future__ import annotations

import threading
import time

import pytest

from pulumi_backups.core import TransportError, WaitPolicy
from pulumi_backups.core.waiting import GRACE, SYSTEM_CLOCK, within
from pulumi_backups.vps.listings import Listings
from pulumi_backups.vps.models import Backup


def test_a_caller_waits_for_another_reading_within_its_own_deadline() -> None:
    held, release = threading.Event(), threading.Event()

    def read(_server_id: int) -> dict[int, Backup]:
        held.set()
        release.wait(10)  # another operation's reading, under a longer deadline
        return {}

    listings = Listings(read, SYSTEM_CLOCK)
    reader = threading.Thread(target=listings.get, args=(12345,))
    reader.start()
    try:
        assert held.wait(5)
        start = time.monotonic()
        with within(WaitPolicy(timeout=0.3)), pytest.raises(TransportError) as info:
            listings.get(12345)
        took = time.monotonic() - start
    finally:
        release.set()
        reader.join()
    assert took < 0.3 + GRACE + 0.5, took
    assert "within the operation's deadline of 0.3 s" in str(info.value)
    assert "server 12345" in str(info.value)


def test_without_a_deadline_a_caller_shares_the_reading() -> None:
    calls: list[int] = []

    def read(server_id: int) -> dict[int, Backup]:
        calls.append(server_id)
        return {}

    listings = Listings(read, SYSTEM_CLOCK)
    first = listings.get(12345)
    assert listings.get(12345, max_age=60).seq == first.seq and calls == [12345]
