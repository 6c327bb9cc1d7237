"""Bounded jittered retries: what is retried, how often, and what is not."""

from __future__ import annotations

import pytest
from support.fakes import FakeClock

from pulumi_backups.core import (
    BadRequestError,
    RateLimitedError,
    RetryPolicy,
    ServerError,
    TransportError,
    call_with_retry,
    is_retryable,
)
from pulumi_backups.core.waiting import Clock, WaitPolicy, within


def flaky(errors: list[Exception]) -> tuple[list[int], object]:
    calls: list[int] = []

    def send() -> str:
        calls.append(1)
        if errors:
            raise errors.pop(0)
        return "ok"

    return calls, send


def test_retries_rate_limits_then_succeeds_with_growing_pauses() -> None:
    pauses: list[float] = []
    calls, send = flaky([RateLimitedError("GET /x", 429, "") for _ in range(3)])
    policy = RetryPolicy(attempts=6, base=0.25, cap=4.0)
    assert call_with_retry(send, idempotent=False, policy=policy, sleep=pauses.append) == "ok"  # type: ignore[arg-type]
    assert len(calls) == 4
    assert len(pauses) == 3
    for n, pause in enumerate(pauses, start=1):
        ceiling = min(4.0, 0.25 * 2 ** (n - 1))
        assert ceiling / 2 <= pause <= ceiling


def test_gives_up_after_the_attempts_and_raises_the_last_error() -> None:
    calls, send = flaky([ServerError("GET /x", 503, "busy") for _ in range(10)])
    with pytest.raises(ServerError):
        call_with_retry(send, idempotent=True, policy=RetryPolicy(attempts=3), sleep=lambda _: None)  # type: ignore[arg-type]
    assert len(calls) == 3


def test_client_errors_are_never_retried() -> None:
    calls, send = flaky([BadRequestError("POST /x", 400, "bad")])
    with pytest.raises(BadRequestError):
        call_with_retry(send, idempotent=True, sleep=lambda _: None)  # type: ignore[arg-type]
    assert len(calls) == 1


@pytest.mark.parametrize(
    ("error", "idempotent", "expected"),
    [
        (ServerError("POST /x", 500, ""), True, True),
        (ServerError("POST /x", 500, ""), False, False),  # may have been carried out
        (ServerError("POST /x", 503, ""), False, True),
        (ServerError("POST /x", 501, ""), True, False),
        (TransportError("POST /x", "reset", sent=True), False, False),
        (TransportError("POST /x", "refused", sent=False), False, True),
        (RateLimitedError("POST /x", 429, ""), False, True),
        (ValueError("not ours"), True, False),
    ],
)
def test_is_retryable(error: Exception, idempotent: bool, expected: bool) -> None:
    assert is_retryable(error, idempotent=idempotent) is expected


def test_retries_stop_at_the_operations_deadline() -> None:
    """Inside an operation's deadline, no pause ends past it: the last error comes at once
    (all 429s, 6 attempts of up to 7.75 s of pauses, a 2 s deadline)."""
    fake = FakeClock()
    calls, send = flaky([RateLimitedError("GET /x", 429, "slow down") for _ in range(6)])
    with within(WaitPolicy(timeout=2.0), Clock(now=fake.now)), pytest.raises(RateLimitedError):
        call_with_retry(send, idempotent=True, policy=RetryPolicy(), sleep=fake.sleep)  # type: ignore[arg-type]
    assert fake.t <= 2.0 and 1 < len(calls) < 6
    calls, send = flaky([RateLimitedError("GET /x", 429, "slow down") for _ in range(6)])
    with pytest.raises(RateLimitedError):  # no deadline: every attempt
        call_with_retry(send, idempotent=True, policy=RetryPolicy(), sleep=fake.sleep)  # type: ignore[arg-type]
    assert len(calls) == 6


def test_a_refused_connection_is_retried_briefly() -> None:
    """Long enough for a restart, short for an endpoint where nothing listens."""
    pauses: list[float] = []
    refused = [TransportError("GET /x", "refused", sent=False, refused=True) for _ in range(6)]
    calls, send = flaky(refused)
    with pytest.raises(TransportError):
        call_with_retry(send, idempotent=False, policy=RetryPolicy(), sleep=pauses.append)  # type: ignore[arg-type]
    assert 0 < sum(pauses) <= RetryPolicy().refused_seconds and 1 < len(calls) < 6
