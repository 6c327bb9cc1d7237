"""Running a Pulumi program in-process, with the SDK's mock monitor as the engine's front door.

The program runs the way the Python language host runs it (`run_in_stack`), against the
settings `pulumi.runtime.set_mocks` installs, with a `MockMonitor` subclass whose
RegisterResource hands the whole request (inputs in wire form plus the resource options
MockResourceArgs leaves out: protect, delete_before_replace, retain_on_delete,
additional_secret_outputs, ignore_changes, dependencies and property dependencies) to a
callback and answers with the id and outputs it returns. The SDK calls RegisterResource
from its executor threads, one per pending registration, so independent resources are
registered concurrently, as with the engine. Settings, config and the root stack live in a
copied context: nothing leaks into the caller.
"""

from __future__ import annotations

import asyncio
import contextvars
import os
import runpy
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pulumi.runtime import mocks, settings, stack
from pulumi.runtime.config import set_all_config
from pulumi.runtime.proto import resource_pb2

from .results import StepError
from .values import Props, config_text, from_struct, to_struct

ProgramLike = str | os.PathLike[str] | Callable[[], Any]


@dataclass
class Goal:
    """What the program asked for one resource: wire-form inputs and the options that matter."""

    urn: str
    type: str
    name: str
    inputs: Props
    parent: str = ""
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    protect: bool = False
    delete_before_replace: bool | None = None
    retain_on_delete: bool = False
    additional_secret_outputs: list[str] = field(default_factory=list)
    ignore_changes: list[str] = field(default_factory=list)

    @classmethod
    def from_request(cls, request: Any, urn: str) -> Goal:
        deps = set(request.dependencies)
        property_deps = {k: sorted(v.urns) for k, v in request.propertyDependencies.items()}
        for urns in property_deps.values():
            deps.update(urns)
        return cls(
            urn=urn,
            type=request.type,
            name=request.name,
            inputs=from_struct(request.object),
            parent=request.parent,
            dependencies=sorted(deps),
            property_dependencies={k: urns for k, urns in property_deps.items() if urns},
            protect=bool(request.protect),
            delete_before_replace=(
                request.deleteBeforeReplace if request.deleteBeforeReplaceDefined else None
            ),
            retain_on_delete=bool(request.retainOnDelete),
            additional_secret_outputs=list(request.additionalSecretOutputs),
            ignore_changes=list(request.ignoreChanges),
        )


Register = Callable[[Goal], tuple[str, Props]]


@dataclass
class Program:
    """A resolved program: what to run, its project name, its directory."""

    run: Callable[[], Any]
    project: str
    directory: Path | None

    @classmethod
    def resolve(cls, program: ProgramLike, project: str | None = None) -> Program:
        """Accept a callable, a `__main__.py` path, a project directory, or a module name."""
        if callable(program):
            return cls(program, project or "project", None)
        path = Path(program)
        if path.is_dir():
            meta = _project_file(path)
            main = path / str(meta.get("main", "")) if meta.get("main") else path
            main = main / "__main__.py" if main.is_dir() else main
            return cls(_run_path(main), project or meta.get("name", "project"), path)
        if path.is_file():
            meta = _project_file(path.parent)
            return cls(_run_path(path), project or meta.get("name", "project"), path.parent)
        name = str(program)
        return cls(lambda: runpy.run_module(name, run_name="__main__"), project or "project", None)


def _project_file(directory: Path) -> dict[str, Any]:
    meta_path = directory / "Pulumi.yaml"
    if not meta_path.exists():
        return {}
    meta: dict[str, Any] = yaml.safe_load(meta_path.read_text()) or {}
    return meta


def _run_path(main: Path) -> Callable[[], Any]:
    return lambda: runpy.run_path(str(main), run_name="__main__")


class _Mocks(mocks.Mocks):
    """Invokes answer nothing; resources never get here (the monitor handles them)."""

    def call(self, args: mocks.MockCallArgs) -> tuple[dict[str, Any], None]:
        return {}, None

    def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        raise NotImplementedError(
            f"{args.name}: reading an existing resource (ResourceOptions(id=...)) is not modelled"
        )


class _Monitor(mocks.MockMonitor):
    def __init__(self, register: Register, exports: dict[str, Any]) -> None:
        super().__init__(_Mocks())
        self._register = register
        self._exports = exports

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # The engine leaves the root stack out of a child's qualified type.
        if "::pulumi:pulumi:Stack::" in parent:
            parent = ""
        urn: str = super().make_urn(parent, type_, name)
        return urn

    def RegisterResource(self, request: Any) -> Any:
        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == "pulumi:pulumi:Stack" or not request.custom:
            return resource_pb2.RegisterResourceResponse(urn=urn)
        id_, outputs = self._register(Goal.from_request(request, urn))
        return resource_pb2.RegisterResourceResponse(urn=urn, id=id_, object=to_struct(outputs))

    def RegisterResourceOutputs(self, request: Any) -> Any:
        if "::pulumi:pulumi:Stack::" in request.urn:
            self._exports.update(from_struct(request.outputs))
        return super().RegisterResourceOutputs(request)


@contextmanager
def _process_scope(directory: Path | None, env: Mapping[str, str]) -> Iterator[None]:
    """Environment, sys.path and cwd as the language host would set them; restored after."""
    saved_env = dict(os.environ)
    saved_path = list(sys.path)
    saved_cwd = os.getcwd()
    os.environ.update(env)
    if directory is not None:
        sys.path.insert(0, str(directory))
        os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(saved_cwd)
        sys.path[:] = saved_path
        os.environ.clear()
        os.environ.update(saved_env)


def _install_runtime(monitor: _Monitor, project: str, stack_name: str, preview: bool) -> None:
    settings.reset_options(project=project, stack=stack_name, preview=preview)
    # set_mocks() would also register and finish a root stack at once, losing exports:
    # install the same settings and let run_in_stack create the stack, as the host does.
    settings.configure(
        mocks.MockSettings(
            monitor=monitor,
            monitor_features=set(monitor.GetDeploymentInfo(None).supportedFeatures),
            engine=mocks.MockEngine(None),
            project=project,
            stack=stack_name,
            dry_run=preview,
            organization="organization",
            callbacks=None,
        )
    )


def _run_in_fresh_loop(program: Program) -> Exception | None:
    loop = asyncio.new_event_loop()
    loop.set_exception_handler(_quiet_about_step_errors)
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(stack.run_in_stack(program.run))
        return None
    except Exception as exc:  # reported to the caller, as the language host reports it
        return exc
    finally:
        # a failed program leaves outputs waiting on what will never come: end them here,
        # not at interpreter exit (where asyncio complains about each destroyed task)
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()
        asyncio.set_event_loop(None)


def run_program(
    program: Program,
    *,
    stack_name: str,
    preview: bool,
    config: Mapping[str, Any],
    secret_keys: list[str],
    env: Mapping[str, str],
    register: Register,
    exports: dict[str, Any],
) -> Exception | None:
    """Run `program` to completion; return the exception it ended with, if any."""

    def body() -> Exception | None:
        _install_runtime(_Monitor(register, exports), program.project, stack_name, preview)
        set_all_config({k: config_text(v) for k, v in config.items()}, secret_keys)
        return _run_in_fresh_loop(program)

    with _process_scope(program.directory, env):
        return contextvars.copy_context().run(body)


def _quiet_about_step_errors(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    # Outputs of a failed resource hold its StepError; the run result already reports it.
    if not isinstance(context.get("exception"), StepError):
        loop.default_exception_handler(context)
