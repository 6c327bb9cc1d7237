"""Every Python example under the real engine, against the sandbox: `pulumi preview` (no
request reaches the sandbox), `up`, `up` again (no changes), `refresh` (no changes),
`preview --refresh` (reads only), `destroy` (the sandbox as it was). The requests are the
sandbox's own counts; the state is `pulumi stack export`'s."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from examples.test_examples import (
    EXAMPLE_CASES,
    QUICKSTART,
    ROOT,
    Example,
    assert_requests,
    committed_stack_config,
    footprint,
)

from engine.conftest import mutations, sandbox_config
from engine.pulumi_cli import Stack, is_secret, plan_ops
from pulumi_backups.sandbox import Sandbox


def lifecycle(stack: Stack, example: Example, sandbox: Sandbox) -> dict[str, Any]:
    """The six commands and what each must do; returns the first `up`'s stack outputs."""
    before = footprint(sandbox)
    sandbox.clear_counters()
    result, plan = stack.preview()
    assert plan_ops(plan) == dict.fromkeys(example.resources, "create"), result.text
    assert_requests(sandbox.counters(), reads=False)
    assert stack.resources() == {}

    first = stack.up()
    assert first.ops() == dict.fromkeys(example.resources, "create"), first.text
    outputs = first.outputs()
    assert set(outputs) >= example.outputs | example.secret_outputs, outputs
    state = stack.resources()
    assert set(state) == example.resources
    assert all(r.get("id") for r in state.values())
    assert footprint(sandbox) != before

    sandbox.clear_counters()
    second = stack.up()
    assert second.summary() == {"same": len(example.resources) + 1}, second.text
    assert_requests(sandbox.counters(), reads=False)

    sandbox.clear_counters()
    refreshed = stack.refresh()
    assert refreshed.summary() == {"same": len(example.resources) + 1}, refreshed.text
    assert_requests(sandbox.counters(), reads=True)
    assert set(stack.resources()) == example.resources

    sandbox.clear_counters()
    result, plan = stack.preview("--refresh")
    assert plan["changeSummary"] == {"same": len(example.resources) + 1}, result.text
    assert mutations(sandbox) == {}

    stack.destroy()
    assert stack.resources() == {}
    assert footprint(sandbox) == before
    return outputs


@pytest.mark.parametrize("name", sorted(EXAMPLE_CASES))
def test_example_lifecycle(name: str, sandbox: Sandbox, make_stack: Callable[..., Stack]) -> None:
    example = EXAMPLE_CASES[name]
    stack_name = "production" if name == "gitops" else "dev"
    stack = make_stack(example.path, stack=stack_name)
    sandbox_config(stack, sandbox, **example.config)
    outputs = lifecycle(stack, example, sandbox)
    for key in example.secret_outputs:
        assert is_secret(outputs[key]), outputs


def test_root_project_runs_the_quickstart(
    sandbox: Sandbox, make_stack: Callable[..., Stack]
) -> None:
    """`pulumi up` at the repository's root (what `make demo` runs)."""
    stack = make_stack(ROOT, files=["Pulumi.yaml", "__main__.py", "examples/quickstart"])
    sandbox_config(stack, sandbox)
    outputs = lifecycle(stack, QUICKSTART, sandbox)
    assert outputs["database"] == "sandbox.cluster000.hosting.ovh.net/sandboxqs.mysql.db"
    assert outputs["nas_frequencies"] == ["day-1", "day-7", "hour-6"]
    assert str(outputs["vps_backup"]).startswith("12345/")


def test_gitops_preview_needs_no_credentials(
    sandbox: Sandbox, make_stack: Callable[..., Stack]
) -> None:
    """The pull request's preview: the committed stack settings and the endpoints, no
    credential at all, and no request."""
    stack = make_stack(EXAMPLE_CASES["gitops"].path, stack="production")
    assert set(committed_stack_config()) <= _config_keys(stack)
    endpoints = {k: v for k, v in sandbox.stack_config().items() if k.endswith(("endpoint", "Url"))}
    stack.config(endpoints)
    sandbox.clear_counters()
    result, plan = stack.preview()
    assert plan_ops(plan) == {"files-schedule": "create", "release-backup": "create"}, result.text
    assert sandbox.counters() == {}


def _config_keys(stack: Stack) -> set[str]:
    return set(json.loads(stack.run("config", "--json").stdout))
