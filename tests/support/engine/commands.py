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

As `pulumi up`, `pulumi refresh` (without --skip-preview) and the engine's
PreviewThenPromptThenExecute (pkg/backend/apply.go) do, `up` and `refresh` first run a preview
and stop there if it fails, then run the command itself: each in its own provider host
(`skip_preview=True` leaves the preview out). `destroy`'s preview calls no provider, so it is
not run. Each run spawns a fresh `python -m pulumi.dynamic` (lazily, on the first provider call)
with os.environ + `env` and a PYTHONPATH that makes our imports importable, configures it as
the engine configures the dynamic resources' default provider, and kills it at the end; its
output is in `result.host_output`. `preview` and `up` configure it with the current stack config
(`secret_keys` go as secrets, which the host unwraps); `refresh` and `destroy` with the
provider inputs stored in the checkpoint by the last `up`, as the engine configures the
provider from the state. The program runs in-process (see `program`), with `env` applied to
os.environ, in its project directory, with the stack config (secret keys marked); the engine's
steps are performed as it registers resources (see `deployment`). `refresh` and `destroy` work
from the checkpoint alone. `up`, `refresh` and `destroy` write the checkpoint even when they
fail, then raise DeploymentError carrying the report; `preview` and `refresh(preview=True)`
never write it and never raise for resource errors (read `plan.errors`).

`on_call(method, name, host)`, when given, runs just before each provider call (in the
thread that makes it) with the method ("Create", ...), the resource name and the live
`ProviderHost`: tests use it to kill the host or restart an API in mid-operation, or raise
EngineKilled to kill the engine itself (the checkpoint then keeps pending creates, which
`adopt_pending_creates` then `refresh` recover; `refresh(import_pending_creates=...)` drops
them, as the CLI's `--import-pending-creates` does).

`parallel` is `--parallel`: 4 x CPUs unless given (defaultParallel in
pkg/cmd/pulumi/operations/up.go); the host still runs 4 calls at a time (see `host`).

Not modelled: ResourceOptions(id=...) reads and import, replace_on_changes (the dynamic host's
Diff names no changed keys for it to act on), deleted_with, nested ignore_changes paths,
custom timeouts (the Python host drops them), explicit providers, pending operations other
than creates.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .deployment import Deployment
from .host import default_provider_inputs
from .program import Program, ProgramLike, run_program
from .refresh import refresh as refresh_all
from .results import DeploymentError, EngineKilled, RunResult, StepError
from .session import OnCall
from .state import Checkpoint, PendingOperation, ResourceState, load_checkpoint, save_checkpoint
from .values import Props


def _importable_paths(extra: Path | None) -> list[str]:
    """sys.path entries outside the interpreter's own, so the host imports what we import."""
    prefixes = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    paths = [str(extra)] if extra is not None else []
    for entry in sys.path:
        real = os.path.realpath(entry or os.getcwd())
        if os.path.isdir(real) and not any(real.startswith(p) for p in prefixes):
            paths.append(real)
    return list(dict.fromkeys(paths))


def default_parallel() -> int:
    """The engine's default `--parallel`: PULUMI_PARALLEL, else 4 x CPUs."""
    given = os.environ.get("PULUMI_PARALLEL", "")
    return int(given) if given.isdigit() and int(given) > 0 else 4 * (os.cpu_count() or 1)


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
        parallel: int | None = None,
    ) -> None:
        self.program = Program.resolve(program, project)
        self.state_path = Path(state_path)
        self.stack_config = dict(stack_config or {})
        self.secret_keys = list(secret_keys)
        self.env = dict(env or {})
        self.stack = stack
        self.on_call = on_call
        self.parallel = parallel or default_parallel()
        self.last_result: RunResult | None = None
        self.host_paths: list[str] = []
        """Put first on the provider host's PYTHONPATH: e.g. another tree's provider code."""

    @property
    def project(self) -> str:
        """The project name (Pulumi.yaml `name`, else the `project` argument or "project")."""
        return self.program.project

    def configure(self, **settings: Any) -> Engine:
        """Set the program's own settings (`<project>:<key>`) as `pulumi config set` does;
        None removes one."""
        for key, value in settings.items():
            if value is None:
                self.stack_config.pop(f"{self.project}:{key}", None)
            else:
                self.stack_config[f"{self.project}:{key}"] = value
        return self

    @property
    def host_output(self) -> str:
        """What the provider host printed during the last command."""
        return self.last_result.host_output if self.last_result else ""

    @property
    def checkpoint(self) -> Checkpoint:
        """The whole checkpoint as stored (resources, pending operations, provider inputs)."""
        return load_checkpoint(self.state_path)

    @property
    def state(self) -> list[ResourceState]:
        """The checkpoint's resources as stored, in dependency order."""
        return self.checkpoint.resources

    @property
    def pending_creates(self) -> list[PendingOperation]:
        """Creates a killed engine left pending in the checkpoint."""
        return [op for op in self.checkpoint.pending if op.type == "creating"]

    def resource(self, name: str) -> ResourceState:
        """The stored (not pending-delete) resource named `name`."""
        for res in self.state:
            if res.name == name and not res.pending_delete:
                return res
        raise KeyError(f"no resource {name!r} in {self.state_path}")

    def _current_provider_inputs(self) -> Props:
        return default_provider_inputs(self.stack_config, self.secret_keys)

    def _deployment(self, command: str, checkpoint: Checkpoint, preview: bool) -> Deployment:
        stored = checkpoint.provider_inputs
        return Deployment(
            command,
            checkpoint.resources,
            provider_inputs=self._current_provider_inputs() if stored is None else stored,
            env=self.env,
            pythonpath=[*self.host_paths, *_importable_paths(self.program.directory)],
            preview=preview,
            on_call=self.on_call,
            parallel=self.parallel,
            pending=checkpoint.pending,
            provider_urn=(
                f"urn:pulumi:{self.stack}::{self.project}::pulumi:providers:pulumi-python::default"
            ),
        )

    def preview(self, *, refresh: bool = False) -> RunResult:
        """Check and Diff only (and Read and Diff first, with `refresh`); the program sees
        unknowns for what would be created. Never writes the checkpoint."""
        self.last_result = self._deploy("preview", preview=True, refresh=refresh)
        return self.last_result

    def up(self, *, refresh: bool = False, skip_preview: bool = False) -> RunResult:
        """A preview, then the update: run the program and perform its steps (refreshing
        every resource first with `refresh`); raise DeploymentError on any failure,
        the preview's included."""
        planned = None
        if not skip_preview:
            planned = self._raise_on_error(self.preview(refresh=refresh))
        result = self._deploy("up", preview=False, refresh=refresh)
        result.preview = planned
        self.last_result = result
        return self._raise_on_error(result)

    def refresh(
        self,
        *,
        preview: bool = False,
        skip_preview: bool = False,
        import_pending_creates: Mapping[str, str] | None = None,
    ) -> RunResult:
        """Read every resource in the checkpoint and store what came back (`preview=True`:
        the preview alone, stored nowhere). `import_pending_creates` maps pending creates (by
        URN or name) to an id, as `--import-pending-creates URN ID`: they are dropped."""
        if import_pending_creates:
            self._import_pending_creates(import_pending_creates)
        planned = None
        if preview or not skip_preview:
            planned = self._run_without_program("refresh", preview=True)
            if preview:
                return planned
            self._raise_on_error(planned)
        result = self._run_without_program("refresh")
        result.preview = planned
        return self._raise_on_error(result)

    def destroy(self) -> RunResult:
        """Delete every resource in the checkpoint, dependents first."""
        return self._raise_on_error(self._run_without_program("destroy"))

    def _import_pending_creates(self, ids: Mapping[str, str]) -> None:
        # pendingCreatesToImports (pkg/cmd/pulumi/operations/refresh.go) edits the state
        # before the refresh: each pending create named gets its id and becomes an
        # "importing" operation, which the refresh then drops without reading it (the engine
        # tier shows it with the CLI v3.276): the stack forgets the object.
        checkpoint = self.checkpoint
        wanted = dict(ids)
        for op in checkpoint.pending:
            key = next((k for k in (op.resource.urn, op.resource.name) if k in wanted), None)
            if op.type == "creating" and key is not None:
                op.type, op.resource = "importing", op.resource.copy(id=wanted.pop(key))
        if wanted:
            raise KeyError(f"no pending create for {sorted(wanted)} in {self.state_path}")
        save_checkpoint(self.state_path, checkpoint, self.project, self.stack)

    def adopt_pending_creates(self, ids: Mapping[str, str]) -> None:
        """docs/interruptions.md's recovery (`stack export`, an edit, `stack import`): each
        pending create named (by URN or name) moves into the resources with the id of what
        it made, its recorded inputs as its outputs; a `refresh` then reads it."""
        checkpoint = self.checkpoint
        wanted = dict(ids)
        kept = []
        for op in checkpoint.pending:
            key = next((k for k in (op.resource.urn, op.resource.name) if k in wanted), None)
            if op.type != "creating" or key is None:
                kept.append(op)
                continue
            resource = op.resource.copy(id=wanted.pop(key), outputs=dict(op.resource.inputs))
            checkpoint.resources.append(resource)
        if wanted:
            raise KeyError(f"no pending create for {sorted(wanted)} in {self.state_path}")
        checkpoint.pending = kept
        save_checkpoint(self.state_path, checkpoint, self.project, self.stack)

    def _deploy(self, command: str, preview: bool, refresh: bool) -> RunResult:
        checkpoint = self.checkpoint
        current = self._current_provider_inputs()
        deployment = self._deployment(command, checkpoint, preview)
        try:
            if refresh:  # with the stored provider, as the engine refreshes before the program
                deployment.result.refresh = RunResult("refresh")
                deployment.rebase(refresh_all(deployment, deployment.result.refresh))
            deployment.use_provider(current)
            if deployment.result.ok:
                self._run_program(deployment, preview)
        finally:
            deployment.close()
            if not preview:
                self._save(deployment, checkpoint, current if deployment.registered else None)
        return deployment.result

    def _run_program(self, deployment: Deployment, preview: bool) -> None:
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
        if deployment.result.ok and deployment.killed is None:
            deployment.finish()

    def _run_without_program(self, command: str, preview: bool = False) -> RunResult:
        checkpoint = self.checkpoint
        deployment = self._deployment(command, checkpoint, preview)
        try:
            if command == "refresh":
                refreshed = refresh_all(deployment, deployment.result)
                if not preview:
                    deployment.rebase(refreshed)
            else:
                deployment.destroy()
        finally:
            deployment.close()
            if not preview:
                self._save(deployment, checkpoint, None)
        self.last_result = deployment.result
        return deployment.result

    def _save(self, deployment: Deployment, before: Checkpoint, provider: Props | None) -> None:
        """Store what the command did; the default provider keeps `provider` (what the
        program's resources registered it with), else its stored inputs while anything needs
        it (the engine deletes an unused default provider)."""
        resources, pending = deployment.state, before.pending
        if deployment.result.command == "refresh" and not deployment.preview:
            pending = [op for op in pending if op.type != "importing"]
        if deployment.killed is not None:
            resources, pending = deployment.killed_state, deployment.killed
        if provider is None and (resources or pending):
            provider = before.provider_inputs
        checkpoint = Checkpoint(resources, pending, provider)
        save_checkpoint(self.state_path, checkpoint, self.project, self.stack)
        if deployment.killed is not None:
            raise EngineKilled(f"{deployment.result.command}: the engine was killed")

    @staticmethod
    def _raise_on_error(result: RunResult) -> RunResult:
        if not result.ok:
            raise DeploymentError(result)
        return result
