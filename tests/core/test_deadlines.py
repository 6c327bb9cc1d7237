"""One deadline per operation, read by every request, retry and wait of it (fake clocks, no
sleeps): nested deadlines end with the operation's, a failure's cleanup gets GRACE, waits and
retries stop at it, and every httpx request's timeouts and whole body are bounded by it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from support.fakes import FakeClock

from pulumi_backups.core import (
    RateLimitedError,
    RetryPolicy,
    TransportError,
    WaitPolicy,
    WaitTimeoutError,
    call_with_retry,
    wait_until,
)
from pulumi_backups.core.errors import ApiError, error_for_status
from pulumi_backups.core.http_client import ERROR_BODY_LIMIT, HttpApi, HttpClient
from pulumi_backups.core.waiting import GRACE, Deadline, current, within

HINT = "check `x:apiUrl`"
DEFAULT = httpx.Timeout(120.0, connect=10.0)


def _error(call: str, response: httpx.Response) -> ApiError:
    return error_for_status(call, response.status_code, response.text or "no message")


API = HttpApi(_error, HINT, frozenset({"GET"}), DEFAULT)


def client(fake: FakeClock, handler: httpx.MockTransport) -> HttpClient:
    return HttpClient(API, "http://api.test", {}, RetryPolicy(), fake.clock(), handler)


def test_a_deadline_made_in_an_operation_ends_with_it() -> None:
    fake = FakeClock(t=50.0)
    with within(WaitPolicy(timeout=10), fake.clock()) as operation:
        assert current() is operation
        inner = Deadline(WaitPolicy(timeout=1800), fake.clock())
        fake.sleep(4)
        assert inner.left() == pytest.approx(6) and operation.left() == pytest.approx(6)
        assert inner.remaining().timeout == pytest.approx(6)
    assert current() is None


def test_an_operations_deadline_runs_on_the_clock_of_its_first_reader() -> None:
    """BaseProvider opens it before any client is known; the client's (fake) clock runs it."""
    fake = FakeClock(t=1000.0)
    with within(WaitPolicy(timeout=10)) as operation:
        assert operation.left(fake.clock()) == pytest.approx(10)
        fake.sleep(3)
        assert operation.left() == pytest.approx(7)


def test_a_cleanup_after_the_deadline_has_its_grace_and_no_more() -> None:
    fake = FakeClock()
    with within(WaitPolicy(timeout=10), fake.clock()) as operation:
        fake.sleep(11)
        assert operation.request_seconds() == pytest.approx(GRACE - 1)
        cleanup = Deadline(WaitPolicy(timeout=60), fake.clock())
        assert cleanup.left() == pytest.approx(GRACE - 1)
        fake.sleep(GRACE)
        assert operation.request_seconds() < 0 and cleanup.left() < 0


def test_a_wait_never_outlives_the_operations_deadline() -> None:
    fake = FakeClock()
    policy = WaitPolicy(timeout=5, setting="customTimeouts")
    with within(policy, fake.clock()), pytest.raises(WaitTimeoutError) as info:
        wait_until(
            lambda: "doing",
            lambda s: s == "done",
            what="backup 7",
            status=str,
            policy=WaitPolicy(timeout=600),
            clock=fake.clock(),
        )
    assert fake.t == pytest.approx(5)
    assert "after 5 s" in str(info.value) and "customTimeouts" in str(info.value)


def test_no_retry_pauses_past_the_operations_deadline() -> None:
    fake = FakeClock()
    calls: list[int] = []

    def send() -> str:
        calls.append(1)
        raise RateLimitedError("GET /x", 429, "slow down")

    with within(WaitPolicy(timeout=1), fake.clock()), pytest.raises(RateLimitedError):
        call_with_retry(send, idempotent=True, policy=RetryPolicy(), sleep=fake.sleep)
    assert fake.t <= 1 and 1 < len(calls) < 6


def test_each_requests_timeouts_are_at_most_what_is_left() -> None:
    fake = FakeClock()
    seen: list[dict[str, float]] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return httpx.Response(200, json={})

    api = client(fake, httpx.MockTransport(handle))
    api.send("GET", "/x", "GET /x")
    with within(WaitPolicy(timeout=30), fake.clock()):
        fake.sleep(27)
        api.send("GET", "/x", "GET /x")
    assert seen[0] == {"connect": 10.0, "read": 120.0, "write": 120.0, "pool": 120.0}
    assert seen[1] == {"connect": 3.0, "read": 3.0, "write": 3.0, "pool": 3.0}


def test_no_request_is_sent_once_the_deadline_and_its_grace_are_gone() -> None:
    fake = FakeClock()
    sent: list[httpx.Request] = []
    api = client(fake, httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(200)))
    with within(WaitPolicy(timeout=10), fake.clock()):
        fake.sleep(10 + GRACE)
        with pytest.raises(TransportError) as info:
            api.send("GET", "/x", "GET /x")
    assert sent == [] and not info.value.may_have_acted
    assert "deadline of 10 s" in str(info.value) and "`timeouts`" in str(info.value)


def trickle(fake: FakeClock, seconds: float) -> Iterator[bytes]:
    """A body that never ends: one byte every ``seconds`` (of the fake clock)."""
    while True:
        fake.t += seconds
        yield b" "


def test_a_trickling_body_ends_at_the_deadline() -> None:
    """httpx's read timeout is per read: the whole body is bounded by the deadline instead."""
    fake = FakeClock()

    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=trickle(fake, 1.0))

    api = client(fake, httpx.MockTransport(handle))
    with within(WaitPolicy(timeout=10), fake.clock()), pytest.raises(TransportError) as info:
        api.send("GET", "/x", "GET /x")
    assert fake.t == pytest.approx(10)  # no retry: its pause would end past the deadline
    assert "no complete answer within the operation's deadline of 10 s" in str(info.value)
    assert info.value.may_have_acted  # the request went out


def test_a_huge_error_body_is_read_no_further_than_its_limit() -> None:
    read: list[int] = []

    def huge() -> Iterator[bytes]:
        for _ in range(20 * 1024):  # 20 MB, 1 KiB at a time
            read.append(1024)
            yield b"x" * 1024

    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, content=huge())

    api = client(FakeClock(), httpx.MockTransport(handle))
    with pytest.raises(ApiError) as info:
        api.send("GET", "/x", "GET /x")
    assert sum(read) <= ERROR_BODY_LIMIT + 1024
    assert len(str(info.value)) < 700


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_an_error_naming_where_it_pointed(status: int) -> None:
    sent: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(status, headers={"Location": "http://elsewhere.test/collect"})

    api = client(FakeClock(), httpx.MockTransport(handle))
    with pytest.raises(ApiError) as info:
        api.send("GET", "/x", "GET /x")
    assert len(sent) == 1  # never followed
    assert info.value.status == status and not info.value.transient
    assert "redirected to http://elsewhere.test/collect: not followed" in str(info.value)
    assert HINT in str(info.value)
