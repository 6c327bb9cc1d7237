"""What the web-hosting resources do: databases, dumps and restores, as plain functions of a
:class:`~.hosting_client.HostingApi` (no Pulumi), each within its ``policy`` deadline.

- Databases: a create whose answer was lost is recognized by the database of its user that
  names its task; a failed or endless one deletes what it left, or names it.
- Dumps: ``POST .../dump`` answers a task; the dump it made is the one whose ``taskId`` is
  that task's id, among the dumps that were not listed before the request: an answer naming
  another task (one that made an existing dump) never makes a create take that dump over,
  and dumps made at the same time are never confused. A dump outlives its database (an
  orphan, :mod:`.orphans`), and read and delete fall back on its service level route.
  A dump create whose answer is lost or garbled finds its dump by listing: the one of its
  database and type, new since the request, that no other create of this process claimed.
- Restores: an action, run and waited for; it cannot be cancelled.

A create that made its object and timed out hands it to the engine when the adapter keeps
partial results (``core.partial``); ``named`` says how its resource names it (id, outputs).
"""

from __future__ import annotations

import dataclasses
import threading

from ..core.errors import (
    RESTORE_GOES_ON,
    ApiError,
    BackupsError,
    ConflictError,
    NotFoundError,
    TaskFailedError,
    WaitTimeoutError,
    with_note,
)
from ..core.partial import IncompleteCreateError, keeps_partial
from ..core.waiting import Deadline, WaitPolicy, wait_until
from .hosting_client import HostingApi
from .models import Database, DatabaseRequest, Dump, HostingTask, Named
from .waiters import consistent, wait_hosting

LISTING_GRACE = 10.0
"""Seconds a create reads a listing again when the object its task made is not in it."""

# -- databases --------------------------------------------------------------------------------


def create_database(
    api: HostingApi,
    request: DatabaseRequest,
    *,
    adopt: bool,
    policy: WaitPolicy,
    named: Named[Database],
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
        raise _cleanup_database(api, request.user, err, named) from err
    names = _databases_of(api, request.user)
    if not names:
        raise BackupsError(f"task #{task.id} is done but no database of user "
                           f"{request.user} exists on {api.service_name}")  # fmt: skip
    return api.database(names[0], request.user)


def adopt_database(
    api: HostingApi, name: str, request: DatabaseRequest, policy: WaitPolicy
) -> Database:
    """Manage an existing database; its type must match, its password becomes ours."""
    db = api.database(name, request.user)
    if db.type and db.type != request.type:
        raise BackupsError(f"cannot adopt {name}: it is a {db.type} database, not {request.type}")
    if request.version and db.version and db.version != request.version:
        raise BackupsError(f"cannot adopt {name}: it runs version {db.version}, "
                           f"not {request.version}")  # fmt: skip
    if request.password is not None:
        wait_hosting(api, api.change_password(name, request.password), policy)
        db = api.database(name, request.user)
    return db


def read_database(api: HostingApi, name: str, user: str | None = None) -> Database | None:
    """The database (of ``user``, when known), or None once gone or being deleted."""
    try:
        db = api.database(name, user)
    except NotFoundError:
        return None
    return None if db.status == "deleting" else db


def change_password(
    api: HostingApi, name: str, password: str, policy: WaitPolicy, user: str | None = None
) -> Database:
    """Change the database's password and wait; return the database."""
    wait_hosting(api, api.change_password(name, password), policy)
    return api.database(name, user)


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
    """Start creating a database. When the server may have acted although the answer is lost
    or unusable, a database of the user that names its task is that request's: its task is
    followed as if the answer had arrived."""
    try:
        return api.create_database(request.to_api())
    except ApiError as err:
        if not err.may_have_acted:
            raise
        try:
            names = api.database_names(user=request.user)
            db = api.database(names[0], request.user) if names else None
        except ApiError:
            raise err from None
        if db is None or db.task_id is None:
            raise
        return HostingTask(id=db.task_id, function="database/create", status="todo")


def _databases_of(api: HostingApi, user: str) -> list[str]:
    """The databases of ``user``, from a listing read until consistent: their absence
    decides that a create left nothing, or made nothing."""
    return consistent(lambda: api.database_names(user=user), f"the databases of user {user}")


def _cleanup_database(
    api: HostingApi, user: str, err: BackupsError, named: Named[Database]
) -> BackupsError:
    """After a failed or endless creation: delete what it left, or say exactly what is left.
    An endless one's database is handed to the engine instead, when the adapter keeps it."""
    try:
        left = _databases_of(api, user)
        if left and keeps_partial() and isinstance(err, WaitTimeoutError):
            return IncompleteCreateError(*named(api.database(left[0], user)), err)
    except BackupsError as list_err:
        return with_note(err, f"could not check for a database left behind: {list_err}")
    notes = []
    for name in left:
        try:
            task = api.delete_database(name)
            notes.append(f"deleting the half-created database {name} (task #{task.id})")
        except ApiError as delete_err:
            notes.append(f"left behind: database {name} on {api.service_name} ({delete_err}); "
                         "delete it, or set adopt=True to manage it")  # fmt: skip
    return with_note(err, "; ".join(notes) or "no database was left behind")


# -- dumps ------------------------------------------------------------------------------------


def create_dump(
    api: HostingApi,
    database_name: str,
    date: str,
    send_email: bool,
    policy: WaitPolicy,
    named: Named[Dump],
) -> Dump:
    """Make a dump (``now``) or copy an automatic backup, wait, and return the dump the task
    made, found among the dumps not listed before the request; a failed or endless task's
    dump is deleted, or named in the error (or kept: see :func:`_cleanup_dump`).

    When the server may have acted although the answer is lost or garbled (no task id), the
    dump made is found by :func:`find_made_dump` and its own task followed, as if the answer
    had named it; one that cannot be told apart, or is not listed by the deadline, is an
    error saying what may exist."""
    deadline = Deadline(policy, api.clock)
    before = set(api.dump_ids(database_name))
    try:
        task = api.create_dump(database_name, date, send_email)
    except ApiError as err:
        if not err.may_have_acted:
            raise
        made = find_made_dump(api, database_name, date, before, deadline, err)
        if made.task_id is None:  # listed, so finished: nothing left to follow
            return made
        task = HostingTask(id=made.task_id, status="todo")
    else:
        CLAIMS.claim(api.service_name, task_id=task.id)
    return _finish_dump(api, database_name, task, before, deadline, named)


def _finish_dump(
    api: HostingApi,
    database_name: str,
    task: HostingTask,
    before: set[int],
    deadline: Deadline,
    named: Named[Dump],
) -> Dump:
    """Wait for the dump ``task`` makes and return it (see :func:`create_dump`)."""
    try:
        deadline.wait(lambda left: wait_hosting(api, task, left))
        dump = await_task_dump(api, database_name, task, before, deadline)
    except BackupsError as err:  # the task may have made a dump: never leave it unknown
        raise _cleanup_dump(api, database_name, task, before, err, deadline, named) from err
    if dump is None:
        raise BackupsError(
            f"hosting task #{task.id} is done but none of the dumps of {database_name} made "
            "since the request carries its id (taskId): the answer may have named another "
            "task, and a dump this request made is not managed by this stack"
        )
    return dump


class Claims:
    """The hosting tasks and dumps that creates of this process have taken, per service: a
    create that cannot believe its answer never takes the dump of another create's task.

    A create whose answer was good claims its task at once, before that task can be done and
    its dump listed; one that finds its dump by listing claims that dump (and its task) in
    the same step as it checks that nobody did. Ids only, for the process's life."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tasks: set[tuple[str, int]] = set()
        self._dumps: set[tuple[str, int]] = set()

    def claim(self, service: str, *, task_id: int) -> None:
        with self._lock:
            self._tasks.add((service, task_id))

    def claimed(self, service: str, dump: Dump) -> bool:
        """Whether another create took ``dump``, or the task that made it."""
        with self._lock:
            return self._held(service, dump)

    def take(self, service: str, dump: Dump) -> bool:
        """Claim ``dump`` and its task; False (nothing claimed) when another create has."""
        with self._lock:
            if self._held(service, dump):
                return False
            self._dumps.add((service, dump.id))
            if dump.task_id is not None:
                self._tasks.add((service, dump.task_id))
            return True

    def _held(self, service: str, dump: Dump) -> bool:
        task = dump.task_id is not None and (service, dump.task_id) in self._tasks
        return task or (service, dump.id) in self._dumps


CLAIMS = Claims()
"""The one registry of the process (the provider host serves every resource in one)."""


def find_made_dump(
    api: HostingApi,
    database_name: str,
    date: str,
    before: set[int],
    deadline: Deadline,
    err: ApiError,
) -> Dump:
    """The dump a create whose answer ``err`` is lost or garbled made: the one dump of
    ``database_name`` of type ``date`` that was not listed before the request (``before``)
    and that no other create of this process claimed (:data:`CLAIMS`), which it then claims.

    A dump is listed once its task is done: the listing is read again (each time until two
    reads agree) within the deadline while it shows none. Two or more are an error naming
    them (none taken: nothing tells them apart); none by the deadline is ``err`` saying that
    one may exist, and which route lists it."""
    what = f"a dump of {database_name} made since the request to be listed"
    try:
        found = wait_until(
            lambda: _unclaimed(api, database_name, date, before, deadline),
            bool,
            what=what,
            status=lambda _: "not listed",
            policy=deadline.remaining(),
            clock=deadline.clock,
        )
    except BackupsError as failure:
        late = isinstance(failure, WaitTimeoutError) and failure.last_status == "not listed"
        why = "none was listed within the deadline" if late else f"looking for it: {failure}"
        raise with_note(err, f"{why}; {_may_exist(api, database_name)}") from err
    if len(found) > 1:
        ids = ", ".join(str(d.id) for d in found)
        raise with_note(
            err,
            f"dumps {ids} of {database_name} were made since the request and nothing tells "
            "which is this request's: none is managed by this stack; keep the one you want "
            "(import it) and delete the others",
        ) from err
    return found[0]


def _unclaimed(
    api: HostingApi, database_name: str, date: str, before: set[int], deadline: Deadline
) -> list[Dump]:
    """The dumps :func:`find_made_dump` may take, as listed now; a lone one is claimed here
    (none when another create claimed it first). Read newest first, until the deadline."""
    listed = consistent(lambda: api.dump_ids(database_name), f"the dumps of {database_name}")
    new = sorted(set(listed) - before, reverse=True)
    found: list[Dump] = []
    for read, dump_id in enumerate(new):
        if read and deadline.remaining().timeout <= 0:
            what = f"the dumps of {database_name} made since the request"
            raise WaitTimeoutError(what, f"{read} of {len(new)} read", *_whole(deadline))
        dump = api.find_dump(database_name, dump_id)
        if dump is None or dump.type not in (None, date):
            continue
        if not CLAIMS.claimed(api.service_name, dump):
            found.append(dump)
    if len(found) == 1 and not CLAIMS.take(api.service_name, found[0]):
        return []
    return found


def _may_exist(api: HostingApi, database_name: str) -> str:
    return (
        f"a dump of {database_name} may exist that is not managed by this stack: find it "
        f"with GET {api.base}/database/{database_name}/dump"
    )


def await_task_dump(
    api: HostingApi, database_name: str, task: HostingTask, before: set[int], deadline: Deadline
) -> Dump | None:
    """:func:`find_task_dump`, read again for up to :data:`LISTING_GRACE` seconds of the
    deadline while it finds nothing: one listing that omits the new dump (or lists it late)
    proves nothing. None when it is still not found."""
    left = deadline.remaining()
    grace = dataclasses.replace(left, timeout=min(left.timeout, LISTING_GRACE))
    try:
        return wait_until(
            lambda: find_task_dump(api, database_name, task, before, deadline),
            lambda dump: dump is not None,
            what=f"the dump of hosting task #{task.id} to be listed",
            status=lambda _: "not listed",
            policy=grace,
            clock=deadline.clock,
        )
    except WaitTimeoutError as err:
        if err.last_status != "not listed":  # the deadline itself passed while reading
            raise
        return None


def find_task_dump(
    api: HostingApi, database_name: str, task: HostingTask, before: set[int], deadline: Deadline
) -> Dump | None:
    """The dump produced by ``task`` (its ``taskId``) among those not in ``before`` (listed
    before the request), or None when there is none (yet). They are read newest first,
    until the deadline (one at least): an endless listing never outlasts the operation.
    """
    new = sorted(set(api.dump_ids(database_name)) - before, reverse=True)
    for read, dump_id in enumerate(new):
        if read and deadline.remaining().timeout <= 0:
            what = f"the dump of hosting task #{task.id} among {len(new)} new dumps"
            raise WaitTimeoutError(what, f"{read} read", *_whole(deadline))
        dump = api.find_dump(database_name, dump_id)
        if dump is not None and dump.task_id == task.id:
            return dump
    return None


def _whole(deadline: Deadline) -> tuple[float, str]:
    return deadline.policy.timeout, deadline.policy.setting


def read_dump(api: HostingApi, database_name: str, dump_id: int) -> Dump | None:
    """The dump; None (gone) once it is being deleted, or neither its database's route nor
    the service's has it. A dump its database left behind reads on. Its deletion date is
    not judged here: OVHcloud deletes it then, and its route says so."""
    dump = locate_dump(api, database_name, dump_id)
    return None if dump is None or dump.status == "deleting" else dump


def delete_dump(api: HostingApi, database_name: str, dump_id: int, policy: WaitPolicy) -> None:
    """Delete the dump and wait, through the service-level route when its database was
    deleted or replaced; a dump gone from both routes is deleted already."""
    task = _start_delete(api, database_name, dump_id)
    if task is not None:
        wait_hosting(api, task, policy)


def locate_dump(api: HostingApi, database_name: str, dump_id: int) -> Dump | None:
    """The dump through its database's route, else through the service's (the only one left
    to the dumps of a deleted or replaced database); None when neither has it. The
    service's route answering a dump of another database is an error: no proof of gone."""
    dump = api.find_dump(database_name, dump_id)
    return dump if dump is not None else api.find_service_dump(dump_id, database_name)


def _start_delete(api: HostingApi, database_name: str, dump_id: int) -> HostingTask | None:
    """The task deleting the dump, or None when it is gone or being deleted already.

    A 404 of the database's route proves nothing about a dump whose database was deleted or
    replaced: the service-level route then has the last word, and deletes it if it is one of
    ``database_name``'s (one of another database is an error, and is left alone).
    """
    try:
        try:
            return api.delete_dump(database_name, dump_id)
        except NotFoundError:
            if api.find_service_dump(dump_id, database_name) is None:
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
    api: HostingApi,
    database_name: str,
    task: HostingTask,
    before: set[int],
    err: BackupsError,
    deadline: Deadline,
    named: Named[Dump],
) -> BackupsError:
    """After a failed or endless dump task: delete the dump it made, or say what may appear.
    An endless one's dump is handed to the engine instead, when the adapter keeps it."""
    try:
        dump = find_task_dump(api, database_name, task, before, deadline)
        if dump is not None and keeps_partial() and isinstance(err, WaitTimeoutError):
            return IncompleteCreateError(*named(dump), err)
        if dump is not None:
            api.delete_dump(database_name, dump.id)
            return with_note(err, f"deleting dump {dump.id} that the task left")
    except BackupsError as cleanup_err:
        return with_note(
            err,
            f"could not clean up after hosting task #{task.id}: {cleanup_err}. "
            f"A dump of {database_name} with taskId {task.id} is not managed by this stack",
        )
    if not isinstance(err, TaskFailedError):
        return with_note(
            err,
            f"if the task still finishes, the dump of {database_name} with taskId "
            f"{task.id} will not be managed by this stack: delete it then",
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
        raise with_note(err, RESTORE_GOES_ON) from err
