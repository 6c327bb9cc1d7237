"""What the VPS resources do, as functions of a client (the providers only add config).

Each operation that waits runs within one deadline (``policy.timeout`` seconds on the
client's clock), shared by its request and its wait:

- :func:`create_backup`: start a manual backup and wait until ``completed``. The backup is
  the one the answer names only when it names the server and description asked for and an
  id its server did not list just before the POST (one listing, shared by the creates of one
  server within :data:`REFRESH_MAX_AGE`) and no other create of this process took; the
  backup it names otherwise is left alone. When the answer cannot be believed (lost after
  the POST went out, garbled, about another backup), the backup made is found by listing: the
  one manual backup of the server and description that was not listed before and that no
  other create of this process took (:class:`Creates`), looked for until listed within the
  deadline (at most :data:`LISTED_WITHIN`); two or more are an error naming them (none
  taken, none deleted), none an error saying one may exist and how to list it. A backup that
  ends failed or outlives the deadline is deleted before the error is raised (or named in
  it when that delete fails), so nothing is left behind unknown; when the adapter keeps
  unfinished creates (``keeps_partial``), a backup that outlives the deadline is handed back
  unfinished instead (:class:`Unfinished`);
- :func:`read_backup`: the backup as its server lists it; None only on proof (two
  consistent listings that do not list it);
- :func:`finish_backup`: wait for a backup kept unfinished until it is ``completed``;
- :func:`delete_backup`: delete the backup unless its server is proven not to list it (gone,
  or another server's: left alone); the panel's 404 on the DELETE = already gone;
- :func:`restore`: ask for the restore, then wait until the server runs again.
"""

from __future__ import annotations

import dataclasses
import threading
import weakref
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from ..core.errors import RESTORE_GOES_ON, ApiError, BackupsError, WaitTimeoutError, with_note
from ..core.partial import keeps_partial
from ..core.waiting import Deadline, WaitPolicy, wait_until
from .client import CREATE_CALL, AnotherBackupError, VpsClient, acted, may_exist
from .models import (
    NOT_AWAITED,
    RESTORE_DONE,
    Backup,
    CreateBackupRequest,
    Restore,
    RestoreRequest,
)
from .waiters import backup_ref, wait_backup, wait_server

REFRESH_MAX_AGE = 2.0
"""Seconds a server's backup listing may serve the reads (and deletes, and creates' look
before their POST) of one deployment."""
LISTED_WITHIN = 60.0
"""Seconds a create whose answer cannot be believed looks for the backup it made (within
its deadline): the panel may list a new backup late, but a POST that did not act makes none."""


class Unfinished(BackupsError):
    """A backup was made but not awaited to the end (``cause``: the timeout); it is left on
    the panel as ``backup`` last showed it, for the adapter to keep."""

    def __init__(self, backup: Backup, cause: BackupsError) -> None:
        self.backup = backup
        self.cause = cause
        super().__init__(str(cause))


def create_backup(client: VpsClient, request: CreateBackupRequest, policy: WaitPolicy) -> Backup:
    """Start a manual backup of ``request.server_id`` and return it ``completed``."""
    deadline = Deadline(policy, client.clock)
    before = client.manual_backups(request.server_id, max_age=REFRESH_MAX_AGE)
    started = _start(client, request, before, deadline)
    try:
        return _completed(client, request, started, deadline)
    except AnotherBackupError as err:
        # The answer named a backup made after `before` (a sibling's): not the one made.
        creates_of(client).release(started.id)
        made = _adopt(client, request, before, deadline, err)
        return _completed(client, request, made, deadline)


def _start(
    client: VpsClient,
    request: CreateBackupRequest,
    before: Mapping[int, Backup],
    deadline: Deadline,
) -> Backup:
    """The POST, and the backup it made: the one its answer names when nothing belies it (an
    id listed before, or taken by another create of this process), else the one found by
    listing (:func:`_adopt`)."""
    creates = creates_of(client)
    with creates.sending(request):
        try:
            started = client.create_backup(request)
        except ApiError as err:
            if not (acted(err) or isinstance(err, AnotherBackupError)):
                raise
            failure = err
        else:
            lie = _belied(request, started, before, creates)
            if lie is None:
                return started
            failure = AnotherBackupError(CREATE_CALL, 201, lie)
    return _adopt(client, request, before, deadline, failure)


def _belied(
    request: CreateBackupRequest, started: Backup, before: Mapping[int, Backup], creates: Creates
) -> str | None:
    """Why the answer ``started`` is about another backup than the one made, or None once
    its id is taken for this create."""
    if started.id in before:
        existing = before[started.id]
        return (
            f"the answer names backup {started.id} ({existing.status}, created "
            f"{existing.created_at}), which server {request.server_id} listed before this "
            "create: another backup than the one made, not used"
        )
    if not creates.take(started.id):
        return (
            f"the answer names backup {started.id}, which another create of this process "
            "made: another backup than the one made, not used"
        )
    return None


def _completed(
    client: VpsClient, request: CreateBackupRequest, backup: Backup, deadline: Deadline
) -> Backup:
    """``backup``, made on ``request``, once ``completed``. One that failed or outlives the
    deadline is deleted (or kept unfinished: :class:`Unfinished`); one listed as another
    backup (AnotherBackupError) is left alone."""
    try:
        return deadline.wait(lambda p: wait_backup(client, request, backup.id, p))
    except AnotherBackupError:
        raise
    except WaitTimeoutError as err:
        if keeps_partial():
            raise Unfinished(backup, err) from err
        raise cleanup(client, request.server_id, backup.id, err) from err
    except BackupsError as err:
        raise cleanup(client, request.server_id, backup.id, err) from err


@dataclass(frozen=True)
class _Look:
    """One look for the backup a create made: the candidates listed, and the one taken."""

    candidates: tuple[int, ...] = ()
    taken: Backup | None = None
    waiting: bool = False
    """Another create of the same server and description still awaits its answer: a lone
    candidate may be its backup."""

    def status(self) -> str:
        if not self.candidates:
            return "none listed"
        listed = f"listed: backup {', '.join(map(str, self.candidates))}"
        if self.waiting:
            return f"{listed}, while another create of the same was awaiting its answer"
        return listed


def _adopt(
    client: VpsClient,
    request: CreateBackupRequest,
    before: Mapping[int, Backup],
    deadline: Deadline,
    err: ApiError,
) -> Backup:
    """The backup a create made although its answer cannot be believed (``err``): the one
    manual backup of the request's server and description that ``before`` did not list and
    no other create of this process took. The listing is read again until it shows one (it
    may be listed late), within the deadline and :data:`LISTED_WITHIN` seconds. Two or more:
    ``err`` naming them, none taken; none: ``err`` saying one may exist."""
    creates = creates_of(client)

    def look() -> _Look:
        return creates.adopt(request, client.manual_backups(request.server_id), before)

    def within(policy: WaitPolicy) -> _Look:
        policy = dataclasses.replace(policy, timeout=min(policy.timeout, LISTED_WITHIN))
        return wait_until(
            look,
            lambda found: found.taken is not None or len(found.candidates) > 1,
            what=f"the backup made on {_asked(request)}",
            status=_Look.status,
            policy=policy,
            clock=client.clock,
        )

    try:
        found = within(deadline.remaining())
    except WaitTimeoutError as timeout:
        looked = f" (looked for it since: {timeout.last_status})"
        raise with_note(err, may_exist(request.server_id) + looked) from err
    except BackupsError as failure:
        raise with_note(err, f"{may_exist(request.server_id)} ({failure})") from err
    if found.taken is not None:
        return found.taken
    made = ", ".join(map(str, found.candidates))
    note = (
        f"backups {made} of {_asked(request)} were listed since this create began, and "
        "nothing tells which one it made: none is taken, none deleted"
    )
    raise with_note(err, f"{note}; {may_exist(request.server_id)}") from err


def _asked(request: CreateBackupRequest) -> str:
    """How messages name what a create asked for."""
    return f"server {request.server_id} with description {request.description or ''!r}"


class Creates:
    """The creates of one client (one panel) in this process: the backups they took (their
    answers good, or found by :func:`_adopt`), and the POSTs awaiting their answers, per
    server and description; thread-safe. A backup one create took is no candidate for
    another, whatever its identity."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._taken: set[int] = set()
        self._sending: Counter[tuple[object, ...]] = Counter()

    @contextmanager
    def sending(self, request: CreateBackupRequest) -> Iterator[None]:
        """Around a POST and the taking of its answer's id: meanwhile, a lone candidate of
        the same identity may be this create's backup, and no other create takes it."""
        key = _key(request)
        with self._lock:
            self._sending[key] += 1
        try:
            yield
        finally:
            with self._lock:
                self._sending[key] -= 1

    def take(self, backup_id: int) -> bool:
        """Take ``backup_id`` for a create; False when another create took it."""
        with self._lock:
            if backup_id in self._taken:
                return False
            self._taken.add(backup_id)
            return True

    def release(self, backup_id: int) -> None:
        """Give back a backup taken on an answer that turned out to name another backup."""
        with self._lock:
            self._taken.discard(backup_id)

    def adopt(
        self,
        request: CreateBackupRequest,
        listed: Mapping[int, Backup],
        before: Mapping[int, Backup],
    ) -> _Look:
        """The candidates in ``listed`` for the backup made on ``request``, and the lone
        one taken when no other create of its identity awaits its answer."""
        with self._lock:
            candidates = sorted(
                b.id
                for b in listed.values()
                if b.id not in before
                and b.id not in self._taken
                and b.identity() == request.identity()
            )
            waiting = self._sending[_key(request)] > 0
            if len(candidates) != 1 or waiting:
                return _Look(tuple(candidates), waiting=waiting)
            self._taken.add(candidates[0])
            return _Look(tuple(candidates), listed[candidates[0]])


_CREATES: weakref.WeakKeyDictionary[VpsClient, Creates] = weakref.WeakKeyDictionary()
_CREATES_LOCK = threading.Lock()


def creates_of(client: VpsClient) -> Creates:
    """The one :class:`Creates` of ``client`` (clients are shared per panel: one per panel)."""
    with _CREATES_LOCK:
        return _CREATES.setdefault(client, Creates())


def _key(request: CreateBackupRequest) -> tuple[object, ...]:
    return tuple(sorted(request.identity().items()))


def read_backup(client: VpsClient, server_id: int, backup_id: int) -> Backup | None:
    """The manual backup ``backup_id`` as ``server_id`` lists it, or None on proof. The reads
    of one refresh share a listing at most :data:`REFRESH_MAX_AGE` seconds old."""
    return client.find_backup(server_id, backup_id, max_age=REFRESH_MAX_AGE)


def finish_backup(
    client: VpsClient, request: CreateBackupRequest, backup_id: int, policy: WaitPolicy
) -> Backup:
    """The backup ``backup_id`` made on ``request``, awaited until ``completed`` (at once when
    it is); a backup that failed or is gone is an error, and is not deleted."""
    return wait_backup(client, request, backup_id, policy)


def delete_backup(client: VpsClient, server_id: int, backup_id: int) -> None:
    """Delete the backup unless its server is proven not to list it: a backup the server does
    not own is gone for this resource, and is left alone. Its server listing it in a listing
    at most :data:`REFRESH_MAX_AGE` seconds old is proof enough that it is the server's (a
    backup never changes servers), so that N deletes of one server cost one listing."""
    if client.find_backup(server_id, backup_id, max_age=REFRESH_MAX_AGE) is None:
        return
    client.delete_backup(backup_id)  # False = gone since the listing: fine


def restore(client: VpsClient, request: RestoreRequest, policy: WaitPolicy) -> Restore:
    """Restore a server from a backup; wait for the server when the panel says it is
    restoring. A panel without the server route cannot be watched: :data:`NOT_AWAITED`."""
    deadline = Deadline(policy, client.clock)
    started_at = client.clock.utc()
    try:
        answer = client.restore_server(request)
    except ApiError as err:
        if not (acted(err) or isinstance(err, AnotherBackupError)):
            raise
        note = (
            f"the panel may have started restoring server {request.server_id} from backup "
            f"{request.backup_id}: check the server's status before running again"
        )
        raise with_note(err, note) from err
    status = answer.status or "accepted"
    if answer.in_progress:
        what = f"server {request.server_id} to come back after restoring backup {request.backup_id}"
        try:
            server = deadline.wait(lambda p: wait_server(client, request.server_id, p, what=what))
        except WaitTimeoutError as err:
            raise with_note(err, RESTORE_GOES_ON) from err
        status = NOT_AWAITED if server is None else RESTORE_DONE
    return Restore(
        server_id=request.server_id,
        backup_id=request.backup_id,
        started_at=started_at,
        status=status,
    )


def cleanup(client: VpsClient, server_id: int, backup_id: int, err: BackupsError) -> BackupsError:
    """Delete the backup a failed create left; ``err`` then says what became of it."""
    try:
        deleted = client.delete_backup(backup_id)
    except BackupsError as failure:
        return with_note(
            err,
            f"{backup_ref(server_id, backup_id)} was LEFT BEHIND because deleting it failed "
            f"({failure}): delete it in the panel ({client.delete_backup_call(backup_id)})",
        )
    fate = "was deleted" if deleted else "no longer exists"
    return with_note(err, f"the unfinished backup {backup_id} {fate}")
