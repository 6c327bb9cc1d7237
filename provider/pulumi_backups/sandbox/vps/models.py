"""VPS panel backups and servers: state and rules, no HTTP.

A backup starts `in_progress` and becomes `completed` (with `size_mb`) once the operation's
time is over, or `failed` with a "fail" outcome; a restore puts its server in `restoring`
and back to `running` (`error` on a "fail" outcome); "hang" never ends. Every request first
settles what has ended (:func:`settle`, :mod:`..progress`).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ..context import SandboxContext
from ..progress import KEY, Doc, Effect, Operation, schedule, settled_transaction
from ..progress import settle as settle_operations
from ..settings import VPS_SERVER_ID
from .exceptions import not_found, validation

BACKUP = "vps:backup"
SERVER = "vps:server"
SERVER_ID = VPS_SERVER_ID
FIELDS = (
    "id", "server", "backup_type", "status", "size_mb", "created_at", "expires_at", "description",
)  # fmt: skip
CREATE_MESSAGE = "Backup is being created. This may take several minutes depending on server size."
RESTORE_MESSAGE = "Server restore has been started. This may take several minutes."
_FIRST_BACKUP_ID = 500


def timestamp(epoch: float) -> str:
    """A date as the panel writes it: UTC, whole seconds, `Z`."""
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def public(doc: dict[str, Any]) -> dict[str, Any]:
    """The backup as the API lists it (private keys dropped)."""
    return {key: doc.get(key) for key in FIELDS}


def public_server(doc: dict[str, Any]) -> dict[str, Any]:
    return {"id": doc["id"], "name": doc["name"], "status": doc["status"]}


def seed(ctx: SandboxContext) -> None:
    """The seeded server 12345 `web-server-01`, running, without backups."""
    server = {"id": SERVER_ID, "name": "web-server-01", "status": "running", KEY: None}
    ctx.store.put(SERVER, str(SERVER_ID), server)


def _backup_done(ctx: SandboxContext, doc: Doc, progress: Operation) -> None:
    size = None if progress.failed else 4000 + (doc["id"] * 37) % 1000
    status = "failed" if progress.failed else "completed"
    ctx.store.put(BACKUP, str(doc["id"]), {**doc, KEY: None, "status": status, "size_mb": size})


def _restore_done(ctx: SandboxContext, doc: Doc, progress: Operation) -> None:
    status = "error" if progress.failed else "running"
    ctx.store.put(SERVER, str(doc["id"]), {**doc, KEY: None, "status": status})


EFFECTS: dict[str, Effect] = {
    "vps:backup/create": _backup_done,
    "vps:server/restore": _restore_done,
}


def settle(ctx: SandboxContext, now: float) -> None:
    """Apply what time has done by `now`: the backups and restores that have ended."""
    settle_operations(ctx, now, EFFECTS)


class VpsBackend:
    """Servers and backups of the emulated panel, kept in the sandbox store."""

    def __init__(self, ctx: SandboxContext) -> None:
        self.ctx = ctx
        self.store = ctx.store

    def _server(self, server_id: int) -> dict[str, Any]:
        found = self.store.get(SERVER, str(server_id))
        if found is None:
            raise not_found()
        return found

    def server(self, server_id: int) -> dict[str, Any]:
        """The server as of now, or 404."""
        with settled_transaction(self.ctx, settle):
            return self._server(server_id)

    def list(self, server_id: int | None, backup_type: str | None) -> list[dict[str, Any]]:
        """Backups as of now, newest first, filtered by server and type."""
        with settled_transaction(self.ctx, settle):
            docs = self.store.list(BACKUP)
        found = [
            doc
            for doc in docs
            if server_id in (None, doc["server"]["id"])
            and backup_type in (None, doc["backup_type"])
        ]
        return sorted(found, key=lambda doc: int(doc["id"]), reverse=True)

    def create(self, server_id: int, description: str) -> dict[str, Any]:
        """A new manual backup, `in_progress`; 404 for an unknown server."""
        with settled_transaction(self.ctx, settle) as now:
            server = self._server(server_id)
            backup_id = _FIRST_BACKUP_ID + self.store.next_id(BACKUP)
            doc = {
                "id": backup_id,
                "server": {"id": server["id"], "name": server["name"]},
                "backup_type": "manual",
                "status": "in_progress",
                "size_mb": None,
                "created_at": timestamp(now),
                "expires_at": None,
                "description": description,
            }
            progress = Operation.start(self.ctx, "vps:backup/create", now)
            return schedule(self.ctx, BACKUP, str(backup_id), doc, progress)

    def delete(self, backup_id: int) -> None:
        """Delete a backup for good; 404 when there is none."""
        if not self.store.delete(BACKUP, str(backup_id)):
            raise not_found()

    def restore(self, server_id: int, backup_id: int) -> dict[str, Any]:
        """Start restoring a completed backup of this server: the server goes `restoring`."""
        with settled_transaction(self.ctx, settle) as now:
            server = self._server(server_id)
            backup = self.store.get(BACKUP, str(backup_id))
            if backup is None or backup["server"]["id"] != server_id:
                raise validation(
                    {"backup_id": [f'Invalid pk "{backup_id}" - object does not exist.']}
                )
            if backup["status"] != "completed":
                raise validation({"backup_id": ["This backup is not completed."]})
            if server["status"] == "restoring":
                raise validation({"non_field_errors": ["This server is already being restored."]})
            progress = Operation.start(self.ctx, "vps:server/restore", now)
            schedule(self.ctx, SERVER, str(server_id), {**server, "status": "restoring"}, progress)
        return {
            "status": "restoring",
            "server_id": server_id,
            "backup_id": backup_id,
            "message": RESTORE_MESSAGE,
        }
