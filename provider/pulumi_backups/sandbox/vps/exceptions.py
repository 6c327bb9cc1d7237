"""VPS panel error shapes: Django REST framework's.

Errors are `{"detail": "..."}` (authentication, not found, throttling, failures) or, for
invalid input, one list of messages per field: `{"server_id": ["A valid integer is
required."]}`. `standard_error` is the answer to a status no handler chose.
"""

from __future__ import annotations

from typing import Any


class VpsError(Exception):
    """An error the emulated API answers with: `status`, JSON `body` and extra `headers`."""

    def __init__(
        self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(str(body))
        self.status = status
        self.body = body
        self.headers = headers or {}


def not_authenticated() -> VpsError:
    """401: no `Authorization` header."""
    return VpsError(
        401,
        {"detail": "Authentication credentials were not provided."},
        {"WWW-Authenticate": 'Bearer realm="api"'},
    )


def invalid_token() -> VpsError:
    """401: a bearer token the panel does not know."""
    return VpsError(401, {"detail": "Invalid token."}, {"WWW-Authenticate": 'Bearer realm="api"'})


def not_found() -> VpsError:
    """404: the server or backup does not exist."""
    return VpsError(404, {"detail": "Not found."})


def invalid_page() -> VpsError:
    """404: a `page` past the end or not a number (DRF's paginator)."""
    return VpsError(404, {"detail": "Invalid page."})


def validation(errors: dict[str, list[str]]) -> VpsError:
    """400: field errors, one list of messages per field."""
    return VpsError(400, dict(errors))


def parse_error(reason: str) -> VpsError:
    """400: a body that is not JSON."""
    return VpsError(400, {"detail": f"JSON parse error - {reason}"})


_STANDARD: dict[int, str] = {
    403: "You do not have permission to perform this action.",
    429: "Request was throttled.",
    500: "A server error occurred.",
    503: "Service temporarily unavailable, try again later.",
}


def standard_error(status: int, method: str) -> VpsError:
    """DRF's error for a `status` no handler chose: a route the panel does not serve (404),
    a method it does not serve there (405), 403, 429, 503; any other status is a 500."""
    if status == 404:
        return not_found()
    if status == 405:
        return VpsError(405, {"detail": f'Method "{method}" not allowed.'})
    if status not in _STANDARD:
        status = 500
    return VpsError(status, {"detail": _STANDARD[status]})
