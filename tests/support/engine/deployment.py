"""The engine's step logic for one command, against provider hosts it spawns lazily.

Per registered resource (the engine's step generator, reduced to what dynamic resources use):

* new: Check(olds={}, news) then Create;
* existing: Check(old inputs, news), Diff(id, old outputs, checked); "none" keeps it (same),
  "unknown" falls back to comparing old and new inputs, changes without `replaces` update it
  in place, `replaces` replace it: Check({}, the program's raw inputs) again, then Create and,
  after the program has finished, Delete of the old one (create-before-delete), or Delete
  then Create when delete-before-replace is asked by the diff or by the resource option (the
  option wins). A delete-before-replace first deletes, dependents first, every dependent
  whose Diff with the inputs that came from a replaced resource unknown asks for a
  replacement (see `replacement`); each is created again when the program registers it.

After a successful program, everything in state that was not registered (and every old copy
pending deletion) is deleted in reverse dependency order. A failure stops the run from
attempting new steps (steps in flight finish) and skips the deletions, as the engine does;
the working state only records what provider calls actually did, so it stays consistent.
A preview calls Check and Diff only (and Read, for a refresh) and never changes the state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .host import DiffResponse
from .program import Goal
from .replacement import replace_dependents
from .results import (
    CheckFailed,
    DeploymentStopped,
    EngineKilled,
    ProtectedError,
    Step,
    StepFailed,
)
from .scheduling import dependents_first
from .session import Session
from .state import PendingOperation, ResourceState, dependency_order
from .values import Props, annotate, changed_keys, ignore_changes, settle


class Deployment(Session):
    """One command's steps; `result` is its report, `state` the resulting checkpoint."""

    def __init__(self, command: str, resources: list[ResourceState], **options: Any) -> None:
        super().__init__(command, resources, **options)
        self._seen: set[str] = set()
        self._recreating: set[str] = set()

    def _new_state(self, goal: Goal, id_: str, inputs: Props, outputs: Props) -> ResourceState:
        return ResourceState(
            urn=goal.urn,
            type=goal.type,
            id=id_,
            inputs=inputs,
            outputs=annotate(outputs, inputs, goal.additional_secret_outputs),
            dependencies=list(goal.dependencies),
            parent=goal.parent,
            protect=goal.protect,
            retain_on_delete=goal.retain_on_delete,
            delete_before_replace=goal.delete_before_replace,
            additional_secret_outputs=list(goal.additional_secret_outputs),
            ignore_changes=list(goal.ignore_changes),
            property_dependencies={k: list(v) for k, v in goal.property_dependencies.items()},
        )

    # -- registration (up / preview) ----------------------------------------------------

    def register(self, goal: Goal) -> tuple[str, Props]:
        """Perform the steps for one registration; answer (id, outputs) for the program."""
        step = self.new_step(goal.urn, goal.type)
        with self._lock:
            self._seen.add(goal.urn)
            stopped = self._stopped
        if stopped:
            step.op = "skipped"
            raise DeploymentStopped(f"{goal.name}: not attempted after an earlier failure")
        try:
            id_, outputs = self._register(goal, step)
        except EngineKilled:
            raise
        except Exception as exc:
            self.fail(step, exc)
            raise StepFailed(goal.name, exc) from exc
        step.id, step.outputs = id_, outputs
        return id_, outputs

    @property
    def registered(self) -> bool:
        """Whether the program registered any resource in this run."""
        with self._lock:
            return bool(self._seen)

    def already_registered(self, urn: str) -> bool:
        """Whether the program registered `urn` in this run."""
        with self._lock:
            return urn in self._seen

    def _register(self, goal: Goal, step: Step) -> tuple[str, Props]:
        old = self._olds.get(goal.urn)
        if goal.urn in self._recreating:
            # Deleted earlier for a dependent replacement: "case 1: recreating" in
            # continueStepsFromImport (step_generator.go): Check with no olds, then create.
            step.op, step.delete_before_replace = "replace", True
            return self._create(step, goal, self._check(step, goal, {}, goal.inputs))
        if old is None:
            step.op = "create"
            checked = self._check(step, goal, {}, goal.inputs)
            return self._create(step, goal, checked)
        news = ignore_changes(goal.inputs, old.inputs, goal.ignore_changes)
        checked = self._check(step, goal, old.inputs, news, old.outputs)
        diff: DiffResponse = self.call(
            step,
            "Diff",
            goal.urn,
            old.id,
            old.outputs,
            checked,
            old_inputs=old.inputs,
            ignore_changes=goal.ignore_changes,
            allow_unknowns=self.preview,
        )
        step.changed, step.replaces = changed_keys(old.inputs, checked), diff.replaces
        if settle(diff.changes, old.inputs, checked) == "none":
            step.op = "same"
            return self._keep(goal, old, checked, old.outputs)
        if not diff.replaces:
            step.op = "update"
            if self.preview:
                return old.id, checked
            outputs = self.call(
                step, "Update", goal.urn, old.id, old.outputs, checked, old_inputs=old.inputs
            )
            return self._keep(goal, old, checked, outputs)
        step.op = "replace"
        return self._replace(step, goal, old, diff)

    def _check(
        self, step: Step, goal: Goal, olds: Props, news: Props, old_outputs: Props | None = None
    ) -> Props:
        # The engine sends the stored outputs too (empty for a create or a replacement's).
        response = self.call(
            step,
            "Check",
            goal.urn,
            olds,
            news,
            allow_unknowns=self.preview,
            old_outputs=old_outputs or {},
        )
        if response.failures:
            raise CheckFailed(goal.name, response.failures)
        return annotate(response.inputs, news)

    def _create(self, step: Step, goal: Goal, checked: Props) -> tuple[str, Props]:
        if self.preview:
            # The engine answers a preview's create with the checked inputs and no id, so
            # every other output is unknown to the program.
            return "", checked
        with self.creating(PendingOperation("creating", self._new_state(goal, "", checked, {}))):
            id_, outputs = self.call(step, "Create", goal.urn, checked)
        new = self._new_state(goal, id_, checked, outputs)
        with self._lock:
            self._state.append(new)
        return id_, new.outputs

    def _keep(
        self, goal: Goal, old: ResourceState, checked: Props, outputs: Props
    ) -> tuple[str, Props]:
        new = self._new_state(goal, old.id, checked, outputs)
        if not self.preview:
            self.swap(old, new)
        return old.id, new.outputs

    def _replace(
        self, step: Step, goal: Goal, old: ResourceState, diff: DiffResponse
    ) -> tuple[str, Props]:
        if old.protect and goal.protect:
            raise ProtectedError(f"unable to replace {goal.urn}: it is marked for protection")
        # continueStepsFromDiff: the replacement's defaults are recomputed from the program's
        # own inputs (ignore_changes not applied) with no olds.
        checked = self._check(step, goal, {}, goal.inputs)
        dbr = diff.delete_before_replace
        if goal.delete_before_replace is not None:
            dbr = goal.delete_before_replace
        step.delete_before_replace = dbr
        if dbr:
            replace_dependents(self, old)
            self.delete(step, old)
            return self._create(step, goal, checked)
        if self.preview:
            return "", checked
        id_, outputs = self._create(step, goal, checked)
        self.swap(old, old.copy(pending_delete=True, protect=goal.protect))
        return id_, outputs

    def mark_recreating(self, res: ResourceState) -> None:
        """`res` was deleted for a replacement: its registration creates it again."""
        with self._lock:
            self._recreating.add(res.urn)

    def delete(self, step: Step, res: ResourceState) -> None:
        """Delete `res` (refused when protected; a retained one only leaves the state)."""
        if res.protect:
            raise ProtectedError(f"unable to delete {res.urn}: it is marked for protection")
        if self.preview:
            return
        if not res.retain_on_delete:
            self.call(step, "Delete", res.urn, res.id, res.outputs, old_inputs=res.inputs)
        self.swap(res, None)

    def finish(self) -> None:
        """After a successful program: delete what it no longer declares, and old copies."""
        with self._lock:
            ordered = dependency_order(self._state)
        condemned = [r for r in ordered if r.pending_delete or r.urn not in self._seen]

        def step_for(res: ResourceState) -> Step:
            step = self._replace_step(res.urn) if res.pending_delete else None
            step = step or self.new_step(res.urn, res.type, "delete")
            step.id = step.id or res.id
            return step

        self._delete_all(condemned, step_for)

    def _delete_all(
        self, ordered: list[ResourceState], step_for: Callable[[ResourceState], Step]
    ) -> None:
        def delete_one(res: ResourceState) -> None:
            step = step_for(res)
            try:
                self.delete(step, res)
            except EngineKilled:
                raise
            except Exception as exc:
                self.fail(step, exc)
                raise

        dependents_first(ordered, delete_one, self.parallel)

    def _replace_step(self, urn: str) -> Step | None:
        with self._lock:
            return next((s for s in self.result.steps if s.urn == urn and s.op == "replace"), None)

    # -- destroy ------------------------------------------------------------------------

    def destroy(self) -> None:
        """Delete everything, dependents first, `parallel` at a time; stop at a failure."""

        def step_for(res: ResourceState) -> Step:
            step = self.new_step(res.urn, res.type, "delete")
            step.id = res.id
            return step

        self._delete_all(dependency_order(self.state), step_for)
