"""Engines whose providers talk to the test run's sandbox."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pulumi_backups.sandbox import Sandbox

from .engine import Engine, ProgramLike


def sandbox_engine(
    sandbox: Sandbox,
    program: ProgramLike,
    where: Path,
    *,
    secret_keys: Iterable[str] = (),
    **settings: Any,
) -> Engine:
    """An engine for `program` with its state in `where`, configured for `sandbox` (with the
    program's own `settings`). The user's Scaleway config file is kept out: a missing file
    stands in for it, so only the stack config decides."""
    where.mkdir(parents=True, exist_ok=True)
    run = Engine(
        program,
        where / "state.json",
        dict(sandbox.stack_config()),
        env={"SCW_CONFIG_PATH": str(where / "absent.yaml")},
        secret_keys=secret_keys,
    )
    return run.configure(**settings)
