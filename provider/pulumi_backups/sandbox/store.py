"""SQLite-backed JSON document store shared by every emulated API.

Documents are JSON objects filed under a kind (e.g. "scaleway:backup") and a key. One
connection serves every thread, guarded by a re-entrant lock: every call is atomic, and
`transaction()` holds the lock (and one SQLite transaction) across a read-modify-write so
concurrent requests never lose an update. A file-backed store uses WAL and survives restarts.
"""

from __future__ import annotations

import builtins
import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (kind, key)
);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


class Store:
    """Thread-safe JSON document store; `path=None` keeps everything in memory."""

    def __init__(self, path: str | None = None) -> None:
        self._lock = threading.RLock()
        self._depth = 0
        self._conn = sqlite3.connect(
            path or ":memory:", check_same_thread=False, isolation_level=None
        )
        if path:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(_SCHEMA)

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """Serialize a read-modify-write: other threads wait; nested use is allowed."""
        with self._lock:
            outermost = self._depth == 0
            if outermost:
                self._conn.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield self
            except BaseException:
                self._depth -= 1
                if outermost:
                    self._conn.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outermost:
                self._conn.execute("COMMIT")

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        """The document filed under (kind, key), or None."""
        with self._lock:
            row = self._conn.execute(
                "SELECT doc FROM docs WHERE kind = ? AND key = ?", (kind, key)
            ).fetchone()
        return None if row is None else _load(row[0])

    def put(self, kind: str, key: str, doc: dict[str, Any]) -> None:
        """Create or replace a document; a replaced document keeps its list position."""
        text = json.dumps(doc, separators=(",", ":"))
        with self._lock:
            self._conn.execute(
                "INSERT INTO docs (kind, key, doc) VALUES (?, ?, ?) "
                "ON CONFLICT (kind, key) DO UPDATE SET doc = excluded.doc",
                (kind, key, text),
            )

    def delete(self, kind: str, key: str) -> bool:
        """Remove a document; False when there was none."""
        with self._lock:
            cursor = self._conn.execute("DELETE FROM docs WHERE kind = ? AND key = ?", (kind, key))
        return cursor.rowcount > 0

    def list(self, kind: str) -> list[dict[str, Any]]:
        """Every document of a kind, in insertion order."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT doc FROM docs WHERE kind = ? ORDER BY seq", (kind,)
            ).fetchall()
        return [_load(row[0]) for row in rows]

    def items(self) -> builtins.list[tuple[str, str, dict[str, Any]]]:
        """Every (kind, key, document), in insertion order."""
        with self._lock:
            rows = self._conn.execute("SELECT kind, key, doc FROM docs ORDER BY seq").fetchall()
        return [(kind, key, _load(doc)) for kind, key, doc in rows]

    def next_id(self, counter: str) -> int:
        """The next value of a named counter: 1, 2, 3, ... (restarts at 1 after reset)."""
        with self._lock:
            row = self._conn.execute(
                "INSERT INTO counters (name, value) VALUES (?, 1) "
                "ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
                (counter,),
            ).fetchone()
        return int(row[0])

    def reset(self) -> None:
        """Wipe every document and counter."""
        with self.transaction():
            self._conn.execute("DELETE FROM docs")
            self._conn.execute("DELETE FROM counters")

    def close(self) -> None:
        """Close the connection (the store is unusable afterwards)."""
        with self._lock:
            self._conn.close()


def _load(text: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(text)
    return doc
