"""Recorded Scaleway bodies, a fake clock, and a small RDB backup API behind MockTransport."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import httpx

from pulumi_backups.core.retry import RetryPolicy
from pulumi_backups.scaleway.client import RdbClient
from pulumi_backups.scaleway.settings import ScalewaySettings

from .fakes import FakeClock

ROOT = Path(__file__).resolve().parents[2]
CANDIDATES = [
    ROOT / "tests" / "fixtures" / "scaleway",
    ROOT.parent / "shared" / "fixtures" / "scaleway",
]
FIXTURES = next((path for path in CANDIDATES if path.is_dir()), CANDIDATES[-1])
BASE = "http://scw.test"
SECRET = "11111111-2222-3333-4444-555555555555"
INSTANCE = "11111111-1111-1111-1111-111111111111"
TRANSIENT = {"creating", "exporting", "restoring", "deleting"}


def recorded(name: str) -> Any:
    """A recorded body, parsed."""
    return json.loads((FIXTURES / name).read_text())


def recorded_bytes(name: str) -> bytes:
    """A recorded body, byte for byte."""
    return (FIXTURES / name).read_bytes()


def settings(api_url: str = BASE) -> ScalewaySettings:
    return ScalewaySettings(secret_key=SECRET, api_url=api_url)


def client_for(handler: Any, clock: FakeClock | None = None, attempts: int = 4) -> RdbClient:
    """A client whose requests go to ``handler``; sleeps go to ``clock``."""
    return RdbClient(
        settings(),
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(attempts=attempts),
        clock=(clock or FakeClock()).clock(),
    )


def error(status: int, name: str | None = None, request_id: str = "req-1") -> httpx.Response:
    """An error answer with a recorded body (none: empty body, as a real 429)."""
    body = recorded_bytes(name) if name else b""
    headers = {"X-Request-Id": request_id}
    if name:
        headers["Content-Type"] = "application/json"
    return httpx.Response(status, content=body, headers=headers)


@dataclass
class FakeRdb:
    """Backups of one region. A transient status lasts ``polls`` GETs, then becomes
    ``outcome`` (``ready``, ``error``; ``hang`` never settles). Mutating a transient backup
    answers 409 transient_state; a deleted backup is ``deleting`` for ``polls`` GETs, then 404.
    Its clock is ``date`` (sent as the ``Date`` header) when set, else the real one.
    ``faults`` are answers given, in order, before anything is handled (``get_faults``:
    before GETs only); ``refusals`` answer an action ("export", "DELETE", ...) instead."""

    polls: int = 1
    outcome: str = "ready"
    faults: list[httpx.Response] = field(default_factory=list)
    get_faults: list[httpx.Response] = field(default_factory=list)
    refusals: dict[str, httpx.Response] = field(default_factory=dict)
    backups: dict[str, dict[str, Any]] = field(default_factory=dict)
    left: dict[str, int] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)
    date: str | None = None

    def client(self, clock: FakeClock | None = None, attempts: int = 4) -> RdbClient:
        return client_for(self.handle, clock, attempts)

    def calls(self, method: str | None = None) -> list[str]:
        return [f"{r.method} {r.url.path}" for r in self.requests if method in (None, r.method)]

    def add(self, status: str = "ready", **extra: Any) -> dict[str, Any]:
        body = {**recorded("get_response_ready.json"), "id": str(uuid.uuid4()), **extra}
        body["status"] = status
        self.backups[body["id"]] = body
        self.left[body["id"]] = self.polls
        return body

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.faults:
            return self.faults.pop(0)
        if request.method == "GET" and self.get_faults:
            return self.get_faults.pop(0)
        if request.headers.get("X-Auth-Token") != SECRET:
            return error(401, "error_denied_authentication_401.json")
        parts = request.url.path.split("/")[6:]  # after /rdb/v1/regions/{region}/backups
        if not parts:
            return self._collection(request)
        backup = self.backups.get(parts[0])
        if backup is None:
            return self._not_found(parts[0])
        if request.method == "GET":
            return self._get(backup)
        if backup["status"] in TRANSIENT:
            body = {**recorded("error_transient_state_409.json"), "resource": "database_backup"}
            body.update(resource_id=backup["id"], current_state=backup["status"])
            return httpx.Response(409, json=body, headers={"X-Request-Id": "req-409"})
        return self._mutate(request, backup, parts[1] if len(parts) > 1 else "")

    def _answer(self, body: dict[str, Any]) -> httpx.Response:
        headers = {"Date": self.date} if self.date else {}
        return httpx.Response(200, json=body, headers=headers)

    def _not_found(self, backup_id: str) -> httpx.Response:
        body = {**recorded("get_404_not_found.json"), "resource_id": backup_id}
        return httpx.Response(404, json=body, headers={"X-Request-Id": "req-404"})

    def _collection(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            name = request.url.params.get("name")
            found = [b for b in self.backups.values() if name in (None, b["name"])]
            return self._answer({"database_backups": found, "total_count": len(found)})
        created = json.loads(request.content)
        body = self.add("creating", **created, size=None, updated_at=None)
        return self._answer(body)

    def _get(self, backup: dict[str, Any]) -> httpx.Response:
        if backup["status"] in TRANSIENT and self.outcome != "hang":
            self.left[backup["id"]] -= 1
            if self.left[backup["id"]] < 0:
                if backup["status"] == "deleting":
                    del self.backups[backup["id"]]
                    return self._not_found(backup["id"])
                self._settle(backup)
        return self._answer(backup)

    def _settle(self, backup: dict[str, Any]) -> None:
        exported = backup["status"] == "exporting"
        backup["status"] = self.outcome
        if self.outcome != "ready":
            return
        backup.update(size=1253, updated_at="2026-02-27T14:57:36.838164Z")
        if exported:
            link = recorded("get_response_ready_with_download_url.json")["download_url"]
            now = parsedate_to_datetime(self.date) if self.date else datetime.now(timezone.utc)
            expiry = now + timedelta(hours=24)
            backup.update(download_url=link, download_url_expires_at=expiry.isoformat())

    def _mutate(
        self, request: httpx.Request, backup: dict[str, Any], action: str
    ) -> httpx.Response:
        refusal = self.refusals.get(action or request.method)
        if refusal is not None:
            return refusal
        self.left[backup["id"]] = self.polls
        if request.method == "DELETE":
            backup["status"] = "deleting"
        elif request.method == "PATCH":
            backup.update(json.loads(request.content))
        elif action == "export":
            backup["status"] = "exporting"
        elif action == "restore":
            backup["status"] = "restoring"
        return self._answer(backup)
