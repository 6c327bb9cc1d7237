"""The layers of every API package, read from the source (see docs/architecture.md):

- only client modules (``client.py``, ``*_client.py``) import an HTTP library, read a status
  code or write an API path;
- in an API package only the resource modules import Pulumi: settings, clients, models,
  waiters, operations and their helpers do not (a second adapter calls them);
- NAS-HA's layers live in ``ovh/nasha/`` and import only the layers below them: a resource
  reaches HTTP through one operations module, its waiters and its client;
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
    packaged = [p for name in API_PACKAGES for p in (PACKAGE / name).rglob("*.py")]
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


def label(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def test_the_scan_reaches_every_api_package_module() -> None:
    """Subpackages (``ovh/nasha/``) are scanned too: a layer moved one folder down keeps
    its rules."""
    scanned = {label(p) for p in modules()}
    assert {"ovh/nasha/client.py", "ovh/nasha/policy_operations.py"} <= scanned


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


# Where Pulumi may be imported in an API package: its resource modules (those the state
# files name) and nothing else; in core, the Pulumi contract (stack config, the provider
# base, the resource base) and nothing else.
PURE_PACKAGES = ("core", "ovh", "scaleway", "vps")
RESOURCE_MODULES = {f"{module.replace('.', '/')}.py" for module in PICKLED.values()}
CORE_PULUMI = {"core/config.py", "core/provider.py", "core/resource.py"}


def pure_modules() -> list[Path]:
    """Every module of an API package but its resources: settings, clients, models,
    waiters, operations and whatever helps them (``scaleway/args.py``, ``vps/listings.py``,
    ``ovh/nasha/*``); and every module of core but its Pulumi contract."""
    packaged = [p for name in PURE_PACKAGES for p in (PACKAGE / name).rglob("*.py")]
    allowed = {name.removeprefix("pulumi_backups/") for name in RESOURCE_MODULES} | CORE_PULUMI
    return [p for p in sorted(packaged) if label(p) not in allowed]


@pytest.mark.parametrize("path", pure_modules(), ids=label)
def test_only_resource_modules_import_pulumi(path: Path) -> None:
    tree = ast.parse(path.read_text())
    assert {n for n in imported(tree) if n.split(".")[0] == "pulumi"} == set()


def test_the_pure_modules_are_all_but_the_resources() -> None:
    """The list covers the modules a name pattern missed, and every resource module (which
    must import Pulumi) is left out of it."""
    pure = {label(p) for p in pure_modules()}
    named = {"scaleway/args.py", "ovh/nasha/policy_operations.py", "core/http_client.py"}
    assert named <= pure
    assert not pure & {name.removeprefix("pulumi_backups/") for name in RESOURCE_MODULES}
    for resource in RESOURCE_MODULES:
        assert (PACKAGE.parent / resource).is_file(), resource


# -- NAS-HA: one package, its layers in order -----------------------------------------------------

NASHA = PACKAGE / "ovh" / "nasha"
NASHA_RESOURCES = ("nasha_custom_snapshot.py", "nasha_snapshot_policy.py")
# A module of ovh/nasha/ may import those of lower rank only (operations: not each other).
NASHA_RANK = {"models": 0, "client": 1, "waiters": 2, "operations": 3}


def nasha_rank(name: str) -> int:
    return NASHA_RANK["operations" if name.endswith("operations") else name]


def nasha_imports(path: Path) -> set[str]:
    """The ``ovh/nasha/`` modules that ``path`` imports, by name (``client``, ...)."""
    tree = ast.parse(path.read_text())
    inside = path.parent == NASHA
    found = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or not node.module:
            continue
        module = node.module
        if inside and node.level == 1:
            found.add(module)
        elif not inside and node.level == 1 and module.startswith("nasha."):
            found.add(module.removeprefix("nasha."))
        elif module.startswith("pulumi_backups.ovh.nasha."):
            found.add(module.removeprefix("pulumi_backups.ovh.nasha."))
    return found


def test_nasha_is_one_package_beside_its_resources() -> None:
    """NAS-HA's client, models, waiters and operations live in ``ovh/nasha/``; ``ovh/``
    holds only its two resource modules (where the state files name their providers)."""
    assert sorted(p.name for p in (PACKAGE / "ovh").glob("nasha*.py")) == list(NASHA_RESOURCES)
    layers = {p.stem for p in NASHA.glob("*.py")} - {"__init__"}
    assert {"client", "models", "waiters"} <= layers
    assert all(name in NASHA_RANK or name.endswith("_operations") for name in layers), layers


@pytest.mark.parametrize("path", sorted(NASHA.glob("*.py")), ids=label)
def test_nasha_layers_import_only_the_layers_below(path: Path) -> None:
    """No hop sideways or upwards: operations do not call other operations (a policy's
    schedule goes to the waiters, not through another operations module)."""
    if path.stem == "__init__":
        return
    rank = nasha_rank(path.stem)
    assert {n for n in nasha_imports(path) if nasha_rank(n) >= rank} == set()


@pytest.mark.parametrize("name", NASHA_RESOURCES)
def test_a_nasha_resource_calls_one_operations_module(name: str) -> None:
    """A resource maps its inputs to one operations module, which reaches HTTP through the
    waiters and the client: resource -> operations -> waiters -> client."""
    imports = nasha_imports(PACKAGE / "ovh" / name)
    assert len([n for n in imports if n.endswith("operations")]) == 1, imports


def test_shared_ovhcloud_modules_know_nothing_of_nasha() -> None:
    """``ovh/``'s shared pieces (the choke point, settings, the Task model, waiting on any
    task) serve every OVHcloud API: they import nothing of ``ovh/nasha/``, and NAS-HA's
    models are not spelled there a second time."""
    for path in (PACKAGE / "ovh").glob("*.py"):
        if path.name in NASHA_RESOURCES:
            continue
        assert nasha_imports(path) == set(), path.name
        assert "Nasha" not in path.read_text() and "SNAPSHOT_TYPES" not in path.read_text(), path
