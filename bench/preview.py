"""Preview of 200 resources: no HTTP request at all, and the wall time per resource.

A preview runs the program and sends Check (new resources) or Check + Diff (resources in the
state) to the provider host, nothing else; both are pure, so the sandbox must count zero
requests. Measured twice on 50 backups of each of the four kinds: on an empty stack (200
creates planned) and on the same stack once deployed (200 unchanged). Wall time includes
running the program and spawning the host, as ``pulumi preview`` pays them.
"""

from __future__ import annotations

from collections.abc import Iterable

import _common as c

from pulumi_backups.sandbox import Sandbox

PER_KIND = 50


def _row(label: str, seconds: float, count: int, requests: int, calls: str) -> c.Row:
    return c.Row(
        f"preview of {count} resources, {label}",
        f"{requests} requests, {seconds:.2f} s = {1000 * seconds / count:.1f} ms/resource",
        "0 requests",
        c.verdict(requests == 0),
        calls,
    )


def measure(
    sandbox: Sandbox | None = None, per_kind: int = PER_KIND, kinds: Iterable[str] | None = None
) -> list[c.Row]:
    """Rows for the preview of a new stack and of the same stack deployed."""
    chosen = c.kinds_named(kinds)
    count = per_kind * len(chosen)
    rows = []
    with c.bench_sandbox(sandbox) as sb, c.workdir() as directory:
        needs_db = any(k.needs_database for k in chosen)
        with c.hosting_database(sb, directory, needs_db):
            run = c.engine(sb, c.backups(chosen, per_kind), directory / "state.json")
            for label in ("new stack", "deployed stack"):
                if label == "deployed stack":
                    run.up()
                sb.clear_counters()
                plan = None

                def preview() -> None:
                    nonlocal plan
                    plan = run.preview()

                seconds = c.timed(preview)
                requests = sum(c.counters(sb).values())
                methods = sorted(plan.methods()) if plan is not None else []
                if plan is not None and plan.errors:
                    raise RuntimeError(f"preview failed: {plan.errors}")
                rows.append(_row(label, seconds, count, requests, " + ".join(methods)))
            c.timed(run.destroy)
    return rows


if __name__ == "__main__":
    c.main(measure)
