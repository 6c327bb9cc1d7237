"""What a successful answer must be before anything believes it: well formed, and about the
object that was asked for.

Every client reads wire payloads through :func:`parsed` (a payload the model refuses, of any
depth or type, is an :class:`ApiError` naming the call and what was wrong, never a raw
``ValidationError`` / ``TypeError`` / ``RecursionError``), and checks each answer against its
request with :func:`same_object`: an answer about another object (another id, server,
instance, database, name) is an ApiError naming both, so that no state ever takes over an
object it did not make or ask for.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pydantic import ValidationError

from .errors import ApiError

T = TypeVar("T")
MALFORMED = "malformed answer"


def malformed(call: str, status: int, reason: str, request_id: str | None = None) -> ApiError:
    """The error for a successful answer that cannot be what ``call`` answers."""
    return ApiError(call, status, f"{MALFORMED}: {reason}", request_id=request_id)


def _reason(err: BaseException) -> str:
    if isinstance(err, ValidationError):
        first = err.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ())) or "body"
        more = f" (and {err.error_count() - 1} more)" if err.error_count() > 1 else ""
        return f"{where}: {first.get('msg', 'invalid')}{more}"
    if isinstance(err, RecursionError):
        return "nested too deeply"
    return str(err) or type(err).__name__


def parsed(
    call: str,
    build: Callable[[Any], T],
    data: Any,
    *,
    status: int = 200,
    request_id: str | None = None,
) -> T:
    """``build(data)``; a payload it refuses is an ApiError naming ``call`` and the first
    thing that was wrong (a missing body included: ``data`` None)."""
    if data is None:
        raise malformed(call, status, "no body", request_id)
    try:
        return build(data)
    except (
        ValidationError,
        TypeError,
        ValueError,
        KeyError,
        AttributeError,
        RecursionError,
    ) as err:
        raise malformed(call, status, _reason(err), request_id) from err


def same_object(
    call: str,
    what: str,
    asked: Mapping[str, object],
    answered: Mapping[str, object],
    *,
    request_id: str | None = None,
) -> None:
    """Raise when the answer names another object than the one asked for: each key of
    ``asked`` (id, server, instance, database, name) must have the same value in
    ``answered``. ``what`` names the object ("backup 42 of server 12345")."""
    wrong = {key: answered.get(key) for key, value in asked.items() if answered.get(key) != value}
    if not wrong:
        return
    said = ", ".join(f"{key} {value!r}" for key, value in wrong.items())
    expected = ", ".join(f"{key} {asked[key]!r}" for key in wrong)
    message = f"the answer is about another object ({said}) than {what} ({expected}): not used"
    raise ApiError(call, 200, message, request_id=request_id)
