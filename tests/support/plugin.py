"""The provider plugin `pulumi-resource-backups`, spawned and spoken to as the engine does."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pulumi_backups.plugin.kinds import SETTINGS
from pulumi_backups.sandbox import Sandbox

from .engine import ProviderHost

PLUGIN = Path(sys.executable).parent / "pulumi-resource-backups"
"""The console script the distribution installs next to the interpreter."""
PROVIDER_TYPE = "pulumi:providers:backups"
ENGINE = "127.0.0.1:1"
"""The engine's address, the plugin's argument (nothing of the engine is called back here)."""
SECRET_SETTINGS = [s.key for s in SETTINGS if s.secret]


def plugin_config(stack_config: Mapping[str, str]) -> dict[str, str]:
    """The provider's settings (`ovhEndpoint`, ...) holding the given dynamic-path stack
    config (`ovh:endpoint`, ...)."""
    keys = {s.dynamic_key: s.key for s in SETTINGS}
    return {keys[k]: v for k, v in stack_config.items() if k in keys}


def start_plugin(sandbox: Sandbox | None = None, **env: str) -> ProviderHost:
    """The plugin process, configured for `sandbox` when given (its calls are not bounded
    client-side: the plugin runs as many at once as it is sent)."""
    host = ProviderHost(
        env,
        command=(str(PLUGIN), ENGINE),
        provider_type=PROVIDER_TYPE,
        slots=10_000,
    )
    if sandbox is not None:
        configure(host, sandbox.stack_config())
    return host


def configure(host: ProviderHost, stack_config: Mapping[str, str], **more: Any) -> None:
    """Configure as the engine configures a default provider of package `backups`."""
    settings: dict[str, Any] = {**plugin_config(stack_config), **more}
    host.configure(settings, secret_keys=[k for k in settings if k in SECRET_SETTINGS])


def urn(token: str, name: str) -> str:
    return f"urn:pulumi:dev::backups::{token}::{name}"
