"""The backup-audit example under the real engine, against the sandbox: `pulumi preview` and
`up` pass while every newest usable backup is recent enough (reads only, nothing created);
`pulumi preview` fails, naming each stale or missing one, with `pulumi.log.error`'s
diagnostics and the program's error."""

from __future__ import annotations

from collections.abc import Callable

from examples.test_backup_audit import AUDIT, KNOBS, backed_up
from examples.test_examples import footprint

from engine.conftest import mutations, sandbox_config
from engine.pulumi_cli import Stack
from pulumi_backups.sandbox import Sandbox
from pulumi_backups.sandbox.scenarios import LIVE_DATABASE


def test_recent_backups_pass_and_nothing_is_created(
    sandbox: Sandbox, make_stack: Callable[..., Stack]
) -> None:
    backed_up(sandbox)
    before = footprint(sandbox)
    stack = make_stack(AUDIT.path)
    sandbox_config(stack, sandbox, **KNOBS, max_age_hours=48)
    sandbox.clear_counters()
    result, _ = stack.preview()
    assert result.ok, result.text
    up = stack.up()
    audit = {entry["what"]: entry for entry in up.outputs()["audit"]}
    assert len(audit) == 3 and not any(entry["stale"] for entry in audit.values()), audit
    assert mutations(sandbox) == {}
    assert stack.resources() == {}
    assert footprint(sandbox) == before


def test_a_stale_or_missing_backup_fails_the_preview(
    sandbox: Sandbox, make_stack: Callable[..., Stack]
) -> None:
    backed_up(sandbox, rdb=False)
    stack = make_stack(AUDIT.path)
    sandbox_config(stack, sandbox, **KNOBS, max_age_hours=12)
    result, _ = stack.preview(check=False)
    assert not result.ok
    text = result.text
    assert f"hosting database {LIVE_DATABASE}: newest usable backup" in text, text
    assert "RDB database app of" in text and "no usable backup" in text, text
    assert "stale backups, not deploying" in text, text
    assert f"VPS {KNOBS['vps_servers'][0]}:" not in text, text
