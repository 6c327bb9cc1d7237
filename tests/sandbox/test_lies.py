"""The sandbox's lying answers (``sandbox.lies``), over real HTTP: each changes the answer the
client reads, the server acting or not as documented."""

from __future__ import annotations

import json
import socket
import time
from email.utils import parsedate_to_datetime

import httpx
import pytest

from pulumi_backups.sandbox import CREDENTIALS, Sandbox
from pulumi_backups.sandbox.lies import DEEP, HUGE

VPS = {"Authorization": f"Bearer {CREDENTIALS['VPS_API_TOKEN']}"}
LIST = "GET /api/v1/backups/"
CREATE = "POST /api/v1/backups/"


def vps(sandbox: Sandbox) -> httpx.Client:
    return httpx.Client(base_url=sandbox.url, headers=VPS, timeout=5.0)


def manual_backups(sandbox: Sandbox) -> dict[str, object]:
    return sandbox.objects().get("vps:backup", {})


def test_set_rewrites_a_field_and_the_server_acts(sandbox: Sandbox) -> None:
    before = len(manual_backups(sandbox))
    sandbox.fault("set:id=777", CREATE)
    sandbox.fault("set:results.*.server.id=54321", LIST)
    with vps(sandbox) as client:
        created = client.post("/api/v1/backups/", json={"server_id": 12345})
        listed = client.get("/api/v1/backups/", params={"server_id": 12345}).json()
        honest = client.get("/api/v1/backups/", params={"server_id": 12345}).json()
    assert created.status_code == 201 and created.json()["id"] == 777
    assert len(manual_backups(sandbox)) == before + 1
    assert {b["server"]["id"] for b in listed["results"]} == {54321}
    assert {b["server"]["id"] for b in honest["results"]} == {12345}


def test_omit_and_pad_change_a_listing(sandbox: Sandbox) -> None:
    with vps(sandbox) as client:
        made = client.post("/api/v1/backups/", json={"server_id": 12345}).json()["id"]
        sandbox.fault(f"omit:{made}", LIST)
        omitted = client.get("/api/v1/backups/", params={"server_id": 12345}).json()
        sandbox.fault("pad:3", LIST)
        padded = client.get("/api/v1/backups/", params={"server_id": 12345}).json()
    assert made not in [b["id"] for b in omitted["results"]]
    assert omitted["count"] == padded["count"]  # the count does not tell: the lie is a lie
    assert len(padded["results"]) == len(omitted["results"]) + 4


@pytest.mark.parametrize(
    ("how", "status", "body"),
    [("empty", 201, b""), ("204", 204, b""), ("html", 200, b"<html>")],
)
def test_malformed_bodies(sandbox: Sandbox, how: str, status: int, body: bytes) -> None:
    sandbox.fault(f"body:{how}", CREATE)
    with vps(sandbox) as client:
        answer = client.post("/api/v1/backups/", json={"server_id": 12345})
    assert answer.status_code == status
    assert answer.content.startswith(body) and (body or answer.content == b"")


def test_truncated_deep_and_huge_bodies(sandbox: Sandbox) -> None:
    sandbox.fault("body:truncated", CREATE)
    sandbox.fault("body:deep", LIST)
    sandbox.fault("body:huge", LIST)
    with vps(sandbox) as client:
        truncated = client.post("/api/v1/backups/", json={"server_id": 12345})
        deep = client.get("/api/v1/backups/", params={"server_id": 12345})
        huge = client.get("/api/v1/backups/", params={"server_id": 12345})
    with pytest.raises(ValueError):
        json.loads(truncated.content)
    assert truncated.status_code == 201 and truncated.content.startswith(b"{")
    assert deep.content == b"[" * DEEP + b"]" * DEEP
    assert huge.status_code == 500 and len(huge.content) > HUGE
    assert set(huge.json()) == {"detail"}


def test_date_is_shifted(sandbox: Sandbox) -> None:
    sandbox.fault("date:-86400", LIST)
    with vps(sandbox) as client:
        shifted = client.get("/api/v1/backups/", params={"server_id": 12345})
        honest = client.get("/api/v1/backups/", params={"server_id": 12345})

    def when(answer: httpx.Response) -> float:
        return parsedate_to_datetime(answer.headers["date"]).timestamp()

    assert abs(when(honest) - when(shifted) - 86400) < 5


def test_a_redirect_points_to_another_host_that_records_what_follows(sandbox: Sandbox) -> None:
    before = len(manual_backups(sandbox))
    sandbox.fault("redirect:307", CREATE)
    with vps(sandbox) as client:
        answer = client.post("/api/v1/backups/", json={"server_id": 12345})
        assert answer.status_code == 307 and sandbox.collected() == []
        location = answer.headers["location"]
        assert location.startswith("http://localhost:") and "/api/v1/backups/" in location
        client.post(location, json={"server_id": 12345})  # a client that follows: recorded
    (followed,) = sandbox.collected()
    assert followed["method"] == "POST" and followed["path"] == "/api/v1/backups/"
    assert followed["headers"]["authorization"] == VPS["Authorization"]
    assert json.loads(followed["body"]) == {"server_id": 12345}
    assert len(manual_backups(sandbox)) == before  # the handler never ran


def test_silent_never_answers_and_trickle_never_ends(sandbox: Sandbox) -> None:
    sandbox.fault("silent", LIST)
    sandbox.fault("trickle:0.05", LIST)
    with vps(sandbox) as client:
        with pytest.raises(httpx.ReadTimeout):
            client.get("/api/v1/backups/", timeout=0.3)
        started, received = time.monotonic(), 0
        with client.stream("GET", "/api/v1/backups/", timeout=1.0) as answer:
            assert answer.status_code == 200
            for chunk in answer.iter_raw():
                received += len(chunk)
                if time.monotonic() - started > 0.4:
                    break
    assert received >= 3  # one byte at a time, and still going
    host, port = sandbox.url.removeprefix("http://").split(":")
    socket.create_connection((host, int(port)), timeout=1).close()  # still serving


def test_bad_lies_are_refused(sandbox: Sandbox) -> None:
    for kind in ("set:id", "omit:[", "pad:x", "body:nope", "redirect:303", "fib"):
        with pytest.raises(Exception, match=r"400|kind|lie|needs|must"):
            sandbox.fault(kind, LIST)
