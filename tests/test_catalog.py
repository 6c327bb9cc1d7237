"""One row per resource: the catalog is what the package root exports and what the plugin
serves; the root's typing block (what editors and type checkers read) names the same."""

from __future__ import annotations

import ast
from pathlib import Path

import pulumi_backups
from pulumi_backups.catalog import ERRORS, FUNCTIONS, RESOURCES
from pulumi_backups.plugin.kinds import KINDS


def _typing_block() -> dict[str, str]:
    """Name -> module of the ``if TYPE_CHECKING:`` imports of the package root."""
    tree = ast.parse(Path(pulumi_backups.__file__).read_text())
    block = next(
        n for n in tree.body if isinstance(n, ast.If) and "TYPE_CHECKING" in ast.dump(n.test)
    )
    found: dict[str, str] = {}
    for node in block.body:
        assert isinstance(node, ast.ImportFrom) and node.module and node.level == 1
        for alias in node.names:
            assert alias.asname == alias.name, f"{alias.name}: `X as X` marks a re-export"
            found[alias.name] = node.module
    return found


def test_the_root_exports_the_catalog_and_types_each_name_from_its_module() -> None:
    catalog = {**ERRORS, **RESOURCES, **FUNCTIONS}
    assert pulumi_backups.__all__ == sorted(catalog)
    assert _typing_block() == catalog


def test_the_plugin_serves_every_resource_of_the_catalog() -> None:
    assert [(k.name, k.module) for k in KINDS] == list(RESOURCES.items())
