"""What each hosting task changes when it ends (see :func:`..progress.settle`).

A successful task applies its change; a failed one (scripted outcome ``fail``) leaves
things as they were before it started: a database that was being created disappears, one
being deleted or dumped is ``created`` again.
"""

from __future__ import annotations

from ..context import SandboxContext
from ..progress import Doc, Effect, Operation
from .dump_models import expire_dumps, new_dump, orphan_dumps
from .hosting_tasks import DATABASE, DUMP, purge_archived


def _key(task: Doc) -> str:
    return f"{task['service']}/{task['target']['database']}"


def _back_to_created(ctx: SandboxContext, task: Doc, transient: str, **changes: object) -> None:
    """End a transient status (unless another operation changed it since)."""
    doc = ctx.store.get(DATABASE, _key(task))
    if doc is not None and doc["status"] == transient:
        ctx.store.put(DATABASE, _key(task), {**doc, **changes, "status": "created"})


def _database_created(ctx: SandboxContext, task: Doc, progress: Operation) -> None:
    if progress.failed:
        ctx.store.delete(DATABASE, _key(task))
    else:
        _back_to_created(ctx, task, "creating")


def _password_changed(ctx: SandboxContext, task: Doc, progress: Operation) -> None:
    changes = {} if progress.failed else {"password": task["target"]["password"]}
    _back_to_created(ctx, task, "updating", **changes)


def _database_deleted(ctx: SandboxContext, task: Doc, progress: Operation) -> None:
    if progress.failed:
        _back_to_created(ctx, task, "deleting")
    elif ctx.store.delete(DATABASE, _key(task)):
        orphan_dumps(ctx, task["service"], task["target"]["database"], progress.ended)


def _dump_created(ctx: SandboxContext, task: Doc, progress: Operation) -> None:
    name = task["target"]["database"]
    if not progress.failed and ctx.store.get(DATABASE, _key(task)) is not None:
        dump_type = task["target"]["type"]
        new_dump(ctx, task["service"], name, dump_type, progress.ended, task["id"])
    _back_to_created(ctx, task, "dumping")


def _dump_deleted(ctx: SandboxContext, task: Doc, progress: Operation) -> None:
    key = f"{task['service']}/{task['target']['dump']}"
    doc = ctx.store.get(DUMP, key)
    if doc is not None and not progress.failed:
        ctx.store.delete(DUMP, key)
    elif doc is not None and doc["status"] == "deleting":
        ctx.store.put(DUMP, key, {**doc, "status": "created"})


def _restored(ctx: SandboxContext, task: Doc, progress: Operation) -> None:
    _back_to_created(ctx, task, "restoring")


EFFECTS: dict[str, Effect] = {
    "hosting:database/create": _database_created,
    "hosting:database/changePassword": _password_changed,
    "hosting:database/delete": _database_deleted,
    "hosting:dump/create": _dump_created,
    "hosting:dump/delete": _dump_deleted,
    "hosting:dump/restore": _restored,
    "hosting:database/restore": _restored,
}


def housekeeping(ctx: SandboxContext, now: float) -> None:
    """Time-driven changes with no task: dumps expire, archived tasks are forgotten."""
    expire_dumps(ctx, now)
    purge_archived(ctx, now)
