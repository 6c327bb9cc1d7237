"""The layout of the test support, read from the files: one module per API of the sandbox
(tests/support/<api>.py), each with a `Sandbox<Api>` of the same shape and one fixture of
the same name pattern (tests/conftest.py); the engine harness in a package of its own
(tests/support/engine), whose names tests import from `support`."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest
import support
from support import engine
from support.ovh import SandboxOvh
from support.scaleway import SandboxRdb
from support.vps import SandboxVps

TESTS = Path(__file__).resolve().parent
SUPPORT = TESTS / "support"
# The sandbox's APIs on a fake clock: module of tests/support, its class, the fixture.
APIS = {
    "ovh": (SandboxOvh, "ovh_api"),
    "scaleway": (SandboxRdb, "rdb_api"),
    "vps": (SandboxVps, "vps_api"),
}
SHAPE = ("client", "stop")  # and the attributes sandbox, clock, operator once built
TOP_LEVEL = {"__init__", "fakes", "plugin", "relay", "sandbox_cli", "sandboxed", *APIS}


def fixtures() -> dict[str, str]:
    """The fixtures of tests/conftest.py and what they yield, as written."""
    tree = ast.parse((TESTS / "conftest.py").read_text())
    return {
        node.name: ast.unparse(node.returns)
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.returns is not None
    }


def test_support_holds_the_apis_and_its_own_helpers_and_the_harness_is_a_package() -> None:
    modules = {p.stem for p in SUPPORT.glob("*.py")}
    assert modules == TOP_LEVEL
    assert (SUPPORT / "engine" / "__init__.py").is_file()


@pytest.mark.parametrize("api", sorted(APIS))
def test_each_api_has_one_class_of_the_same_shape_and_its_fixture(api: str) -> None:
    cls, fixture = APIS[api]
    assert cls.__module__ == f"support.{api}"
    assert all(callable(getattr(cls, name, None)) for name in SHAPE)
    assert list(inspect.signature(cls.__init__).parameters) == ["self", "sandbox"]
    assert fixtures()[fixture] == f"Iterator[{cls.__name__}]"


def test_built_apis_carry_their_sandbox_clock_and_operator(sandbox: object) -> None:
    for cls, _ in APIS.values():
        api = cls(sandbox)  # type: ignore[arg-type]
        try:
            assert api.sandbox is sandbox and api.clock.now() == 0.0 and api.operator is not None
        finally:
            api.stop()


def test_no_sandbox_api_is_spelled_a_second_way_outside_support() -> None:
    """No other home for a sandbox API on a fake clock: no relay subclass, no fixture of the
    old names, no `ovh` / `api` / `panel` fixture beside the three."""
    found = []
    for path in TESTS.rglob("*.py"):
        if SUPPORT in path.parents:
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases = {ast.unparse(base) for base in node.bases}
                if bases & {"SandboxRelay", "httpx.BaseTransport"} or node.name == "Panel":
                    found.append(f"{path.relative_to(TESTS)}: class {node.name}")
            elif (
                isinstance(node, ast.FunctionDef)
                and node.name in {"ovh", "panel"}
                and path.name == "conftest.py"
            ):
                found.append(f"{path.relative_to(TESTS)}: fixture {node.name}")
    assert found == []


def reaches_in(module: str) -> bool:
    """Whether an import names a module of tests/support that is not its top level."""
    parts = module.split(".")
    return parts[0] == "support" and len(parts) > 1 and parts[1] not in TOP_LEVEL - {"engine"}


def test_tests_import_the_harness_from_support() -> None:
    """Imports stay short: every name of the harness is `support`'s too, and no test reaches
    into its modules."""
    assert set(engine.__all__) - {"ProgramLike"} <= set(support.__all__)
    deep = [
        f"{path.relative_to(TESTS.parent)}: {ast.unparse(node)}"
        for root in (TESTS, TESTS.parent / "bench", TESTS.parent / "scripts")
        for path in root.rglob("*.py")
        if SUPPORT not in path.parents
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom) and reaches_in(node.module or "")
    ]
    assert deep == []
