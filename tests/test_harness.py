"""Acceptance tests of the engine harness (tests/support/engine) with a throw-away provider.

Each engine command spawns one real `python -m pulumi.dynamic` host; the provider's "API"
is a JSON file (throwaway_provider.Store) that tests edit to create drift.
"""

from __future__ import annotations

import json
import os
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi.dynamic.dynamic import serialize_provider
from support import UNKNOWN, DeploymentError, Engine, HostError, ProviderHost, is_secret
from throwaway_provider import STORE_ENV, TOKEN, Item, ItemProvider, Store

MakeEngine = Callable[..., Engine]


def parent_and_child(spec: dict[str, Any]) -> Callable[[], None]:
    """`child.value` is computed from `parent.item_id`: outputs must flow into inputs."""

    def program() -> None:
        parent = Item("parent", value=spec["value"], group=spec.get("group"), tag=spec.get("tag"))
        child = Item("child", value=parent.item_id.apply(lambda i: f"child-of-{i}"))
        pulumi.export("child_value", child.value)

    return program


def test_preview_calls_only_check_and_diff_and_never_writes(
    make_engine: MakeEngine, store: Store, tmp_path: Path
) -> None:
    spec = {"value": "v1"}
    engine = make_engine(parent_and_child(spec))

    plan = engine.preview()

    assert plan.ops == {"parent": "create", "child": "create"}
    assert plan.methods() == {"Check"}
    assert plan.step("child").outputs["value"] == UNKNOWN
    assert plan.outputs == {"child_value": UNKNOWN}
    assert not (tmp_path / "state.json").exists()
    assert not store.path.exists()

    engine.up()
    spec["value"] = "v2"
    log_before = store.log()
    plan = engine.preview()

    # As with the engine, a previewed update hands the program its inputs as outputs, so
    # `item_id` is unknown and the child shows as an update too.
    assert plan.ops == {"parent": "update", "child": "update"}
    assert plan.methods() == {"Check", "Diff"}
    assert plan.step("parent").changed == ["value"]
    assert plan.step("child").changed == ["value"]
    assert store.log() == log_before
    assert engine.resource("parent").plain_inputs()["value"] == "v1"


def test_up_creates_feeds_outputs_forward_and_second_up_changes_nothing(
    make_engine: MakeEngine, store: Store
) -> None:
    engine = make_engine(parent_and_child({"value": "v1"}))

    result = engine.up()

    assert result.ops == {"parent": "create", "child": "create"}
    assert result.calls_for("parent") == ["Check", "Create"]
    assert result.host_spawns == 1
    parent_id = engine.resource("parent").id
    assert engine.resource("child").plain_outputs()["value"] == f"child-of-{parent_id}"
    assert result.outputs == {"child_value": f"child-of-{parent_id}"}
    assert [r.name for r in engine.state] == ["parent", "child"]

    log_before = store.log()
    again = engine.up()

    assert again.ops == {"parent": "same", "child": "same"}
    assert again.methods() == {"Check", "Diff"}
    assert store.log() == log_before


def test_update_in_place_keeps_the_id_and_honours_ignore_changes(
    make_engine: MakeEngine,
) -> None:
    spec: dict[str, Any] = {"value": "v1", "tag": "t1"}

    def program() -> None:
        Item("kept", value=spec["value"], tag=spec["tag"])
        Item(
            "ignoring",
            value="x",
            tag=spec["tag"],
            opts=pulumi.ResourceOptions(ignore_changes=["tag"]),
        )

    engine = make_engine(program)
    engine.up()
    old_id = engine.resource("kept").id
    spec.update(value="v2", tag="t2")

    result = engine.up()

    assert result.ops == {"kept": "update", "ignoring": "same"}
    assert result.calls_for("kept") == ["Check", "Diff", "Update"]
    assert result.step("kept").changed == ["tag", "value"]
    kept = engine.resource("kept").plain_outputs()
    assert (engine.resource("kept").id, kept["revision"], kept["value"]) == (old_id, 2.0, "v2")
    assert kept["olds_had_provider"] is True
    assert engine.resource("ignoring").plain_inputs()["tag"] == "t1"


def test_replace_creates_the_new_one_and_deletes_the_old_one_last(
    make_engine: MakeEngine, store: Store
) -> None:
    spec = {"value": "v1", "group": "g1"}
    engine = make_engine(parent_and_child(spec))
    engine.up()
    old_id = engine.resource("parent").id
    spec["group"] = "g2"

    plan = engine.preview()
    result = engine.up()

    assert plan.op("parent") == "replace"
    assert plan.calls_for("parent") == ["Check", "Diff", "Check"]

    assert result.ops == {"parent": "replace", "child": "update"}
    assert result.step("parent").replaces == ["group"]
    assert result.calls_for("parent") == ["Check", "Diff", "Check", "Create", "Delete"]
    calls = result.calls
    create, update_child, delete = (
        calls.index(("Create", "parent")),
        calls.index(("Update", "child")),
        calls.index(("Delete", "parent")),
    )
    assert create < update_child < delete
    new_id = engine.resource("parent").id
    assert new_id != old_id
    assert set(store.items()) == {new_id, engine.resource("child").id}
    assert not any(r.pending_delete for r in engine.state)


def test_delete_before_replace_from_the_diff_or_the_option_and_the_option_wins(
    make_engine: MakeEngine,
) -> None:
    spec = {"group": "g1"}

    def program() -> None:
        Item("by_diff", value="a", group=spec["group"], exclusive=True)
        Item(
            "by_option",
            value="b",
            group=spec["group"],
            opts=pulumi.ResourceOptions(delete_before_replace=True),
        )
        Item(
            "overridden",
            value="c",
            group=spec["group"],
            exclusive=True,
            opts=pulumi.ResourceOptions(delete_before_replace=False),
        )

    engine = make_engine(program)
    engine.up()
    spec["group"] = "g2"

    result = engine.up()

    dbr = ["Check", "Diff", "Check", "Delete", "Create"]
    assert result.calls_for("by_diff") == dbr
    assert result.calls_for("by_option") == dbr
    assert result.calls_for("overridden") == ["Check", "Diff", "Check", "Create", "Delete"]
    dbr_flags = {s.name: s.delete_before_replace for s in result.steps}
    assert dbr_flags == {"by_diff": True, "by_option": True, "overridden": False}


def test_refresh_records_drift_and_disappearance(make_engine: MakeEngine, store: Store) -> None:
    def program() -> None:
        Item("drifting", value="v1")
        Item("vanishing", value="v1")

    engine = make_engine(program)
    engine.up()
    store.drift(engine.resource("drifting").id, value="changed-by-hand")
    store.forget(engine.resource("vanishing").id)

    result = engine.refresh()

    assert result.ops == {"drifting": "update", "vanishing": "delete"}
    # Read, then a Diff of what was read against the stored inputs tells same from update.
    assert result.calls_for("drifting") == ["Read", "Diff"]
    assert result.calls_for("vanishing") == ["Read"]
    assert result.preview is not None and result.preview.ops == result.ops
    assert result.step("drifting").changed == ["value"]
    assert [r.name for r in engine.state] == ["drifting"]
    assert engine.resource("drifting").plain_inputs()["value"] == "changed-by-hand"

    after = engine.up()

    assert after.ops == {"drifting": "update", "vanishing": "create"}
    assert engine.resource("drifting").plain_outputs()["value"] == "v1"


def test_resources_dropped_from_the_program_are_deleted_dependents_first(
    make_engine: MakeEngine, store: Store
) -> None:
    keep_all = {"value": True}

    def program() -> None:
        Item("stays", value="s")
        if keep_all["value"]:
            parent_and_child({"value": "p"})()

    engine = make_engine(program)
    engine.up()
    keep_all["value"] = False

    result = engine.up()

    assert result.ops == {"stays": "same", "child": "delete", "parent": "delete"}
    assert [c for c in result.calls if c[0] == "Delete"] == [
        ("Delete", "child"),
        ("Delete", "parent"),
    ]
    assert [r.name for r in engine.state] == ["stays"]
    assert list(store.items()) == [engine.resource("stays").id]


def test_destroy_deletes_dependents_first_and_skips_retained(
    make_engine: MakeEngine, store: Store
) -> None:
    def program() -> None:
        parent_and_child({"value": "p"})()
        Item("retained", value="r", opts=pulumi.ResourceOptions(retain_on_delete=True))

    engine = make_engine(program)
    engine.up()
    retained_id = engine.resource("retained").id

    result = engine.destroy()

    assert result.calls == [("Delete", "child"), ("Delete", "parent")]
    assert result.op("retained") == "delete"
    assert engine.state == []
    assert list(store.items()) == [retained_id]


def test_protect_refuses_replace_and_destroy(make_engine: MakeEngine) -> None:
    spec = {"group": "g1"}

    def program() -> None:
        Item("guarded", value="v", group=spec["group"], opts=pulumi.ResourceOptions(protect=True))

    engine = make_engine(program)
    engine.up()
    spec["group"] = "g2"

    with pytest.raises(DeploymentError, match="protection") as replacing:
        engine.up()
    with pytest.raises(DeploymentError, match="protection") as destroying:
        engine.destroy()

    assert "Create" not in replacing.value.result.methods()
    assert destroying.value.result.calls == []
    assert [r.name for r in engine.state] == ["guarded"]


def test_check_failures_surface_property_and_reason(make_engine: MakeEngine) -> None:
    def program() -> None:
        Item("fine", value="ok")
        Item("bad", value="", size=0)

    engine = make_engine(program)
    expected = [("value", "must be a non-empty string"), ("size", "must be at least 1")]

    plan = engine.preview()
    with pytest.raises(DeploymentError) as raised:
        engine.up()

    assert plan.step("bad").failures == expected
    assert raised.value.result.step("bad").failures == expected
    assert "size: must be at least 1" in raised.value.errors["bad"]
    assert raised.value.result.calls_for("bad") == ["Check"]


def test_a_failed_create_stops_the_run_and_keeps_the_state_consistent(
    make_engine: MakeEngine, store: Store
) -> None:
    phase = {"n": 1}

    def program() -> None:
        Item("first", value="ok")
        if phase["n"] == 1:
            Item("second", value="ok")
        else:
            Item("boom", value="explode")

    engine = make_engine(program)
    engine.up()
    phase["n"] = 2

    with pytest.raises(DeploymentError) as raised:
        engine.up()

    result = raised.value.result
    assert "RuntimeError: create refused" in result.errors["boom"]
    assert "Traceback" in str(result.step("boom").error)
    # "second" left the program, but a failed run must not delete anything.
    assert "Delete" not in result.methods()
    assert sorted(r.name for r in engine.state) == ["first", "second"]
    assert len(store.items()) == 2


def test_secrets_stay_out_of_the_state_file(make_engine: MakeEngine, tmp_path: Path) -> None:
    def program() -> None:
        Item("vault", value="v", secret=pulumi.Output.secret("hunter2-plaintext"))

    engine = make_engine(program)
    result = engine.up()

    text = (tmp_path / "state.json").read_text()
    vault = engine.resource("vault")
    password = vault.plain_outputs()["password"]
    assert password == f"pw-{vault.id}-sesame"
    for plaintext in ("hunter2-plaintext", password, TOKEN):
        assert plaintext not in text
        assert plaintext not in result.host_output
    assert {"password", "secret"} <= set(json.loads(text)["resources"][0]["secret_outputs"])
    assert is_secret(result.step("vault").outputs["password"])
    assert vault.plain_outputs()["token_length"] == len(TOKEN)


def test_engine_wire_behaviours_reach_the_provider(make_engine: MakeEngine) -> None:
    def program() -> None:
        Item("wire", value="v", size=3, group=None)

    engine = make_engine(program)
    engine.up()

    seen = engine.resource("wire").plain_outputs()
    assert seen["size_type"] == "float"
    assert "group" not in seen["seen_keys"]
    assert "__provider" in seen["seen_keys"]
    assert seen["label"] == "blue"


def test_at_most_four_provider_calls_run_at_once(make_engine: MakeEngine) -> None:
    def program() -> None:
        for n in range(8):
            Item(f"item{n}", value="v", rendezvous=4)

    engine = make_engine(program)
    result = engine.up()

    assert result.max_in_flight == 4
    assert sorted(result.names("create")) == sorted(f"item{n}" for n in range(8))
    destroyed = engine.destroy()  # independent resources are deleted 4 at a time too
    assert destroyed.max_in_flight == 4
    assert sorted(destroyed.names("delete")) == sorted(f"item{n}" for n in range(8))


def test_program_from_a_project_directory_sees_config_and_env(
    make_engine: MakeEngine, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: harness-demo\nruntime: python\n")
    (project / "__main__.py").write_text(
        textwrap.dedent(
            """
            import os
            import pulumi
            from throwaway_provider import Item

            label = pulumi.Config("throwaway").require("label")
            item = Item("from-dir", value=f"{label}-{os.environ['THROWAWAY_STORE'][-10:]}")
            pulumi.export("id", item.item_id)
            """
        )
    )
    engine = make_engine(project)

    result = engine.up()

    assert engine.project == "harness-demo"
    urn = "urn:pulumi:dev::harness-demo::pulumi-python:dynamic/throwaway:Item::from-dir"
    assert result.step("from-dir").urn == urn
    assert engine.resource("from-dir").plain_inputs()["value"] == "blue-store.json"
    assert result.outputs == {"id": engine.resource("from-dir").id}


def test_provider_host_alone_reports_the_host_traceback_and_dies_on_close(
    store: Store, tests_dir: str
) -> None:
    urn = "urn:pulumi:dev::p::pulumi-python:dynamic/throwaway:Item::solo"
    news = {"__provider": serialize_provider(ItemProvider()), "value": "explode"}

    with ProviderHost({STORE_ENV: str(store.path)}, pythonpath=[tests_dir]) as host:
        host.configure({})
        checked = host.check(urn, {}, news)
        with pytest.raises(HostError) as raised:
            host.create(urn, checked.inputs)
        pid = host.pid

    assert raised.value.method == "Create"
    assert "RuntimeError: create refused" in raised.value.message
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_every_command_ends_with_a_cancel_to_each_host(
    make_engine: Callable[..., Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the engine's defaultHost.Close does, whether the command succeeded or not."""
    cancels: list[int] = []
    real_cancel = ProviderHost.cancel

    def cancel(host: ProviderHost) -> None:
        cancels.append(id(host))
        real_cancel(host)

    monkeypatch.setattr(ProviderHost, "cancel", cancel)
    engine = make_engine(parent_and_child({"value": "v1"}))
    for command in (engine.preview, engine.up, engine.refresh, engine.destroy):
        before = len(cancels)
        result = command()
        spawns = result.host_spawns + (result.preview.host_spawns if result.preview else 0)
        assert result.host_spawns >= 1
        assert len(cancels) - before == spawns, command
