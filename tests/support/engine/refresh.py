"""A refresh, as the engine's RefreshStep runs it (pkg/resource/deploy/step.go).

For each resource in the checkpoint, `parallel` at a time: Read(id, properties=old outputs,
inputs=old inputs). An empty id means gone: the resource is dropped and every reference to it
repaired (rebuildBaseState). Otherwise the read inputs (the old ones when the provider returns
none) and outputs replace the old ones, and a Diff tells "same" from "update": the engine asks
what an `up` of an unchanged program would do, with the roles turned around - Diff(id,
olds=read outputs, old_inputs=read inputs, news=old inputs, the old ignore_changes; unknowns
allowed in a preview). A failing Read or Diff fails that resource only, which keeps its old
state; the others go on (refreshes ignore errors until the end) and the command fails.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from .results import EngineKilled, RunResult
from .session import Session
from .state import ResourceState, without
from .values import annotate, changed_keys, ignore_changes, settle


def _refresh_one(deployment: Session, res: ResourceState, into: RunResult) -> ResourceState | None:
    """The refreshed state of `res`, None when gone, `res` itself when the refresh failed."""
    step = deployment.new_step(res.urn, res.type, into=into)
    step.id = res.id
    try:
        read = deployment.call(step, "Read", res.urn, res.id, res.outputs, res.inputs)
        if not read.id:
            step.op = "delete"
            return None
        outputs = annotate(read.outputs, res.outputs, res.additional_secret_outputs)
        inputs = res.inputs if read.inputs is None else annotate(read.inputs, res.inputs)
        diff = deployment.call(
            step,
            "Diff",
            res.urn,
            read.id,
            outputs,
            res.inputs,
            old_inputs=inputs,
            ignore_changes=res.ignore_changes,
            allow_unknowns=deployment.preview,
        )
    except EngineKilled:
        raise
    except Exception as exc:
        deployment.fail(step, exc)
        return res
    wanted = ignore_changes(res.inputs, inputs, res.ignore_changes)
    step.op = "same" if settle(diff.changes, inputs, wanted) == "none" else "update"
    drift = set(changed_keys(res.outputs, outputs)) | set(changed_keys(res.inputs, inputs))
    step.changed = sorted(drift)
    step.id, step.outputs = read.id, outputs
    return res.copy(id=read.id, inputs=inputs, outputs=outputs)


def refresh(deployment: Session, into: RunResult) -> list[ResourceState]:
    """Refresh every resource of `deployment.state`, steps reported in `into`; the
    resulting resources (what the command stores, unless it is a preview)."""
    olds = deployment.state
    with ThreadPoolExecutor(max(1, deployment.parallel)) as pool:
        news = list(pool.map(lambda res: _refresh_one(deployment, res, into), olds))
    dropped = [old for old, new in zip(olds, news, strict=True) if new is None]
    kept = [new if new is not None else old for old, new in zip(olds, news, strict=True)]
    return without(kept, dropped)
