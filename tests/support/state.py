"""The checkpoint kept between engine runs: one JSON file, secrets never in plaintext.

Layout (a small cousin of a Pulumi checkpoint)::

    {"version": 1, "project": "...", "stack": "...", "resources": [
        {"urn": "...", "type": "...", "id": "...", "inputs": {...}, "outputs": {...},
         "secret_outputs": ["password"], "dependencies": ["urn..."], "parent": "",
         "protect": false, "retain_on_delete": false, "delete_before_replace": null,
         "additional_secret_outputs": [], "ignore_changes": [], "pending_delete": false}]}

Resources are listed in dependency order (a resource after everything it depends on). A
secret value is stored as `{SIG: SECRET_SIG, "ciphertext": base64(marker + JSON)}`, so that
grepping the file for a secret's plaintext finds nothing, as with the engine's encrypted
checkpoints.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from .values import SECRET_SIG, SIG, Props, is_secret, reveal, secret

_MARKER = "pulumi-backups-test-secret:"


@dataclass
class ResourceState:
    """One resource as the engine remembers it (values in wire form, secrets wrapped)."""

    urn: str
    type: str
    id: str
    inputs: Props
    outputs: Props
    dependencies: list[str] = field(default_factory=list)
    parent: str = ""
    protect: bool = False
    retain_on_delete: bool = False
    delete_before_replace: bool | None = None
    additional_secret_outputs: list[str] = field(default_factory=list)
    ignore_changes: list[str] = field(default_factory=list)
    pending_delete: bool = False

    @property
    def name(self) -> str:
        """The resource's logical name (last URN segment)."""
        return self.urn.split("::")[-1]

    @property
    def secret_outputs(self) -> list[str]:
        """Top-level output keys held as secrets."""
        return sorted(k for k, v in self.outputs.items() if is_secret(v))

    def plain_outputs(self) -> Props:
        """Outputs with secrets revealed (for assertions)."""
        return dict(reveal(self.outputs))

    def plain_inputs(self) -> Props:
        """Inputs with secrets revealed (for assertions)."""
        return dict(reveal(self.inputs))

    def copy(self, **changes: Any) -> ResourceState:
        """A shallow copy with `changes` applied."""
        return replace(self, **changes)


def _seal(value: Any) -> Any:
    if is_secret(value):
        text = _MARKER + json.dumps(reveal(value["value"]), sort_keys=True)
        return {SIG: SECRET_SIG, "ciphertext": base64.b64encode(text.encode()).decode()}
    if isinstance(value, dict):
        return {k: _seal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_seal(v) for v in value]
    return value


def _unseal(value: Any) -> Any:
    if isinstance(value, dict) and value.get(SIG) == SECRET_SIG and "ciphertext" in value:
        text = base64.b64decode(value["ciphertext"]).decode()
        if not text.startswith(_MARKER):
            raise ValueError("state file holds a ciphertext this harness did not write")
        return secret(json.loads(text[len(_MARKER) :]))
    if isinstance(value, dict):
        return {k: _unseal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unseal(v) for v in value]
    return value


def load_state(path: Path) -> list[ResourceState]:
    """Read the checkpoint at `path`; a missing file is an empty stack."""
    if not path.exists():
        return []
    document = json.loads(path.read_text())
    resources = []
    for raw in document.get("resources", []):
        raw = dict(raw)
        raw.pop("secret_outputs", None)
        raw["inputs"] = _unseal(raw["inputs"])
        raw["outputs"] = _unseal(raw["outputs"])
        resources.append(ResourceState(**raw))
    return resources


def save_state(path: Path, resources: Iterable[ResourceState], project: str, stack: str) -> None:
    """Write the checkpoint atomically, in dependency order, secrets sealed."""
    records = []
    for res in dependency_order(list(resources)):
        record = asdict(res)
        record["inputs"] = _seal(res.inputs)
        record["outputs"] = _seal(res.outputs)
        record["secret_outputs"] = res.secret_outputs
        records.append(record)
    document = {"version": 1, "project": project, "stack": stack, "resources": records}
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    tmp.replace(path)


def dependency_order(resources: list[ResourceState]) -> list[ResourceState]:
    """Stable topological order: each resource after its parent and dependencies.

    Ties keep the given order, so an untouched stack keeps its file order.
    """
    by_urn: dict[str, list[int]] = {}
    for index, res in enumerate(resources):
        by_urn.setdefault(res.urn, []).append(index)
    placed: list[bool] = [False] * len(resources)
    ordered: list[ResourceState] = []

    def ready(res: ResourceState, index: int) -> bool:
        needs = [*res.dependencies, res.parent]
        return all(placed[i] or i == index for urn in needs for i in by_urn.get(urn, []))

    while len(ordered) < len(resources):
        candidates = [i for i, r in enumerate(resources) if not placed[i] and ready(r, i)]
        # A cycle cannot come from a program; if a hand-edited file has one, keep file order.
        pick = candidates[0] if candidates else placed.index(False)
        placed[pick] = True
        ordered.append(resources[pick])
    return ordered
