"""Validators shared by the Scaleway resources' argument models (pure: no I/O, no clock)."""

from __future__ import annotations

import re

from ..core.fields import parse_datetime
from .models import UUID, rfc3339
from .settings import REGIONS

_UUID = re.compile(UUID)


def uuid_value(value: str) -> str:
    """A Scaleway id (lower-case UUID); raises ValueError with an example."""
    if not _UUID.match(value):
        raise ValueError("must be a UUID such as 11111111-1111-1111-1111-111111111111")
    return value


def region_value(value: str | None) -> str | None:
    """One of the RDB regions (None: not given)."""
    if value is not None and value not in REGIONS:
        raise ValueError(f"must be one of {', '.join(REGIONS)}")
    return value


def timestamp_value(value: str | None) -> str | None:
    """An RFC 3339 timestamp with an offset, normalized to UTC (``...Z``); None: not given."""
    if value is None:
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        raise ValueError("must be an RFC 3339 timestamp such as 2030-01-31T00:00:00Z") from None
    if parsed.tzinfo is None:
        raise ValueError("must carry a UTC offset, e.g. 2030-01-31T00:00:00Z or ...+01:00")
    return rfc3339(parsed)
