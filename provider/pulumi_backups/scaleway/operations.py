"""What the RDB resources do, as functions of a client (the providers only add config).

Each operation runs within one deadline (``policy.timeout`` seconds on the client's clock),
shared by its request, its waits and its export. A backup is what was asked for, never what
an answer claims: every answer about it is checked (by the client) against what the request
or the state says of it.

- :func:`create`: POST; read the backup back, and if the answer named another backup (or
  none), find the one made by listing; wait until ``ready``; export when asked. A backup whose
  creation failed is deleted (or named in the error); so is one still being made at the
  deadline, unless the adapter keeps unfinished creates (:mod:`pulumi_backups.core.partial`):
  then :class:`IncompleteCreateError` keeps it in the state and the next ``up`` (an update)
  finishes it. A ``ready`` backup is never deleted because its export failed.
- :func:`read`: None once the backup is gone or ``deleting``; a GET only, nothing renewed;
- :func:`update`: PATCH what changed, wait until ``ready``, renew the link when exporting;
- :func:`delete`: DELETE, then wait for 404; an absent backup is already deleted;
- :func:`restore`: POST the restore and wait until the backup is ``ready`` again.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import partial

from ..core.errors import (
    RESTORE_GOES_ON,
    ApiError,
    BackupsError,
    NotFoundError,
    WaitTimeoutError,
    with_note,
)
from ..core.partial import IncompleteCreateError, keeps_partial
from ..core.waiting import Deadline, WaitPolicy, wait_until
from .client import RdbClient, refused_success
from .models import (
    CLOCK_BOUND_SECONDS,
    Backup,
    CreateBackupRequest,
    RestoreBackupRequest,
    UpdateBackupRequest,
    rfc3339,
)
from .waiters import backup_ref, wait_backup, wait_exported, wait_gone, when_settled

CLEANUP_SECONDS = 60.0
DATE_ROUNDING = 2.0
"""Seconds a ``Date`` header may lag the server's clock (it has whole seconds), and more."""
Known = Mapping[str, object]
"""What the state says of a backup beyond its id (:data:`~.models.KNOWN` outputs)."""


def create(
    client: RdbClient,
    region: str,
    request: CreateBackupRequest,
    *,
    export: bool,
    policy: WaitPolicy,
) -> Backup:
    """Create a backup and return it ``ready`` (with a valid link when ``export``)."""
    deadline = Deadline(policy, client.clock)
    sent_at = client.clock.utc()
    backup = _send_create(client, region, request, deadline, sent_at)
    backup = _confirmed(client, request, backup, deadline, sent_at)
    backup = _made(client, backup, deadline, export, policy)
    return _exported(client, backup, deadline) if export else backup


def read(
    client: RdbClient, region: str, backup_id: str, known: Known | None = None
) -> Backup | None:
    """The backup as the API has it; None once gone (a ``deleting`` backup cannot come
    back). An answer about another backup than ``known`` describes is an error. A read
    changes nothing: it runs in previews (``pulumi preview --refresh``)."""
    try:
        backup = client.get_backup(region, backup_id, known)
    except NotFoundError:
        return None
    return None if backup.deleting else backup


def update(
    client: RdbClient,
    region: str,
    backup_id: str,
    request: UpdateBackupRequest,
    *,
    export: bool,
    policy: WaitPolicy,
    known: Known | None = None,
) -> Backup:
    """Apply a rename / new expiry (nothing sent when ``request`` is empty), then wait until
    the backup is ``ready`` (a create kept unfinished ends here) and, with ``export``, has a
    valid link. ``known``: what the state says of the backup."""
    deadline = Deadline(policy, client.clock)
    if request.empty():
        backup = client.get_backup(region, backup_id, known)
    else:
        send = partial(client.update_backup, region, backup_id, request, expect=known)
        backup = when_settled(client, region, backup_id, send, deadline.remaining())
    if export:
        return ensure_link(client, backup, deadline)
    if backup.transient:
        backup = deadline.wait(lambda p: wait_backup(client, backup, p, what=_ref(backup)))
    return backup


def delete(client: RdbClient, region: str, backup_id: str, policy: WaitPolicy) -> None:
    """Delete and wait until the backup answers 404 (``deleting`` first); 404 = done."""
    deadline = Deadline(policy, client.clock)
    try:
        send = partial(client.delete_backup, region, backup_id)
        deleting = when_settled(client, region, backup_id, send, deadline.remaining())
    except NotFoundError:
        return
    deadline.wait(lambda p: wait_gone(client, deleting, p))


def restore(
    client: RdbClient,
    region: str,
    backup_id: str,
    request: RestoreBackupRequest,
    policy: WaitPolicy,
) -> Backup:
    """Restore and wait until the backup is ``ready`` again. A timeout leaves the restore
    running server-side, and the error says so."""
    deadline = Deadline(policy, client.clock)
    send = partial(client.restore_backup, region, backup_id, request)
    started = when_settled(client, region, backup_id, send, deadline.remaining())
    target = f"{request.instance_id}/{request.database_name or started.database_name}"
    what = f"restore of backup {backup_ref(region, backup_id)} into {target}"
    try:
        return deadline.wait(lambda p: wait_backup(client, started, p, what=what))
    except WaitTimeoutError as err:
        raise with_note(err, RESTORE_GOES_ON) from err


def ensure_link(client: RdbClient, backup: Backup, deadline: Deadline) -> Backup:
    """The backup with a valid download link: wait until it settles, then export it unless
    it already has a link (exported out of band, or while we waited)."""
    if backup.link_valid():
        return backup
    settled = deadline.wait(lambda p: wait_backup(client, backup, p, what=_ref(backup)))
    if settled.link_valid():
        return settled
    send = partial(client.export_backup, backup.region, backup.id)
    started = when_settled(client, backup.region, backup.id, send, deadline.remaining())
    what = f"export of {_ref(backup)}"
    return deadline.wait(lambda p: wait_exported(client, started, p, what=what))


def cleanup(
    client: RdbClient, backup: Backup, err: BackupsError, policy: WaitPolicy
) -> BackupsError:
    """Delete the backup a failed create made; ``err`` then says what became of it.

    A backup still busy (``creating``) cannot be deleted until it settles (409): it is waited
    for at most ``CLEANUP_SECONDS`` (or the operation's own timeout if shorter).
    """
    ref = backup_ref(backup.region, backup.id)
    wait = WaitPolicy(timeout=min(CLEANUP_SECONDS, policy.timeout))
    send = partial(client.delete_backup, backup.region, backup.id)
    try:
        when_settled(client, backup.region, backup.id, send, wait)
    except NotFoundError:
        pass
    except WaitTimeoutError as busy:
        return with_note(err, _left_behind(backup, f"it is still {busy.last_status!r}"))
    except BackupsError as failure:
        return with_note(err, _left_behind(backup, str(failure)))
    return with_note(err, f"the backup {ref} it created was deleted")


def _left_behind(backup: Backup, why: str) -> str:
    ref = backup_ref(backup.region, backup.id)
    return (
        f"the backup {ref} it created could NOT be deleted ({why}); it is not in the state: "
        f"delete it once it settles (scw rdb backup delete {backup.id} region={backup.region})"
    )


def _send_create(
    client: RdbClient,
    region: str,
    request: CreateBackupRequest,
    deadline: Deadline,
    sent_at: datetime,
) -> Backup:
    """POST the backup. An answer lost (5xx, dropped connection) or unusable (malformed,
    about another backup, or one created before the request) may hide a backup the API made:
    it is found by listing (:func:`_find_made`) rather than left behind unknown."""
    try:
        send = partial(client.create_backup, region, request)
        return when_settled(client, region, None, send, deadline.remaining())
    except ApiError as err:
        if not _may_have_made(err):
            raise
        return _find_made(client, region, request, sent_at, err)


def _may_have_made(err: ApiError) -> bool:
    """Whether the API may have made the backup although the create failed: the answer was
    lost, or was a success this client could not believe (a 2xx it refused)."""
    return err.may_have_acted or refused_success(err)


def _confirmed(
    client: RdbClient,
    request: CreateBackupRequest,
    backup: Backup,
    deadline: Deadline,
    sent_at: datetime,
) -> Backup:
    """The backup the create answered, read back: the read must describe the same backup
    (instance, database, name, creation date). A not-found or another backup means the
    answer named a backup it did not make (or the read lies): the one made is then found by
    listing, the create's answer only telling apart several made since the request. So it is
    when the reads fail transiently until the deadline: only a backup confirmed so is ever
    deleted by a failed create."""
    what = f"the backup {_ref(backup)} just made"
    try:
        return deadline.wait(
            lambda p: wait_until(
                lambda: client.get_backup(backup.region, backup.id, backup.known()),
                lambda _: True,
                what=what,
                status=lambda b: b.status,
                policy=p,
                clock=client.clock,
            )
        )
    except ApiError as err:
        if not (err.transient or isinstance(err, NotFoundError) or refused_success(err)):
            raise with_note(err, _may_exist(backup.region, request)) from err
        return _find_made(client, backup.region, request, sent_at, err, hint=backup)


def _find_made(
    client: RdbClient,
    region: str,
    request: CreateBackupRequest,
    sent_at: datetime,
    err: ApiError,
    hint: Backup | None = None,
) -> Backup:
    """The one backup of the instance with the request's name and database created since
    the request (:func:`_since`); among several, the one created when ``hint`` (an answer
    not believed) says. Otherwise ``err``, saying what may exist and how to find it."""
    asked_at = client.clock.now()
    try:
        listed = client.list_backups(region, instance_id=request.instance_id, name=request.name)
    except BackupsError as failure:
        raise with_note(err, f"{_may_exist(region, request)} ({failure})") from err
    since = _since(sent_at, listed, client.clock.now() - asked_at)
    made = [
        b
        for b in listed
        if b.name == request.name
        and b.database_name == request.database_name
        and b.created_at is not None
        and b.created_at >= since
    ]
    if hint is not None and len(made) > 1:
        made = [b for b in made if b.created_at == hint.created_at] or made
    if len(made) == 1:
        return made[0]
    found = ", ".join(backup_ref(region, b.id) for b in made) or "none"
    note = f"backups named {request.name!r} created since {rfc3339(since)}: {found}"
    raise with_note(err, f"{note}; {_may_exist(region, request)}") from err


def _since(sent_at: datetime, listed: list[Backup], listing_seconds: float) -> datetime:
    """When the request was sent, on the server's clock: ``sent_at`` moved by how far the
    listing's believed ``Date`` is from this client's clock (less the second a Date is
    rounded to, and the listing's own time); with no believed Date, ``sent_at`` less
    :data:`~.models.CLOCK_BOUND_SECONDS`, as far as the server's clock may be."""
    seen = next((b for b in listed if b.server_date is not None), None)
    if seen is None or seen.observed_at != seen.server_date or seen.received_at is None:
        return sent_at - timedelta(seconds=CLOCK_BOUND_SECONDS)
    assert seen.server_date is not None
    skew = seen.server_date - seen.received_at
    return sent_at + skew - timedelta(seconds=DATE_ROUNDING + listing_seconds)


def _may_exist(region: str, request: CreateBackupRequest) -> str:
    return (
        f"a backup named {request.name!r} of database {request.database_name!r} may have "
        "been made, and is in no state: find it with `scw rdb backup list "
        f"instance-id={request.instance_id} name={request.name} region={region}`"
    )


def _made(
    client: RdbClient, backup: Backup, deadline: Deadline, export: bool, policy: WaitPolicy
) -> Backup:
    """The backup once ``ready``. One that failed is deleted; one still being made at the
    deadline too, unless the adapter keeps it in the state (IncompleteCreateError)."""
    try:
        return deadline.wait(
            lambda p: wait_backup(client, backup, p, what=f"creation of {_ref(backup)}")
        )
    except WaitTimeoutError as err:
        if keeps_partial():
            raise _incomplete(backup, export, err) from err
        raise cleanup(client, backup, err, policy) from err
    except BackupsError as err:
        raise cleanup(client, backup, err, policy) from err


def _exported(client: RdbClient, backup: Backup, deadline: Deadline) -> Backup:
    """The ready ``backup`` exported. It is kept whatever becomes of its export: in the state
    when the adapter keeps unfinished creates (the next ``up`` exports it), else named in the
    error."""
    try:
        return ensure_link(client, backup, deadline)
    except BackupsError as err:
        if keeps_partial():
            raise _incomplete(backup, True, err) from err
        raise with_note(err, _kept(backup)) from err


def _incomplete(backup: Backup, export: bool, err: BackupsError) -> IncompleteCreateError:
    return IncompleteCreateError(backup_ref(backup.region, backup.id), backup.outputs(export), err)


def _kept(backup: Backup) -> str:
    ref = backup_ref(backup.region, backup.id)
    return (
        f"the backup {ref} is ready and was kept (only its export failed); it is in no state, "
        "and the next up makes another one: delete it (scw rdb backup delete "
        f"{backup.id} region={backup.region}) or keep it as a backup managed by hand (the "
        f"provider plugin adopts it: pulumi import backups:scaleway:RdbBackup <name> {ref})"
    )


def _ref(backup: Backup) -> str:
    return f"backup {backup_ref(backup.region, backup.id)}"
