"""Malformed answers at the transport level: a successful answer that is not JSON (truncated,
an HTML page), JSON nested too deeply, or no body where one is expected, is an ApiError
"malformed answer: ..." naming the call, for every client (httpx's answers and requests')."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
import requests

from pulumi_backups.core import ApiError
from pulumi_backups.core.http_client import Answer, decoded

CALL = "POST /api/v1/backups/"


def answer(status: int, body: bytes, kind: str = "application/json") -> httpx.Response:
    return httpx.Response(status, content=body, headers={"Content-Type": kind})


def requests_answer(status: int, body: bytes) -> requests.Response:
    response = requests.Response()
    response.status_code, response._content = status, body
    return response


MALFORMED = {
    "truncated": (b'{"id": 7, "status": "in_pro', "not JSON"),
    "deep": (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    "html": (b"<html><body>Welcome to nginx!</body></html>", "not JSON"),
}


@pytest.mark.parametrize("make", [answer, requests_answer])
@pytest.mark.parametrize("lie", list(MALFORMED))
def test_a_malformed_answer_is_an_api_error(make: Callable[[int, bytes], Answer], lie: str) -> None:
    body, reason = MALFORMED[lie]
    with pytest.raises(ApiError) as info:
        decoded(CALL, make(200, body), "check `vps:apiUrl`", request_id="r-1")
    message = str(info.value)
    assert message.startswith(f"{CALL} failed: HTTP 200: malformed answer: {reason}")
    assert "check `vps:apiUrl`" in message and "r-1" in message and len(message) < 700


@pytest.mark.parametrize(("status", "body"), [(200, b""), (201, b""), (204, b"")])
def test_no_body_where_one_is_required_is_an_api_error(status: int, body: bytes) -> None:
    assert decoded(CALL, answer(status, body)) is None  # where none is needed (a DELETE)
    with pytest.raises(ApiError, match="malformed answer: no body"):
        decoded(CALL, answer(status, body), required=True)


def test_a_well_formed_answer_is_its_json() -> None:
    assert decoded(CALL, answer(201, b'{"id": 7}'), required=True) == {"id": 7}
