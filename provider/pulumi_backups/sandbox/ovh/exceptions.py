"""OVHcloud API v1 error shapes, as the real API writes them.

Two families exist:

* business errors: ``{"class": "Client::NotFound", "message": "..."}`` with 400, 403, 404,
  409 (python-ovh maps them by status: BadParametersError, ResourceNotFoundError,
  ResourceConflictError);
* authentication errors: ``{"errorCode": "INVALID_SIGNATURE", "httpCode": "400 Bad Request",
  "message": "Invalid signature"}`` (python-ovh maps 403 by ``errorCode``: InvalidKey,
  InvalidCredential).

Every error is an :class:`OvhError`; the HTTP layer turns it into a response once.
"""

from __future__ import annotations

from typing import Any

_REASONS = {400: "Bad Request", 403: "Forbidden", 404: "Not Found", 409: "Conflict"}


class OvhError(Exception):
    """An error the emulated API answers with: ``status`` and the JSON ``body``."""

    status = 400

    def body(self) -> dict[str, Any]:
        """The JSON document the real API sends for this error."""
        raise NotImplementedError


class ClientError(OvhError):
    """A business error: ``{"class": ..., "message": ...}``."""

    error_class = "Client::BadRequest"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def body(self) -> dict[str, Any]:
        return {"class": self.error_class, "message": self.message}


class BadRequest(ClientError):
    """400: a parameter is missing or invalid."""

    status = 400
    error_class = "Client::BadRequest"


class Forbidden(ClientError):
    """403: the action is not allowed on this object."""

    status = 403
    error_class = "Client::Forbidden"


class NotFound(ClientError):
    """404: the object (or the route) does not exist."""

    status = 404
    error_class = "Client::NotFound"


class Conflict(ClientError):
    """409: the object already exists or is busy."""

    status = 409
    error_class = "Client::Conflict"


def object_not_found(field: str, value: object) -> NotFound:
    """The real API's wording for a missing object named by one path parameter."""
    return NotFound(f"The requested object ({field} = {value}) does not exist")


def existing(doc: dict[str, Any] | None, field: str, value: object) -> dict[str, Any]:
    """``doc`` as looked up by the path parameter ``field``; the API's 404 when it is None."""
    if doc is None:
        raise object_not_found(field, value)
    return doc


class AuthError(OvhError):
    """A request refused before routing: ``{"errorCode", "httpCode", "message"}``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> dict[str, Any]:
        http_code = f"{self.status} {_REASONS.get(self.status, '')}".strip()
        return {"errorCode": self.code, "httpCode": http_code, "message": self.message}


def invalid_key() -> AuthError:
    """Unknown or missing ``X-Ovh-Application``."""
    return AuthError(403, "INVALID_KEY", "This application key is invalid")


def invalid_credential() -> AuthError:
    """Unknown or missing ``X-Ovh-Consumer``."""
    return AuthError(403, "INVALID_CREDENTIAL", "This credential is not valid")


def invalid_signature() -> AuthError:
    """``X-Ovh-Signature`` missing or not computed with the application secret."""
    return AuthError(400, "INVALID_SIGNATURE", "Invalid signature")


def query_time_out() -> AuthError:
    """``X-Ovh-Timestamp`` missing, malformed or too far from the server's clock."""
    return AuthError(400, "QUERY_TIME_OUT", "Query out of time")
