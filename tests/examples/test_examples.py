"""Every example, run as `pulumi preview / up / up / destroy` would run it, against the sandbox.

For each program (the root Pulumi.yaml's quickstart included): the preview plans the expected
creations and sends no HTTP request; `up` creates them; a second `up` changes nothing and
calls no API but reads; `destroy` leaves the sandbox as it found it (records of past
operations aside). Credentials reach the programs as stack config, as `make demo` sets them.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from support import Engine, RunResult, is_secret, sandbox_engine

from pulumi_backups.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SECRET_KEYS = ["ovh:applicationSecret", "ovh:consumerKey", "scaleway:secretKey", "vps:apiToken"]
# What the services keep as history (tasks and their deferred effects), not objects.
HISTORY = ("task", "pending")


@dataclass
class Example:
    """One program, the config it is run with and the resources its plan creates."""

    path: Path
    resources: set[str]
    config: dict[str, Any] = field(default_factory=dict)
    outputs: set[str] = field(default_factory=set)
    secret_outputs: set[str] = field(default_factory=set)


def committed_stack_config() -> dict[str, Any]:
    """The gitops example's committed stack settings (Pulumi.production.yaml)."""
    text = (EXAMPLES / "gitops" / "Pulumi.production.yaml").read_text()
    config: dict[str, Any] = yaml.safe_load(text)["config"]
    return config


QUICKSTART_RESOURCES = {
    "app-db",
    "predeploy-dump",
    "backups-schedule",
    "quickstart-snapshot",
    "web-backup",
    "app-backup",
}
QUICKSTART = Example(
    ROOT,
    QUICKSTART_RESOURCES,
    outputs={
        "database",
        "database_server",
        "dump_id",
        "nas_frequencies",
        "vps_backup",
        "rdb_backup",
        "rdb_download_url_expires_at",
    },
    secret_outputs={"dump_url", "rdb_download_url"},
)
EXAMPLE_CASES = {
    "quickstart": Example(EXAMPLES / "quickstart", QUICKSTART_RESOURCES),
    "predeploy-backup": Example(
        EXAMPLES / "predeploy-backup",
        {"app-db", "predeploy-dump", "predeploy-backup"},
        {"app_version": "2.3.0"},
        outputs={"app_version", "database_name", "dump", "vps_backup"},
    ),
    "nasha-snapshots": Example(
        EXAMPLES / "nasha-snapshots",
        {"schedule", "before-migration"},
        {"snapshot_expiration": "2031-01-01"},
        outputs={"frequencies", "frequencies_restored_on_destroy", "snapshot_path"},
    ),
    "rdb-backup-export": Example(
        EXAMPLES / "rdb-backup-export",
        {"nightly-export", "restore"},
        {"restore_database": "app_restore"},
        outputs={"backup", "backup_status", "download_url_expires_at"},
        secret_outputs={"download_url"},
    ),
    "restore": Example(
        EXAMPLES / "restore",
        {
            "app-db",
            "restore-point",
            "database-restore",
            "server-restore-point",
            "server-restore",
            "rdb-restore-point",
            "rdb-restore",
        },
        outputs={"database_name", "restored_dump", "database_restore_task", "rdb_restore_status"},
    ),
    "gitops": Example(
        EXAMPLES / "gitops",
        {"files-schedule", "release-backup"},
        {key.split(":", 1)[1]: value for key, value in committed_stack_config().items()},
        outputs={"app_version", "nas_frequencies", "release_backup"},
    ),
}


def engine_for(example: Example, sandbox: Sandbox, state: Path, **config: Any) -> Engine:
    """An engine whose stack config holds the sandbox's credentials and the example's knobs."""
    engine = Engine(example.path, state, secret_keys=SECRET_KEYS)
    knobs = {**example.config, **config}
    engine.stack_config = {
        **sandbox.stack_config(),
        **{f"{engine.project}:{key}": value for key, value in knobs.items()},
    }
    return engine


def settled_objects(sandbox: Sandbox) -> dict[str, dict[str, Any]]:
    """Every object of the sandbox, the effects of finished tasks applied.

    The OVHcloud emulator applies the effect of a finished task when the next OVHcloud request
    arrives (as time passes on the real service); `/_sandbox/objects` does not, so an
    unsigned `GET /1.0/auth/time` first brings the stored objects up to date.
    """
    httpx.get(f"{sandbox.url}/1.0/auth/time", timeout=10).raise_for_status()
    return sandbox.objects()


def footprint(sandbox: Sandbox) -> dict[str, dict[str, Any]]:
    """The sandbox's objects, without the services' records of past operations."""
    return {
        kind: docs
        for kind, docs in settled_objects(sandbox).items()
        if docs and not any(word in kind for word in HISTORY)
    }


def assert_ok(result: RunResult) -> None:
    assert result.ok, (result.errors, result.program_error, result.host_output[-2000:])


def assert_requests(counters: dict[str, int], *, reads: bool) -> None:
    """No request at all, or (`reads`) GET requests only."""
    if reads:
        assert [route for route in counters if not route.startswith("GET ")] == []
    else:
        assert counters == {}


def lifecycle(engine: Engine, example: Example, sandbox: Sandbox, *, reads: bool) -> RunResult:
    """preview, up, up again, destroy, with the assertions every example shares.

    `reads`: the program itself reads an API (a lookup) when it runs; otherwise a preview
    and a second `up` send no request at all. Returns the first `up`'s result.
    """
    before = footprint(sandbox)
    sandbox.clear_counters()
    plan = engine.preview()
    assert_ok(plan)
    assert plan.ops == dict.fromkeys(example.resources, "create")
    assert plan.methods() == {"Check"}
    assert_requests(sandbox.counters(), reads=reads)
    assert not engine.state_path.exists()

    first = engine.up()
    assert first.ops == dict.fromkeys(example.resources, "create")
    assert set(first.outputs) >= example.outputs | example.secret_outputs
    assert all(first.outputs[name] is not None for name in example.outputs)
    assert all(is_secret(first.outputs[name]) for name in example.secret_outputs)
    assert footprint(sandbox) != before

    sandbox.clear_counters()
    second = engine.up()
    assert second.ops == dict.fromkeys(example.resources, "same")
    assert second.methods() <= {"Check", "Diff"}
    assert_requests(sandbox.counters(), reads=reads)

    engine.destroy()
    assert engine.state == []
    assert footprint(sandbox) == before
    return first


@pytest.mark.parametrize("name", sorted(EXAMPLE_CASES))
def test_example_lifecycle(name: str, sandbox: Sandbox, tmp_path: Path) -> None:
    example = EXAMPLE_CASES[name]
    lifecycle(engine_for(example, sandbox, tmp_path / "state.json"), example, sandbox, reads=False)


def test_root_project_runs_the_quickstart(sandbox: Sandbox, tmp_path: Path) -> None:
    """`pulumi up` at the repository's root (what `make demo` runs) deploys the quickstart."""
    engine = engine_for(QUICKSTART, sandbox, tmp_path / "state.json")
    assert engine.project == "backups-quickstart"
    outputs = lifecycle(engine, QUICKSTART, sandbox, reads=False).outputs
    assert outputs["database"] == "sandbox.cluster000.hosting.ovh.net/sandboxqs.mysql.db"
    assert outputs["nas_frequencies"] == ["day-1", "day-7", "hour-6"]
    assert outputs["nas_frequencies_before"] == ["day-1"]
    assert outputs["vps_backup"].startswith("12345/")
    assert outputs["rdb_backup"].startswith("fr-par/")
    assert outputs["rdb_download_url"]["value"].startswith("http")


def test_predeploy_backup_takes_new_backups_when_the_version_changes(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    example = EXAMPLE_CASES["predeploy-backup"]
    engine = engine_for(example, sandbox, tmp_path / "state.json", app_version="1.0.0")
    first = engine.up().outputs

    engine.stack_config["backups-predeploy-backup:app_version"] = "1.1.0"
    plan = engine.preview()
    assert plan.ops == {
        "app-db": "same",
        "predeploy-dump": "replace",
        "predeploy-backup": "replace",
    }
    assert plan.step("predeploy-dump").replaces == ["triggers"]
    second = engine.up().outputs
    assert second["dump"] != first["dump"] and second["vps_backup"] != first["vps_backup"]
    assert _dump_ids(sandbox) == {_last(second["dump"])}  # the old dump was deleted
    engine.destroy()


def test_predeploy_backup_can_keep_the_old_backups(sandbox: Sandbox, tmp_path: Path) -> None:
    example = EXAMPLE_CASES["predeploy-backup"]
    engine = engine_for(
        example,
        sandbox,
        tmp_path / "state.json",
        app_version="1.0.0",
        keep_old_dumps=True,
        keep_old_vps_backups=True,
    )
    first = engine.up().outputs
    engine.stack_config["backups-predeploy-backup:app_version"] = "1.1.0"
    second = engine.up().outputs
    assert _dump_ids(sandbox) == {_last(first["dump"]), _last(second["dump"])}
    assert _vps_backup_ids(sandbox) == {_last(first["vps_backup"]), _last(second["vps_backup"])}


def test_recover_deleted_database_finds_the_kept_dump(sandbox: Sandbox, tmp_path: Path) -> None:
    # A database whose dump was kept (retain_on_delete), then deleted: its dump is an orphan.
    predeploy = engine_for(
        EXAMPLE_CASES["predeploy-backup"], sandbox, tmp_path / "old.json", keep_old_dumps=True
    )
    kept_dump = _last(predeploy.up().outputs["dump"])
    predeploy.destroy()

    example = Example(
        EXAMPLES / "recover-deleted-database",
        {"recovered"},
        outputs={"database", "dump_id", "dump_created", "import_command"},
        secret_outputs={"dump_url"},
    )
    engine = engine_for(example, sandbox, tmp_path / "state.json")
    first = lifecycle(engine, example, sandbox, reads=True)
    assert first.outputs["dump_id"] == kept_dump
    assert first.outputs["database"] == "sandboxrc.mysql.db"
    assert "mysql -h " in first.outputs["import_command"]


def test_recover_deleted_database_without_dumps_warns_and_creates_an_empty_database(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    example = Example(EXAMPLES / "recover-deleted-database", {"recovered"})
    engine = engine_for(example, sandbox, tmp_path / "state.json", deleted_database="gone.mysql.db")
    result = engine.up()
    assert result.ops == {"recovered": "create"}
    assert "dump_id" not in result.outputs
    assert result.outputs["orphan_dumps"] == []
    engine.destroy()


def test_gitops_preview_needs_no_credentials(tmp_path: Path) -> None:
    """A pull request's preview runs without any API credential (the pipeline relies on it)."""
    engine = Engine(EXAMPLES / "gitops", tmp_path / "state.json")
    endpoints = ("ovh:endpoint", "scaleway:apiUrl", "vps:apiUrl")  # the sandbox's, no credential
    sandbox = {key: "http://127.0.0.1:8080" for key in endpoints}
    engine.stack_config = {**committed_stack_config(), **sandbox}
    plan = engine.preview()
    assert_ok(plan)
    assert plan.ops == {"files-schedule": "create", "release-backup": "create"}


def _last(resource_id: str) -> int:
    return int(resource_id.rsplit("/", 1)[1])


def _dump_ids(sandbox: Sandbox) -> set[int]:
    return {int(doc["id"]) for doc in _kind(sandbox, "dump").values()}


def _vps_backup_ids(sandbox: Sandbox) -> set[int]:
    return {int(doc["id"]) for doc in _kind(sandbox, "vps:backup").values()}


def _kind(sandbox: Sandbox, suffix: str) -> dict[str, Any]:
    objects = settled_objects(sandbox)
    kinds = [kind for kind in objects if kind.endswith(suffix)]
    assert len(kinds) <= 1, kinds
    return objects[kinds[0]] if kinds else {}


def test_an_example_copied_out_of_the_repository_runs(sandbox: Sandbox, tmp_path: Path) -> None:
    """As a user copies it: its folder alone, the package from the environment."""
    copy = tmp_path / "my-backups"
    shutil.copytree(EXAMPLES / "rdb-backup-export", copy)
    run = sandbox_engine(sandbox, copy, tmp_path / "state")
    assert_ok(run.preview())
    assert_ok(run.up())
    assert_ok(run.destroy())
    assert run.state == []


@pytest.mark.parametrize(
    ("folder", "key"),
    [
        ("quickstart", "hosting_service"),
        ("restore", "hosting_service"),
        ("predeploy-backup", "hosting_service"),
        ("nasha-snapshots", "nas_service"),
        ("rdb-backup-export", "rdb_instance"),
        ("recover-deleted-database", "hosting_service"),
        ("gitops", "nas_service"),
    ],
)
def test_sandbox_defaults_never_reach_a_real_api(tmp_path: Path, folder: str, key: str) -> None:
    """No endpoint configured (the real APIs) and a setting forgotten: the preview stops,
    before any request, naming the setting to give."""
    run = Engine(EXAMPLES / folder, tmp_path / "state.json")
    result = run.preview()
    assert not result.ok
    assert f"set `{run.project}:{key}`" in (result.program_error or ""), result.program_error


def test_sandbox_ids_set_in_a_copied_stack_file_are_refused_too(tmp_path: Path) -> None:
    """The gitops example's committed settings name the sandbox's objects: copied as they
    are to a real account, they stop the preview; the user's own values go through."""
    run = Engine(EXAMPLES / "gitops", tmp_path / "state.json")
    run.stack_config = committed_stack_config()
    refused = run.preview()
    error = refused.program_error or ""
    assert "set `backups-gitops:nas_service`" in error and "it is set to the sandbox's" in error
    run.stack_config.update(
        {"backups-gitops:nas_service": "zpool-123456", "backups-gitops:vps_server": "4242"}
    )
    assert_ok(run.preview())
