"""Shared state of one running sandbox: settings, store, clock, scripted outcomes, counters.

Every emulated API receives the same `SandboxContext`. Status progression is computed from
timestamps taken from `clock()` (epoch seconds plus an offset the admin API can advance),
so tests move time forward instead of waiting.
"""

from __future__ import annotations

import dataclasses
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Literal

from . import lies
from .settings import CONFIG_KEYS, SandboxSettings
from .store import Store

Outcome = Literal["ok", "fail", "hang"]
SCRIPTABLE: frozenset[str] = frozenset({"fail", "hang"})

FAULT_KINDS: frozenset[str] = frozenset(
    {"500", "503", "429", "403", "html404", "lost-500", "lost-drop"}
)
"""Targeted faults: an answer in the API's own shape (500, 503, 429, 403); the HTML 404 a
proxy or load balancer gives (`html404`); or the request carried out and its answer lost,
replaced by a 500 (`lost-500`) or by a connection dropped mid-answer (`lost-drop`)."""


@dataclasses.dataclass
class FaultRule:
    """Answer the next `count` requests matching `route` (or every route of `api`) with `kind`.

    `route` is a counter key, "METHOD /route/template" (e.g.
    "POST /1.0/dedicated/nasha/{serviceName}/partition/{partitionName}/customSnapshot"); a
    rule without a route matches every request to the API named `api`. `count` None keeps
    the rule until cleared.
    """

    kind: str
    route: str | None = None
    api: str | None = None
    count: int | None = 1

    def matches(self, route: str, api: str) -> bool:
        if self.route is not None:
            return self.route == route
        return self.api is None or self.api == api


META = "_sandbox"
"""Store kind of the sandbox's own records (clock offset, seeding), never an API object."""


class SandboxContext:
    """Settings, store, clock, scripted outcomes, targeted faults and request counters.

    `settings` holds the current run-time configuration (admin `PUT /_sandbox/config`
    changes it); `reset()` restores the start settings, wipes the store and re-seeds it.
    """

    def __init__(self, settings: SandboxSettings, store: Store | None = None) -> None:
        self.initial = dataclasses.replace(settings)
        self.settings = dataclasses.replace(settings)
        self.store = store if store is not None else Store(settings.state_path)
        self.seeders: list[Callable[[SandboxContext], None]] = []
        self.rng = random.Random(settings.seed)
        self._lock = threading.Lock()
        self._outcomes: dict[str, list[Outcome]] = {}
        self._counters: Counter[str] = Counter()
        self._faults: list[FaultRule] = []
        self._collected: list[dict[str, object]] = []
        meta = self.store.get(META, "clock")
        self._offset = float(meta["offset"]) if meta else 0.0

    # clock -----------------------------------------------------------------------------
    def clock(self) -> float:
        """Sandbox time in epoch seconds (wall clock plus the advanced offset)."""
        return time.time() + self._offset

    def advance(self, seconds: float) -> float:
        """Move sandbox time forward (kept across restarts); returns the new clock."""
        with self._lock:
            self._offset += max(0.0, seconds)
            self.store.put(META, "clock", {"offset": self._offset})
        return self.clock()

    # outcomes ----------------------------------------------------------------------------
    def script(self, operation: str, outcome: Outcome, count: int = 1) -> None:
        """Make the next `count` operations named `operation` end with `outcome`."""
        with self._lock:
            self._outcomes.setdefault(operation, []).extend([outcome] * count)

    def take_outcome(self, operation: str) -> Outcome:
        """The outcome of an operation starting now: a scripted one, else "ok"."""
        with self._lock:
            queue = self._outcomes.get(operation)
            return queue.pop(0) if queue else "ok"

    def scripted(self) -> dict[str, list[Outcome]]:
        """Outcomes still waiting to be used, per operation."""
        with self._lock:
            return {op: list(queue) for op, queue in self._outcomes.items() if queue}

    # counters ----------------------------------------------------------------------------
    def count(self, route: str) -> None:
        """Count one request to a route ("METHOD /route/template")."""
        with self._lock:
            self._counters[route] += 1

    def counters(self) -> dict[str, int]:
        """Requests counted per route since the last clear."""
        with self._lock:
            return dict(self._counters)

    def clear_counters(self) -> None:
        with self._lock:
            self._counters.clear()

    # faults ------------------------------------------------------------------------------
    def draw(self) -> float:
        """A uniform draw in [0, 1) from the seeded fault generator."""
        with self._lock:
            return self.rng.random()

    def add_fault(self, rule: FaultRule) -> None:
        """Queue a targeted fault (checked before the random ones)."""
        if lies.is_lie(rule.kind):
            lies.check(rule.kind)
        elif rule.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {rule.kind!r}")
        with self._lock:
            self._faults.append(rule)

    def take_fault(self, route: str, api: str) -> str | None:
        """The kind of the first rule matching this request (using one of its count), or None."""
        with self._lock:
            for rule in self._faults:
                if rule.matches(route, api):
                    if rule.count is not None:
                        rule.count -= 1
                        if rule.count <= 0:
                            self._faults.remove(rule)
                    return rule.kind
        return None

    def faults(self) -> list[dict[str, object]]:
        """Targeted faults still waiting, in the order they are matched."""
        with self._lock:
            return [dataclasses.asdict(rule) for rule in self._faults]

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def collect(self, record: dict[str, object]) -> None:
        """Record a request that followed a ``redirect`` lie."""
        with self._lock:
            self._collected.append(record)

    def collected(self) -> list[dict[str, object]]:
        """Every request that followed a ``redirect`` lie since the last reset."""
        with self._lock:
            return list(self._collected)

    def configure(self, changes: dict[str, float]) -> dict[str, float]:
        """Change run-time settings (keys of `CONFIG_KEYS`); returns the full config."""
        unknown = sorted(set(changes) - set(CONFIG_KEYS))
        if unknown:
            raise ValueError(f"unknown config keys: {', '.join(unknown)}")
        with self._lock:
            updated = dataclasses.replace(self.settings)
            for key, value in changes.items():
                setattr(updated, key, float(value))
            self.settings = updated
            return self.settings.config()

    # lifecycle ---------------------------------------------------------------------------
    def seed(self) -> None:
        """Seed a fresh store (once: a store reopened from a state file is left as is)."""
        with self.store.transaction():
            if self.store.get(META, "seeded") is None:
                for seeder in self.seeders:
                    seeder(self)
                self.store.put(META, "seeded", {"at": self.clock()})

    def reset(self) -> None:
        """Wipe state, re-seed, restore start settings; clear counters, outcomes, clock."""
        with self._lock:
            self.settings = dataclasses.replace(self.initial)
            self.rng = random.Random(self.initial.seed)
            self._outcomes.clear()
            self._faults.clear()
            self._collected.clear()
            self._counters.clear()
            self._offset = 0.0
        self.store.reset()
        self.seed()
