""" "Gone" only on proof: answers that are not the API's own not-found never drop a resource.

Through the real provider host and the engine model, against the sandbox (program
tests/programs/safety_all, one resource kind at a time). An HTML 404 (a proxy's page) on the
object's read or delete route, a base path that serves no API, or a failed OVHcloud
`/auth/time`: refresh fails for the resource and keeps it, destroy fails and keeps it, and
the error names the endpoint setting to check. The object is still on the server after each.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest
from reliability.inventory import held
from support import DeploymentError, Engine, save_state

from pulumi_backups.sandbox import Sandbox

PROGRAM = Path(__file__).resolve().parents[1] / "programs" / "safety_all"
WEB = "/1.0/hosting/web/{serviceName}/database/{name}"
PART = "/1.0/dedicated/nasha/{serviceName}/partition/{partitionName}"
RDB = "/rdb/v1/regions/{region}/backups/{backup_id}"
KINDS: dict[str, tuple[dict[str, Any], str, str, str]] = {
    # resource -> (config, read route, delete route, endpoint setting)
    "db": ({}, f"GET {WEB}", f"DELETE {WEB}", "ovh:endpoint"),
    "dump": (
        {"backups": ["dump"]},
        f"GET {WEB}/dump/{{id}}",
        f"DELETE {WEB}/dump/{{id}}",
        "ovh:endpoint",
    ),
    "snapshot": (
        {"database": False, "backups": ["snapshot"]},
        f"GET {PART}/customSnapshot/{{name}}",
        f"DELETE {PART}/customSnapshot/{{name}}",
        "ovh:endpoint",
    ),
    "schedule": (
        {"database": False, "frequencies": ["day-1", "hour-6"]},
        f"GET {PART}/snapshot",
        f"GET {PART}/snapshot",
        "ovh:endpoint",
    ),
    "vpsbackup": (
        {"database": False, "backups": ["vps"]},
        "GET /api/v1/backups/",
        "DELETE /api/v1/backups/{backup_id}/",
        "vps:apiUrl",
    ),
    "rdbbackup": (
        {"database": False, "backups": ["rdb"]},
        f"GET {RDB}",
        f"DELETE {RDB}",
        "scaleway:apiUrl",
    ),
}


def engine(sandbox: Sandbox, tmp_path: Path, name: str) -> Engine:
    config, *_ = KINDS[name]
    run = Engine(
        PROGRAM,
        tmp_path / "state.json",
        dict(sandbox.stack_config()),
        env={"SCW_CONFIG_PATH": str(tmp_path / "absent.yaml")},
    )
    settings = {"deletion_protection": False, **config}
    run.stack_config.update({f"{run.project}:{k}": v for k, v in settings.items()})
    return run


def setting(name: str) -> str:
    """The stack config key that points resource `name`'s provider at its API."""
    return KINDS[name][3]


def on_server(sandbox: Sandbox, run: Engine, name: str) -> bool:
    """Whether the object of resource `name` (as the state has it) is on the server."""
    res = run.resource(name)
    if name == "schedule":  # the policy's object: the schedule it manages
        (doc,) = sandbox.objects()["ovh:nasha:partition"].values()
        return sorted(doc["snapshots"]) == ["day-1", "hour-6"]
    kinds = held(sandbox.objects())
    return any(res.id in docs for docs in kinds.values())


def assert_kept(sandbox: Sandbox, run: Engine, name: str, id_: str, err: DeploymentError) -> None:
    assert name in err.errors, err.errors
    assert setting(name) in err.errors[name], err.errors[name]
    assert run.resource(name).id == id_
    assert on_server(sandbox, run, name)


@pytest.mark.parametrize("name", list(KINDS))
def test_a_proxy_404_on_read_or_delete_keeps_the_resource(
    sandbox: Sandbox, tmp_path: Path, name: str
) -> None:
    _, read, delete, _ = KINDS[name]
    run = engine(sandbox, tmp_path, name)
    run.up()
    id_ = run.resource(name).id

    sandbox.fault("html404", read, count=None)
    with pytest.raises(DeploymentError) as refreshed:
        run.refresh()
    assert_kept(sandbox, run, name, id_, refreshed.value)
    sandbox.clear_faults()

    sandbox.fault("html404", delete, count=None)
    with pytest.raises(DeploymentError) as destroyed:
        run.destroy()
    assert_kept(sandbox, run, name, id_, destroyed.value)
    sandbox.clear_faults()

    run.destroy()
    assert run.state == []


@pytest.mark.parametrize("name", ["db", "snapshot", "vpsbackup", "rdbbackup"])
def test_a_wrong_base_path_keeps_the_resource(sandbox: Sandbox, tmp_path: Path, name: str) -> None:
    run = engine(sandbox, tmp_path, name)
    run.up()
    id_ = run.resource(name).id
    key = setting(name)
    right = run.stack_config[key]
    run.stack_config[key] = f"{sandbox.url}/proxy"
    run.up()  # nothing to change: the new setting is stored for refresh and destroy

    with pytest.raises(DeploymentError) as refreshed:
        run.refresh()
    assert_kept(sandbox, run, name, id_, refreshed.value)
    with pytest.raises(DeploymentError) as destroyed:
        run.destroy()
    assert_kept(sandbox, run, name, id_, destroyed.value)

    run.stack_config[key] = right
    run.up()
    run.destroy()
    assert run.state == []


@pytest.mark.parametrize("fault", ["html404", "500"])
def test_a_failed_auth_time_keeps_the_resource(
    sandbox: Sandbox, tmp_path: Path, fault: str
) -> None:
    run = engine(sandbox, tmp_path, "db")
    run.up()
    id_ = run.resource("db").id
    sandbox.fault(fault, "GET /1.0/auth/time", count=None)
    with pytest.raises(DeploymentError) as refreshed:
        run.refresh()
    assert_kept(sandbox, run, "db", id_, refreshed.value)
    assert "GET /auth/time failed" in refreshed.value.errors["db"]
    with pytest.raises(DeploymentError) as destroyed:
        run.destroy()
    assert_kept(sandbox, run, "db", id_, destroyed.value)
    sandbox.clear_faults()
    run.destroy()


def test_a_rate_limited_auth_time_is_no_endpoint_problem(sandbox: Sandbox, tmp_path: Path) -> None:
    """A 429 is OVHcloud's own answer: the error says so, without sending the user to check
    the endpoint, and the resource stays."""
    run = engine(sandbox, tmp_path, "db")
    run.up()
    sandbox.fault("429", "GET /1.0/auth/time", count=None)
    with pytest.raises(DeploymentError) as refreshed:
        run.refresh()
    message = refreshed.value.errors["db"]
    assert "GET /auth/time failed: HTTP 429" in message and "ovh:endpoint" not in message
    assert on_server(sandbox, run, "db") and run.resource("db")
    sandbox.clear_faults()
    run.destroy()


def test_the_v1_base_url_of_ovhcloud_is_the_api(sandbox: Sandbox, tmp_path: Path) -> None:
    run = engine(sandbox, tmp_path, "db")
    run.stack_config["ovh:endpoint"] = f"{sandbox.url}/v1"
    run.up()
    assert set(run.refresh().ops.values()) == {"same"}
    assert on_server(sandbox, run, "db")
    run.destroy()
    assert run.state == [] and held(sandbox.objects())["HostingDatabase"] == {}


def test_a_vps_backup_its_server_does_not_own_is_not_deleted(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    run = engine(sandbox, tmp_path, "vpsbackup")
    run.up()
    res = run.resource("vpsbackup")
    backup_id = res.id.split("/")[1]
    save_state(run.state_path, [res.copy(id=f"54321/{backup_id}")], run.project, run.stack)
    sandbox.clear_counters()
    with contextlib.suppress(DeploymentError):  # failing is fine, deleting it is not
        run.destroy()
    assert "DELETE /api/v1/backups/{backup_id}/" not in sandbox.counters()
    assert f"12345/{backup_id}" in held(sandbox.objects())["VpsBackup"]
