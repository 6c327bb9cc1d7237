"""Time in the OVHcloud emulator: date formats, task phases and deferred effects.

A task is stored with its start time, its duration (the ``task_seconds`` setting when it
started) and its scripted outcome. Its phase is computed from the sandbox clock (moto's
"managed state transitions"): ``todo`` for the first third, ``doing`` until the end, then
``done`` (or ``error`` for a scripted failure, which each API shows its own way: a hosting
task ``cancelled``, a NAS-HA task ``customerError``); a scripted hang stays ``doing`` forever.

What a task changes (a database appears, a dump is listed, a snapshot type is added) takes
effect when the task ends: :func:`settle` applies every effect due, in order, and is called
at the start of every request, inside the store transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..context import SandboxContext

PENDING = "ovh:pending"

Doc = dict[str, Any]
#: Applies what a finished task changes: (ctx, task, succeeded).
Effect = Callable[[SandboxContext, Doc, bool], None]


def _zone() -> tzinfo:
    try:
        return ZoneInfo("Europe/Paris")
    except ZoneInfoNotFoundError:  # pragma: no cover - tzdata always ships on CI
        return timezone.utc


#: The European API writes local Paris time with its offset.
ZONE = _zone()


def ovh_date(epoch: float | None) -> str | None:
    """``2026-11-25T16:21:42+01:00`` (seconds, Paris offset), or None."""
    if epoch is None:
        return None
    return datetime.fromtimestamp(int(epoch), ZONE).isoformat()


def parse_date(text: str) -> float:
    """Epoch seconds of an ISO 8601 date or date-time; naive values are Paris time.

    Raises ValueError for anything else.
    """
    text = text.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZONE)
    return parsed.timestamp()


def new_task(ctx: SandboxContext, now: float, operation: str, **fields: Any) -> Doc:
    """A task document for ``operation`` starting at ``now``, with its scripted outcome."""
    task: Doc = {
        "operation": operation,
        "startAt": now,
        "seconds": max(0.0, float(ctx.settings.task_seconds)),
        "outcome": ctx.take_outcome(operation),
    }
    task.update(fields)
    return task


def ends_at(task: Doc) -> float | None:
    """When the task ends (done or error); None for a task that hangs."""
    if task["outcome"] == "hang":
        return None
    return float(task["startAt"]) + float(task["seconds"])


def phase(task: Doc, now: float) -> str:
    """``todo``, ``doing``, ``done`` or ``error`` at time ``now``."""
    start, seconds = float(task["startAt"]), float(task["seconds"])
    end = ends_at(task)
    if end is not None and now >= end:
        return "error" if task["outcome"] == "fail" else "done"
    return "todo" if now < start + seconds / 3 else "doing"


def last_update(task: Doc, now: float) -> float:
    """When the task's phase last changed."""
    start, seconds = float(task["startAt"]), float(task["seconds"])
    end = ends_at(task)
    if end is not None and now >= end:
        return end
    return start if now < start + seconds / 3 else start + seconds / 3


def schedule(ctx: SandboxContext, task_kind: str, task_key: str, task: Doc) -> None:
    """Store ``task`` and queue its effect for when it ends (never, if it hangs)."""
    ctx.store.put(task_kind, task_key, task)
    end = ends_at(task)
    if end is not None:
        ref = {"kind": task_kind, "key": task_key, "endsAt": end}
        ctx.store.put(PENDING, f"{task_kind}/{task_key}", ref)


def settle(ctx: SandboxContext, now: float, effects: Mapping[str, Effect]) -> None:
    """Apply, oldest first, the effect of every task that has ended by ``now``.

    An effect runs at the task's end time (``ends_at``), not at ``now``.
    """
    due = [ref for ref in ctx.store.list(PENDING) if float(ref["endsAt"]) <= now]
    for ref in sorted(due, key=lambda r: float(r["endsAt"])):
        ctx.store.delete(PENDING, f"{ref['kind']}/{ref['key']}")
        task = ctx.store.get(ref["kind"], ref["key"])
        effect = effects.get(task["operation"]) if task else None
        if task is not None and effect is not None:
            effect(ctx, task, task["outcome"] != "fail")
