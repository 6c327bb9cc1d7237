"""Waiting for server-side operations: one loop, a monotonic deadline, no fixed sleeps.

The delay between two polls grows with the time already waited (``ratio`` of it), from
``initial`` up to ``cap``: an operation that takes D seconds is seen done at most about
``ratio * D`` (plus one request) after it is, without polling a long operation every 200 ms.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol, TypeVar

from .errors import ApiError, TaskFailedError, WaitCancelledError, WaitTimeoutError

T = TypeVar("T")

DEFAULT_TIMEOUT = 1800.0


@dataclass(frozen=True)
class WaitPolicy:
    """How long and how often to poll. ``timeout`` is in seconds."""

    timeout: float = DEFAULT_TIMEOUT
    initial: float = 0.2
    ratio: float = 0.08
    cap: float = 10.0
    setting: str = "timeouts"
    """Where the deadline was set, for its message: the ``timeouts`` input, or the engine's
    ``customTimeouts`` resource option (the provider plugin)."""

    def delay(self, elapsed: float) -> float:
        """Pause before the next poll, given the seconds already waited."""
        return min(self.cap, max(self.initial, elapsed * self.ratio))


CANCELLED = threading.Event()
"""Set when the engine cancels the deployment (the provider plugin's ``Cancel``): every wait
of the process stops at once, naming what it leaves. The dynamic path never sets it."""


def interruptible_sleep(seconds: float) -> None:
    """Sleep ``seconds``, or less once the deployment is cancelled."""
    CANCELLED.wait(seconds)


def utc_now() -> datetime:
    """The system's wall-clock time, in UTC."""
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Clock:
    """The time sources and sleep of a client and its waits; tests inject fake ones.

    ``now`` is monotonic (deadlines, delays), ``utc`` the wall clock (dates sent to or
    compared with the API's). Nothing else in the package reads the system clock.
    """

    now: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = interruptible_sleep
    utc: Callable[[], datetime] = utc_now


SYSTEM_CLOCK = Clock()


def wait_until(
    fetch: Callable[[], T],
    done: Callable[[T], bool],
    *,
    what: str,
    status: Callable[[T], str],
    failed: Callable[[T], bool] = lambda _: False,
    detail: Callable[[T], str] = lambda _: "",
    policy: WaitPolicy = WaitPolicy(),
    clock: Clock = SYSTEM_CLOCK,
    tolerate_transient: bool = True,
) -> T:
    """Poll ``fetch`` until ``done(value)``; return that value.

    Raises :class:`TaskFailedError` as soon as ``failed(value)`` (with ``detail(value)``), and
    :class:`WaitTimeoutError` naming ``what`` and the last status once ``policy.timeout``
    seconds have passed. A transient API error of ``fetch`` (its client's retries used up)
    is one more unanswered poll: the wait's own deadline decides, and a wait that ends on one
    raises it. A ``fetch`` that sends more than reads (a POST) passes
    ``tolerate_transient=False``, so that its client alone decides what is safe to send again.
    Other errors of ``fetch`` propagate unchanged: callers decide what a 404 means (gone, or
    finished and archived).
    """
    start = clock.now()
    while True:
        _stop_if_cancelled(what, "not yet read")
        try:
            value = fetch()
        except ApiError as err:
            if not (tolerate_transient and err.transient):
                raise
            elapsed = clock.now() - start
            if elapsed >= policy.timeout:
                raise
            clock.sleep(min(policy.delay(elapsed), policy.timeout - elapsed))
            continue
        if failed(value):
            raise TaskFailedError(what, status(value), detail(value))
        if done(value):
            return value
        _stop_if_cancelled(what, status(value))
        elapsed = clock.now() - start
        remaining = policy.timeout - elapsed
        if remaining <= 0:
            raise WaitTimeoutError(what, status(value), policy.timeout, policy.setting)
        clock.sleep(min(policy.delay(elapsed), remaining))


class Progress(Protocol):
    """An object moving towards done: a task, or a backup being made."""

    @property
    def status(self) -> str: ...

    @property
    def done(self) -> bool: ...

    @property
    def failed(self) -> bool: ...

    @property
    def detail(self) -> str:
        """What a failure's message adds (the server's own explanation, when it has one)."""
        ...


P = TypeVar("P", bound=Progress)


def wait_done(fetch: Callable[[], P], *, what: str, policy: WaitPolicy, clock: Clock) -> P:
    """:func:`wait_until` the object ``fetch`` reads is done; TaskFailedError as soon as it
    failed (with its status and detail)."""
    return wait_until(
        fetch,
        lambda p: p.done,
        what=what,
        status=lambda p: p.status,
        failed=lambda p: p.failed,
        detail=lambda p: p.detail,
        policy=policy,
        clock=clock,
    )


def _stop_if_cancelled(what: str, last_status: str) -> None:
    if CANCELLED.is_set():
        raise WaitCancelledError(what, last_status)


class Deadline:
    """One operation's deadline (``policy.timeout`` seconds on ``clock`` from its creation),
    shared by its successive requests and waits."""

    def __init__(self, policy: WaitPolicy, clock: Clock = SYSTEM_CLOCK) -> None:
        self.policy = policy
        self.clock = clock
        self.start = clock.now()

    def remaining(self) -> WaitPolicy:
        """The policy for the next wait: what is left of the deadline (0 = one last look)."""
        left = self.policy.timeout - (self.clock.now() - self.start)
        return dataclasses.replace(self.policy, timeout=max(left, 0.0))

    def wait(self, run: Callable[[WaitPolicy], T]) -> T:
        """Run a wait with the remaining time; a timeout reports the whole deadline."""
        try:
            return run(self.remaining())
        except WaitTimeoutError as err:
            raise WaitTimeoutError(
                err.what, err.last_status, self.policy.timeout, self.policy.setting
            ) from None
