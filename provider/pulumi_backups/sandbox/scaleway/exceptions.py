"""Scaleway API error shapes: the common shapes Scaleway's APIs write. The recorded
`error_*.json` bodies that show them come from other Scaleway APIs (vpc-gw, key-manager,
iam...), not from RDB: which status RDB answers in which case is this emulator's choice.

Every error is `{"message": ..., "type": ..., ...}` with type-specific keys; the gateway's
429 has an empty body (sent by the fault middleware, not from here). The HTTP layer turns a
`ScalewayError` into its response once.
"""

from __future__ import annotations

from typing import Any


class ScalewayError(Exception):
    """An error the emulated API answers with: `status` and the JSON `body()`."""

    status = 400

    def __init__(self, fields: dict[str, Any]) -> None:
        super().__init__(fields.get("message", ""))
        self.fields = fields

    def body(self) -> dict[str, Any]:
        """The error document, keys sorted like the recorded (non-RDB) bodies."""
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
