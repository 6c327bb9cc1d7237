"""The layers of every API package, read from the source (see docs/architecture.md):

- only client modules (``client.py``, ``*_client.py``) import an HTTP library, read a status
  code or write an API path;
- no operations, models or waiters module imports Pulumi (a second adapter calls them);
- the classes the state files name (providers are pickled by reference) stay where they are.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "provider" / "pulumi_backups"
API_PACKAGES = ("core", "ovh", "scaleway", "vps", "plugin")
HTTP_LIBRARIES = {"httpx", "requests", "urllib3", "ovh", "http", "urllib.request"}
# An API path written in code: /1.0, /v1, /hosting/..., /dedicated/..., /api/v1/..., /rdb/...
API_PATH = re.compile(r"(?:^|[\s(`])/(?:1\.0|v1|hosting|dedicated|api|rdb|auth)\b")
# core/errors.py is the table that turns a status into an error class, for the clients.
STATUS_TABLE = PACKAGE / "core" / "errors.py"


def modules() -> list[Path]:
    """Every module but the sandbox's (an HTTP server of its own): the API packages, the
    plugin, and the package's top level (the command line, the examples' helper)."""
    packaged = [p for name in API_PACKAGES for p in (PACKAGE / name).glob("*.py")]
    return sorted([*packaged, *PACKAGE.glob("*.py")])


def is_client(path: Path) -> bool:
    return path.name == "client.py" or path.name.endswith("_client.py")


def imported(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def docstrings(tree: ast.AST) -> set[int]:
    """ids of the string constants that are docstrings (prose may name a route)."""
    found = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list):
            for statement in body:
                if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
                    found.add(id(statement.value))
    return found


def violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    found = []
    for name in imported(tree):
        if name.split(".")[0] in HTTP_LIBRARIES or name in HTTP_LIBRARIES:
            found.append(f"imports {name}")
    prose = docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "status_code":
            found.append(f"line {node.lineno}: reads status_code")
        if isinstance(node, ast.Compare) and path != STATUS_TABLE:
            sides = [node.left, *node.comparators]
            reads = any(isinstance(s, ast.Attribute) and s.attr == "status" for s in sides)
            numbers = any(
                (isinstance(c, ast.Constant) and isinstance(c.value, int))
                or (
                    isinstance(c, ast.Tuple)
                    and any(
                        isinstance(e, ast.Constant) and isinstance(e.value, int) for e in c.elts
                    )
                )
                for c in sides
            )
            if reads and numbers:
                found.append(f"line {node.lineno}: compares a status code")
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in prose
            and API_PATH.search(node.value)
        ):
            found.append(f"line {node.lineno}: writes the API path {node.value!r}")
    return found


@pytest.mark.parametrize(
    "path", [p for p in modules() if not is_client(p)], ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_only_client_modules_speak_http(path: Path) -> None:
    assert violations(path) == []


def test_the_scan_sees_what_clients_do() -> None:
    """The rule above finds something in every client: it would see a slip elsewhere."""
    for client in (p for p in modules() if is_client(p)):
        assert violations(client), client


PURE = re.compile(r"^(?:.*operations|models|waiters|.*_client|client|settings)\.py$")


@pytest.mark.parametrize(
    "path", [p for p in modules() if PURE.match(p.name)], ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_operations_models_and_waiters_do_not_import_pulumi(path: Path) -> None:
    tree = ast.parse(path.read_text())
    assert {n for n in imported(tree) if n.split(".")[0] == "pulumi"} == set()


PICKLED = {
    "HostingDatabase": "pulumi_backups.ovh.hosting_database",
    "HostingDatabaseDump": "pulumi_backups.ovh.hosting_database_dump",
    "HostingDatabaseRestore": "pulumi_backups.ovh.hosting_database_restore",
    "NashaCustomSnapshot": "pulumi_backups.ovh.nasha_custom_snapshot",
    "NashaSnapshotPolicy": "pulumi_backups.ovh.nasha_snapshot_policy",
    "RdbBackup": "pulumi_backups.scaleway.rdb_backup",
    "RdbBackupRestore": "pulumi_backups.scaleway.rdb_backup_restore",
    "VpsBackup": "pulumi_backups.vps.vps_backup",
    "VpsRestore": "pulumi_backups.vps.vps_restore",
}


@pytest.mark.parametrize(("name", "module"), sorted(PICKLED.items()))
def test_providers_stay_where_existing_state_files_name_them(name: str, module: str) -> None:
    """A dynamic resource's state holds its provider pickled by reference (module and class
    name): moving or renaming one breaks every stack that has such a resource."""
    provider = getattr(importlib.import_module(module), f"{name}Provider")
    assert provider.__module__ == module and provider.__qualname__ == f"{name}Provider"
