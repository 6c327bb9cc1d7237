"""The backup-audit example against the sandbox: it passes while every newest usable backup
is recent enough, fails its preview naming each stale or missing one, and fails too (never
"no backups") when a listing cannot be believed. It only reads: no resource, no change."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from examples.test_examples import Example, assert_ok, assert_requests, engine_for
from support import Engine

from pulumi_backups.sandbox import Sandbox
from pulumi_backups.sandbox.scenarios import LIVE_DATABASE, SCENARIOS
from pulumi_backups.sandbox.settings import CREDENTIALS, RDB_INSTANCE_ID, VPS_SERVER_ID

AUDIT = Example(Path(__file__).resolve().parents[2] / "examples" / "backup-audit", set())
VPS_LIST = "GET /api/v1/backups/"
KNOBS: dict[str, Any] = {"hosting_databases": [LIVE_DATABASE], "vps_servers": [VPS_SERVER_ID]}


def backed_up(sandbox: Sandbox, rdb: bool = True) -> None:
    """`sandboxapp.mysql.db` with a dump from yesterday (the live-database scenario), a VPS
    backup of server 12345 and (`rdb`) an RDB backup of `app`, both made now."""
    assert sandbox.context is not None, "the sandbox runs in this process"
    SCENARIOS["live-database"].play(sandbox.context)
    vps = {"Authorization": f"Bearer {CREDENTIALS['VPS_API_TOKEN']}"}
    body = {"server_id": VPS_SERVER_ID, "description": "audited"}
    httpx.post(f"{sandbox.url}/api/v1/backups/", json=body, headers=vps).raise_for_status()
    if rdb:
        scw = {"X-Auth-Token": CREDENTIALS["SCW_SECRET_KEY"]}
        body = {"instance_id": RDB_INSTANCE_ID, "database_name": "app", "name": "app-audited"}
        url = f"{sandbox.url}/rdb/v1/regions/fr-par/backups"
        httpx.post(url, json=body, headers=scw).raise_for_status()


def audit_engine(sandbox: Sandbox, tmp_path: Path, **knobs: Any) -> Engine:
    return engine_for(AUDIT, sandbox, tmp_path / "state.json", **{**KNOBS, **knobs})


def test_recent_backups_pass_the_audit_and_nothing_changes(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    backed_up(sandbox)
    engine = audit_engine(sandbox, tmp_path, max_age_hours=48)
    sandbox.clear_counters()
    plan = engine.preview()
    assert_ok(plan)
    assert plan.ops == {}
    result = engine.up()
    assert_ok(result)
    assert_requests(sandbox.counters(), reads=True)
    audit = {entry["what"]: entry for entry in result.outputs["audit"]}
    assert set(audit) == {
        f"hosting database {LIVE_DATABASE}",
        f"VPS {VPS_SERVER_ID}",
        f"RDB database app of {RDB_INSTANCE_ID}",
    }
    assert not any(entry["stale"] for entry in audit.values())
    # the scenario's dump is a day old, the other two were just made (the client's clock)
    assert 23.9 < audit[f"hosting database {LIVE_DATABASE}"]["newest_age_hours"] < 24.5
    assert 0 <= audit[f"VPS {VPS_SERVER_ID}"]["newest_age_hours"] < 0.5
    assert engine.state == []


def test_a_backup_older_than_the_limit_fails_the_preview_naming_it(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    backed_up(sandbox)
    plan = audit_engine(sandbox, tmp_path, max_age_hours=12).preview()
    assert not plan.ok
    error = plan.program_error or ""
    assert f"stale backups, not deploying: hosting database {LIVE_DATABASE}" in error, error
    assert "VPS" not in error and "RDB" not in error


def test_a_database_without_any_backup_fails_the_preview(sandbox: Sandbox, tmp_path: Path) -> None:
    backed_up(sandbox, rdb=False)
    plan = audit_engine(sandbox, tmp_path, max_age_hours=48).preview()
    assert not plan.ok
    assert f"not deploying: RDB database app of {RDB_INSTANCE_ID}" in (plan.program_error or "")


@pytest.mark.parametrize("lie", ["set:results.*.server.id=54321", "set:results=[]"])
def test_a_listing_that_cannot_be_believed_is_an_error_not_an_empty_list(
    sandbox: Sandbox, tmp_path: Path, lie: str
) -> None:
    """An entry of another server, or a page emptied under its count: the VPS look-up stops
    the program with the listing's error, not with "no usable backup"."""
    backed_up(sandbox)
    sandbox.fault(lie, VPS_LIST, count=None)
    plan = audit_engine(sandbox, tmp_path, max_age_hours=48).preview()
    assert not plan.ok
    error = plan.program_error or ""
    assert VPS_LIST in error and "not deploying" not in error, error


def test_the_sandbox_defaults_never_reach_a_real_api(tmp_path: Path) -> None:
    result = Engine(AUDIT.path, tmp_path / "state.json").preview()
    assert not result.ok
    assert "set `backups-backup-audit:hosting_service`" in (result.program_error or "")
