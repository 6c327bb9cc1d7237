"""The provider plugin `pulumi-resource-backups` serves every Pulumi language under the real
engine, against the sandbox: the YAML example (runtime yaml), the TypeScript example through
the Node.js SDK generated from schema.json (runtime nodejs), and a Python program through the
generated Python SDK (runtime python). A preview sends no request; an `up` creates what the
program declares, a second one changes nothing; `destroy` leaves the sandbox as it was. The
requests are the sandbox's own counts; the state is `pulumi stack export`'s.

The SDKs are generated once per session with the older CLI that engine/build.sh puts in
`codegen/` (the engine's own `package gen-sdk` has no code generator built in)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from examples.test_examples import assert_requests
from examples.test_examples import footprint as _footprint
from support.plugin import SECRET_SETTINGS, plugin_config

from engine.pulumi_cli import Result, Stack, is_secret
from pulumi_backups.sandbox import Sandbox, SandboxSettings

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "schema.json"
EXAMPLES = ROOT / "examples"
PROGRAMS = Path(__file__).parent / "programs"
CACHE = Path.home() / ".cache" / "pulumi-backups"
NPM_CACHE = CACHE / "npm"
"""npm's cache, kept between runs: a second `npm install` reads the registry's packages from it."""
NPM_TIMEOUT = 600.0


@dataclass(frozen=True)
class Sdks:
    """The SDKs generated from schema.json: `nodejs/` (a package to compile) and `python/`
    (`pulumi_backups_sdk`, installed into `python_path` with its dependencies)."""

    root: Path
    version: str
    python_path: Path

    @property
    def nodejs(self) -> Path:
        return self.root / "nodejs"

    @property
    def python(self) -> Path:
        return self.root / "python"


def _run(command: list[str], cwd: Path, env: Mapping[str, str], timeout: float = 300.0) -> str:
    done = subprocess.run(
        command, cwd=cwd, env=dict(env), capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"$ {' '.join(command)}\n{done.stdout[-3000:]}\n{done.stderr}"
    return done.stdout


def generate_sdk(engine: Path, language: str, out: Path) -> None:
    """`pulumi package gen-sdk schema.json --language <language> --out <out>`."""
    env = {
        **os.environ,
        "PULUMI_HOME": str(out.parent / "pulumi-home"),
        # Without it, the CLI first asks the network for a newer version (seconds here).
        "PULUMI_SKIP_UPDATE_CHECK": "true",
    }
    command = [str(engine / "codegen" / "pulumi"), "package", "gen-sdk", str(SCHEMA)]
    _run([*command, "--language", language, "--out", str(out)], out.parent, env)


IMPORT = re.compile(r"""(from\s+|require\(|import\()(["'])(\.[^"']*)\2""")
PY_IMPORT = re.compile(r"^from (\.+)(\w*) import (\w+)( as _root_\w+)?", re.M)


def fix_nested_imports(root: Path) -> None:
    """The generator writes the package root of a nested module one level short: `vps/*.ts`
    import "./types/input" and "./utilities", `ovh/*.py` `from . import _utilities` and
    `from . import outputs as _root_outputs`. Each relative import that names nothing where
    it stands but does one level up, or is aliased as the root's (`_root_*`), is moved up."""
    for source in root.rglob("*.ts"):
        text = source.read_text()

        def node(match: re.Match[str], here: Path = source.parent) -> str:
            target = match[3]
            if _node_module(here / target) or not _node_module(here.parent / target):
                return match[0]
            return f"{match[1]}{match[2]}.{target}{match[2]}"

        source.write_text(IMPORT.sub(node, text))
    for source in root.rglob("*.py"):
        text = source.read_text()

        def python(match: re.Match[str], here: Path = source.parent) -> str:
            dots, module, name, root = match[1], match[2], match[3], match[4] or ""
            base = here
            for _ in dots[1:]:
                base = base.parent
            if not _py_module(base.parent, module, name) or (
                _py_module(base, module, name) and not root
            ):
                return match[0]
            return f"from .{dots}{module} import {name}{root}"

        source.write_text(PY_IMPORT.sub(python, text))


def _node_module(path: Path) -> bool:
    return any(p.exists() for p in (path.with_name(path.name + ".ts"), path / "index.ts"))


def _py_module(base: Path, module: str, name: str) -> bool:
    folder = base / module if module else base
    return (folder / f"{name}.py").exists() or (folder / name / "__init__.py").exists()


@pytest.fixture(scope="session")
def sdks(engine: Path, tmp_path_factory: pytest.TempPathFactory) -> Sdks:
    root = tmp_path_factory.mktemp("sdks")
    sdk = root / "sdk"
    version = json.loads(SCHEMA.read_text())["version"]
    for language in ("nodejs", "python"):
        generate_sdk(engine, language, sdk)
    fix_nested_imports(sdk)
    setup = sdk / "python" / "setup.py"
    text = setup.read_text().replace('"0.0.0"', f'"{version}"')
    # Its `install` runs `pulumi plugin install resource backups`: the plugin comes from
    # the Python distribution instead (on PATH).
    setup.write_text(text.replace("'install': InstallPluginCommand,", ""))
    site = root / "site"
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    # Its requirements `pulumi` and `semver` are this interpreter's (the program's, through
    # PULUMI_PYTHON_CMD): a copy of its own here would shadow the SDK the host runs with.
    _run(
        [*pip, "--no-deps", "--target", str(site), str(sdk / "python"), "parver"], root, os.environ
    )
    return Sdks(sdk, version, site)


# -- what the engine did, by resource (the TypeScript example has two "pre-deploy") -------------


def _key(urn: str) -> str | None:
    kind, name = urn.split("::")[2:4]
    if kind == "pulumi:pulumi:Stack" or kind.startswith("pulumi:providers:"):
        return None
    return f"{kind}::{name}"


def plan_steps(plan: Mapping[str, Any]) -> dict[str, str]:
    """`preview --json`'s steps, by `type::name`."""
    return {k: s["op"] for s in plan.get("steps", []) if (k := _key(s["urn"])) is not None}


def event_ops(result: Result) -> dict[str, str]:
    """Each custom resource's step, by `type::name`, from the engine's events (a
    replacement's several steps read `replace`)."""
    ops: dict[str, str] = {}
    for event in result.events:
        for kind in ("resourcePreEvent", "resOutputsEvent"):
            metadata = event.get(kind, {}).get("metadata")
            if metadata and (key := _key(metadata["urn"])) is not None:
                op = metadata["op"]
                if op in ("create-replacement", "delete-replaced"):
                    op = "replace"
                if ops.get(key) != "replace":
                    ops[key] = op
    return ops


def state(stack: Stack) -> dict[str, dict[str, Any]]:
    """The state's custom resources, by `type::name`."""
    return {
        key: r for r in stack.export().get("resources", []) if (key := _key(r["urn"])) is not None
    }


def providers(stack: Stack) -> list[dict[str, Any]]:
    return [r for r in stack.export().get("resources", []) if r["type"].startswith("pulumi:prov")]


def plugin_settings(stack: Stack, sandbox: Sandbox) -> None:
    """The sandbox's endpoints and credentials as the plugin's settings (`backups:<key>`),
    the secret ones encrypted."""
    settings = plugin_config(sandbox.stack_config())
    stack.config(
        {f"backups:{k}": v for k, v in settings.items()},
        secret=[f"backups:{k}" for k in SECRET_SETTINGS],
    )


def preview_up_up(stack: Stack, sandbox: Sandbox, resources: set[str]) -> dict[str, Any]:
    """A preview (no request, every resource planned as a create), `up` (each created, in
    the state with an id), `up` again (nothing changes, no request). Returns the first
    `up`'s stack outputs."""
    sandbox.clear_counters()
    result, plan = stack.preview()
    assert plan_steps(plan) == dict.fromkeys(resources, "create"), result.text
    assert_requests(sandbox.counters(), reads=False)
    assert state(stack) == {}

    first = stack.up(check=False)
    assert first.ok, first.diagnostics("error") or first.text
    assert event_ops(first) == dict.fromkeys(resources, "create"), first.text
    created = state(stack)
    assert set(created) == resources
    assert all(r["id"] and r["custom"] for r in created.values())
    # One default provider of package `backups`, the plugin's, configured from the stack.
    (provider,) = providers(stack)
    assert provider["type"] == "pulumi:providers:backups"
    assert all(r["provider"].startswith(provider["urn"]) for r in created.values())

    sandbox.clear_counters()
    second = stack.up()
    assert second.summary() == {"same": len(resources) + 1}, second.text
    assert_requests(sandbox.counters(), reads=False)
    return first.outputs()


def footprint(sandbox: Sandbox) -> dict[str, dict[str, Any]]:
    """The sandbox's objects (tests/examples' footprint), without the id of the last task
    each ran: a dump of a database that outlives the stack leaves that database's `taskId`
    at the dump's task."""
    return {
        kind: {key: {k: v for k, v in doc.items() if k != "taskId"} for key, doc in docs.items()}
        for kind, docs in _footprint(sandbox).items()
    }


def assert_vps_backup(stack: Stack, name: str, backup_id: Any) -> None:
    """The stack output `backup_id` is the backup the state's VpsBackup `name` names."""
    backup = state(stack)[f"backups:vps:VpsBackup::{name}"]
    assert backup["id"] == f"12345/{backup_id}", (backup["id"], backup_id)
    assert backup["outputs"]["backupId"] == backup_id


def assert_sdk_version(stack: Stack, sdks: Sdks) -> None:
    """The SDK registers its resources at its version: the engine's default provider is
    that version's."""
    (provider,) = providers(stack)
    assert provider["urn"].endswith("::default_" + sdks.version.replace(".", "_")), provider


def destroyed(stack: Stack, sandbox: Sandbox, before: Any) -> None:
    stack.destroy()
    assert state(stack) == {}
    assert footprint(sandbox) == before


# -- YAML ---------------------------------------------------------------------------------------

YAML_RESOURCES = {
    "backups:ovh:NashaSnapshotPolicy::schedule",
    "backups:ovh:NashaCustomSnapshot::beforeUpgrade",
    "backups:vps:VpsBackup::nightly",
    "backups:scaleway:RdbBackup::exported",
}


def test_yaml_example_lifecycle(sandbox: Sandbox, make_stack: Callable[..., Stack]) -> None:
    stack = make_stack(EXAMPLES / "plugin-yaml")
    plugin_settings(stack, sandbox)
    before = footprint(sandbox)
    outputs = preview_up_up(stack, sandbox, YAML_RESOURCES)
    assert outputs["frequencies"] == ["day-1", "day-7", "hour-6"]
    assert outputs["restoredOnDestroy"] == ["day-1"]
    assert_vps_backup(stack, "nightly", outputs["vpsBackup"])
    assert is_secret(outputs["downloadUrl"]), outputs
    assert footprint(sandbox) != before
    # The secret settings are kept encrypted in the provider's state.
    (provider,) = providers(stack)
    assert is_secret(provider["inputs"]["vpsApiToken"]), provider["inputs"]
    assert provider["inputs"]["vpsApiUrl"] == sandbox.stack_config()["vps:apiUrl"]

    sandbox.clear_counters()
    refreshed = stack.refresh()
    assert refreshed.summary() == {"same": len(YAML_RESOURCES) + 1}, refreshed.text
    assert_requests(sandbox.counters(), reads=True)
    assert sandbox.counters(), "a refresh reads every resource"
    assert set(state(stack)) == YAML_RESOURCES

    destroyed(stack, sandbox, before)


# -- TypeScript ---------------------------------------------------------------------------------

TS_RESOURCES = {
    "backups:vps:VpsBackup::pre-deploy",
    "backups:ovh:HostingDatabaseDump::pre-deploy",
}


def npm(args: list[str], cwd: Path, env: Mapping[str, str]) -> str:
    """npm with the cache kept between runs, preferring it to the registry."""
    command = ["npm", *args, "--cache", str(NPM_CACHE), "--prefer-offline"]
    return _run([*command, "--no-audit", "--no-fund"], cwd, env, timeout=NPM_TIMEOUT)


def install_typescript_project(stack: Stack, sdks: Sdks) -> None:
    """What the example's README has a user do: the generated SDK into `sdk/`, given a
    version and its runtime entry points (`npm run sdk`), then `npm install`, which compiles
    it (the example's `postinstall`)."""
    shutil.copytree(sdks.nodejs, stack.dir / "sdk" / "nodejs")
    env = {**stack.env, "PATH": os.environ["PATH"]}  # npm's own node, no engine needed
    npm(["run", "sdk"], stack.dir, env)
    npm(["install"], stack.dir, env)


@pytest.fixture(scope="module")
def live_database() -> Iterator[Sandbox]:
    """A sandbox whose web hosting has a database (`--scenario live-database`), as the
    TypeScript example's README starts it: the example dumps that database."""
    server = Sandbox(SandboxSettings(task_seconds=0, scenarios=("live-database",))).start()
    yield server
    server.stop()


@pytest.mark.skipif(shutil.which("npm") is None, reason="no npm on PATH")
def test_typescript_example_lifecycle(
    live_database: Sandbox, make_stack: Callable[..., Stack], sdks: Sdks
) -> None:
    sandbox = live_database
    stack = make_stack(EXAMPLES / "plugin-typescript")
    install_typescript_project(stack, sdks)
    package = json.loads((stack.dir / "sdk" / "nodejs" / "bin" / "package.json").read_text())
    assert package["version"] == sdks.version
    assert (stack.dir / "node_modules" / "pulumi-backups").resolve() == stack.dir / "sdk/nodejs"
    plugin_settings(stack, sandbox)
    before = footprint(sandbox)

    outputs = preview_up_up(stack, sandbox, TS_RESOURCES)
    assert_vps_backup(stack, "pre-deploy", outputs["vpsBackup"])
    assert is_secret(outputs["dumpUrl"]), outputs
    assert_sdk_version(stack, sdks)
    assert footprint(sandbox) != before

    # A new release: new backups first, then the old ones deleted (the README's last step).
    old_ids = {k: r["id"] for k, r in state(stack).items()}
    stack.config({"backups-plugin-typescript:release": "v2"})
    released = stack.up()
    assert event_ops(released) == dict.fromkeys(TS_RESOURCES, "replace"), released.text
    new = state(stack)
    assert set(new) == TS_RESOURCES
    assert not {r["id"] for r in new.values()} & set(old_ids.values())
    assert new["backups:vps:VpsBackup::pre-deploy"]["inputs"]["description"] == "Before v2"

    destroyed(stack, sandbox, before)


# -- Python -------------------------------------------------------------------------------------

PY_RESOURCES = {"backups:vps:VpsBackup::nightly", "backups:ovh:NashaSnapshotPolicy::schedule"}


def test_python_sdk_program_lifecycle(
    sandbox: Sandbox, make_stack: Callable[..., Stack], sdks: Sdks
) -> None:
    path = os.pathsep.join([str(sdks.python_path)])
    stack = make_stack(PROGRAMS / "plugin_python", env={"PYTHONPATH": path})
    plugin_settings(stack, sandbox)
    before = footprint(sandbox)

    outputs = preview_up_up(stack, sandbox, PY_RESOURCES)
    assert_vps_backup(stack, "nightly", outputs["vpsBackup"])
    assert outputs["frequencies"] == ["day-1", "hour-6"]
    assert_sdk_version(stack, sdks)
    # The SDK's snake_case arguments reach the plugin under the schema's camelCase names.
    assert state(stack)["backups:vps:VpsBackup::nightly"]["inputs"]["serverId"] == 12345

    destroyed(stack, sandbox, before)
