"""Local emulators of the OVHcloud, Scaleway RDB and VPS panel APIs, on one loopback port.

`Sandbox(SandboxSettings(...)).start()` serves them in-process; `python -m
pulumi_backups.sandbox` serves them from the command line. `CREDENTIALS` are the keys the
sandbox accepts, keyed by the environment variable carrying each one.
"""

from __future__ import annotations

from .handle import Sandbox
from .settings import CREDENTIALS, SandboxSettings

__all__ = ["CREDENTIALS", "Sandbox", "SandboxSettings"]
