"""Dependents of a delete-before-replace, as the engine decides and deletes them.

calculateDependentReplacements (pkg/resource/deploy/step_generator.go): walk the resources
that depend, transitively, on the one being replaced (in the last checkpoint's dependency
graph, leaving out those the program already registered in this run); for each whose inputs
came from a resource being replaced (its property dependencies), Diff it with those inputs
unknown (old inputs otherwise, unknowns allowed even outside a preview); those whose Diff
asks for a replacement join the set being replaced. continueStepsFromDiff then deletes them,
dependents first, before the resource itself; each is created again when the program
registers it (and is simply gone if it no longer does).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .results import ProtectedError
from .values import UNKNOWN, settle

if TYPE_CHECKING:
    from .deployment import Deployment
    from .state import ResourceState


def _depends_on(res: ResourceState, urns: set[str]) -> bool:
    """An edge of DependencyGraph.DependingOn: dependencies and property dependencies."""
    linked = [*res.dependencies, *(u for v in res.property_dependencies.values() for u in v)]
    return any(urn in urns for urn in linked)


def _requires_replacement(deployment: Deployment, res: ResourceState, replacing: set[str]) -> bool:
    unknown = {
        key
        for key, urns in res.property_dependencies.items()
        if key in res.inputs and any(urn in replacing for urn in urns)
    }
    if not unknown:
        return False  # nothing it was given can change: it stays
    news = {k: UNKNOWN if k in unknown else v for k, v in res.inputs.items()}
    diff = deployment.call(
        deployment.early_step(res),
        "Diff",
        res.urn,
        res.id,
        res.outputs,
        news,
        old_inputs=res.inputs,
        ignore_changes=res.ignore_changes,
        allow_unknowns=True,
    )
    return settle(diff.changes, res.inputs, news) != "none" and bool(diff.replaces)


def dependents_to_replace(deployment: Deployment, root: ResourceState) -> list[ResourceState]:
    """The dependents of `root` that must be replaced with it, in dependency order."""
    olds = deployment.state
    start = next((i for i, r in enumerate(olds) if r is root), len(olds))
    dependents, replacing = {root.urn}, {root.urn}
    chosen: list[ResourceState] = []
    for res in olds[start + 1 :]:
        if res.pending_delete or deployment.already_registered(res.urn):
            continue  # registered already, so it cannot depend on root any more
        if not _depends_on(res, dependents):
            continue
        dependents.add(res.urn)
        if _requires_replacement(deployment, res, replacing):
            replacing.add(res.urn)
            chosen.append(res)
    return chosen


def replace_dependents(deployment: Deployment, root: ResourceState) -> None:
    """Delete, dependents first, every dependent that must be replaced with `root` (in a
    preview, only plan it); refuse before deleting anything if one of them is protected."""
    chosen = dependents_to_replace(deployment, root)
    for res in chosen:
        if res.protect:
            raise ProtectedError(
                f"unable to replace {res.urn} as part of replacing {root.urn}: "
                "it is marked for protection"
            )
    for res in reversed(chosen):
        step = deployment.early_step(res)
        step.op, step.delete_before_replace = "delete", True
        deployment.delete(step, res)
        deployment.mark_recreating(res)
