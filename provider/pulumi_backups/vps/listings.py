"""When a VPS panel listing proves anything: the panel documents no detail route, so a
backup's presence, its absence and its owner are read from its server's listing.

A listing counts only when it is complete and consistent (:func:`consistent`): every page a
Django REST framework page object, the same ``count`` on each, as many distinct entries read
as that count, none twice, each of the server and type asked for. A listing that shifts while
it is read (a backup made or deleted between two pages: the count moves, an entry appears
twice, a later page is gone) proves nothing and is read again (:func:`read_until_still`); an
entry of another server or type than the filter asked for is a lie, an error at once.

:class:`Listings` shares the readings of one client: a reading serves every caller that can
use it (a refresh's reads take one at most ``max_age`` seconds old; a wait wants one begun
after it asked), and absence is believed only when a second reading, begun after the first,
agrees (:meth:`Listings.find`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from ..core.answers import same_object
from ..core.errors import ApiError, deadline_passed, with_note
from ..core.waiting import Clock, current
from .models import Backup, BackupPage

READINGS = 4
"""Readings of a listing that keeps shifting before it is an error (the first included)."""


class ShiftedListingError(ApiError):
    """A listing changed while it was read: it proves nothing; read it again (transient: a
    wait takes it for one more unanswered poll)."""

    @property
    def transient(self) -> bool:
        return True


def consistent(
    call: str, pages: Iterable[BackupPage], server_id: int, backup_type: str | None
) -> dict[int, Backup]:
    """The entries of one complete, consistent reading of a listing, by id.

    Raises :class:`ShiftedListingError` when the pages disagree (count, duplicates, fewer or
    more entries than counted) and an ApiError for an entry of another server or type."""
    asked: dict[str, object] = {"server": server_id}
    if backup_type is not None:
        asked["backup_type"] = backup_type
    what = f"the listing of server {server_id}'s {backup_type or 'all'} backups"
    entries: dict[int, Backup] = {}
    count: int | None = None
    for page in pages:
        if count is not None and page.count != count:
            raise ShiftedListingError(call, 200, f"its count changed from {count} to {page.count}")
        count = page.count
        for backup in page.results:
            answered = {"server": backup.server.id, "backup_type": backup.backup_type}
            same_object(call, f"{what} (backup {backup.id})", asked, answered)
            if backup.id in entries:
                raise ShiftedListingError(call, 200, f"backup {backup.id} is listed twice")
            entries[backup.id] = backup
    if count is not None and len(entries) != count:
        message = f"{len(entries)} backups were read where its count says {count}"
        raise ShiftedListingError(call, 200, message)
    return entries


def read_until_still(
    read: Callable[[], dict[int, Backup]], clock: Clock, delay: Callable[[int], float]
) -> dict[int, Backup]:
    """``read()`` again while the listing shifts, pausing ``delay(n)`` seconds on ``clock``
    after the n-th reading, at most :data:`READINGS` readings in all."""
    reading = 1
    while True:
        try:
            return read()
        except ShiftedListingError as err:
            if reading >= READINGS:
                note = f"read {READINGS} times, it changed every time: nothing is concluded"
                raise with_note(err, note) from err
            clock.sleep(delay(reading))
            reading += 1


@dataclass(frozen=True)
class Listing:
    """One consistent reading of a server's manual backups: the ``seq``-th begun for that
    server by its client, at ``began`` on the client's clock."""

    seq: int
    began: float
    backups: Mapping[int, Backup]


@dataclass
class _Server:
    lock: threading.Lock = field(default_factory=threading.Lock)
    begun: int = 0
    last: Listing | None = None


def _acquire(lock: threading.Lock, server_id: int) -> None:
    """Take ``lock`` within what the running operation has left of its deadline (its grace,
    once past); the error of a request that got no answer in time when it cannot."""
    deadline = current()
    if lock.acquire(timeout=-1 if deadline is None else max(0.0, deadline.request_seconds())):
        return
    assert deadline is not None  # without a deadline, acquire waits as long as it takes
    policy = deadline.limit().policy
    call = f"the listing of server {server_id}'s backups, being read for another operation"
    raise deadline_passed(call, policy.timeout, policy.setting, sent=False)


class Listings:
    """The readings of one client, per server; thread-safe. ``read(server_id)`` takes one
    consistent reading of the server's manual backups (the panel's word, as of now)."""

    def __init__(self, read: Callable[[int], dict[int, Backup]], clock: Clock) -> None:
        self._read = read
        self._clock = clock
        self._servers: dict[int, _Server] = {}
        self._guard = threading.Lock()

    def get(self, server_id: int, *, max_age: float = 0.0, after: int | None = None) -> Listing:
        """A reading begun after this call (or after reading number ``after``), or the last
        one when ``max_age`` > 0 and it began at most that many seconds ago. Callers that
        arrive while a reading is taken wait for it, and share the next one, within their own
        operation's deadline (the reading's may be longer)."""
        with self._guard:
            server = self._servers.setdefault(server_id, _Server())
            floor = server.begun if after is None else after
        _acquire(server.lock, server_id)
        try:
            last = server.last
            if last is not None and (
                last.seq > floor or (max_age > 0 and self._clock.now() - last.began <= max_age)
            ):
                return last
            with self._guard:
                server.begun += 1
                seq = server.begun
            began = self._clock.now()
            server.last = Listing(seq, began, self._read(server_id))
            return server.last
        finally:
            server.lock.release()

    def find(self, server_id: int, backup_id: int, *, max_age: float = 0.0) -> Backup | None:
        """The backup as a reading lists it; None only when a second reading, begun after the
        one that did not list it, does not list it either."""
        listing = self.get(server_id, max_age=max_age)
        found = listing.backups.get(backup_id)
        if found is None:
            found = self.get(server_id, after=listing.seq).backups.get(backup_id)
        return found

    def forget(self, backup_id: int) -> None:
        """Drop a backup this client deleted from the readings it keeps, so that they do not
        show it to a later caller."""
        with self._guard:
            for server in self._servers.values():
                last = server.last
                if last is not None and backup_id in last.backups:
                    kept = {k: v for k, v in last.backups.items() if k != backup_id}
                    server.last = Listing(last.seq, last.began, kept)
