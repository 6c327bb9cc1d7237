"""One test seam for every API: while `clients.substitute(client)` is open, each API's
accessor serves that client without reading a setting, so no test needs credentials in its
environment or stack config to run a provider against the sandbox."""

from __future__ import annotations

import ast
import importlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pulumi_backups.core.clients import ClientCache
from pulumi_backups.core.config import set_stack_config
from pulumi_backups.core.errors import ConfigError
from pulumi_backups.ovh.client import ovh_client
from pulumi_backups.scaleway.client import rdb_client
from pulumi_backups.vps.client import vps_client

PACKAGE = Path(__file__).resolve().parents[2] / "provider" / "pulumi_backups"
# Each API's accessor, as its providers call it, and the client it hands them.
ACCESSORS: dict[str, Callable[[], Any]] = {
    "pulumi_backups.ovh.client": ovh_client,
    "pulumi_backups.scaleway.client": lambda: rdb_client()[0],
    "pulumi_backups.vps.client": vps_client,
}


@pytest.fixture
def no_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No credential anywhere: no variable, no stack config, no vendor file."""
    if Path("/etc/ovh.conf").exists():
        pytest.skip("/etc/ovh.conf would answer for the missing OVHcloud credentials")
    for name in list(os.environ):
        if name.startswith(("OVH_", "SCW_", "VPS_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("SCW_CONFIG_PATH", str(tmp_path / "absent.yaml"))
    monkeypatch.chdir(tmp_path)
    set_stack_config({})


def client_caches() -> set[str]:
    """The modules of the package that keep a cache of API clients."""
    return {
        name
        for name in client_modules()
        if isinstance(getattr(importlib.import_module(name), "clients", None), ClientCache)
    }


def test_every_cache_of_clients_has_its_accessor_here() -> None:
    assert client_caches() == set(ACCESSORS)


@pytest.mark.parametrize("module", sorted(ACCESSORS))
@pytest.mark.usefixtures("no_settings")
def test_a_substituted_client_is_served_without_reading_settings(module: str) -> None:
    accessor = ACCESSORS[module]
    with pytest.raises(ConfigError):
        accessor()  # nothing to resolve from: a real resolution fails
    served = object()
    with importlib.import_module(module).clients.substitute(served):
        assert accessor() is served
    with pytest.raises(ConfigError):
        accessor()  # the block ended: settings are resolved again


@pytest.mark.usefixtures("no_settings")
def test_under_substitution_the_region_is_the_resources_or_the_default() -> None:
    served = object()
    with importlib.import_module("pulumi_backups.scaleway.client").clients.substitute(served):
        assert rdb_client("nl-ams") == (served, "nl-ams")
        assert rdb_client() == (served, "fr-par")


def client_methods(module: str) -> list[tuple[str, str]]:
    """(class, method) of each method an API client module defines itself (an override of
    a base class's method is called by that base, not by our code)."""
    found = []
    loaded = importlib.import_module(module)
    tree = ast.parse(Path(loaded.__file__ or "").read_text())
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            bases = getattr(loaded, node.name).__mro__[1:]
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and not any(
                    hasattr(base, item.name) for base in bases
                ):
                    found.append((node.name, item.name))
    return found


def used_names(package: Path) -> set[str]:
    """The attributes the package's modules read (``x.name``), and the classes it opens in a
    ``with`` (their ``__enter__`` and ``__exit__``)."""
    names = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute):
                names.add(node.attr)
            elif isinstance(node, ast.withitem) and isinstance(node.context_expr, ast.Call):
                called = node.context_expr.func
                if isinstance(called, ast.Name):
                    names |= {f"{called.id}.__enter__", f"{called.id}.__exit__"}
    return names


def client_modules() -> list[str]:
    """Every client module of the API packages (``client.py``, ``*_client.py``)."""
    paths = [p for api in ("ovh", "scaleway", "vps") for p in (PACKAGE / api).rglob("*.py")]
    return sorted(
        ".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts)
        for p in paths
        if p.name == "client.py" or p.name.endswith("_client.py")
    )


@pytest.mark.parametrize("module", client_modules())
def test_every_method_of_a_client_serves_its_package(module: str) -> None:
    """What only the tests call belongs in tests/support, not in the product."""
    package = PACKAGE / module.split(".")[1]
    used = used_names(package)
    unused = [
        f"{cls}.{name}"
        for cls, name in client_methods(module)
        if (f"{cls}.{name}" if name.startswith("__") else name) not in used
    ]
    assert unused == []
