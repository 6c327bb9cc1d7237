"""The engine tier: the real Pulumi CLI and language hosts (`make engine`) run the product
against the sandbox. Without a `pulumi` on PATH or Go to build one the tier is skipped, saying
so in one line; with PULUMI_BACKUPS_REQUIRE_ENGINE set (CI) it fails instead."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from examples.test_examples import SECRET_KEYS

from engine.pulumi_cli import Stack, find_engine
from pulumi_backups.sandbox import Sandbox

MUTATING = ("POST ", "PUT ", "DELETE ", "PATCH ")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.engine)


@pytest.fixture(scope="session")
def engine() -> Path:
    """The folder holding `pulumi` and the language hosts."""
    folder, why = find_engine()
    if folder is None:
        message = f"engine tier: {why} (`make engine` builds the engine; README, Engine tier)"
        if os.environ.get("PULUMI_BACKUPS_REQUIRE_ENGINE"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return folder


@pytest.fixture
def make_stack(engine: Path, tmp_path: Path) -> Callable[..., Stack]:
    """Stacks of a project, each in a folder of its own under the test's directory."""
    count = 0

    def make(project: Path, **kwargs: Any) -> Stack:
        nonlocal count
        count += 1
        return Stack(engine, project, tmp_path / f"stack{count}", **kwargs)

    return make


def sandbox_config(stack: Stack, sandbox: Sandbox, **knobs: Any) -> None:
    """The sandbox's endpoints and credentials as stack config (secrets encrypted), and the
    project's own knobs."""
    values: dict[str, Any] = {**sandbox.stack_config()}
    values.update({f"{stack.project}:{key}": value for key, value in knobs.items()})
    stack.config(values, secret=SECRET_KEYS)


def mutations(sandbox: Sandbox) -> dict[str, int]:
    """The sandbox's counts of the requests that change something (all but reads)."""
    return {k: v for k, v in sandbox.counters().items() if k.startswith(MUTATING)}
