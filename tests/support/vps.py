"""The sandbox's VPS panel as the unit tests reach it: the providers' own client, real HTTP.

`SandboxVps.client()` builds a `VpsClient` for the sandbox on a fake clock (its pauses only move
time forward; its wall clock stands at `WALL`), over a transport that keeps every request
and answer. Requests reach the sandbox unless `answer` answers them first: only for what the
sandbox cannot do (a 409 on delete, a 405, a panel without a server route, 502 / 504).
`SandboxVps.operator` is a plain client acting out of band. The `vps_api` fixture
(tests/conftest.py) serves one of its clients to the providers while the test runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone

import httpx

from pulumi_backups.core.retry import RetryPolicy
from pulumi_backups.core.waiting import Clock
from pulumi_backups.sandbox import CREDENTIALS, Sandbox
from pulumi_backups.vps.client import VpsClient
from pulumi_backups.vps.models import Backup, CreateBackupRequest
from pulumi_backups.vps.settings import VpsSettings

from .fakes import FakeClock
from .relay import SandboxRelay

SERVER = 12345
"""The sandbox's seeded server."""
TOKEN = CREDENTIALS["VPS_API_TOKEN"]
WALL = datetime.fromtimestamp(1700.5, timezone.utc)
"""What the test clients' wall clock says, always."""
LIST = "GET /api/v1/backups/"
CREATE = "POST /api/v1/backups/"


@contextmanager
def operator_client(sandbox: Sandbox) -> Iterator[VpsClient]:
    """A plain client of the sandbox's panel, closed after the block: what an operator acting
    out of band uses."""
    client = VpsClient(VpsSettings(sandbox.url, TOKEN))
    try:
        yield client
    finally:
        client.close()


def listed(client: VpsClient, server_id: int = SERVER) -> list[Backup]:
    """The server's manual backups, newest first, as one complete, consistent listing of
    ``client`` reads them now (the listing every read of the providers goes through)."""
    return list(client.manual_backups(server_id).values())


def statuses(client: VpsClient) -> dict[int, str]:
    """Backup id -> status, as the panel lists the seeded server's backups now."""
    return {b.id: b.status for b in listed(client)}


def no_server_route(request: httpx.Request) -> httpx.Response | None:
    """Answers as a panel without the (undocumented) server route would."""
    if request.method == "GET" and request.url.path.startswith("/api/v1/servers/"):
        return httpx.Response(404, json={"detail": "Not found."})
    return None


class SandboxVps(SandboxRelay):
    """The sandbox's panel, the test clients of it on one fake clock, what they sent, and an
    operator."""

    def __init__(self, sandbox: Sandbox) -> None:
        super().__init__()
        self.sandbox = sandbox
        self.operator = VpsClient(VpsSettings(sandbox.url, TOKEN))
        self.clock = FakeClock()
        self.step = 0.0
        self._clients: list[VpsClient] = []

    def client(self, *, attempts: int = 6, token: str = TOKEN) -> VpsClient:
        """A client of the sandbox's panel on the fake clock, its requests kept."""
        client = VpsClient(
            VpsSettings(self.sandbox.url, token),
            transport=self,
            retry=RetryPolicy(attempts=attempts),
            clock=Clock(now=self.clock.now, sleep=self._sleep, utc=lambda: WALL),
        )
        self._clients.append(client)
        return client

    def pace(self, *, task_seconds: float, step: float) -> None:
        """Operations started from now on last `task_seconds` on the sandbox's clock, and
        each pause of a test client moves that clock `step` seconds on: an operation then
        ends after a known number of polls, whatever the real time taken."""
        self.sandbox.configure(task_seconds=task_seconds)
        self.step = step

    def answer_first(self, *responses: httpx.Response) -> None:
        """Answer the next requests with `responses`, in turn; then let requests through."""
        waiting = list(responses)
        self.answer = lambda request: waiting.pop(0) if waiting else None

    def add(self, count: int = 1) -> list[int]:
        """Make `count` manual backups of the seeded server (out of band); their ids."""
        request = CreateBackupRequest(server_id=SERVER)
        return [self.operator.create_backup(request).id for _ in range(count)]

    def backups(self) -> dict[int, Backup]:
        """The seeded server's backups as the panel lists them now, by id."""
        return {b.id: b for b in listed(self.operator)}

    def _sleep(self, seconds: float) -> None:
        self.clock.sleep(seconds)
        if self.step:
            self.sandbox.advance(self.step)

    def stop(self) -> None:
        """Close the test clients, the operator's and the relay's connections."""
        for client in (*self._clients, self.operator):
            client.close()
        super().stop()
