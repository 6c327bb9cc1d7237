"""What the web-hosting resources do: databases, dumps and restores, as plain functions of a
:class:`~.hosting_client.HostingApi` (no Pulumi), each within its ``policy`` deadline.

- Databases: a create whose answer was lost is recognized by the database of its user that
  names its task; a failed or endless one deletes what it left, or names it.
- Dumps: ``POST .../dump`` answers a task; the dump it made is the one whose ``taskId`` is
  that task's id, so dumps made at the same time are never confused. A dump outlives its
  database: OVHcloud keeps it 30 days at service level (``/hosting/web/{sn}/dump/{id}``),
  also when a database of the same name is created again, and read and delete fall back on
  that route.
- Restores: an action, run and waited for; it cannot be cancelled.
"""

from __future__ import annotations

from ..core.errors import (
    ApiError,
    BackupsError,
    ConflictError,
    NotFoundError,
    TaskFailedError,
    WaitTimeoutError,
)
from ..core.waiting import WaitPolicy
from .hosting_client import HostingApi
from .models import Database, DatabaseRequest, Dump, HostingTask, ServiceDump
from .waiters import wait_hosting

# -- databases --------------------------------------------------------------------------------


def create_database(
    api: HostingApi, request: DatabaseRequest, *, adopt: bool, policy: WaitPolicy
) -> Database:
    """Create the database of ``request.user`` (or, with ``adopt``, take the existing one)."""
    existing = api.database_names(user=request.user)
    if existing and not adopt:
        raise BackupsError(
            f"database {existing[0]} of user {request.user} already exists on "
            f"{api.service_name}: set adopt=True to manage it"
        )
    if existing:
        return adopt_database(api, existing[0], request, policy)
    task = _post_database(api, request)
    try:
        wait_hosting(api, task, policy)
    except (TaskFailedError, WaitTimeoutError) as err:
        raise _cleanup_database(api, request.user, err) from err
    names = api.database_names(user=request.user)
    if not names:
        raise BackupsError(f"task #{task.id} is done but no database of user "
                           f"{request.user} exists on {api.service_name}")  # fmt: skip
    return api.database(names[0])


def adopt_database(
    api: HostingApi, name: str, request: DatabaseRequest, policy: WaitPolicy
) -> Database:
    """Manage an existing database; its type must match, its password becomes ours."""
    db = api.database(name)
    if db.type and db.type != request.type:
        raise BackupsError(f"cannot adopt {name}: it is a {db.type} database, not {request.type}")
    if request.version and db.version and db.version != request.version:
        raise BackupsError(f"cannot adopt {name}: it runs version {db.version}, "
                           f"not {request.version}")  # fmt: skip
    if request.password is not None:
        wait_hosting(api, api.change_password(name, request.password), policy)
        db = api.database(name)
    return db


def read_database(api: HostingApi, name: str) -> Database | None:
    """The database, or None once gone or being deleted."""
    db = api.find_database(name)
    return None if db is None or db.status == "deleting" else db


def change_password(api: HostingApi, name: str, password: str, policy: WaitPolicy) -> Database:
    """Change the database's password and wait; return the database."""
    wait_hosting(api, api.change_password(name, password), policy)
    return api.database(name)


def delete_database(api: HostingApi, name: str, policy: WaitPolicy) -> None:
    """Delete the database and wait; one gone or being deleted already is a success."""
    try:
        task = api.delete_database(name)
    except NotFoundError:
        return
    except ConflictError:  # busy; fine if it is being deleted already
        db = api.find_database(name)
        if db is not None and db.status != "deleting":
            raise
        return
    wait_hosting(api, task, policy)


def _post_database(api: HostingApi, request: DatabaseRequest) -> HostingTask:
    """Start creating a database. When the server may have acted although the answer is lost,
    a database of the user that names its task is that request's: its task is followed as if
    the answer had arrived."""
    try:
        return api.create_database(request.to_api())
    except ApiError as err:
        if not err.may_have_acted:
            raise
        try:
            names = api.database_names(user=request.user)
            db = api.database(names[0]) if names else None
        except ApiError:
            raise err from None
        if db is None or db.task_id is None:
            raise
        return HostingTask(id=db.task_id, function="database/create", status="todo")


def _cleanup_database(api: HostingApi, user: str, err: BackupsError) -> BackupsError:
    """After a failed or endless creation: delete what it left, or say exactly what is left."""
    try:
        left = api.database_names(user=user)
    except ApiError as list_err:
        return BackupsError(f"{err}; could not check for a database left behind: {list_err}")
    notes = []
    for name in left:
        try:
            task = api.delete_database(name)
            notes.append(f"deleting the half-created database {name} (task #{task.id})")
        except ApiError as delete_err:
            notes.append(f"left behind: database {name} on {api.service_name} ({delete_err}); "
                         "delete it, or set adopt=True to manage it")  # fmt: skip
    return BackupsError("; ".join([str(err), *notes]))


# -- dumps ------------------------------------------------------------------------------------


def create_dump(
    api: HostingApi, database_name: str, date: str, send_email: bool, policy: WaitPolicy
) -> Dump:
    """Make a dump (``now``) or copy an automatic backup, wait, and return the dump the task
    made; a failed or endless task's dump is deleted, or named in the error."""
    try:
        task = api.create_dump(database_name, date, send_email)
    except ApiError as err:  # no task id: nothing tells its dump apart
        if not err.may_have_acted:
            raise
        raise BackupsError(
            f"{err}. If the server carried the request out anyway, a dump of "
            f"{database_name} not managed by this stack will appear"
        ) from err
    try:
        wait_hosting(api, task, policy)
        dump = find_task_dump(api, database_name, task)
    except BackupsError as err:  # the task may have made a dump: never leave it unknown
        raise _cleanup_dump(api, database_name, task, err) from err
    if dump is None:
        raise BackupsError(
            f"hosting task #{task.id} is done but no dump of {database_name} carries "
            "its id (taskId), so the dump cannot be told apart from others"
        )
    return dump


def find_task_dump(api: HostingApi, database_name: str, task: HostingTask) -> Dump | None:
    """The dump produced by ``task`` (its ``taskId``), or None when there is none (yet).

    Dumps created since the task started are looked at first (newest first); then, in case
    the dates disagree, every other dump of the database.
    """
    seen: set[int] = set()
    for created_from in (task.since(), None):
        for dump_id in sorted(api.dump_ids(database_name, created_from), reverse=True):
            if dump_id in seen:
                continue
            seen.add(dump_id)
            dump = api.find_dump(database_name, dump_id)
            if dump is not None and dump.task_id == task.id:
                return dump
        if created_from is None:
            break
    return None


def read_dump(api: HostingApi, database_name: str, dump_id: int) -> Dump | None:
    """The dump; None (gone) once it expired or is being deleted, or neither its database's
    route nor the service's has it. A dump its database left behind reads on."""
    dump = locate_dump(api, database_name, dump_id)
    if dump is None or dump.status == "deleting" or dump.expired(api.clock.utc()):
        return None
    return dump


def delete_dump(api: HostingApi, database_name: str, dump_id: int, policy: WaitPolicy) -> None:
    """Delete the dump and wait, through the service-level route when its database was
    deleted or replaced; a dump gone from both routes is deleted already."""
    task = _start_delete(api, database_name, dump_id)
    if task is not None:
        wait_hosting(api, task, policy)


def locate_dump(api: HostingApi, database_name: str, dump_id: int) -> Dump | None:
    """The dump through its database's route, else through the service's (the only one left
    to the dumps of a deleted or replaced database); None when neither has it."""
    dump = api.find_dump(database_name, dump_id)
    return dump if dump is not None else kept_dump(api, database_name, dump_id)


def kept_dump(api: HostingApi, database_name: str, dump_id: int) -> ServiceDump | None:
    """The dump through the service-level route, if it is one of ``database_name``'s: a dump
    of another database is not the one this id names (the route is the only one saying)."""
    dump = api.find_service_dump(dump_id)
    return dump if dump is not None and dump.database_name == database_name else None


def _start_delete(api: HostingApi, database_name: str, dump_id: int) -> HostingTask | None:
    """The task deleting the dump, or None when it is gone or being deleted already.

    A 404 of the database's route proves nothing about a dump whose database was deleted or
    replaced: the service-level route then has the last word, and deletes it if it is one of
    ``database_name``'s (a dump of another database is left alone, as read leaves it).
    """
    try:
        try:
            return api.delete_dump(database_name, dump_id)
        except NotFoundError:
            if kept_dump(api, database_name, dump_id) is None:
                return None
            return api.delete_service_dump(dump_id)
    except NotFoundError:  # gone in between
        return None
    except ConflictError:  # busy; fine if it is being deleted already
        dump = locate_dump(api, database_name, dump_id)
        if dump is not None and dump.status != "deleting":
            raise
        return None


def _cleanup_dump(
    api: HostingApi, database_name: str, task: HostingTask, err: BackupsError
) -> BackupsError:
    """After a failed or endless dump task: delete the dump it made, or say what may appear."""
    try:
        dump = find_task_dump(api, database_name, task)
        if dump is not None:
            api.delete_dump(database_name, dump.id)
            return BackupsError(f"{err}; deleting dump {dump.id} that the task left")
    except ApiError as cleanup_err:
        return BackupsError(
            f"{err}; could not clean up after hosting task #{task.id}: {cleanup_err}. "
            f"A dump of {database_name} with taskId {task.id} is not managed by this stack"
        )
    if not isinstance(err, TaskFailedError):
        return BackupsError(
            f"{err}. If the task still finishes, the dump of {database_name} with taskId "
            f"{task.id} will not be managed by this stack: delete it then"
        )
    return err


# -- restores ---------------------------------------------------------------------------------


def restore(
    api: HostingApi,
    database_name: str,
    *,
    dump_id: int | None,
    date: str | None,
    policy: WaitPolicy,
) -> HostingTask:
    """Restore a dump of the database (``dump_id``) or an automatic backup (``date``) into
    it, and wait; return the finished task. A restore cannot be cancelled."""
    if dump_id is not None:
        task = api.restore_dump(database_name, dump_id)
    else:
        task = api.restore_backup(database_name, str(date))
    try:
        return wait_hosting(api, task, policy)
    except WaitTimeoutError as err:
        raise BackupsError(
            f"{err}. The restore goes on on the server and cannot be cancelled; it is not "
            "recorded in the stack"
        ) from err
