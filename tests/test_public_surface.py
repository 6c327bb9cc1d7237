"""The declared public surface, type tokens, and how providers travel in the state file."""

from __future__ import annotations

import base64
import importlib
import pickletools
from typing import Any

import pulumi.dynamic
import pytest
from pulumi.dynamic.dynamic import serialize_provider

import pulumi_backups
from pulumi_backups.core import BaseProvider
from pulumi_backups.core.config import set_stack_config

RESOURCES = {
    "HostingDatabase": "ovh",
    "HostingDatabaseDump": "ovh",
    "HostingDatabaseRestore": "ovh",
    "NashaCustomSnapshot": "ovh",
    "NashaSnapshotPolicy": "ovh",
    "RdbBackup": "scaleway",
    "RdbBackupRestore": "scaleway",
    "VpsBackup": "vps",
    "VpsRestore": "vps",
}
LOOKUPS = {
    "get_hosting_database_dumps",
    "get_nasha_custom_snapshots",
    "get_nasha_snapshot_frequencies",
    "get_vps_backups",
    "get_rdb_backups",
}
FUNCTIONS = {"get_orphan_dumps", *LOOKUPS, *(f"{name}_output" for name in LOOKUPS)}


def test_all_is_sorted_and_complete() -> None:
    assert pulumi_backups.__all__ == sorted(pulumi_backups.__all__)
    assert set(pulumi_backups.__all__) == {*RESOURCES, "BackupsError", *FUNCTIONS}
    for name in pulumi_backups.__all__:
        assert getattr(pulumi_backups, name) is not None
    with pytest.raises(AttributeError):
        _ = pulumi_backups.NotAResource  # type: ignore[attr-defined]


@pytest.mark.parametrize(("name", "module"), sorted(RESOURCES.items()))
def test_type_tokens_follow_the_design(name: str, module: str) -> None:
    cls = getattr(pulumi_backups, name)
    assert issubclass(cls, pulumi.dynamic.Resource)
    assert cls._resource_type_name == f"dynamic/{module}:{name}"


def providers() -> list[type[BaseProvider[Any]]]:
    found = []
    for name in RESOURCES:
        module = importlib.import_module(getattr(pulumi_backups, name).__module__)
        found.append(getattr(module, f"{name}Provider"))
    return found


@pytest.mark.parametrize("provider_cls", providers(), ids=lambda c: c.__name__)
def test_provider_pickles_by_reference_without_credentials(
    provider_cls: type[BaseProvider[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "s3cr3t-credential-value"
    monkeypatch.setenv("OVH_APPLICATION_SECRET", secret)
    monkeypatch.setenv("SCW_SECRET_KEY", secret)
    monkeypatch.setenv("VPS_API_TOKEN", secret)
    set_stack_config({"vps:apiToken": secret, "ovh:consumerKey": secret})
    provider = provider_cls()
    provider.configure(pulumi.dynamic.ConfigureRequest(_Config({"vps:apiToken": secret})))
    serialized = serialize_provider(provider)
    raw = base64.b64decode(serialized)
    assert len(serialized) < 200
    assert secret.encode() not in raw
    opcodes = {op.name for op, _, _ in pickletools.genops(raw)}
    assert "STACK_GLOBAL" in opcodes  # the class travels by reference, not by value
    assert provider_cls.__module__.encode() in raw
    set_stack_config({})


class _Config(pulumi.dynamic.Config):
    def __init__(self, values: dict[str, str]) -> None:
        super().__init__(values, "test")
