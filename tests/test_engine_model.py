"""The harness does what the Pulumi engine does where data safety depends on it.

Each test drives the throw-away provider through the real provider host and proves one
engine behaviour the harness models: dependent replacements of a delete-before-replace,
refresh (Read then Diff, per-resource failures, dropped resources, dry runs), the provider
config of refresh and destroy, the Check before a replacement, `up` as a preview then an
update, `--parallel`, and the import of a pending create.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pulumi
import pytest
from support import (
    DeploymentError,
    Engine,
    EngineKilled,
    ProviderHost,
    load_checkpoint,
    save_checkpoint,
)
from throwaway_provider import STORE_ENV, Item, Store

MakeEngine = Callable[..., Engine]


def chain(spec: dict[str, Any]) -> Callable[[], None]:
    """`root` (delete-before-replace on a `group` change) and its dependents: `grouped` takes
    its `group` from root (a replacing input), `valued` its `value` (an in-place input),
    `grandchild` its `group` from `grouped`, `grand_valued` its `value` from `grouped`."""

    def program() -> None:
        root = Item("root", value="r", group=spec["group"], exclusive=True)
        grouped = Item("grouped", value="g", group=root.item_id)
        Item("valued", value=root.item_id)
        Item("grandchild", value="gc", group=grouped.item_id)
        Item("grand_valued", value=grouped.item_id)

    return program


def test_a_delete_before_replace_deletes_first_the_dependents_it_replaces(
    make_engine: MakeEngine, store: Store
) -> None:
    spec = {"group": "g1"}
    engine = make_engine(chain(spec))
    engine.up()
    before = {res.name: res.id for res in engine.state}
    spec["group"] = "g2"

    plan = engine.preview()
    result = engine.up()

    replaced = {"root": "replace", "grouped": "replace", "grandchild": "replace"}
    assert plan.ops == {**replaced, "valued": "update", "grand_valued": "update"}
    assert result.ops == plan.ops
    # The dependents' Diffs (inputs from a replaced resource unknown) come before any delete.
    assert result.calls_for("grouped") == ["Diff", "Delete", "Check", "Create"]
    assert result.calls_for("valued") == ["Diff", "Check", "Diff", "Update"]
    deletes = [name for method, name in result.calls if method == "Delete"]
    assert deletes == ["grandchild", "grouped", "root"]
    first_create = result.calls.index(("Create", "root"))
    assert all(result.calls.index(("Delete", n)) < first_create for n in deletes)
    after = {res.name: res.id for res in engine.state}
    assert [n for n in after if after[n] == before[n]] == ["valued", "grand_valued"]
    assert set(store.items()) == set(after.values())
    assert engine.resource("grouped").plain_inputs()["group"] == after["root"]


def test_property_dependencies_are_kept_per_input(make_engine: MakeEngine) -> None:
    engine = make_engine(chain({"group": "g1"}))
    engine.up()

    root_urn = engine.resource("root").urn
    assert engine.resource("grouped").property_dependencies == {"group": [root_urn]}
    assert engine.resource("valued").property_dependencies == {"value": [root_urn]}


def test_a_protected_dependent_stops_the_replacement_before_any_delete(
    make_engine: MakeEngine, store: Store
) -> None:
    spec = {"group": "g1"}

    def program() -> None:
        root = Item("root", value="r", group=spec["group"], exclusive=True)
        Item("guarded", value="g", group=root.item_id, opts=pulumi.ResourceOptions(protect=True))

    engine = make_engine(program)
    engine.up()
    items = store.items()
    spec["group"] = "g2"

    with pytest.raises(DeploymentError, match="as part of replacing") as raised:
        engine.up(skip_preview=True)

    assert "Delete" not in raised.value.result.methods()
    assert store.items() == items


def test_refresh_reads_then_diffs_to_tell_same_from_update(
    make_engine: MakeEngine, store: Store
) -> None:
    def program() -> None:
        Item("drifting", value="v1")
        Item("restamped", value="v1")

    engine = make_engine(program)
    engine.up()
    store.drift(engine.resource("drifting").id, value="by-hand")
    store.drift(engine.resource("restamped").id, revision=99)

    result = engine.refresh()

    # Only what the Diff sees as a change is an update: the revision is no input.
    assert result.ops == {"drifting": "update", "restamped": "same"}
    assert result.calls_for("restamped") == ["Read", "Diff"]
    assert engine.resource("restamped").plain_outputs()["revision"] == 99
    assert engine.resource("drifting").plain_inputs()["value"] == "by-hand"


def test_a_failing_read_fails_its_resource_only(make_engine: MakeEngine, store: Store) -> None:
    def program() -> None:
        Item("unreadable", value="v1")
        Item("drifting", value="v1")
        Item("vanishing", value="v1")

    engine = make_engine(program)
    engine.up()
    stored = engine.resource("unreadable")
    store.drift(stored.id, value="unreadable")
    store.drift(engine.resource("drifting").id, value="by-hand")
    store.forget(engine.resource("vanishing").id)

    with pytest.raises(DeploymentError) as previewed:
        engine.refresh()  # the preview fails, so nothing is stored
    assert previewed.value.result.command == "refresh"
    assert sorted(r.name for r in engine.state) == ["drifting", "unreadable", "vanishing"]

    with pytest.raises(DeploymentError) as raised:
        engine.refresh(skip_preview=True)

    result = raised.value.result
    assert list(result.errors) == ["unreadable"]
    assert "read refused" in result.errors["unreadable"]
    assert result.ops == {"unreadable": "", "drifting": "update", "vanishing": "delete"}
    assert sorted(r.name for r in engine.state) == ["drifting", "unreadable"]
    assert engine.resource("unreadable") == stored
    assert engine.resource("drifting").plain_inputs()["value"] == "by-hand"


def test_a_resource_gone_at_refresh_leaves_no_reference_behind(
    make_engine: MakeEngine, store: Store
) -> None:
    def program() -> None:
        parent = Item("parent", value="p")
        Item("child", value=parent.item_id)

    engine = make_engine(program)
    engine.up()
    store.forget(engine.resource("parent").id)

    engine.refresh()

    child = engine.resource("child")
    assert [r.name for r in engine.state] == ["child"]
    assert (child.dependencies, child.property_dependencies) == ([], {"value": []})


def test_read_runs_in_dry_runs_and_stores_nothing(make_engine: MakeEngine, store: Store) -> None:
    def program() -> None:
        Item("vanishing", value="v1")

    engine = make_engine(program)
    engine.up()
    store.forget(engine.resource("vanishing").id)
    saved = engine.state_path.read_text()

    refresh_plan = engine.refresh(preview=True)
    plain_plan = engine.preview()
    refreshing_plan = engine.preview(refresh=True)

    assert refresh_plan.ops == {"vanishing": "delete"}
    assert plain_plan.ops == {"vanishing": "same"}
    assert refreshing_plan.refresh is not None
    assert refreshing_plan.refresh.ops == {"vanishing": "delete"}
    assert refreshing_plan.ops == {"vanishing": "create"}
    assert engine.state_path.read_text() == saved

    result = engine.up(refresh=True)

    assert result.calls_for("vanishing") == ["Read", "Check", "Create"]
    assert result.preview is not None and result.preview.ops == {"vanishing": "create"}
    assert engine.resource("vanishing").id in store.items()


def test_refresh_and_destroy_configure_the_provider_as_the_last_up(
    make_engine: MakeEngine, tmp_path: Any
) -> None:
    first, second = Store(tmp_path / "first.json"), Store(tmp_path / "second.json")

    def program() -> None:
        Item("item", value="v")

    engine = make_engine(program)
    engine.stack_config["throwaway:store"] = str(first.path)
    engine.up()
    item = engine.resource("item").id
    engine.stack_config.update({"throwaway:store": str(second.path), "throwaway:label": "red"})

    engine.refresh()
    assert engine.resource("item").plain_outputs()["label"] == "blue"
    engine.destroy()

    assert item not in first.items()
    stored = load_checkpoint(engine.state_path)
    assert stored.provider_inputs is None and stored.resources == []


def test_the_stored_provider_inputs_are_the_config_as_text_secrets_sealed(
    make_engine: MakeEngine,
) -> None:
    def program() -> None:
        Item("item", value="v")

    engine = make_engine(program)
    engine.stack_config["throwaway:retries"] = 3
    engine.up()

    inputs = load_checkpoint(engine.state_path).provider_inputs
    assert inputs is not None and inputs["throwaway:retries"] == "3"
    assert "tok-" not in engine.state_path.read_text()


def test_check_before_a_replacement_gets_the_programs_own_inputs(
    make_engine: MakeEngine,
) -> None:
    spec = {"group": "g1", "tag": "t1"}

    def program() -> None:
        Item(
            "ignoring",
            value="v",
            group=spec["group"],
            tag=spec["tag"],
            opts=pulumi.ResourceOptions(ignore_changes=["tag"]),
        )

    engine = make_engine(program)
    engine.up()
    spec.update(group="g2", tag="t2")

    result = engine.up()

    assert result.calls_for("ignoring") == ["Check", "Diff", "Check", "Create", "Delete"]
    assert engine.resource("ignoring").plain_outputs()["tag"] == "t2"


def test_up_is_a_preview_then_an_update_in_two_hosts(make_engine: MakeEngine) -> None:
    pids: dict[str, set[int]] = {"Check": set()}

    def watch(method: str, name: str, host: ProviderHost) -> None:
        pids.setdefault(method, set()).add(host.pid)

    engine = make_engine(lambda: Item("item", value="v"), on_call=watch)

    result = engine.up()

    assert result.preview is not None and result.preview.calls == [("Check", "item")]
    assert result.calls == [("Check", "item"), ("Create", "item")]
    assert len(pids["Check"]) == 2 and pids["Create"] < pids["Check"]
    assert engine.up(skip_preview=True).preview is None


def test_parallel_defaults_to_four_per_cpu_and_the_host_runs_four(
    make_engine: MakeEngine,
) -> None:
    def program() -> None:
        for n in range(8):
            Item(f"item{n}", value="v", rendezvous=4)

    assert make_engine(program).parallel == 4 * (os.cpu_count() or 1)
    engine = make_engine(program, parallel=8)
    assert engine.up().max_in_flight == 4  # the engine sends 8 at once; the host runs 4

    two_at_a_time = make_engine(program, parallel=2)
    destroyed = two_at_a_time.destroy()  # independent deletes, bounded by --parallel

    assert destroyed.max_in_flight == 2


def test_a_killed_engine_leaves_a_pending_create_that_an_edited_state_recovers(
    make_engine: MakeEngine, store: Store
) -> None:
    def kill_at_create(method: str, name: str, host: ProviderHost) -> None:
        if method == "Create" and name == "item":
            raise EngineKilled("killed")

    engine = make_engine(lambda: Item("item", value="v"), on_call=kill_at_create)
    with pytest.raises(EngineKilled):
        engine.up()
    engine.on_call = None

    (pending,) = engine.pending_creates
    (made,) = store.items()  # the create went through; its answer was lost
    assert engine.state == [] and pending.resource.id == ""
    assert pending.resource.plain_inputs()["value"] == "v"

    # `--import-pending-creates URN ID`: the CLI drops the pending create without reading it.
    dropped = engine.refresh(import_pending_creates={pending.resource.urn: made})
    assert dropped.calls_for("item") == [] and engine.checkpoint.pending == []
    assert engine.state == []

    # docs/interruptions.md's recovery: the pending create edited into the resources.
    checkpoint = engine.checkpoint
    checkpoint.pending.append(pending)
    save_checkpoint(engine.state_path, checkpoint, engine.project, engine.stack)
    engine.adopt_pending_creates({pending.resource.urn: made})
    result = engine.refresh()

    assert result.calls_for("item") == ["Read", "Diff"]
    assert engine.pending_creates == []
    assert engine.resource("item").id == made
    assert engine.resource("item").plain_outputs()["value"] == "v"
    again = engine.up()
    assert again.op("item") == "same" and list(store.items()) == [made]


def test_the_host_reads_with_nothing_but_the_inputs(store: Store, tests_dir: str) -> None:
    """What the import of a pending create sends: Read with empty properties (this needs
    pulumi >= 3.268, the first SDK whose host falls back to the inputs)."""
    urn = "urn:pulumi:dev::p::pulumi-python:dynamic/throwaway:Item::solo"
    engine_run = Engine(lambda: Item("solo", value="v"), store.path.with_name("s.json"))
    engine_run.env[STORE_ENV] = str(store.path)
    engine_run.up(skip_preview=True)
    inputs = engine_run.resource("solo").inputs

    with ProviderHost({STORE_ENV: str(store.path)}, pythonpath=[tests_dir]) as host:
        host.configure({})
        read = host.read(urn, engine_run.resource("solo").id, {}, inputs)

    assert read.id == engine_run.resource("solo").id
    assert read.outputs["value"] == "v"
