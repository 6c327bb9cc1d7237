"""The sandbox's OVHcloud API as the unit tests reach it: the providers' own client, real
HTTP (python-ovh speaks `requests`, so the sandbox's counters, not a relay, keep the calls).

`SandboxOvh.client()` builds an `OvhClient` of the sandbox whose retries do not pause and
whose waits run on the fake clock `SandboxOvh.clock`; `SandboxOvh.operator` is a plain client
acting out of band. The `ovh_api` fixture (tests/conftest.py) serves one of its clients to
the providers while the test runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pulumi_backups.core.retry import RetryPolicy
from pulumi_backups.core.waiting import SYSTEM_CLOCK, WaitPolicy
from pulumi_backups.ovh.client import OvhClient
from pulumi_backups.ovh.hosting_client import HostingApi
from pulumi_backups.ovh.waiters import wait_hosting
from pulumi_backups.sandbox import Sandbox
from pulumi_backups.sandbox.settings import HOSTING_SERVICE

from .fakes import FakeClock


def fast_ovh_client(
    sandbox: Sandbox, attempts: int = 12, clock: FakeClock | None = None
) -> OvhClient:
    """A client of the sandbox's OVHcloud API whose retries do not pause (and whose waits
    run on ``clock``, when given)."""
    retry = RetryPolicy(attempts=attempts, base=0.0, cap=0.0)
    return OvhClient(sandbox.ovh_settings(), retry, clock.clock() if clock else SYSTEM_CLOCK)


def hosting_with_database(client: OvhClient) -> HostingApi:
    """The sandbox's hosting API through ``client``, with the database of user ``sandboxapp``
    (``sandboxapp.mysql.db``) made and awaited."""
    hosting = HostingApi(client, HOSTING_SERVICE)
    body = {"capabilitie": "sqlPerso", "type": "mysql", "user": "sandboxapp"}
    wait_hosting(hosting, hosting.create_database(body), WaitPolicy(timeout=5))
    return hosting


@contextmanager
def operator_client(sandbox: Sandbox) -> Iterator[OvhClient]:
    """A plain client of the sandbox's API, for the block: what an operator acting out of
    band uses (python-ovh's session has nothing to close)."""
    yield OvhClient(sandbox.ovh_settings())


class SandboxOvh:
    """The sandbox's OVHcloud API, the test clients of it on one fake clock, an operator."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.clock = FakeClock()
        self.operator = OvhClient(sandbox.ovh_settings())

    def client(self, attempts: int = 12) -> OvhClient:
        """A client of the sandbox, its retries unpaused, its waits on :attr:`clock`."""
        return fast_ovh_client(self.sandbox, attempts, self.clock)

    def stop(self) -> None:
        """Nothing to release (python-ovh's session has nothing to close); here so that the
        three sandbox APIs end alike."""
