"""The engine's step logic for one command, against one fresh provider host.

Per registered resource (the engine's step generator, reduced to what dynamic resources use):

* new: Check(olds={}, news) then Create;
* existing: Check(old inputs, news), Diff(id, old outputs, checked); "none" keeps it (same),
  "unknown" falls back to comparing old and new inputs, changes without `replaces` update it
  in place, `replaces` replace it: Check({}, news) again, then Create and, after the program
  has finished, Delete of the old one (create-before-delete), or Delete then Create when
  delete-before-replace is asked by the diff or by the resource option (the option wins).

After a successful program, everything in state that was not registered (and every old copy
pending deletion) is deleted in reverse dependency order. A failure stops the run from
attempting new steps (steps in flight finish) and skips the deletions, as the engine does;
the working state only records what provider calls actually did, so it stays consistent.
A preview calls Check and Diff only and never changes the state.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

from .host import DiffResponse, ProviderHost
from .program import Goal
from .results import (
    CheckFailed,
    DeploymentStopped,
    ProtectedError,
    RunResult,
    Step,
    StepFailed,
)
from .state import ResourceState, dependency_order
from .values import Props, annotate, changed_keys

MAX_IN_FLIGHT = 4
"""The engine's dynamic provider host serves gRPC from a pool of 4 threads."""

OnCall = Callable[[str, str, ProviderHost], None]
"""`on_call(method, resource name, host)`: runs in the calling thread just before a provider
call is sent (after it is recorded in the result), e.g. to kill the host in mid-operation."""


def _ignore_changes(news: Props, olds: Props, keys: Iterable[str]) -> Props:
    """Keep the old value of every ignored top-level key (nested paths are not modelled)."""
    kept = dict(news)
    for key in keys:
        if key in olds:
            kept[key] = olds[key]
        else:
            kept.pop(key, None)
    return kept


class Deployment:
    """One command's steps; `result` is its report, `state` the resulting checkpoint."""

    def __init__(
        self,
        command: str,
        resources: list[ResourceState],
        *,
        config: Mapping[str, Any],
        secret_keys: Iterable[str],
        env: Mapping[str, str],
        pythonpath: list[str],
        preview: bool = False,
        on_call: OnCall | None = None,
    ) -> None:
        self.result = RunResult(command)
        self._on_call = on_call
        self.preview = preview
        self._state = list(resources)
        self._olds = {r.urn: r for r in resources if not r.pending_delete}
        self._seen: set[str] = set()
        self._stopped = False
        self._in_flight = 0
        self._lock = threading.RLock()
        self._slots = threading.BoundedSemaphore(MAX_IN_FLIGHT)
        self._host: ProviderHost | None = None
        self._host_lock = threading.Lock()
        self._host_args = (dict(config), list(secret_keys), dict(env), pythonpath)

    @property
    def state(self) -> list[ResourceState]:
        """The working checkpoint, in dependency order."""
        with self._lock:
            return dependency_order(self._state)

    # -- provider calls -----------------------------------------------------------------

    def _provider(self) -> ProviderHost:
        with self._host_lock:
            if self._host is None:
                config, secret_keys, env, pythonpath = self._host_args
                self._host = ProviderHost(env, pythonpath=pythonpath)
                self.result.host_spawns += 1
                self._host.configure(config, secret_keys)
            return self._host

    def _call(self, step: Step, method: str, *args: Any, **kwargs: Any) -> Any:
        host = self._provider()
        with self._slots:
            with self._lock:
                self._in_flight += 1
                self.result.max_in_flight = max(self.result.max_in_flight, self._in_flight)
                step.calls.append(method)
                self.result.calls.append((method, step.name))
            try:
                if self._on_call is not None:
                    self._on_call(method, step.name, host)
                return getattr(host, method.lower())(*args, **kwargs)
            finally:
                with self._lock:
                    self._in_flight -= 1

    def close(self) -> None:
        """Kill the host, keeping what it printed in the result."""
        if self._host is not None:
            self._host.close()  # joins the output readers, so nothing printed is missed
            self.result.host_output = self._host.output

    # -- bookkeeping --------------------------------------------------------------------

    def _new_step(self, urn: str, type_: str, op: str = "") -> Step:
        step = Step(urn, type_, op)
        with self._lock:
            self.result.steps.append(step)
        return step

    def fail(self, step: Step, exc: BaseException) -> None:
        """Record `exc` against `step` and stop attempting new steps."""
        with self._lock:
            step.error = str(exc)
            if isinstance(exc, CheckFailed):
                step.failures = list(exc.failures)
            self.result.errors[step.name] = str(exc)
            self._stopped = True

    def _swap(self, old: ResourceState, new: ResourceState | None) -> None:
        with self._lock:
            index = next(i for i, r in enumerate(self._state) if r is old)
            if new is None:
                del self._state[index]
            else:
                self._state[index] = new

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
        )

    # -- registration (up / preview) ----------------------------------------------------

    def register(self, goal: Goal) -> tuple[str, Props]:
        """Perform the steps for one registration; answer (id, outputs) for the program."""
        step = self._new_step(goal.urn, goal.type)
        with self._lock:
            self._seen.add(goal.urn)
            stopped = self._stopped
        if stopped:
            step.op = "skipped"
            raise DeploymentStopped(f"{goal.name}: not attempted after an earlier failure")
        try:
            id_, outputs = self._register(goal, step)
        except Exception as exc:
            self.fail(step, exc)
            raise StepFailed(goal.name, exc) from exc
        step.id, step.outputs = id_, outputs
        return id_, outputs

    def _register(self, goal: Goal, step: Step) -> tuple[str, Props]:
        old = self._olds.get(goal.urn)
        if old is None:
            step.op = "create"
            checked = self._check(step, goal, {}, goal.inputs)
            return self._create(step, goal, checked)
        news = _ignore_changes(goal.inputs, old.inputs, goal.ignore_changes)
        checked = self._check(step, goal, old.inputs, news)
        diff: DiffResponse = self._call(
            step,
            "Diff",
            goal.urn,
            old.id,
            old.outputs,
            checked,
            old_inputs=old.inputs,
            ignore_changes=goal.ignore_changes,
            preview=self.preview,
        )
        step.changed, step.replaces = changed_keys(old.inputs, checked), diff.replaces
        changes = diff.changes
        if changes == "unknown":
            changes = "some" if step.changed else "none"
        if changes == "none":
            step.op = "same"
            return self._keep(goal, old, checked, old.outputs)
        if not diff.replaces:
            step.op = "update"
            if self.preview:
                return old.id, checked
            outputs = self._call(
                step, "Update", goal.urn, old.id, old.outputs, checked, old_inputs=old.inputs
            )
            return self._keep(goal, old, checked, outputs)
        step.op = "replace"
        return self._replace(step, goal, old, news, diff)

    def _check(self, step: Step, goal: Goal, olds: Props, news: Props) -> Props:
        response = self._call(step, "Check", goal.urn, olds, news, preview=self.preview)
        if response.failures:
            raise CheckFailed(goal.name, response.failures)
        return annotate(response.inputs, news)

    def _create(self, step: Step, goal: Goal, checked: Props) -> tuple[str, Props]:
        if self.preview:
            # The engine answers a preview's create with the checked inputs and no id, so
            # every other output is unknown to the program.
            return "", checked
        id_, outputs = self._call(step, "Create", goal.urn, checked)
        new = self._new_state(goal, id_, checked, outputs)
        with self._lock:
            self._state.append(new)
        return id_, new.outputs

    def _keep(
        self, goal: Goal, old: ResourceState, checked: Props, outputs: Props
    ) -> tuple[str, Props]:
        new = self._new_state(goal, old.id, checked, outputs)
        if not self.preview:
            self._swap(old, new)
        return old.id, new.outputs

    def _replace(
        self, step: Step, goal: Goal, old: ResourceState, news: Props, diff: DiffResponse
    ) -> tuple[str, Props]:
        if old.protect and goal.protect:
            raise ProtectedError(f"unable to replace {goal.urn}: it is marked for protection")
        checked = self._check(step, goal, {}, news)
        dbr = diff.delete_before_replace
        if goal.delete_before_replace is not None:
            dbr = goal.delete_before_replace
        step.delete_before_replace = dbr
        if self.preview:
            return "", checked
        if dbr:
            self._delete(step, old)
            return self._create(step, goal, checked)
        id_, outputs = self._create(step, goal, checked)
        self._swap(old, old.copy(pending_delete=True, protect=goal.protect))
        return id_, outputs

    def _delete(self, step: Step, res: ResourceState) -> None:
        if res.protect:
            raise ProtectedError(f"unable to delete {res.urn}: it is marked for protection")
        if self.preview:
            return
        if not res.retain_on_delete:
            self._call(step, "Delete", res.urn, res.id, res.outputs, old_inputs=res.inputs)
        self._swap(res, None)

    def finish(self) -> None:
        """After a successful program: delete what it no longer declares, and old copies."""
        with self._lock:
            ordered = dependency_order(self._state)
        condemned = [r for r in ordered if r.pending_delete or r.urn not in self._seen]

        def step_for(res: ResourceState) -> Step:
            step = self._replace_step(res.urn) if res.pending_delete else None
            step = step or self._new_step(res.urn, res.type, "delete")
            step.id = step.id or res.id
            return step

        self._delete_all(condemned, step_for)

    def _delete_all(
        self, ordered: list[ResourceState], step_for: Callable[[ResourceState], Step]
    ) -> None:
        """Delete `ordered` (a dependency order) as the engine does: up to 4 at a time, each
        after everything that depends on it; after a failure, start no new delete."""
        by_urn: dict[str, list[int]] = {}
        for index, res in enumerate(ordered):
            by_urn.setdefault(res.urn, []).append(index)
        blockers: list[set[int]] = [set() for _ in ordered]
        for dependent, res in enumerate(ordered):
            for urn in (*res.dependencies, res.parent):
                for index in by_urn.get(urn or "", []):
                    if index != dependent:
                        blockers[index].add(dependent)

        def delete_one(index: int) -> None:
            step = step_for(ordered[index])
            try:
                self._delete(step, ordered[index])
            except Exception as exc:
                self.fail(step, exc)
                raise

        pending = set(range(len(ordered)))
        with ThreadPoolExecutor(MAX_IN_FLIGHT) as pool:
            running: dict[Future[None], int] = {}
            failed = False
            while pending or running:
                ready = [] if failed else [i for i in sorted(pending) if not blockers[i]]
                for index in ready:
                    pending.discard(index)
                    running[pool.submit(delete_one, index)] = index
                if not running:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    finished = running.pop(future)
                    if future.exception() is not None:
                        failed = True
                    for waiting in blockers:
                        waiting.discard(finished)

    def _replace_step(self, urn: str) -> Step | None:
        with self._lock:
            return next((s for s in self.result.steps if s.urn == urn and s.op == "replace"), None)

    # -- refresh and destroy ------------------------------------------------------------

    def refresh(self) -> None:
        """Read every resource (4 at a time); drop the gone, store what was read."""
        with ThreadPoolExecutor(MAX_IN_FLIGHT) as pool:
            list(pool.map(self._refresh_one, self.state))

    def _refresh_one(self, res: ResourceState) -> None:
        step = self._new_step(res.urn, res.type)
        step.id = res.id
        try:
            read = self._call(step, "Read", res.urn, res.id, res.outputs, res.inputs)
        except Exception as exc:
            self.fail(step, exc)
            return
        if not read.id:
            step.op = "delete"
            self._swap(res, None)
            return
        outputs = annotate(read.outputs, res.outputs, res.additional_secret_outputs)
        inputs = res.inputs if read.inputs is None else annotate(read.inputs, res.inputs)
        changed = set(changed_keys(res.outputs, outputs)) | set(changed_keys(res.inputs, inputs))
        step.changed = sorted(changed)
        step.op = "update" if changed else "same"
        step.outputs = outputs
        self._swap(res, res.copy(id=read.id, inputs=inputs, outputs=outputs))

    def destroy(self) -> None:
        """Delete everything, dependents first, 4 at a time; stop at the first failure."""

        def step_for(res: ResourceState) -> Step:
            step = self._new_step(res.urn, res.type, "delete")
            step.id = res.id
            return step

        self._delete_all(dependency_order(self.state), step_for)
