"""What every look-up (``get_hosting_database_dumps``, ``get_vps_backups``, ...) shares: the
order of its list (newest first) and the freshness of the newest usable backup.

A look-up lists what exists, and says so only on proof: its listing is read complete and
consistent (each API's own rule: ``ovh.waiters.consistent``, ``vps.listings``, Scaleway's
counted pages), and a listing that cannot be is an error, never an empty list. Ages are
read on the client's clock (:class:`~pulumi_backups.core.waiting.Clock`), so a program can
refuse to deploy on stale backups; an age is negative when the server's clock is ahead.
No Pulumi, no HTTP: the API packages' ``lookups`` modules build on this.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, Field

from .fields import answer_datetime
from .waiting import Clock

T = TypeVar("T")
_OLDEST = datetime.min.replace(tzinfo=timezone.utc)


class Freshness(BaseModel):
    """The newest usable backup of a listing: when it was made, and how long ago."""

    secrets: ClassVar[frozenset[str]] = frozenset()
    """snake_case fields, at any depth of the answer, that are secret (download links)."""

    newest_created_at: str | None = Field(
        default=None,
        description="Creation date of the newest usable backup, as the API wrote it; "
        "null when there is none.",
    )
    newest_age_seconds: float | None = Field(
        default=None,
        description="Seconds since the newest usable backup was made, on the client's clock "
        "(negative when the server's clock is ahead); null when there is none.",
    )


def newest_first(
    items: Iterable[T], created: Callable[[T], str | None], tie: Callable[[T], Any]
) -> list[T]:
    """``items`` newest first by their ``created`` date (undated ones last), then by ``tie``
    (highest first)."""
    return sorted(
        items, key=lambda i: (answer_datetime(created(i)) or _OLDEST, tie(i)), reverse=True
    )


def freshness(dates: Iterable[str | None], clock: Clock) -> dict[str, Any]:
    """The :class:`Freshness` fields of the usable backups created at ``dates``."""
    read = ((answer_datetime(text), text) for text in dates)
    known = [(when, text) for when, text in read if when is not None and text]
    if not known:
        return {"newest_created_at": None, "newest_age_seconds": None}
    when, text = max(known, key=lambda pair: pair[0])
    age = (clock.utc() - when).total_seconds()
    return {"newest_created_at": text, "newest_age_seconds": round(age, 3)}
