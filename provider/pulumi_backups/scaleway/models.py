"""Pydantic models of the Scaleway RDB backup API objects, and their wire conversions.

Bodies are parsed with :meth:`Backup.from_api` / :meth:`ApiErrorBody.from_api` and requests are
serialized with ``to_api()``; nothing else in the package touches Scaleway's JSON.

A backup always carries its 14 keys with explicit nulls (``size`` and ``updated_at`` are null
while it is being created); timestamps are RFC 3339 with microseconds. Statuses are kept as
plain strings: the API may add one, and an unknown status is simply neither settled nor failed.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

TRANSIENT_STATUSES = frozenset({"creating", "restoring", "deleting", "exporting"})
"""The backup is busy: mutating calls answer 409 ``transient_state`` until it leaves them."""

FAILED_STATUSES = frozenset({"error", "locked", "unknown"})
"""The backup will not become ``ready`` by itself (``unknown`` is final too)."""

READY = "ready"
DELETING = "deleting"


LINK_MARGIN_SECONDS = 300.0
"""A download link that expires sooner than this counts as expired: an export renews it."""


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


class Backup(BaseModel):
    """A logical database backup as the API returns it (``GET .../backups/{id}``).

    ``observed_at`` is not part of the API object: the client fills it from the answer's
    ``Date`` header (else from its own clock), so that a download link's expiry is judged by
    the server's clock.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: str
    instance_id: str
    database_name: str
    name: str
    status: str
    size: int | None = None
    expires_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    instance_name: str | None = None
    download_url: str | None = None
    download_url_expires_at: datetime | None = None
    region: str
    same_region: bool = False
    observed_at: datetime | None = Field(default=None, exclude=True)

    @classmethod
    def from_api(cls, data: Any, observed_at: datetime | None = None) -> Backup:
        """Parse one backup body; raises pydantic's ValidationError on a malformed one."""
        backup = cls.model_validate(data)
        return backup.model_copy(update={"observed_at": observed_at}) if observed_at else backup

    @property
    def transient(self) -> bool:
        return self.status in TRANSIENT_STATUSES

    @property
    def failed(self) -> bool:
        return self.status in FAILED_STATUSES

    @property
    def ready(self) -> bool:
        return self.status == READY

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

    def outputs(self) -> dict[str, Any]:
        """The resource outputs this backup provides (timestamps as RFC 3339 strings)."""
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
    total_count: int

    @classmethod
    def from_api(cls, data: Any, observed_at: datetime | None = None) -> BackupList:
        """Parse one page (each backup read at ``observed_at``); raises ValidationError."""
        page = cls.model_validate(data)
        if observed_at is None:
            return page
        backups = [b.model_copy(update={"observed_at": observed_at}) for b in page.database_backups]
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
