"""OVHcloud API v1 error shapes, as the real API writes them.

Two families exist:

* business errors: ``{"class": "Client::NotFound", "message": "..."}`` with 400, 403, 404,
  409 (python-ovh maps them by status: BadParametersError, ResourceNotFoundError,
  ResourceConflictError);
* authentication errors: ``{"errorCode": "INVALID_SIGNATURE", "httpCode": "400 Bad Request",
  "message": "Invalid signature"}`` (python-ovh maps 403 by ``errorCode``: InvalidKey,
  InvalidCredential).

Failures of the API itself use the first shape with a ``Server::`` class (500, 503); a
throttled call gets ``{"message": "Too many requests"}`` (429). :func:`standard_error` is the
answer to a status no handler chose.

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


class ClassedError(OvhError):
    """``{"class": ..., "message": ...}``: a business error (``Client::...``) or a failure of
    the API itself (``Server::...``)."""

    error_class = "Client::BadRequest"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def body(self) -> dict[str, Any]:
        return {"class": self.error_class, "message": self.message}


class BadRequest(ClassedError):
    """400: a parameter is missing or invalid."""

    status = 400
    error_class = "Client::BadRequest"


class NotFound(ClassedError):
    """404: the object (or the route) does not exist."""

    status = 404
    error_class = "Client::NotFound"


class MethodNotAllowed(ClassedError):
    """405: the route exists, not with this method."""

    status = 405
    error_class = "Client::MethodNotAllowed"


class Conflict(ClassedError):
    """409: the object already exists or is busy."""

    status = 409
    error_class = "Client::Conflict"


class ServerError(ClassedError):
    """A failure of the API itself: ``Server::...`` with a 5xx status."""

    def __init__(self, status: int, error_class: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error_class = error_class


class TooManyRequests(OvhError):
    """429: the caller is throttled; the body has a message only."""

    status = 429

    def body(self) -> dict[str, Any]:
        return {"message": "Too many requests"}


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


def standard_error(status: int, method: str) -> OvhError:
    """The error for a ``status`` no handler chose: a route the API does not serve (404),
    a method it does not serve there (405), 403, 429, 503; any other status is a 500."""
    if status == 403:
        return AuthError(403, "NOT_GRANTED_CALL", "This call has not been granted")
    if status == 404:
        return NotFound("Got an invalid (or empty) URL")
    if status == 405:
        return MethodNotAllowed(f"Method {method} not allowed")
    if status == 429:
        return TooManyRequests()
    if status == 503:
        return ServerError(503, "Server::ServiceUnavailable", "Service temporarily unavailable")
    return ServerError(500, "Server::InternalServerError", "Internal server error")
