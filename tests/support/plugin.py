"""The provider plugin `pulumi-resource-backups`, spawned and spoken to as the engine does."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from pulumi_backups.plugin.kinds import SETTINGS
from pulumi_backups.sandbox import Sandbox

from .engine import ProviderHost, ReadResponse
from .engine.host import Props

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


SCHEMA = Path(__file__).resolve().parents[2] / "schema.json"


@cache
def always_set() -> dict[str, frozenset[str]]:
    """Each resource's outputs the schema says are always set (its `required` list)."""
    resources = json.loads(SCHEMA.read_text())["resources"]
    return {token: frozenset(spec["required"]) for token, spec in resources.items()}


class PluginHost(ProviderHost):
    """The plugin process, its answers held to the package schema: every Create, Update and
    Read answer carries each output the schema declares always set (the types generated
    SDKs give, non-optional, are promises a missing output would break)."""

    def create(self, urn: str, news: Props, *, timeout: float = 0) -> tuple[str, Props]:
        id_, outputs = super().create(urn, news, timeout=timeout)
        _hold_to_schema(urn, outputs)
        return id_, outputs

    def update(
        self, urn: str, id_: str, olds: Props, news: Props, *, old_inputs: Props | None = None
    ) -> Props:
        outputs = super().update(urn, id_, olds, news, old_inputs=old_inputs)
        _hold_to_schema(urn, outputs)
        return outputs

    def read(self, urn: str, id_: str, props: Props, inputs: Props | None) -> ReadResponse:
        found = super().read(urn, id_, props, inputs)
        if found.id:
            _hold_to_schema(urn, found.outputs)
        return found


def _hold_to_schema(urn: str, outputs: Props) -> None:
    token = urn.split("::")[2]
    missing = sorted(
        name for name in always_set().get(token, ()) if outputs.get(name) in (None, "")
    )
    assert not missing, f"{token}: outputs the schema says are always set are missing: {missing}"


def start_plugin(sandbox: Sandbox | None = None, **env: str) -> ProviderHost:
    """The plugin process, configured for `sandbox` when given (its calls are not bounded
    client-side: the plugin runs as many at once as it is sent)."""
    host = PluginHost(
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
