"""Pydantic models of the Scaleway RDB backup API objects, and their wire conversions.

Bodies are parsed with :meth:`Backup.from_api` / :meth:`ApiErrorBody.from_api` and requests are
serialized with ``to_api()``; nothing else in the package touches Scaleway's JSON.

A backup always carries its 14 keys with explicit nulls (``size`` and ``updated_at`` are null
while it is being created); timestamps are RFC 3339 with microseconds and a zone (one without
is a malformed answer, refused as it is read). Statuses are kept as plain strings: the API may
add one, and an unknown status is simply neither done nor failed.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

TRANSIENT_STATUSES = frozenset({"creating", "restoring", "deleting", "exporting"})
"""The backup is busy: mutating calls answer 409 ``transient_state`` until it leaves them."""

FAILED_STATUSES = frozenset({"error", "locked", "unknown"})
"""The backup will not become ``ready`` by itself (``unknown`` is final too)."""

READY = "ready"
DELETING = "deleting"
UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
"""What a Scaleway id is (lower-case): an input, or an answer, naming an object otherwise is
refused."""


LINK_MARGIN_SECONDS = 300.0
"""A download link that expires sooner than this counts as expired: an export renews it."""

CLOCK_BOUND_SECONDS = LINK_MARGIN_SECONDS
"""How far a server's ``Date`` may be from this machine's clock and still be believed.

Clocks kept by NTP agree within a second; a ``Date`` minutes off is a broken clock or a proxy
rewriting headers, and believing it would turn a dead link into a live one (a Date in the
past) or make an export wait for a link that is never valid (a Date in the future). Equal to
:data:`LINK_MARGIN_SECONDS`: within the bound, a link judged valid with that margin by one
clock has not expired by the other."""


def rfc3339(value: datetime) -> str:
    """Format a timestamp in UTC with a ``Z`` suffix, microseconds only when there are some.

    Inputs and outputs both go through this, so an expiry given as ``+02:00`` compares equal
    to the same instant read back from the API (no perpetual diff).
    """
    if value.tzinfo is None:
        raise ValueError("timestamp has no UTC offset")
    utc = value.astimezone(timezone.utc)
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    if utc.microsecond:
        text += f".{utc.microsecond:06d}"
    return text + "Z"


def _stamp(value: datetime | None) -> str | None:
    return rfc3339(value) if value is not None else None


def link_lasts(expires_at: datetime | None, now: datetime, margin_seconds: float) -> bool:
    """Whether a download link expiring at ``expires_at`` is still valid ``margin_seconds``
    after ``now`` (no expiry: no link to trust)."""
    return expires_at is not None and (expires_at - now).total_seconds() > margin_seconds


def linked_backup(url: str) -> str:
    """The backup a download link is for: the name of its file without extension (Scaleway's
    links, as recorded, end with ``/{instance_id}/{backup_id}.custom``); never the query,
    which holds the signature."""
    return urlsplit(url).path.rsplit("/", 1)[-1].split(".", 1)[0]


KNOWN = ("instance_id", "database_name", "name", "created_at")
"""The outputs that tell one backup from another beyond its id, checked in every answer
about it (``name`` changes only by an update, which says so)."""


class Backup(BaseModel):
    """A logical database backup as the API returns it (``GET .../backups/{id}``).

    ``observed_at`` and ``server_date`` are not part of the API object: the client fills them
    from the answer's ``Date`` header and its own clock. ``observed_at`` is the server's
    ``Date`` when it is within :data:`CLOCK_BOUND_SECONDS` of the client's clock, else the
    client's clock; a download link's expiry is judged at that instant.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str = Field(pattern=UUID)
    instance_id: str = Field(pattern=UUID)
    database_name: str
    name: str
    status: str
    size: int | None = None
    expires_at: AwareDatetime | None = None
    created_at: AwareDatetime | None = None
    updated_at: AwareDatetime | None = None
    instance_name: str | None = None
    download_url: str | None = None
    download_url_expires_at: AwareDatetime | None = None
    region: str
    same_region: bool = False
    observed_at: datetime | None = Field(default=None, exclude=True)
    server_date: datetime | None = Field(default=None, exclude=True)
    received_at: datetime | None = Field(default=None, exclude=True)

    @classmethod
    def from_api(
        cls,
        data: Any,
        observed_at: datetime | None = None,
        server_date: datetime | None = None,
        received_at: datetime | None = None,
    ) -> Backup:
        """Parse one backup body; raises pydantic's ValidationError on a malformed one.
        ``received_at``: the client's clock when the answer came."""
        return cls.model_validate(data).read_at(observed_at, server_date, received_at)

    def read_at(
        self,
        observed_at: datetime | None,
        server_date: datetime | None = None,
        received_at: datetime | None = None,
    ) -> Backup:
        """This backup as an answer read at ``observed_at`` shows it (itself without one)."""
        if not observed_at:
            return self
        seen = {"observed_at": observed_at, "server_date": server_date, "received_at": received_at}
        return self.model_copy(update=seen)

    def known(self) -> dict[str, object]:
        """What a state, or a wait, knows of this backup beyond its id (see :data:`KNOWN`)."""
        identity = self.identity()
        return {key: identity[key] for key in KNOWN if identity[key] is not None}

    def identity(self) -> dict[str, object]:
        """What names this backup, as :func:`~pulumi_backups.core.answers.same_object` compares
        it with what was asked for (timestamps as the outputs write them)."""
        return {
            "id": self.id, "region": self.region, "instance_id": self.instance_id,
            "database_name": self.database_name, "name": self.name,
            "created_at": _stamp(self.created_at), "expires_at": _stamp(self.expires_at),
        }  # fmt: skip

    @property
    def clock_note(self) -> str | None:
        """What to tell when the server's ``Date`` was not believed (None: it was, or none)."""
        if self.server_date is None or self.observed_at in (None, self.server_date):
            return None
        assert self.observed_at is not None
        off = (self.server_date - self.observed_at).total_seconds()
        return (
            f"the server's Date ({rfc3339(self.server_date)}) is {off:+.0f} s from this "
            f"machine's clock, more than {CLOCK_BOUND_SECONDS:g} s: the download link's expiry "
            "was judged by this machine's clock"
        )

    @property
    def transient(self) -> bool:
        return self.status in TRANSIENT_STATUSES

    @property
    def failed(self) -> bool:
        return self.status in FAILED_STATUSES

    @property
    def done(self) -> bool:
        """Finished: ``ready`` (made, exported or restored), what every wait of a backup ends
        on (:class:`~pulumi_backups.core.waiting.Progress`)."""
        return self.status == READY

    @property
    def detail(self) -> str:
        """What a failure's message adds: the API explains none of its failed statuses."""
        return ""

    @property
    def deleting(self) -> bool:
        """Being deleted: it cannot come back (it answers not found once done)."""
        return self.status == DELETING

    def link_valid(self, margin_seconds: float = LINK_MARGIN_SECONDS) -> bool:
        """Whether the download link exists and stays valid ``margin_seconds`` after the
        backup was read (``observed_at``). A backup not read through a client has no such
        instant: its link is not trusted."""
        if not self.download_url or self.observed_at is None:
            return False
        return link_lasts(self.download_url_expires_at, self.observed_at, margin_seconds)

    def outputs(self, export: bool) -> dict[str, Any]:
        """The resource outputs this backup provides (timestamps as RFC 3339 strings): a
        download link only when ``export`` and still valid (see :meth:`link_valid`); an
        expired link keeps only its expiry date."""
        outs = self._outputs()
        if not export:
            outs.update(download_url=None, download_url_expires_at=None)
        elif not self.link_valid(margin_seconds=0):
            outs.update(download_url=None)
        return outs

    def _outputs(self) -> dict[str, Any]:
        return {
            "backup_id": self.id,
            "name": self.name,
            "region": self.region,
            "status": self.status,
            "size": self.size,
            "expires_at": _stamp(self.expires_at),
            "created_at": _stamp(self.created_at),
            "updated_at": _stamp(self.updated_at),
            "instance_name": self.instance_name,
            "same_region": self.same_region,
            "download_url": self.download_url,
            "download_url_expires_at": _stamp(self.download_url_expires_at),
        }


class BackupList(BaseModel):
    """One page of ``GET .../backups``."""

    model_config = ConfigDict(extra="ignore")

    database_backups: list[Backup]
    total_count: int = Field(ge=0)

    @classmethod
    def from_api(
        cls,
        data: Any,
        observed_at: datetime | None = None,
        server_date: datetime | None = None,
        received_at: datetime | None = None,
    ) -> BackupList:
        """Parse one page (each backup read at ``observed_at``); raises ValidationError."""
        page = cls.model_validate(data)
        if observed_at is None:
            return page
        backups = [b.read_at(observed_at, server_date, received_at) for b in page.database_backups]
        return page.model_copy(update={"database_backups": backups})


class CreateBackupRequest(BaseModel):
    """Body of ``POST .../backups``."""

    instance_id: str
    database_name: str
    name: str
    expires_at: datetime | None = None

    def to_api(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "instance_id": self.instance_id,
            "database_name": self.database_name,
            "name": self.name,
        }
        if self.expires_at is not None:
            body["expires_at"] = rfc3339(self.expires_at)
        return body


class UpdateBackupRequest(BaseModel):
    """Body of ``PATCH .../backups/{id}``: only the fields to change (an expiry cannot be unset)."""

    name: str | None = None
    expires_at: datetime | None = None

    def to_api(self) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if self.name is not None:
            body["name"] = self.name
        if self.expires_at is not None:
            body["expires_at"] = rfc3339(self.expires_at)
        return body

    def empty(self) -> bool:
        return self.name is None and self.expires_at is None


class RestoreBackupRequest(BaseModel):
    """Body of ``POST .../backups/{id}/restore``; no database name restores into the origin's."""

    instance_id: str
    database_name: str | None = None

    def to_api(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class ApiErrorBody(BaseModel):
    """A Scaleway error body: ``message`` and ``type`` plus per-type keys.

    ``not_found`` / ``transient_state`` carry ``resource`` and ``resource_id`` (and
    ``current_state``); ``invalid_arguments`` and ``permissions_denied`` carry ``details``;
    ``precondition_failed`` carries ``precondition`` and ``help_message``;
    ``denied_authentication`` carries ``method`` and ``reason``; ``locked`` carries
    ``resource`` and ``resource_id``. The older validation shape has no type:
    ``{"message": "Validation Error", "fields": {"name": ["reason", ...]}}``.
    """

    model_config = ConfigDict(extra="allow")

    message: str = ""
    type: str | None = None
    resource: str | None = None
    resource_id: str | None = None
    current_state: str | None = None
    precondition: str | None = None
    help_message: str | None = None
    method: str | None = None
    reason: str | None = None
    details: list[dict[str, Any]] = Field(default_factory=list)
    fields: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def from_api(cls, data: Any) -> ApiErrorBody | None:
        """Parse an error body; None when it is not a Scaleway error (e.g. an HTML page)."""
        if not isinstance(data, dict) or "message" not in data:
            return None
        return cls.model_validate(data)

    def describe(self) -> str:
        """The server's message with the specifics its type carries."""
        parts = [self.message or "no message"]
        if self.resource:
            obj = f"{self.resource} {self.resource_id}" if self.resource_id else self.resource
            parts.append(f"{obj} is {self.current_state}" if self.current_state else obj)
        if self.precondition:
            parts.append(self.precondition)
        if self.help_message:
            parts.append(self.help_message)
        if self.method or self.reason:
            parts.append(" ".join(p for p in (self.method, self.reason) if p))
        parts.extend(_detail(d) for d in self.details)
        parts.extend(f"{name}: {_reasons(why)}" for name, why in self.fields.items())
        return ": ".join(parts[:1]) + ("; " + "; ".join(parts[1:]) if len(parts) > 1 else "")


def _reasons(why: Any) -> str:
    """A ``fields`` entry's reasons: a list of messages, or one."""
    return ", ".join(str(w) for w in why) if isinstance(why, list) else str(why)


def _detail(detail: dict[str, Any]) -> str:
    """One ``details`` entry: an invalid argument, a denied action, an exceeded quota."""
    if "argument_name" in detail:
        why = ", ".join(
            str(detail[k]) for k in ("reason", "help_message") if detail.get(k) is not None
        )
        return f"{detail['argument_name']}: {why}" if why else str(detail["argument_name"])
    if "action" in detail:
        return f"{detail['action']} on {detail.get('resource', '?')} denied"
    return ", ".join(f"{k}={v}" for k, v in sorted(detail.items()))
