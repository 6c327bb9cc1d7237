"""An in-memory VPS panel behind httpx.MockTransport, and a fake clock, for unit tests."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from support.fakes import FakeClock

from pulumi_backups.core.retry import RetryPolicy
from pulumi_backups.vps.client import VpsClient
from pulumi_backups.vps.settings import VpsSettings

BASE = "http://panel.test"
TOKEN = "good-token"
SERVER = 12345


@dataclass
class FakePanel:
    """Documented routes of the panel plus GET /api/v1/servers/{id}/.

    A new backup stays `in_progress` for `polls_to_finish` listings, then takes
    `final_status`; a restored server stays `restoring` for `polls_to_finish` server reads.
    `faults` are (status, body) answers given, in order, before any request is handled.
    """

    page_size: int = 100
    polls_to_finish: int = 1
    final_status: str = "completed"
    server_status_after_restore: str = "running"
    server_route: bool = True
    restore_status: str = "restoring"
    delete_fails: bool = False
    faults: list[tuple[int, Any]] = field(default_factory=list)
    backups: dict[int, dict[str, Any]] = field(default_factory=dict)
    polls: dict[int, int] = field(default_factory=dict)
    server_polls: int = 0
    requests: list[httpx.Request] = field(default_factory=list)
    next_id: int = 500

    def client(self, attempts: int = 6) -> VpsClient:
        return VpsClient(
            VpsSettings(api_url=BASE, api_token=TOKEN),
            transport=httpx.MockTransport(self.handle),
            retry=RetryPolicy(attempts=attempts),
            clock=FakeClock().clock(),
        )

    def calls(self, method: str | None = None) -> list[str]:
        return [f"{r.method} {r.url.path}" for r in self.requests if method in (None, r.method)]

    def add(self, backup_id: int, status: str = "completed", server: int = SERVER) -> None:
        self.backups[backup_id] = _backup(backup_id, server, status, "manual")

    # -- the handler ----------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        headers = {"X-Request-Id": f"req-{len(self.requests)}"}
        if self.faults:
            status, body = self.faults.pop(0)
            return httpx.Response(status, json=body, headers=headers)
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return httpx.Response(401, json={"detail": "Invalid token."}, headers=headers)
        status, body = self._route(request)
        if body is None:
            return httpx.Response(status, headers=headers)
        return httpx.Response(status, json=body, headers=headers)

    def _route(self, request: httpx.Request) -> tuple[int, Any]:
        path, method = request.url.path, request.method
        parts = [p for p in path.split("/") if p][2:]  # after api/v1
        if parts == ["backups"] and method == "GET":
            return self._list(request)
        if parts == ["backups"] and method == "POST":
            return self._create(json.loads(request.content))
        if parts[:1] == ["backups"] and len(parts) == 2 and method == "DELETE":
            if self.delete_fails:
                return 409, {"detail": "Backup is busy."}
            found = self.backups.pop(int(parts[1]), None)
            return (204, None) if found else (404, {"detail": "Not found."})
        if parts[:1] == ["servers"] and parts[2:] == ["restore"] and method == "POST":
            return self._restore(int(parts[1]), json.loads(request.content))
        if parts[:1] == ["servers"] and len(parts) == 2 and method == "GET":
            return self._server(int(parts[1]))
        return 404, {"detail": "Not found."}

    def _list(self, request: httpx.Request) -> tuple[int, Any]:
        query = parse_qs(urlsplit(str(request.url)).query)
        server = int(query["server_id"][0]) if "server_id" in query else None
        page = int(query.get("page", ["1"])[0])
        for backup_id, backup in self.backups.items():
            if backup["status"] == "in_progress":
                self.polls[backup_id] = self.polls.get(backup_id, 0) + 1
                if self.polls[backup_id] >= self.polls_to_finish:
                    backup["status"] = self.final_status
                    backup["size_mb"] = 4456
        items = [b for b in self.backups.values() if server in (None, b["server"]["id"])]
        start = (page - 1) * self.page_size
        more = start + self.page_size < len(items)
        nxt = f"{BASE}/api/v1/backups/?page={page + 1}&server_id={server}" if more else None
        return 200, {
            "count": len(items),
            "next": nxt,
            "previous": None,
            "results": items[start : start + self.page_size],
        }

    def _create(self, body: dict[str, Any]) -> tuple[int, Any]:
        if body.get("server_id") != SERVER:
            return 404, {"detail": "Server not found."}
        self.next_id += 1
        backup = _backup(self.next_id, SERVER, "in_progress", "manual", body.get("description"))
        self.backups[self.next_id] = backup
        return 201, {**backup, "message": "Backup is being created."}

    def _restore(self, server: int, body: dict[str, Any]) -> tuple[int, Any]:
        if server != SERVER or body.get("backup_id") not in self.backups:
            return 404, {"detail": "Not found."}
        self.server_polls = 0
        return 202, {"status": self.restore_status, "server_id": server}

    def _server(self, server: int) -> tuple[int, Any]:
        if not self.server_route or server != SERVER:
            return 404, {"detail": "Not found."}
        self.server_polls += 1
        done = self.server_polls >= self.polls_to_finish
        status = self.server_status_after_restore if done else "restoring"
        return 200, {"id": server, "name": "web-server-01", "status": status}


def _backup(
    backup_id: int, server: int, status: str, kind: str, description: str | None = None
) -> dict[str, Any]:
    return {
        "id": backup_id,
        "server": {"id": server, "name": "web-server-01"},
        "backup_type": kind,
        "status": status,
        "size_mb": None if status == "in_progress" else 4389,
        "created_at": "2025-01-16T15:45:00Z",
        "expires_at": None,
        "description": description,
    }
