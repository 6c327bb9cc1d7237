"""What an engine command reports: steps per resource, provider calls in order, errors.

Step ops: "create", "same", "update", "replace", "delete", and "skipped" (registered after
an earlier failure, so never attempted, as the engine stops issuing steps then). A refresh
reports "same", "update" (its Diff found drift; `changed` lists the keys that differ) or
"delete" (gone). `up` reports its preview in `preview`, and the refresh of `--refresh` in
`refresh`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .values import Props, reveal


class StepError(Exception):
    """A per-resource failure that is already recorded in the run's result."""


class CheckFailed(StepError):
    """Check returned failures; `failures` holds `(property, reason)` pairs."""

    def __init__(self, name: str, failures: list[tuple[str, str]]) -> None:
        listed = "; ".join(f"{prop}: {reason}" for prop, reason in failures)
        super().__init__(f"{name}: check failed: {listed}")
        self.name = name
        self.failures = failures


class ProtectedError(StepError):
    """A protected resource would have been deleted or replaced."""


class StepFailed(StepError):
    """Raised into the program when one of its resources failed (`cause` is the reason)."""

    def __init__(self, name: str, cause: BaseException) -> None:
        super().__init__(f"{name}: {cause}")
        self.name = name
        self.cause = cause


class DeploymentStopped(StepError):
    """Raised into the program for registrations that arrive after a failure."""


class EngineKilled(StepError):
    """The engine itself died (its process killed) while a provider call was in flight.

    An `on_call` hook raises it to stop the engine at that call: the call still runs to its
    end (the provider acts), but nothing after it is recorded; the command then raises it,
    having saved the checkpoint as the engine had last written it, with the creates then in
    flight as pending operations.
    """


@dataclass
class Step:
    """What happened to one resource in one command."""

    urn: str
    type: str
    op: str = ""
    id: str = ""
    changed: list[str] = field(default_factory=list)
    replaces: list[str] = field(default_factory=list)
    delete_before_replace: bool = False
    calls: list[str] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None
    outputs: Props = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The resource's logical name."""
        return self.urn.split("::")[-1]

    def plain_outputs(self) -> Props:
        """The outputs handed to the program, secrets revealed."""
        return dict(reveal(self.outputs))


@dataclass
class RunResult:
    """One engine command's report.

    `calls` lists `(method, resource name)` in the order the calls were issued (Configure
    is not listed); `errors` maps resource name to message; `outputs` are the stack
    exports in wire form; `host_output` is what the provider hosts printed; `max_in_flight`
    the most calls a host ran at once. For `up`, `preview` is the report of the preview run
    before it (None with `skip_preview`); with `refresh=True`, `refresh` holds the steps of the
    refresh run first (its calls are in `calls`, its errors in `errors`).
    """

    command: str
    steps: list[Step] = field(default_factory=list)
    calls: list[tuple[str, str]] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    program_error: str | None = None
    outputs: dict[str, Any] = field(default_factory=dict)
    host_output: str = ""
    host_spawns: int = 0
    max_in_flight: int = 0
    preview: RunResult | None = None
    refresh: RunResult | None = None

    @property
    def ok(self) -> bool:
        """No resource error and no program error."""
        return not self.errors and self.program_error is None

    def step(self, name: str) -> Step:
        """The first step for the resource named `name` (KeyError if none)."""
        for step in self.steps:
            if step.name == name:
                return step
        raise KeyError(f"no step for {name!r}; steps: {[s.name for s in self.steps]}")

    def op(self, name: str) -> str:
        """The op of `step(name)`."""
        return self.step(name).op

    @property
    def ops(self) -> dict[str, str]:
        """Resource name -> op (the first step of each name)."""
        ops: dict[str, str] = {}
        for step in self.steps:
            ops.setdefault(step.name, step.op)
        return ops

    def names(self, op: str) -> list[str]:
        """Names of the resources whose step has `op`, in step order."""
        return [s.name for s in self.steps if s.op == op]

    def calls_for(self, name: str) -> list[str]:
        """Methods called for the resource named `name`, in order."""
        return [method for method, who in self.calls if who == name]

    def methods(self) -> set[str]:
        """Every method called in this run."""
        return {method for method, _ in self.calls}


class DeploymentError(Exception):
    """`up`, `refresh` or `destroy` failed; the whole report is in `result`."""

    def __init__(self, result: RunResult) -> None:
        lines = [f"{name}: {message}" for name, message in result.errors.items()]
        if result.program_error:
            lines.append(f"program: {result.program_error}")
        super().__init__(f"{result.command} failed:\n" + "\n".join(lines))
        self.result = result

    @property
    def errors(self) -> dict[str, str]:
        """Resource name -> error message."""
        return self.result.errors
