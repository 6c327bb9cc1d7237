"""wait_until: deadline, backoff growth, failure detection, injected clock (no real sleeps)."""

from __future__ import annotations

import pytest
from support.fakes import FakeClock

from pulumi_backups.core import (
    BadRequestError,
    RateLimitedError,
    ServerError,
    TaskFailedError,
    WaitPolicy,
    WaitTimeoutError,
    wait_until,
)


def test_done_at_first_poll_never_sleeps() -> None:
    fake = FakeClock(t=100.0)
    assert wait_until(
        lambda: "done", lambda s: s == "done", what="x", status=str, clock=fake.clock()
    )
    assert fake.sleeps == []


def test_polls_until_done_and_returns_the_final_value() -> None:
    fake = FakeClock(t=100.0)
    statuses = iter(["todo", "doing", "doing", "done"])
    got = wait_until(
        lambda: next(statuses), lambda s: s == "done", what="x", status=str, clock=fake.clock()
    )
    assert got == "done"
    assert len(fake.sleeps) == 3


def test_delays_start_small_grow_with_elapsed_time_and_are_capped() -> None:
    policy = WaitPolicy(timeout=10_000)
    assert policy.delay(0) == pytest.approx(0.2)
    assert policy.delay(50) == pytest.approx(4.0)
    assert policy.delay(5000) == pytest.approx(10.0)


def test_overshoot_stays_within_ten_percent_of_the_operation_time() -> None:
    fake = FakeClock(t=100.0)
    start = fake.t
    duration = 30.0
    wait_until(
        lambda: "done" if fake.t - start >= duration else "doing",
        lambda s: s == "done",
        what="x",
        status=str,
        clock=fake.clock(),
    )
    assert duration <= fake.t - start <= duration * 1.10


def test_timeout_names_what_and_last_status() -> None:
    fake = FakeClock(t=100.0)
    with pytest.raises(WaitTimeoutError) as info:
        wait_until(
            lambda: "doing",
            lambda s: s == "done",
            what="hosting task dump/create #7",
            status=str,
            policy=WaitPolicy(timeout=5),
            clock=fake.clock(),
        )
    assert "hosting task dump/create #7" in str(info.value)
    assert "'doing'" in str(info.value)
    assert fake.t - 100.0 == pytest.approx(5.0)  # never sleeps past the deadline
    assert "raise the matching `timeouts` argument" in str(info.value)


def test_timeout_names_the_setting_the_deadline_came_from() -> None:
    with pytest.raises(WaitTimeoutError, match="the matching `customTimeouts` resource option"):
        wait_until(
            lambda: "doing",
            lambda s: s == "done",
            what="backup 7",
            status=str,
            policy=WaitPolicy(timeout=5, setting="customTimeouts"),
            clock=FakeClock(t=100.0).clock(),
        )


def test_failure_status_stops_at_once_with_detail() -> None:
    fake = FakeClock(t=100.0)
    with pytest.raises(TaskFailedError) as info:
        wait_until(
            lambda: {"status": "customerError", "details": "quota"},
            lambda t: t["status"] == "done",
            what="NAS-HA task #3",
            status=lambda t: t["status"],
            failed=lambda t: t["status"] == "customerError",
            detail=lambda t: t["details"],
            clock=fake.clock(),
        )
    assert "NAS-HA task #3" in str(info.value) and "quota" in str(info.value)
    assert fake.sleeps == []


def test_transient_poll_failures_are_waited_through_until_the_deadline() -> None:
    fake = FakeClock(t=100.0)
    answers: list[object] = [RateLimitedError("GET /t", 429, ""), ServerError("GET /t", 503, "")]
    answers.append("done")

    def fetch() -> str:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return str(answer)

    assert (
        wait_until(fetch, lambda s: s == "done", what="x", status=str, clock=fake.clock()) == "done"
    )
    assert len(fake.sleeps) == 2


def test_a_wait_ending_on_transient_failures_raises_the_last_one() -> None:
    fake = FakeClock(t=100.0)

    def fetch() -> str:
        raise ServerError("GET /t", 503, "down")

    with pytest.raises(ServerError, match="down"):
        wait_until(
            fetch,
            lambda s: True,
            what="x",
            status=str,
            policy=WaitPolicy(timeout=3),
            clock=fake.clock(),
        )
    assert fake.t - 100.0 == pytest.approx(3.0)


def test_a_wait_ending_on_transient_failures_after_an_answer_times_out_on_it() -> None:
    """An answer seen (a poll's, or the caller's ``last``): the deadline ends the wait as a
    timeout on its status, caused by the last unanswered poll."""
    fake = FakeClock(t=100.0)

    def fetch() -> str:
        raise ServerError("GET /t", 503, "down")

    with pytest.raises(WaitTimeoutError) as info:
        wait_until(
            fetch,
            lambda s: False,
            what="x",
            status=str,
            policy=WaitPolicy(timeout=3),
            clock=fake.clock(),
            last=("creating",),
        )
    assert info.value.last_status == "creating" and isinstance(info.value.__cause__, ServerError)


def test_permanent_poll_failures_stop_the_wait_at_once() -> None:
    fake = FakeClock(t=100.0)

    def fetch() -> str:
        raise BadRequestError("GET /t", 400, "bad")

    with pytest.raises(BadRequestError):
        wait_until(fetch, lambda s: True, what="x", status=str, clock=fake.clock())
    assert fake.sleeps == []
