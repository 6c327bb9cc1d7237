"""One engine command's machinery: its provider hosts, its calls, its report and state.

A `Session` spawns provider hosts lazily (a new one whenever the provider inputs change, as
the engine loads another plugin instance for another provider configuration), records every
call in its `RunResult` and runs the `on_call` hook first; its working state only records
what provider calls actually did. An `on_call` hook raising EngineKilled kills the engine at
that call: the checkpoint stops as it stood, with the creates then in flight left pending.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from .host import ProviderHost
from .results import CheckFailed, EngineKilled, RunResult, Step
from .state import PendingOperation, ResourceState, dependency_order
from .values import Props

OnCall = Callable[[str, str, ProviderHost], None]
"""`on_call(method, resource name, host)`: runs in the calling thread just before a provider
call is sent (after it is recorded in the result), e.g. to kill the host in mid-operation, or
raise EngineKilled to stop the engine itself while the call runs."""


class Session:
    """One command's provider hosts, calls, report (`result`) and working checkpoint (`state`).

    `provider_inputs` configure each host spawned (the default provider's inputs); `parallel`
    bounds the steps run at once (deletes, refreshes), as the engine's `--parallel` does.
    """

    def __init__(
        self,
        command: str,
        resources: list[ResourceState],
        *,
        provider_inputs: Props,
        env: dict[str, str],
        pythonpath: list[str],
        preview: bool = False,
        on_call: OnCall | None = None,
        parallel: int = 4,
        pending: Iterable[PendingOperation] = (),
        provider_urn: str = "",
    ) -> None:
        self.result = RunResult(command)
        self._on_call = on_call
        self.preview = preview
        self.parallel = parallel
        self._state = list(resources)
        self._olds = {r.urn: r for r in resources if not r.pending_delete}
        self._early_steps: dict[str, Step] = {}
        self._stopped = False
        self._lock = threading.RLock()
        self._hosts: list[ProviderHost] = []
        self._host: ProviderHost | None = None
        self._host_lock = threading.Lock()
        self._env, self._pythonpath = env, pythonpath
        self.provider_inputs, self._provider_urn = dict(provider_inputs), provider_urn
        self.pending = list(pending)
        self._creating: list[PendingOperation] = []
        self.killed: list[PendingOperation] | None = None
        """Set when the engine was killed: the pending operations its checkpoint then held."""
        self.killed_state: list[ResourceState] = []

    @property
    def state(self) -> list[ResourceState]:
        """The working checkpoint, in dependency order."""
        with self._lock:
            return dependency_order(self._state)

    def rebase(self, resources: list[ResourceState]) -> None:
        """Continue from `resources` (what a refresh left), as the engine's rebuildBaseState."""
        with self._lock:
            self._state = list(resources)
            self._olds = {r.urn: r for r in resources if not r.pending_delete}

    # -- provider calls -----------------------------------------------------------------

    def use_provider(self, inputs: Props) -> None:
        """Configure later calls with `inputs`; a provider whose inputs changed is another
        plugin instance in the engine, so another host process."""
        with self._host_lock:
            if inputs != self.provider_inputs:
                self._host = None
                self.provider_inputs = dict(inputs)

    def _provider(self) -> ProviderHost:
        with self._host_lock:
            if self._host is None:
                self._host = ProviderHost(self._env, pythonpath=self._pythonpath)
                self._hosts.append(self._host)
                self.result.host_spawns += 1
                self._host.configure_provider(
                    self.provider_inputs,
                    self._provider_urn,
                    check=self.result.command in ("preview", "up"),
                )
            return self._host

    def call(self, step: Step, method: str, *args: Any, **kwargs: Any) -> Any:
        """Send one provider call for `step`, recorded in the result, after `on_call`."""
        host = self._provider()
        with self._lock:
            step.calls.append(method)
            self.result.calls.append((method, step.name))
        killed = False
        if self._on_call is not None:
            try:
                self._on_call(method, step.name, host)
            except EngineKilled:
                killed = True
                self._kill()
        try:
            answer = getattr(host, method.lower())(*args, **kwargs)
        except Exception as exc:
            if killed:
                raise EngineKilled(f"killed during {method} of {step.name}") from exc
            raise
        if killed:  # the call went through; the engine is no longer there to hear it
            raise EngineKilled(f"killed during {method} of {step.name}")
        return answer

    @contextmanager
    def creating(self, pending: PendingOperation) -> Iterator[None]:
        """While inside, `pending` is a create in flight: one a killed engine leaves pending
        (the engine records it before sending the Create: snapshot.go, markOperationPending)."""
        with self._lock:
            self._creating.append(pending)
        try:
            yield
        finally:
            with self._lock:
                self._creating.remove(pending)

    def _kill(self) -> None:
        with self._lock:
            if self.killed is None:
                self.killed = [*self.pending, *self._creating]
                self.killed_state = dependency_order(self._state)
            self._stopped = True

    def close(self) -> None:
        """Cancel, then kill the hosts, keeping what they printed and their peak load in the
        result: at the end of every command, whatever its outcome, the engine sends each
        provider a Cancel before it kills it (defaultHost.Close, pkg/host/host.go); a killed
        engine sends nothing."""
        for host in self._hosts:
            # Either joins the output readers, so nothing printed is missed.
            host.close() if self.killed is not None else host.shut_down()
            self.result.host_output += host.output
            self.result.max_in_flight = max(self.result.max_in_flight, host.max_in_flight)

    # -- bookkeeping --------------------------------------------------------------------

    def new_step(self, urn: str, type_: str, op: str = "", into: RunResult | None = None) -> Step:
        """A step of this run (or of the sub-report `into`), or the one begun for `urn`
        before its registration (a dependent Diffed or deleted for a replacement)."""
        with self._lock:
            early = self._early_steps.pop(urn, None)
            if early is not None:
                early.op = op or early.op
                return early
            step = Step(urn, type_, op)
            (into or self.result).steps.append(step)
            return step

    def early_step(self, res: ResourceState) -> Step:
        """The step of `res` begun before its registration (kept for when it comes)."""
        with self._lock:
            if res.urn not in self._early_steps:
                step = Step(res.urn, res.type, "", id=res.id)
                self.result.steps.append(step)
                self._early_steps[res.urn] = step
            return self._early_steps[res.urn]

    def fail(self, step: Step, exc: BaseException) -> None:
        """Record `exc` against `step` and stop attempting new steps."""
        with self._lock:
            step.error = str(exc)
            if isinstance(exc, CheckFailed):
                step.failures = list(exc.failures)
            self.result.errors[step.name] = str(exc)
            self._stopped = True

    def swap(self, old: ResourceState, new: ResourceState | None) -> None:
        """Replace `old` in the working state by `new` (None removes it)."""
        with self._lock:
            if self.killed is not None:
                return  # the checkpoint stopped where the engine died
            index = next(i for i, r in enumerate(self._state) if r is old)
            if new is None:
                del self._state[index]
            else:
                self._state[index] = new
