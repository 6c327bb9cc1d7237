"""Input field types and rules shared by resources (pure: no I/O; time only from the check).

Every resource input goes through :func:`plain_input` (see ``ResourceArgs``): booleans only as
booleans, strings on one line and of a bounded length. Numbers given as strings are taken only
when made of ASCII digits. Names that become URL path segments are :data:`PathSegment`.
Messages quote an input through :func:`shown`, so that a huge input is never echoed back.
"""

from __future__ import annotations

import math
import re
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from typing import Annotated, Any, Union, get_args, get_origin

from annotated_types import MaxLen
from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
)
from pydantic.fields import FieldInfo

ASCII_DIGITS = re.compile(r"[0-9]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_TEXT = 255
"""Longest string any input takes unless its field says less: the longest name or
description the three APIs accept (the VPS panel's description, 255)."""
SHOWN = 40
"""At most this many characters of an input are quoted in a message."""
_ISO_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")
_DATETIME: TypeAdapter[datetime] = TypeAdapter(datetime)


def parse_datetime(text: str, naive: tzinfo | None = None) -> datetime:
    """An ISO 8601 / RFC 3339 date-time (``Z`` or an offset, any fraction of a second); one
    without a zone is naive, or in ``naive`` when given. ValueError for anything else,
    numbers of seconds included. The one date parser of the package: the clients, the
    checks and the sandbox all read dates with it.

    ``datetime.fromisoformat`` is not enough: before Python 3.11 it refuses ``Z`` and
    fractions of other than 3 or 6 digits, which the APIs and their users write."""
    if not _ISO_PREFIX.match(text):
        raise ValueError(f"not an ISO 8601 date-time: {shown(text)}")
    try:
        parsed = _DATETIME.validate_python(text)
    except ValidationError:
        raise ValueError(f"not an ISO 8601 date-time: {shown(text)}") from None
    return parsed.replace(tzinfo=naive) if naive and parsed.tzinfo is None else parsed


def answer_datetime(text: str | None) -> datetime | None:
    """A date of an API's answer (a zone-less one taken as UTC); None when absent or
    unreadable (an answer's date only orders or ages what is listed: never an error)."""
    if not text:
        return None
    try:
        return parse_datetime(text, naive=timezone.utc)
    except ValueError:
        return None


def shown(value: Any) -> str:
    """``repr(value)`` for a message, cut to :data:`SHOWN` characters with the full length."""
    text = repr(value)
    if len(text) <= SHOWN:
        return text
    size = f"{len(value)} characters" if isinstance(value, str) else f"{len(text)} characters"
    return f"{text[:SHOWN]}... ({size})"


@dataclass(frozen=True)
class CheckContext:
    """What a check knows besides the inputs: the time and the previous inputs."""

    now: datetime
    olds: Mapping[str, Any] = field(default_factory=dict)


def check_context(info: ValidationInfo) -> CheckContext | None:
    """The context of a check; None when inputs are parsed from the state (create, read...)."""
    return info.context if isinstance(info.context, CheckContext) else None


def refuse_if_past(
    value: str | None, info: ValidationInfo, passed: Callable[[str, datetime], bool], why: str
) -> str | None:
    """``value``, a date input, unless a check finds it about to be sent (not the stored one)
    while ``passed(value, now)``: then ValueError "is in the past (now ...): ``why``".

    Judged in check only: a stored date that has passed must not stop a read or a delete."""
    context = check_context(info)
    if value is None or context is None or value == context.olds.get(info.field_name or ""):
        return value
    if passed(value, context.now):
        raise ValueError(f"is in the past (now {context.now:%Y-%m-%dT%H:%M:%SZ}): {why}")
    return value


def _admits(annotation: Any, wanted: type) -> bool:
    """Whether a field annotation takes values of type ``wanted`` (through Optional/Annotated)."""
    if annotation is wanted:
        return True
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType, Annotated):
        return any(_admits(arg, wanted) for arg in get_args(annotation))
    return False  # Literal values included: never a free bool or str


def _max_length(info: FieldInfo) -> int:
    limits = [m.max_length for m in info.metadata if isinstance(m, MaxLen)]
    return min([MAX_TEXT, *limits])


def plain_input(value: Any, info: FieldInfo) -> Any:
    """The rules every resource input follows, whatever its resource. Raises ValueError."""
    annotation = info.annotation
    if _admits(annotation, bool) and not isinstance(value, bool) and value is not None:
        raise ValueError(f"must be a boolean (true or false), not {shown(value)}")
    if isinstance(value, str) and _admits(annotation, str):
        limit = _max_length(info)
        if len(value) > limit:
            raise ValueError(f"must be at most {limit} characters (got {len(value)})")
        if _CONTROL.search(value):
            raise ValueError(f"must be one line without control characters, not {shown(value)}")
    return value


def integer_id(value: Any) -> Any:
    """Normalize an id given as an int, an integral float (the engine sends numbers as floats)
    or a string of ASCII digits to an int; anything else is refused with a message saying why."""
    if isinstance(value, bool):
        raise ValueError("must be an integer id, not a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueError(f"must be an integer id, not {shown(value)}")
    if isinstance(value, str):
        if ASCII_DIGITS.fullmatch(value):
            return int(value)
        raise ValueError(f"must be an integer id (digits 0-9 only), not {shown(value)}")
    raise ValueError(f"must be an integer id, not a {type(value).__name__}")


IntegerId = Annotated[int, BeforeValidator(integer_id), Field(gt=0)]
"""A positive integer id, normalized from int, integral float or ASCII digit string."""


def seconds(value: Any) -> Any:
    """A duration: a finite number, or a string of ASCII digits; never a boolean."""
    if isinstance(value, bool):
        raise ValueError("must be a number of seconds, not a boolean")
    if isinstance(value, str):
        if ASCII_DIGITS.fullmatch(value):
            return float(value)
        raise ValueError(f"must be a number of seconds, not {shown(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"must be a finite number of seconds, not {value}")
    return value


Seconds = Annotated[float, BeforeValidator(seconds), Field(gt=0)]
"""A positive, finite number of seconds."""


def path_segment(value: str) -> str:
    """A name that goes into a URL path or an id: non-empty, without ``/``, neither ``.`` nor
    ``..`` (they would climb the path) and not starting with ``-`` (an option to a tool)."""
    if not value or "/" in value:
        raise ValueError("must be a non-empty name without '/'")
    if value in (".", ".."):
        raise ValueError(f"must be a name, not {value!r} (a path step)")
    if value.startswith("-"):
        raise ValueError("must not start with '-'")
    return value


PathSegment = Annotated[str, AfterValidator(path_segment)]
"""A name that becomes one segment of a URL path (service, partition, database, snapshot)."""
