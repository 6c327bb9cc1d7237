"""The quickstart without the Pulumi CLI: preview, up, up again, destroy, through the test driver.

`make demo` runs this when `pulumi` is not installed. The driver is the one the test suite
uses (tests/support/engine): it runs the program in this process with the Pulumi SDK, spawns the
SDK's real provider host (`python -m pulumi.dynamic`) and sends it the calls the engine sends
(Check, Diff, Create, Read, Update, Delete over gRPC), keeping the state in a JSON file. It
is not the Pulumi engine: it shows the provider at work on a machine without the CLI.

Reads the sandbox's settings from the environment (the `export` lines of
`python -m pulumi_backups.sandbox`); the state goes to the folder given as first argument.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from support import DeploymentError, Engine, RunResult, is_secret  # noqa: E402

from pulumi_backups.sandbox.handle import STACK_KEYS  # noqa: E402

SECRET_KEYS = ["ovh:applicationSecret", "ovh:consumerKey", "scaleway:secretKey", "vps:apiToken"]
SIGNS = {"create": "+", "update": "~", "replace": "+-", "delete": "-", "same": " "}
DONE = {
    "create": "created",
    "update": "updated",
    "replace": "replaced",
    "delete": "deleted",
    "same": "unchanged",
}


def kind(type_: str) -> str:
    """`pulumi-python:dynamic/ovh:HostingDatabase` -> `HostingDatabase`."""
    return type_.rsplit(":", 1)[-1]


def show_steps(result: RunResult, planned: bool) -> None:
    counts: dict[str, int] = {}
    for step in result.steps:
        counts[step.op] = counts.get(step.op, 0) + 1
        if step.op == "same":
            continue
        verb = step.op if planned else DONE.get(step.op, step.op)
        where = f"  {step.id}" if step.id and not planned else ""
        print(f"  {SIGNS.get(step.op, '?'):2} {verb:9} {kind(step.type):22} {step.name}{where}")
        if step.changed and step.op in ("update", "replace"):
            print(f"               changed: {', '.join(step.changed)}")
    summary = ", ".join(
        f"{n} {('to ' + op) if planned else DONE.get(op, op)}" for op, n in sorted(counts.items())
    )
    print(f"  {summary or 'nothing'}")
    for name, message in result.errors.items():
        print(f"  error: {name}: {message}")


def show_outputs(result: RunResult) -> None:
    print("  outputs (secrets hidden):")
    width = max((len(k) for k in result.outputs), default=0)
    for key, value in sorted(result.outputs.items()):
        shown = "[secret]" if is_secret(value) else plain(value)
        print(f"    {key:{width}}  {shown}")


def plain(value: object) -> str:
    """An output as a person reads it (numbers come back from the wire as floats)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ", ".join(plain(item) for item in value)
    return str(value)


def run(title: str, command: Callable[[], RunResult], planned: bool = False) -> RunResult:
    print(f"\n==> {title}")
    started = time.monotonic()
    try:
        result = command()
    except DeploymentError as failed:
        result = failed.result
    show_steps(result, planned)
    print(f"  ({time.monotonic() - started:.1f} s)")
    return result


def main(state_dir: str) -> int:
    config = {key: os.environ[name] for key, name in STACK_KEYS.items()}
    engine = Engine(
        ROOT,
        Path(state_dir) / "quickstart.state.json",
        stack_config=config,
        secret_keys=SECRET_KEYS,
        stack="demo",
    )
    print(
        "The Pulumi CLI is not installed: the quickstart runs through the test suite's engine\n"
        "driver (tests/support). It spawns the real Pulumi provider host and sends it the calls\n"
        "the engine sends, against the sandbox. It is not the Pulumi engine."
    )
    plan = run("preview (the plan: no call reaches the APIs)", engine.preview, planned=True)
    if not plan.ok:
        return 1
    up = run("up", engine.up)
    if up.ok:
        show_outputs(up)
        again = run("up again (the program did not change: nothing to do)", engine.up)
    destroyed = run("destroy", engine.destroy)
    return 0 if up.ok and again.ok and destroyed.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
