"""VPS panel backups and servers: state and rules, no HTTP.

A backup starts `in_progress` and becomes `completed` (with `size_mb`) once the operation's
time is over, or `failed` with a "fail" outcome; a restore puts its server in `restoring`
and back to `running` (`error` on a "fail" outcome). Progress is applied lazily, on the
next read at or after the operation's end (moto style); "hang" never ends.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ..context import SandboxContext
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
    server = {"id": SERVER_ID, "name": "web-server-01", "status": "running", "_op": None}
    ctx.store.put(SERVER, str(SERVER_ID), server)


def _finish(doc: dict[str, Any], op: dict[str, Any]) -> dict[str, Any]:
    """The backup or server once operation `op` is over."""
    failed = op["outcome"] == "fail"
    if op["name"] == "restore":
        return {**doc, "_op": None, "status": "error" if failed else "running"}
    size = None if failed else 4000 + (doc["id"] * 37) % 1000
    return {**doc, "_op": None, "status": "failed" if failed else "completed", "size_mb": size}


class VpsBackend:
    """Servers and backups of the emulated panel, kept in the sandbox store."""

    def __init__(self, ctx: SandboxContext) -> None:
        self.ctx = ctx
        self.store = ctx.store

    def _settled(self, kind: str, doc: dict[str, Any] | None) -> dict[str, Any] | None:
        op = doc and doc.get("_op")
        if not doc or not op or op["outcome"] == "hang" or self.ctx.clock() < op["done_at"]:
            return doc
        doc = _finish(doc, op)
        self.store.put(kind, str(doc["id"]), doc)
        return doc

    def _op(self, name: str, operation: str, **extra: Any) -> dict[str, Any]:
        now = self.ctx.clock()
        done_at = now + self.ctx.settings.task_seconds
        outcome = self.ctx.take_outcome(operation)
        return {"name": name, "started": now, "done_at": done_at, "outcome": outcome, **extra}

    def server(self, server_id: int) -> dict[str, Any]:
        """The server as of now, or 404."""
        with self.store.transaction():
            found = self._settled(SERVER, self.store.get(SERVER, str(server_id)))
        if found is None:
            raise not_found()
        return found

    def list(self, server_id: int | None, backup_type: str | None) -> list[dict[str, Any]]:
        """Backups as of now, newest first, filtered by server and type."""
        with self.store.transaction():
            docs = [self._settled(BACKUP, doc) for doc in self.store.list(BACKUP)]
        found = [
            doc
            for doc in docs
            if doc
            and server_id in (None, doc["server"]["id"])
            and backup_type in (None, doc["backup_type"])
        ]
        return sorted(found, key=lambda doc: int(doc["id"]), reverse=True)

    def create(self, server_id: int, description: str) -> dict[str, Any]:
        """A new manual backup, `in_progress`; 404 for an unknown server."""
        with self.store.transaction():
            server = self.server(server_id)
            backup_id = _FIRST_BACKUP_ID + self.store.next_id(BACKUP)
            doc = {
                "id": backup_id,
                "server": {"id": server["id"], "name": server["name"]},
                "backup_type": "manual",
                "status": "in_progress",
                "size_mb": None,
                "created_at": timestamp(self.ctx.clock()),
                "expires_at": None,
                "description": description,
                "_op": self._op("create", "vps:backup/create"),
            }
            self.store.put(BACKUP, str(backup_id), doc)
            return doc

    def delete(self, backup_id: int) -> None:
        """Delete a backup for good; 404 when there is none."""
        if not self.store.delete(BACKUP, str(backup_id)):
            raise not_found()

    def restore(self, server_id: int, backup_id: int) -> dict[str, Any]:
        """Start restoring a completed backup of this server: the server goes `restoring`."""
        with self.store.transaction():
            server = self.server(server_id)
            backup = self._settled(BACKUP, self.store.get(BACKUP, str(backup_id)))
            if backup is None or backup["server"]["id"] != server_id:
                raise validation(
                    {"backup_id": [f'Invalid pk "{backup_id}" - object does not exist.']}
                )
            if backup["status"] != "completed":
                raise validation({"backup_id": ["This backup is not completed."]})
            if server["status"] == "restoring":
                raise validation({"non_field_errors": ["This server is already being restored."]})
            op = self._op("restore", "vps:server/restore", backup_id=backup_id)
            server = {**server, "status": "restoring", "_op": op}
            self.store.put(SERVER, str(server_id), server)
        return {
            "status": "restoring",
            "server_id": server_id,
            "backup_id": backup_id,
            "message": RESTORE_MESSAGE,
        }
