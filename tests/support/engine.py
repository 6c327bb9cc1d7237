"""`pulumi preview/up/refresh/destroy` without the CLI, through the SDK's real provider host.

Usage::

    engine = Engine(
        program="examples/quickstart/__main__.py",   # or a project dir, a module, a callable
        state_path=tmp / "state.json",
        stack_config={"ovh:endpoint": url, "ovh:applicationSecret": "..."},
        secret_keys=["ovh:applicationSecret"],
        env={"OVH_CONSUMER_KEY": "..."},
    )
    plan = engine.preview(); result = engine.up(); engine.refresh(); engine.destroy()
    plan.op("db")                        # "create" / "same" / "update" / "replace" / "delete"
    result.calls_for("db")               # ["Check", "Create"]
    engine.resource("db").plain_outputs()

Each command spawns one fresh `python -m pulumi.dynamic` (lazily, on the first provider
call) with os.environ + `env` and a PYTHONPATH that makes our imports importable, sends it
Configure with the stack config (`secret_keys` go as secrets, which the host unwraps), and
kills it at the end; its output is in `result.host_output`. The program also runs with `env`
applied to os.environ, in its project directory, with the stack config (secret keys marked).

`preview` and `up` run the program in-process (see `program`) and perform the engine's
steps as it registers resources (see `deployment`); `refresh` and `destroy` work from the
state file alone, as the engine does. `up`, `refresh` and `destroy`
write the state file even when they fail, then raise DeploymentError carrying the report;
`preview` never writes state and never raises for resource errors (read `plan.errors`).

`on_call(method, name, host)`, when given, runs just before each provider call (in the
thread that makes it) with the method ("Create", ...), the resource name and the live
`ProviderHost`: tests use it to kill the host or restart an API in mid-operation.

Not modelled: ResourceOptions(id=...) reads and import, replace_on_changes, deleted_with,
nested ignore_changes paths, and the replacement of dependents of a delete-before-replace.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .deployment import Deployment, OnCall
from .program import Program, ProgramLike, run_program
from .results import DeploymentError, RunResult, StepError
from .state import ResourceState, load_state, save_state


def _importable_paths(extra: Path | None) -> list[str]:
    """sys.path entries outside the interpreter's own, so the host imports what we import."""
    prefixes = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    paths = [str(extra)] if extra is not None else []
    for entry in sys.path:
        real = os.path.realpath(entry or os.getcwd())
        if os.path.isdir(real) and not any(real.startswith(p) for p in prefixes):
            paths.append(real)
    return list(dict.fromkeys(paths))


class Engine:
    """Runs one program against one stack whose checkpoint is `state_path`."""

    def __init__(
        self,
        program: ProgramLike,
        state_path: str | os.PathLike[str],
        stack_config: Mapping[str, Any] | None = None,
        env: Mapping[str, str] | None = None,
        *,
        secret_keys: Iterable[str] = (),
        project: str | None = None,
        stack: str = "dev",
        on_call: OnCall | None = None,
    ) -> None:
        self.program = Program.resolve(program, project)
        self.state_path = Path(state_path)
        self.stack_config = dict(stack_config or {})
        self.secret_keys = list(secret_keys)
        self.env = dict(env or {})
        self.stack = stack
        self.on_call = on_call
        self.last_result: RunResult | None = None

    @property
    def project(self) -> str:
        """The project name (Pulumi.yaml `name`, else the `project` argument or "project")."""
        return self.program.project

    @property
    def host_output(self) -> str:
        """What the provider host printed during the last command."""
        return self.last_result.host_output if self.last_result else ""

    @property
    def state(self) -> list[ResourceState]:
        """The checkpoint as stored, in dependency order."""
        return load_state(self.state_path)

    def resource(self, name: str) -> ResourceState:
        """The stored (not pending-delete) resource named `name`."""
        for res in self.state:
            if res.name == name and not res.pending_delete:
                return res
        raise KeyError(f"no resource {name!r} in {self.state_path}")

    def _deployment(self, command: str, preview: bool = False) -> Deployment:
        return Deployment(
            command,
            self.state,
            config=self.stack_config,
            secret_keys=self.secret_keys,
            env=self.env,
            pythonpath=_importable_paths(self.program.directory),
            preview=preview,
            on_call=self.on_call,
        )

    def preview(self) -> RunResult:
        """Check and Diff only; the program sees unknowns for what would be created."""
        return self._deploy("preview", preview=True)

    def up(self) -> RunResult:
        """Run the program and perform its steps; raise DeploymentError on any failure."""
        return self._raise_on_error(self._deploy("up", preview=False))

    def refresh(self) -> RunResult:
        """Read every resource in state and store what came back."""
        return self._raise_on_error(self._run_without_program("refresh"))

    def destroy(self) -> RunResult:
        """Delete every resource in state, dependents first."""
        return self._raise_on_error(self._run_without_program("destroy"))

    def _deploy(self, command: str, preview: bool) -> RunResult:
        deployment = self._deployment(command, preview)
        try:
            exc = run_program(
                self.program,
                stack_name=self.stack,
                preview=preview,
                config=self.stack_config,
                secret_keys=self.secret_keys,
                env=self.env,
                register=deployment.register,
                exports=deployment.result.outputs,
            )
            if exc is not None and not isinstance(exc, StepError):
                deployment.result.program_error = "".join(traceback.format_exception(exc))
            if deployment.result.ok:
                deployment.finish()
        finally:
            deployment.close()
            if not preview:
                save_state(self.state_path, deployment.state, self.project, self.stack)
        self.last_result = deployment.result
        return deployment.result

    def _run_without_program(self, command: str) -> RunResult:
        deployment = self._deployment(command)
        try:
            getattr(deployment, command)()
        finally:
            deployment.close()
            save_state(self.state_path, deployment.state, self.project, self.stack)
        self.last_result = deployment.result
        return deployment.result

    @staticmethod
    def _raise_on_error(result: RunResult) -> RunResult:
        if not result.ok:
            raise DeploymentError(result)
        return result
