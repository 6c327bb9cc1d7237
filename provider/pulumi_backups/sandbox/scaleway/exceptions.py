"""Scaleway API error shapes: the common shapes Scaleway's APIs write. The recorded
`error_*.json` bodies that show them come from other Scaleway APIs (vpc-gw, key-manager,
iam...), not from RDB: which status RDB answers in which case is this emulator's choice.

Every error is `{"message": ..., "type": ..., ...}` with type-specific keys, but for the
gateway's: a route it does not serve gets `{"message": "Not Found"}`, and its 429 has an empty
body. The HTTP layer turns a `ScalewayError` into its response once; `standard_error` is the
answer to a status no handler chose.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class ScalewayError(Exception):
    """An error the emulated API answers with: `status`, the JSON `body()`, extra `headers`."""

    status = 400
    headers: Mapping[str, str] = {}

    def __init__(self, fields: dict[str, Any], status: int | None = None) -> None:
        super().__init__(fields.get("message", ""))
        self.fields = fields
        if status is not None:
            self.status = status

    def body(self) -> dict[str, Any] | None:
        """The error document, keys sorted like the recorded (non-RDB) bodies; None: no body."""
        return dict(sorted(self.fields.items()))


class NotFound(ScalewayError):
    """404 not_found: `resource` (e.g. "database_backup", "instance") and `resource_id`."""

    status = 404

    def __init__(self, resource: str, resource_id: str) -> None:
        super().__init__(
            {
                "message": "resource is not found",
                "resource": resource,
                "resource_id": resource_id,
                "type": "not_found",
            }
        )


class TransientState(ScalewayError):
    """409 transient_state: the resource is busy in `current_state`."""

    status = 409

    def __init__(self, resource: str, resource_id: str, current_state: str) -> None:
        super().__init__(
            {
                "current_state": current_state,
                "message": "resource is in a transient state",
                "resource": resource,
                "resource_id": resource_id,
                "type": "transient_state",
            }
        )


class InvalidArguments(ScalewayError):
    """400 invalid_arguments: one detail per argument (reason "required" or "constraint")."""

    status = 400

    def __init__(self, argument_name: str, reason: str, help_message: str) -> None:
        detail = {"argument_name": argument_name, "help_message": help_message, "reason": reason}
        super().__init__(
            {"details": [detail], "message": "invalid argument(s)", "type": "invalid_arguments"}
        )


class PreconditionFailed(ScalewayError):
    """412 precondition_failed: `precondition` names the rule, `help_message` explains it."""

    status = 412

    def __init__(self, precondition: str, help_message: str) -> None:
        super().__init__(
            {
                "help_message": help_message,
                "message": "precondition is not respected",
                "precondition": precondition,
                "type": "precondition_failed",
            }
        )


class PermissionsDenied(ScalewayError):
    """403 permissions_denied: the key may not do `action` on `resource`."""

    status = 403

    def __init__(self, action: str, resource: str) -> None:
        super().__init__(
            {
                "details": [{"action": action, "resource": resource}],
                "message": "insufficient permissions",
                "type": "permissions_denied",
            }
        )


class DeniedAuthentication(ScalewayError):
    """401 denied_authentication: no X-Auth-Token, or one the API does not know."""

    status = 401

    def __init__(self) -> None:
        super().__init__(
            {
                "message": "authentication is denied",
                "method": "api_key",
                "reason": "not_found",
                "type": "denied_authentication",
            }
        )


class RateLimited(ScalewayError):
    """429 from the gateway: no body, no Content-Type, `X-Envoy-Ratelimited: true`."""

    status = 429
    headers = {"x-envoy-ratelimited": "true"}

    def __init__(self) -> None:
        super().__init__({})

    def body(self) -> dict[str, Any] | None:
        return None


_STANDARD: dict[int, dict[str, Any]] = {
    403: {"message": "insufficient permissions", "type": "permissions_denied"},
    404: {"message": "Not Found"},
    405: {"message": "Method Not Allowed"},
    500: {"message": "internal error", "type": "internal_error"},
    503: {"message": "service is unavailable", "type": "service_unavailable"},
}


def standard_error(status: int, method: str) -> ScalewayError:
    """The error for a `status` no handler chose: a route the gateway does not serve (404,
    405), 403, 429, 503; any other status is a 500."""
    if status == 429:
        return RateLimited()
    if status not in _STANDARD:
        status = 500
    return ScalewayError(dict(_STANDARD[status]), status)
