"""Bounded retries of transient API failures with jittered exponential backoff.

Used by each API client's single choke point. Stateless apart from the random source, so it is
safe for the provider host's 4 threads. Only errors whose ``transient`` property is true are
retried (429, 502/503/504, connections that got no answer); a non-idempotent call is retried
on a 500 or a lost answer only when the caller says the server cannot have acted on it.

Retries never outlast the operation they serve: a retry whose pause would end past the
operation's deadline (``core.waiting.current``, opened by each create, read, update and delete)
is not made, and the last error is raised at once.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from .errors import ApiError, TransportError
from .waiting import current

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """``attempts`` counts the first try; delays grow from ``base`` to ``cap`` seconds.

    A refused connection is retried for at most ``refused_seconds`` of pauses: long enough
    for a server that restarts, short for an endpoint where nothing will ever listen."""

    attempts: int = 6
    base: float = 0.25
    cap: float = 4.0
    refused_seconds: float = 2.0

    def delay(self, retry: int, rng: Callable[[], float] = random.random) -> float:
        """Equal-jitter backoff for the ``retry``-th retry (1-based)."""
        ceiling = min(self.cap, self.base * 2 ** (retry - 1))
        return float(ceiling / 2 + rng() * ceiling / 2)


DEFAULT_RETRY = RetryPolicy()


def _past_deadline(delay: float) -> bool:
    """Whether pausing ``delay`` seconds would end past the operation's deadline, if any."""
    deadline = current()
    return deadline is not None and deadline.left() < delay


def is_retryable(err: BaseException, *, idempotent: bool) -> bool:
    """Whether sending the same request again is safe and may help."""
    if not isinstance(err, ApiError) or not err.transient:
        return False
    # A POST that reached the server may have been carried out: retry it only when the
    # failure says it was not (429 and 503 are refusals; a connection never made sent nothing).
    return idempotent or not err.may_have_acted


def call_with_retry(
    send: Callable[[], T],
    *,
    idempotent: bool,
    policy: RetryPolicy = DEFAULT_RETRY,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call ``send`` until it succeeds, fails for good, ``policy.attempts`` are used up, or
    the next pause would end past the operation's deadline."""
    attempt, refused_pauses = 1, 0.0
    while True:
        try:
            return send()
        except ApiError as err:
            if attempt >= policy.attempts or not is_retryable(err, idempotent=idempotent):
                raise
            delay = policy.delay(attempt)
            if _past_deadline(delay):
                raise
            if isinstance(err, TransportError) and err.refused:
                refused_pauses += delay
                if refused_pauses > policy.refused_seconds:
                    raise
            sleep(delay)
            attempt += 1
