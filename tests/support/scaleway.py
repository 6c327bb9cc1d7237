"""Scaleway test material: recorded bodies, clients of a MockTransport handler, and the
sandbox's RDB API as the unit tests reach it: the providers' own client, real HTTP.

`SandboxRdb.client()` builds an `RdbClient` of the sandbox on a fake clock, over a transport
that keeps every exchange; `SandboxRdb.operator` is a plain client acting out of band. The
`rdb_api` fixture (tests/conftest.py) serves one of its clients to the providers while the
test runs.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx

from pulumi_backups.core.errors import NotFoundError
from pulumi_backups.core.retry import RetryPolicy
from pulumi_backups.core.waiting import Clock
from pulumi_backups.sandbox import CREDENTIALS, Sandbox
from pulumi_backups.scaleway.client import RdbClient
from pulumi_backups.scaleway.models import Backup, CreateBackupRequest
from pulumi_backups.scaleway.settings import ScalewaySettings

from .fakes import FakeClock
from .relay import SandboxRelay

ROOT = Path(__file__).resolve().parents[2]
CANDIDATES = [
    ROOT / "tests" / "fixtures" / "scaleway",
    ROOT.parent / "shared" / "fixtures" / "scaleway",
]
FIXTURES = next((path for path in CANDIDATES if path.is_dir()), CANDIDATES[-1])
BASE = "http://scw.test"
SECRET = CREDENTIALS["SCW_SECRET_KEY"]
INSTANCE = "11111111-1111-1111-1111-111111111111"
BACKUPS = "/rdb/v1/regions/fr-par/backups"


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


class SandboxRdb(SandboxRelay):
    """The sandbox's RDB API through recording clients on a fake clock.

    Every second a client sleeps (waits, retries) moves the sandbox's clock on by as much,
    and its wall clock is the sandbox's: nothing waits for real, and the sandbox's own rules
    (durations, transient states, scripted outcomes, faults) decide every answer. ``answers``
    replace the sandbox's answer to a call (``"METHOD /path-suffix"``) with one it cannot
    give. The backups a test starts from are made by :meth:`add`, outside the record.
    """

    def __init__(self, sandbox: Sandbox) -> None:
        super().__init__()
        self.sandbox = sandbox
        self.clock = FakeClock()
        self.answers: dict[str, httpx.Response] = {}
        self.answer = self._answered
        spare = FakeClock()  # the operator's own: its sleeps are not the clients'
        clock = Clock(now=spare.now, sleep=spare.sleep, utc=self.utc)
        self._operator = RdbClient(settings(self.sandbox.url), clock=clock)

    # -- time --------------------------------------------------------------------------------

    def time(self) -> Clock:
        """The clients' clock: the fake one, its sleeps passed on to the sandbox."""
        return Clock(now=self.clock.now, sleep=self._sleep, utc=self.utc)

    def _sleep(self, seconds: float) -> None:
        self.clock.sleep(seconds)
        self.sandbox.advance(seconds)

    def utc(self) -> datetime:
        """The sandbox's time."""
        return datetime.fromtimestamp(self.sandbox.advance(0), timezone.utc)

    # -- clients and what they sent ----------------------------------------------------------

    def client(self, attempts: int = 4) -> RdbClient:
        """A client of the sandbox whose exchanges are recorded here."""
        return RdbClient(
            settings(self.sandbox.url),
            transport=self,
            retry=RetryPolicy(attempts=attempts),
            clock=self.time(),
        )

    def _answered(self, request: httpx.Request) -> httpx.Response | None:
        return self.answers.get(f"{request.method} /{request.url.path.rsplit('/', 1)[-1]}")

    def created(self) -> list[str]:
        """Ids of the backups the recorded creates were answered with."""
        return [
            response.json()["id"]
            for request, response in self.exchanges
            if request.method == "POST"
            and request.url.path == BACKUPS
            and response is not None
            and response.is_success
        ]

    # -- the backups as they are -------------------------------------------------------------

    def add(self, name: str = "seeded", database_name: str = "app") -> Backup:
        """A backup made (and ready, with the sandbox's durations at zero) out of the record."""
        request = CreateBackupRequest(instance_id=INSTANCE, database_name=database_name, name=name)
        made = self._operator.create_backup("fr-par", request)
        return self._operator.get_backup("fr-par", made.id)

    @property
    def operator(self) -> RdbClient:
        """A client acting out of band (not recorded)."""
        return self._operator

    def find(self, backup_id: str) -> Backup | None:
        """The backup as the API has it now; None once gone."""
        try:
            return self._operator.get_backup("fr-par", backup_id)
        except NotFoundError:
            return None

    def stop(self) -> None:
        """Close the connections (``close`` is the transport's, which every client calls)."""
        self._operator.close()
        super().stop()
