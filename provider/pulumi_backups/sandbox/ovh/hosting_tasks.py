"""Hosting tasks: what every web hosting change returns and clients poll.

``GET /hosting/web/{sn}/tasks/{id}`` shows ``todo``, ``doing``, then ``done`` (or
``cancelled`` for a scripted failure: ``hosting.web.task.StatusEnum`` has no ``error``; a
scripted hang stays ``doing``). A task that is done
answers 404 once ``archive_seconds`` have passed: it is archived, as OVHcloud does; a
client must take that 404 as "finished" and re-read the object.
"""

from __future__ import annotations

from typing import Any

from ..context import SandboxContext
from ..progress import Doc, Operation, schedule
from .exceptions import existing, object_not_found
from .timeline import last_update, ovh_date, phase

SERVICE = "ovh:hosting"
DATABASE = "ovh:hosting:database"
TASK = "ovh:hosting:task"
DUMP = "ovh:hosting:dump"
TASK_ID_BASE = 200_000_000  # real hosting task ids are 9 digits
#: Task ``function`` names (``hosting.web.task.FunctionEnum``) where the sandbox's operation
#: name differs: a restore from a dump is scripted apart from a restore of a backup date,
#: but OVHcloud names both ``database/restore``.
_FUNCTIONS = {"hosting:dump/restore": "database/restore"}


def _archived(ctx: SandboxContext, task: Doc, now: float) -> bool:
    progress = Operation.of(task)
    if progress.outcome != "ok" or progress.ends_at is None:
        return False
    return now >= progress.ends_at + float(ctx.settings.archive_seconds)


def start_task(
    ctx: SandboxContext,
    now: float,
    sn: str,
    operation: str,
    object_id: str,
    object_type: str,
    **target: Any,
) -> Doc:
    """Create and schedule a hosting task; ``target`` tells its effect what to change."""
    task_id = TASK_ID_BASE + ctx.store.next_id(TASK)
    task = {
        "id": task_id,
        "service": sn,
        "objectId": object_id,
        "objectType": object_type,
        "target": target,
    }
    return schedule(ctx, TASK, f"{sn}/{task_id}", task, Operation.start(ctx, operation, now))


def task_view(task: Doc, now: float) -> Doc:
    """The task as ``GET /hosting/web/{sn}/tasks/{id}`` shows it."""
    progress = Operation.of(task)
    ended = phase(progress, now)
    status = "cancelled" if ended == "error" else ended  # the failed end of a hosting task
    operation = progress.operation
    return {
        "id": task["id"],
        "function": _FUNCTIONS.get(operation, operation.split(":", 1)[1]),
        "status": status,
        "startDate": ovh_date(progress.started),
        "doneDate": ovh_date(progress.ends_at) if status in ("done", "cancelled") else None,
        "lastUpdate": ovh_date(last_update(progress, now)),
        "objectId": task["objectId"],
        "objectType": task["objectType"],
    }


def get_task(ctx: SandboxContext, sn: str, task_id: str, now: float) -> Doc:
    """A hosting task; 404 when unknown or archived (``archive_seconds`` after done)."""
    existing(ctx.store.get(SERVICE, sn), "serviceName", sn)
    task = ctx.store.get(TASK, f"{sn}/{task_id}") if task_id.isdigit() else None
    if task is None or _archived(ctx, task, now):
        raise object_not_found("id", task_id)
    return task_view(task, now)


def purge_archived(ctx: SandboxContext, now: float) -> None:
    """Forget finished tasks nobody can read any more."""
    for task in ctx.store.list(TASK):
        if _archived(ctx, task, now):
            ctx.store.delete(TASK, f"{task['service']}/{task['id']}")
