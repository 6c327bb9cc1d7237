"""Waiting for server-side operations: one loop, one deadline per operation, no fixed sleeps.

Each create, read, update and delete runs :func:`within` one :class:`Deadline`; its
requests (``core.http_client``, the OVHcloud client), retries (``core.retry``) and waits
(:func:`wait_until`) all read it through :func:`current`, so that the operation ends within its
timeout (plus :data:`GRACE` for a failure's cleanup) whatever the server does.

The delay between two polls grows with the time already waited (``ratio`` of it), from
``initial`` up to ``cap``: an operation that takes D seconds is seen done at most about
``ratio * D`` (plus one request) after it is, without polling a long operation every 200 ms.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol, TypeVar

from .errors import (
    ApiError,
    DeadlineError,
    TaskFailedError,
    WaitCancelledError,
    WaitTimeoutError,
)

T = TypeVar("T")

DEFAULT_TIMEOUT = 1800.0
"""Deadline of a create, update or delete when neither ``timeouts`` nor the engine sets one."""
READ_TIMEOUT = 60.0
"""Deadline of a read (a refresh) when ``timeouts.read`` does not set one."""


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
    last: tuple[T] | tuple[()] = (),
) -> T:
    """Poll ``fetch`` until ``done(value)``; return that value.

    Raises :class:`TaskFailedError` as soon as ``failed(value)`` (with ``detail(value)``), and
    :class:`WaitTimeoutError` naming ``what`` and the last status once ``policy.timeout``
    seconds have passed, or the operation's deadline (:func:`current`), whichever is first.
    A transient API error of ``fetch`` (its client's retries used up) is one more unanswered
    poll: the wait's own deadline decides. A wait that ends on an unanswered poll (a transient
    error, or a poll cut short by the deadline: :class:`DeadlineError`) is a timeout on the
    last status seen, caused by that error; before any answer, that error itself. ``last``:
    the caller's own last answer (a mutating call's), seen before the first poll. A ``fetch``
    that sends more than reads (a POST) passes ``tolerate_transient=False``, so that its
    client alone decides what is safe to send again. Other errors of ``fetch`` propagate
    unchanged: callers decide what a 404 means (gone, or finished and archived).
    """
    deadline = Deadline(policy, clock)  # nested in the operation's: ends at the first of both
    start = clock.now()
    seen: list[T] = list(last)  # the last answer, once there is one
    while True:
        _stop_if_cancelled(what, "not yet read")
        try:
            value = fetch()
        except ApiError as err:
            cut = isinstance(err, DeadlineError)
            if not (tolerate_transient and (cut or err.transient)):
                raise
            if cut or deadline.left() <= 0:
                if not seen:
                    raise
                # The last poll went unanswered: the wait timed out, on the status seen last.
                limit = deadline.limit().policy
                raise WaitTimeoutError(
                    what, status(seen[-1]), limit.timeout, limit.setting
                ) from err
            clock.sleep(min(policy.delay(clock.now() - start), deadline.left()))
            continue
        seen[:] = [value]
        if failed(value):
            raise TaskFailedError(what, status(value), detail(value))
        if done(value):
            return value
        _stop_if_cancelled(what, status(value))
        remaining = deadline.left()
        if remaining <= 0:
            limit = deadline.limit().policy
            raise WaitTimeoutError(what, status(value), limit.timeout, limit.setting)
        clock.sleep(min(policy.delay(clock.now() - start), remaining))


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


def wait_done(
    fetch: Callable[[], P],
    *,
    what: str,
    policy: WaitPolicy,
    clock: Clock,
    last: tuple[P] | tuple[()] = (),
) -> P:
    """:func:`wait_until` the object ``fetch`` reads is done; TaskFailedError as soon as it
    failed (with its status and detail). ``last``: as :func:`wait_until`'s."""
    return wait_until(
        fetch,
        lambda p: p.done,
        what=what,
        status=lambda p: p.status,
        failed=lambda p: p.failed,
        detail=lambda p: p.detail,
        policy=policy,
        clock=clock,
        last=last,
    )


def _stop_if_cancelled(what: str, last_status: str) -> None:
    if CANCELLED.is_set():
        raise WaitCancelledError(what, last_status)


GRACE = 5.0
"""Seconds past an operation's deadline for what its failure must still do (look up, or
delete, what it made): each request sent then has one try, bounded by them, and no retry."""

_CURRENT: ContextVar[Deadline | None] = ContextVar("operation_deadline", default=None)


class Deadline:
    """One operation's deadline: ``policy.timeout`` seconds on a clock, read by every request,
    retry and wait of the operation.

    Opened once per operation by :func:`within` (``BaseProvider.create`` / ``read`` /
    ``update`` / ``delete``), it is found by :func:`current`: requests take at most what is
    left of it (then :data:`GRACE`), retries never pause past it, waits never outlive it.
    ``Deadline(policy, clock)`` made inside an operation ends at its own time or the
    operation's, whichever comes first; made once the operation's has passed (a failure's
    cleanup), at the latest :data:`GRACE` seconds after it. Without ``clock``, it runs on the
    clock of the first client that reads it (tests give clients fake clocks), from then on.
    """

    def __init__(self, policy: WaitPolicy, clock: Clock | None = None) -> None:
        self.policy = policy
        self.outer = _CURRENT.get()
        self._lock = threading.Lock()
        self._clock: Clock | None = None
        self._start = 0.0
        self._late = False
        if clock is not None:
            self._bind(clock)

    def _bind(self, clock: Clock | None) -> Clock:
        with self._lock:
            if self._clock is not None:
                return self._clock
            bound = clock or (self.outer.clock if self.outer else SYSTEM_CLOCK)
            # One made once the operation's deadline passed serves its cleanup: GRACE more.
            self._late = self.outer is not None and self.outer.left(bound) <= 0
            self._clock, self._start = bound, bound.now()
            return bound

    @property
    def clock(self) -> Clock:
        """The clock this deadline runs on (bound now, when no client read it yet)."""
        return self._bind(None)

    def left(self, clock: Clock | None = None) -> float:
        """Seconds left (negative once past), on the bound clock (``clock`` binds it)."""
        bound = self._bind(clock)
        own = self.policy.timeout - (bound.now() - self._start)
        if self.outer is None:
            return own
        return min(own, self.outer.left(bound) + (GRACE if self._late else 0.0))

    def limit(self) -> Deadline:
        """The deadline that ends first: this one, or one it is nested in."""
        if self.outer is None or self.left() < self.outer.left():
            return self
        return self.outer.limit()

    def request_seconds(self, clock: Clock | None = None) -> float:
        """How long the next request may take: what is left, or once past, of :data:`GRACE`."""
        left = self.left(clock)
        return left if left > 0 else left + GRACE

    def remaining(self) -> WaitPolicy:
        """The policy for the next wait: what is left of the deadline (0 = one last look)."""
        return dataclasses.replace(self.policy, timeout=max(self.left(), 0.0))

    def wait(self, run: Callable[[WaitPolicy], T]) -> T:
        """Run a wait with the remaining time; a timeout reports the whole deadline."""
        try:
            return run(self.remaining())
        except WaitTimeoutError as err:
            limit = self.limit().policy
            what, status = err.what, err.last_status
            raise WaitTimeoutError(what, status, limit.timeout, limit.setting) from None


def current() -> Deadline | None:
    """The deadline of the operation running in this context, if one is open."""
    return _CURRENT.get()


@contextmanager
def within(policy: WaitPolicy, clock: Clock | None = None) -> Iterator[Deadline]:
    """Open an operation's deadline for this block (this thread, and the contexts copied from
    it). Blocks nest: an inner deadline never ends after the outer one."""
    deadline = Deadline(policy, clock)
    token = _CURRENT.set(deadline)
    try:
        yield deadline
    finally:
        _CURRENT.reset(token)
