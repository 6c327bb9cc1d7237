"""Test doubles shared by the unit tests."""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from pulumi_backups.core.waiting import Clock
from pulumi_backups.sandbox import Sandbox


@dataclass
class FakeClock:
    """A monotonic clock whose sleep only moves time forward (no real sleeping)."""

    t: float = 0.0
    sleeps: list[float] = field(default_factory=list)

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds

    def clock(self) -> Clock:
        return Clock(now=self.now, sleep=self.sleep)


@dataclass
class Connections:
    """Attempts to open a network connection while the network is forbidden."""

    attempts: list[str] = field(default_factory=list)


def forbid_network(monkeypatch: pytest.MonkeyPatch) -> Connections:
    """Every way out (connect, create_connection, name resolution) fails with OSError, and
    is counted: for the code that must never touch the network (check, diff)."""
    seen = Connections()

    def refuse(what: str) -> Callable[..., Any]:
        def refused(*args: Any, **kwargs: Any) -> Any:
            seen.attempts.append(f"{what}{args[1:] if what == 'connect' else args}")
            raise OSError(f"network forbidden here ({what})")

        return refused

    monkeypatch.setattr(socket.socket, "connect", refuse("connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("connect"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    return seen


MUTATING = ("POST", "PUT", "PATCH", "DELETE")


def calls(sandbox: Sandbox, *methods: str) -> dict[str, int]:
    """The sandbox's requests with these methods, by route, since the last clear; then clear."""
    counts = {k: v for k, v in sandbox.counters().items() if k.split()[0] in methods}
    sandbox.clear_counters()
    return counts


def mutations(sandbox: Sandbox) -> dict[str, int]:
    """The sandbox's mutating calls by route since the last clear; then clear."""
    return calls(sandbox, *MUTATING)
