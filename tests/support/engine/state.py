"""The checkpoint kept between engine runs: one JSON file, secrets never in plaintext.

Layout (a small cousin of a Pulumi checkpoint)::

    {"version": 1, "project": "...", "stack": "...",
     "default_provider": {"urn": "...", "inputs": {"ovh:endpoint": "...", ...}},
     "resources": [
        {"urn": "...", "type": "...", "id": "...", "inputs": {...}, "outputs": {...},
         "secret_outputs": ["password"], "dependencies": ["urn..."],
         "property_dependencies": {"input": ["urn..."]}, "parent": "",
         "protect": false, "retain_on_delete": false, "delete_before_replace": null,
         "additional_secret_outputs": [], "ignore_changes": [], "pending_delete": false}],
     "pending_operations": [{"type": "creating", "resource": {...}}]}

`default_provider` is the state of the dynamic resources' default provider
(`pulumi:providers:pulumi-python::default`): its inputs are the stack config of the last `up`,
which is what the engine configures the provider with on `refresh` and `destroy`.
`pending_operations` are creates the engine started and never saw finish (it was killed).

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
    """One resource as the engine remembers it (values in wire form, secrets wrapped).

    `dependencies` lists every resource it depends on; `property_dependencies` maps each
    input to the resources its value came from (what dependent replacements look at).
    """

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
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)

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


@dataclass
class PendingOperation:
    """An operation the engine began and never saw end: for a create ("creating"), the
    resource's URN, type and the inputs it sent, no id and no outputs."""

    type: str
    resource: ResourceState


@dataclass
class Checkpoint:
    """Everything the state file holds."""

    resources: list[ResourceState] = field(default_factory=list)
    pending: list[PendingOperation] = field(default_factory=list)
    provider_inputs: Props | None = None
    """The default provider's stored inputs (the stack config of the last `up`), or None when
    the stack has no default provider yet."""


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


def _resource_from(raw: dict[str, Any]) -> ResourceState:
    raw = dict(raw)
    raw.pop("secret_outputs", None)
    raw["inputs"] = _unseal(raw["inputs"])
    raw["outputs"] = _unseal(raw["outputs"])
    return ResourceState(**raw)


def _record_of(res: ResourceState) -> dict[str, Any]:
    record = asdict(res)
    record["inputs"] = _seal(res.inputs)
    record["outputs"] = _seal(res.outputs)
    record["secret_outputs"] = res.secret_outputs
    return record


def load_checkpoint(path: Path) -> Checkpoint:
    """Read the whole checkpoint at `path`; a missing file is an empty stack."""
    if not path.exists():
        return Checkpoint()
    document = json.loads(path.read_text())
    provider = document.get("default_provider")
    return Checkpoint(
        resources=[_resource_from(raw) for raw in document.get("resources", [])],
        pending=[
            PendingOperation(op["type"], _resource_from(op["resource"]))
            for op in document.get("pending_operations", [])
        ],
        provider_inputs=_unseal(provider["inputs"]) if provider else None,
    )


def save_checkpoint(path: Path, checkpoint: Checkpoint, project: str, stack: str) -> None:
    """Write the checkpoint atomically, resources in dependency order, secrets sealed."""
    document: dict[str, Any] = {
        "version": 1,
        "project": project,
        "stack": stack,
        "resources": [_record_of(r) for r in dependency_order(checkpoint.resources)],
    }
    if checkpoint.pending:
        document["pending_operations"] = [
            {"type": op.type, "resource": _record_of(op.resource)} for op in checkpoint.pending
        ]
    if checkpoint.provider_inputs is not None:
        urn = f"urn:pulumi:{stack}::{project}::pulumi:providers:pulumi-python::default"
        document["default_provider"] = {"urn": urn, "inputs": _seal(checkpoint.provider_inputs)}
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    tmp.replace(path)


def load_state(path: Path) -> list[ResourceState]:
    """The resources of the checkpoint at `path` (a missing file is an empty stack)."""
    return load_checkpoint(path).resources


def save_state(path: Path, resources: Iterable[ResourceState], project: str, stack: str) -> None:
    """Replace the checkpoint's resources, keeping its pending operations and provider."""
    checkpoint = load_checkpoint(path)
    checkpoint.resources = list(resources)
    save_checkpoint(path, checkpoint, project, stack)


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


def without(resources: list[ResourceState], dropped: list[ResourceState]) -> list[ResourceState]:
    """`resources` less `dropped`, with every reference to a URN no longer held removed.

    The engine's rebuildBaseState (pkg/resource/deploy/deployment_executor.go) does this after
    a refresh dropped resources: dependency lists, property dependencies and parents that name
    a dropped URN lose it, so the checkpoint never refers to a resource it no longer holds.
    """
    kept = [r for r in resources if not any(r is d for d in dropped)]
    gone = {d.urn for d in dropped} - {r.urn for r in kept}
    return [
        r.copy(
            dependencies=[d for d in r.dependencies if d not in gone],
            property_dependencies={
                k: [d for d in urns if d not in gone] for k, urns in r.property_dependencies.items()
            },
            parent="" if r.parent in gone else r.parent,
        )
        for r in kept
    ]
