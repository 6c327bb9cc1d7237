"""Parameter checks worded like the real API's 400 answers."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from .exceptions import BadRequest
from .timeline import parse_date


def required(body: Mapping[str, Any], name: str) -> Any:
    """The value of a mandatory body property."""
    value = body.get(name)
    if value is None or value == "":
        raise BadRequest(f"[{name}] Property is mandatory")
    return value


def text(body: Mapping[str, Any], name: str, *, mandatory: bool = True) -> str | None:
    """A string property (None when optional and absent)."""
    value = required(body, name) if mandatory else body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadRequest(f"[{name}] Given data ({value}) is not a valid string")
    return value


def choice(
    body: Mapping[str, Any],
    name: str,
    allowed: Collection[str],
    enum: str,
    *,
    mandatory: bool = True,
) -> str | None:
    """A property restricted to an enumeration."""
    value = text(body, name, mandatory=mandatory)
    if value is not None and value not in allowed:
        raise BadRequest(f"[{name}] Given data ({value}) does not belong to the {enum} enumeration")
    return value


def boolean(body: Mapping[str, Any], name: str, default: bool) -> bool:
    """A boolean body property."""
    value = body.get(name, default)
    if not isinstance(value, bool):
        raise BadRequest(f"[{name}] Given data ({value}) is not a boolean")
    return value


def integer(body: Mapping[str, Any], name: str) -> int | None:
    """An optional integer property (an integral float is accepted, as JSON allows)."""
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        raise BadRequest(f"[{name}] Given data ({value}) is not a valid integer")
    return int(value)


def query_flag(query: Mapping[str, str], name: str) -> bool | None:
    """A boolean query parameter: ``true`` / ``false`` as python-ovh sends them."""
    value = query.get(name)
    if value is None:
        return None
    if value not in ("true", "false"):
        raise BadRequest(f"[{name}] Given data ({value}) is not a boolean")
    return value == "true"


def query_date(query: Mapping[str, str], name: str) -> float | None:
    """An ISO 8601 date query parameter (e.g. ``creationDate.from``), as epoch seconds."""
    value = query.get(name)
    if value is None:
        return None
    try:
        return parse_date(value)
    except ValueError:
        raise BadRequest(f"[{name}] Given data ({value}) is not a valid datetime") from None


def in_range(value: float, query: Mapping[str, str], field: str) -> bool:
    """Whether ``value`` passes the ``<field>.from`` / ``<field>.to`` filters (inclusive)."""
    low, high = query_date(query, f"{field}.from"), query_date(query, f"{field}.to")
    return (low is None or value >= low) and (high is None or value <= high)
