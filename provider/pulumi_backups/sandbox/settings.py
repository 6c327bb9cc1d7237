"""Sandbox settings and the fixed sandbox credentials.

`SandboxSettings` is the configuration a sandbox starts with; the admin route
`PUT /_sandbox/config` changes the mutable part (`CONFIG_KEYS`) at run time and
`POST /_sandbox/reset` puts it back to these start values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

CREDENTIALS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "OVH_APPLICATION_KEY": "sandbox-ak",
        "OVH_APPLICATION_SECRET": "sandbox-as",
        "OVH_CONSUMER_KEY": "sandbox-ck",
        "SCW_ACCESS_KEY": "SCWSANDBOXACCESSKEY0",
        "SCW_SECRET_KEY": "11111111-2222-3333-4444-555555555555",
        "SCW_DEFAULT_PROJECT_ID": "00000000-0000-0000-0000-000000000000",
        "SCW_DEFAULT_ORGANIZATION_ID": "00000000-0000-0000-0000-00000000000a",
        "VPS_API_TOKEN": "sandbox-vps-token",
    }
)
"""Credentials the sandbox accepts, keyed by the environment variable that carries them."""

HOSTING_SERVICE: Final = "sandbox.cluster000.hosting.ovh.net"
NASHA_SERVICE: Final = "zpool-000000"
RDB_INSTANCE_ID: Final = "11111111-1111-1111-1111-111111111111"
VPS_SERVER_ID: Final = 12345
"""Ids of the seeded objects (a web hosting, a NAS-HA, an RDB instance, a VPS): the examples'
defaults, which they refuse to send to any endpoint but a sandbox's."""

CONFIG_KEYS: Final = (
    "task_seconds",
    "archive_seconds",
    "latency_ms",
    "error_rate",
    "ratelimit_rate",
    "link_seconds",
)
"""Settings the admin API may read and change at run time."""


@dataclass
class SandboxSettings:
    """How a sandbox behaves.

    task_seconds: duration of every server-side operation (OVH tasks, Scaleway transient
        statuses, VPS `in_progress`); 0 finishes operations at once.
    archive_seconds: a finished OVH hosting task answers 404 this long after it is done.
    state_path: SQLite file keeping state across restarts; None keeps it in memory.
    latency_ms: delay added before every API request.
    error_rate: share of API requests answered 503 (in the API's error shape).
    ratelimit_rate: share of API requests answered 429.
    link_seconds: how long a Scaleway download link minted from now on stays valid.
    seed: seed of the random generator drawing faults (None: not reproducible).
    scenarios: ready-made situations seeded on top of the fixed objects (names of
        `scenarios.SCENARIOS`), replayed on reset.
    """

    task_seconds: float = 2.0
    archive_seconds: float = 60.0
    state_path: str | None = None
    latency_ms: float = 0.0
    error_rate: float = 0.0
    ratelimit_rate: float = 0.0
    link_seconds: float = 86400.0
    seed: int | None = None
    scenarios: tuple[str, ...] = ()

    def config(self) -> dict[str, float]:
        """The run-time adjustable part, as the admin API shows it."""
        return {key: float(getattr(self, key)) for key in CONFIG_KEYS}
