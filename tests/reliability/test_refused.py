"""Nothing listens at the configured endpoint: each client says which setting to check, and
gives up quickly (a refused connection is retried for 2 s of pauses at most: long enough for
a server that restarts).

Through the real clients and a closed loopback port; the default retry policy would pause
4 to 8 s in all before its last attempt.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pulumi_backups.core.errors import ApiError, TransportError
from pulumi_backups.ovh.client import OvhClient
from pulumi_backups.ovh.settings import OvhSettings
from pulumi_backups.scaleway.client import RdbClient
from pulumi_backups.scaleway.settings import ScalewaySettings
from pulumi_backups.vps.client import VpsClient
from pulumi_backups.vps.settings import VpsSettings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


@pytest.fixture
def closed_url() -> str:
    """A loopback URL where nothing listens (a port just freed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _ovh(url: str) -> Any:
    client = OvhClient(OvhSettings(url, "ak", "as", "ck"))
    return lambda: client.get("/hosting/web/x/database/y")


def _scaleway(url: str) -> Any:
    client = RdbClient(ScalewaySettings("11111111-2222-3333-4444-555555555555", url))
    return lambda: client.get_backup("fr-par", "11111111-1111-1111-1111-111111111111")


def _vps(url: str) -> Any:
    client = VpsClient(VpsSettings(url, "token"))
    return lambda: client.manual_backups(12345)


@pytest.mark.parametrize(
    ("make", "setting"),
    [(_ovh, "ovh:endpoint"), (_scaleway, "scaleway:apiUrl"), (_vps, "vps:apiUrl")],
)
def test_a_refused_connection_names_the_endpoint_setting_quickly(
    closed_url: str, make: Callable[[str], Callable[[], Any]], setting: str
) -> None:
    call = make(closed_url)
    start = time.monotonic()
    with pytest.raises(ApiError) as info:
        call()
    took = time.monotonic() - start
    err = info.value
    assert isinstance(err, TransportError) and err.refused
    assert f"connection refused: nothing answers at {closed_url}" in str(err)
    assert setting in str(err)
    assert took < 3.0, f"{took:.1f} s: retried as long as any transient failure"
    # the README's Troubleshooting table quotes this very message (with a sandbox URL)
    quoted = str(err).replace(closed_url, "http://127.0.0.1:8080")
    if setting == "vps:apiUrl":
        assert f"`{quoted}`" in README
    assert "no response: connection refused: nothing answers at http://" in README
