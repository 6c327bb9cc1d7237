"""A throw-away dynamic resource over a JSON file, used to prove the engine harness.

The "API" is a JSON file whose path comes from stack config `throwaway:store`, else from the
environment variable THROWAWAY_STORE. Tests edit that file between runs (`Store.drift`,
`Store.forget`) to create drift and out-of-band deletion. The module is imported by
reference in the provider host (tests/ is on its PYTHONPATH), so `__provider` stays small.

`Item` replaces on a `group` change (delete-before-replace when `exclusive` is true),
updates in place on any other input change, refuses `value="explode"` at create, cannot be
read once its stored value is "unreadable", and makes
`rendezvous=n` creates and deletes wait for n of them to run at once (to observe parallelism).
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    ResourceProvider,
    UpdateResult,
)
from pulumi.output import Unknown

STORE_ENV = "THROWAWAY_STORE"
TOKEN = "tok-7f3a9c"
"""The secret stack config `throwaway:token` of the harness tests."""
INPUT_KEYS = ("value", "size", "group", "secret", "tag", "exclusive")
_LOCK = threading.Lock()
_BARRIERS: dict[int, threading.Barrier] = {}
_CONFIG: dict[str, Any] = {}


class Store:
    """The JSON file standing in for a remote API: items by id plus a call log."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    def _load(self) -> dict[str, Any]:
        if not self.path.exists():
            return {"next": 1, "items": {}, "log": []}
        data: dict[str, Any] = json.loads(self.path.read_text())
        return data

    def _save(self, data: dict[str, Any]) -> None:
        self.path.write_text(json.dumps(data, indent=2, sort_keys=True))

    def add(self, record: dict[str, Any]) -> str:
        with _LOCK:
            data = self._load()
            item_id = f"item-{data['next']}"
            data["next"] += 1
            data["items"][item_id] = record
            data["log"].append(["create", item_id])
            self._save(data)
            return item_id

    def get(self, item_id: str) -> dict[str, Any] | None:
        with _LOCK:
            record: dict[str, Any] | None = self._load()["items"].get(item_id)
            return record

    def put(self, item_id: str, record: dict[str, Any], op: str = "update") -> None:
        with _LOCK:
            data = self._load()
            data["items"][item_id] = record
            data["log"].append([op, item_id])
            self._save(data)

    def remove(self, item_id: str) -> None:
        with _LOCK:
            data = self._load()
            data["items"].pop(item_id, None)
            data["log"].append(["delete", item_id])
            self._save(data)

    def items(self) -> dict[str, dict[str, Any]]:
        items: dict[str, dict[str, Any]] = self._load()["items"]
        return items

    def log(self) -> list[list[str]]:
        log: list[list[str]] = self._load()["log"]
        return log

    def drift(self, item_id: str, **fields: Any) -> None:
        """Change an item behind the engine's back."""
        record = self.get(item_id)
        assert record is not None, item_id
        self.put(item_id, {**record, **fields}, op="drift")

    def forget(self, item_id: str) -> None:
        """Delete an item behind the engine's back."""
        self.remove(item_id)


def _store() -> Store:
    return Store(_CONFIG.get("throwaway:store") or os.environ[STORE_ENV])


def _barrier(parties: int) -> threading.Barrier:
    with _LOCK:
        return _BARRIERS.setdefault(parties, threading.Barrier(parties, timeout=30))


def _record(props: dict[str, Any], revision: float) -> dict[str, Any]:
    """What the "API" stores: the inputs, plus what the provider saw of them."""
    record = {k: props[k] for k in INPUT_KEYS if k in props}
    record["revision"] = revision
    record["seen_keys"] = sorted(props)
    record["size_type"] = type(props.get("size")).__name__
    return record


def _outputs(item_id: str, record: dict[str, Any]) -> dict[str, Any]:
    token = _CONFIG.get("throwaway:token")
    return {
        **record,
        "item_id": item_id,
        "label": _CONFIG.get("throwaway:label"),
        "password": f"pw-{item_id}-sesame",
        "token_length": len(token) if token else 0,
    }


class ItemProvider(ResourceProvider):
    """CRUD over the JSON store; every call is synchronous and thread-safe."""

    def configure(self, req: ConfigureRequest) -> None:
        _CONFIG.update(req.config._props)

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        failures = []
        value = news.get("value")
        if not isinstance(value, Unknown) and not (isinstance(value, str) and value):
            failures.append(CheckFailure("value", "must be a non-empty string"))
        size = news.get("size", 1)
        if not isinstance(size, Unknown) and size < 1:
            failures.append(CheckFailure("size", "must be at least 1"))
        return CheckResult({**news, "size": size}, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [k for k in INPUT_KEYS if olds.get(k) != news.get(k)]
        replaces = [k for k in changed if k == "group"]
        return DiffResult(
            changes=bool(changed),
            replaces=replaces,
            delete_before_replace=bool(news.get("exclusive")),
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        if props.get("value") == "explode":
            raise RuntimeError("create refused: value 'explode'")
        if props.get("rendezvous"):
            _barrier(int(props["rendezvous"])).wait()
        record = _record(props, 1)
        item_id = _store().add(record)
        return CreateResult(item_id, _outputs(item_id, record))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        record = _store().get(id_)
        if record is None:
            return ReadResult("", {})
        if record.get("value") == "unreadable":
            raise RuntimeError(f"read refused: item {id_} is unreadable")
        inputs = {k: record[k] for k in INPUT_KEYS if k in record}
        return ReadResult(id_, _outputs(id_, record), inputs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        store = _store()
        record = store.get(id_)
        if record is None:
            raise RuntimeError(f"item {id_} not found")
        record = _record(news, olds.get("revision", 0) + 1)
        record["olds_had_provider"] = "__provider" in olds
        store.put(id_, record)
        return UpdateResult(_outputs(id_, record))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        if props.get("rendezvous"):
            _barrier(int(props["rendezvous"])).wait()
        _store().remove(id_)


class Item(Resource, module="throwaway", name="Item"):
    """A stored item; `password` is a secret output."""

    item_id: pulumi.Output[str]
    value: pulumi.Output[str]
    revision: pulumi.Output[float]
    label: pulumi.Output[str | None]
    password: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        value: pulumi.Input[str],
        size: pulumi.Input[int] | None = None,
        group: pulumi.Input[str] | None = None,
        secret: pulumi.Input[str] | None = None,
        tag: pulumi.Input[str] | None = None,
        exclusive: bool | None = None,
        rendezvous: int | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        secret_outputs = pulumi.ResourceOptions(additional_secret_outputs=["password"])
        props = {
            "value": value,
            "size": size,
            "group": group,
            "secret": secret,
            "tag": tag,
            "exclusive": exclusive,
            "rendezvous": rendezvous,
            "item_id": None,
            "revision": None,
            "label": None,
            "password": None,
        }
        merged = pulumi.ResourceOptions.merge(secret_outputs, opts)
        super().__init__(ItemProvider(), resource_name, props, merged)
