"""A resource's attributes and secrets are declared once, and everything else follows.

Attributes: the ``pulumi.Output[T]`` annotations of its class. Every one of them reads as an
Output on a fresh resource (the value given, else its default, else None), in a program run
under the SDK's mock monitor, as a user's program reads ``backup.description``.

Secrets: its provider's ``secrets``. Each one is secret in the package schema, registered as
an ``additional_secret_outputs`` by the dynamic resource, marked secret in the plugin's
answers and never quoted in a check failure; and nowhere else names one.
"""

from __future__ import annotations

import ast
import asyncio
import dataclasses
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pulumi.provider.experimental import provider as rpc
from pulumi.provider.experimental.property_value import PropertyValue
from support import Goal, Program, is_secret, reveal, run_program
from support.plugin import start_plugin, urn

from pulumi_backups.core.provider import ResourceArgs
from pulumi_backups.core.resource import DynamicResource
from pulumi_backups.plugin import kinds as kinds_module
from pulumi_backups.plugin.kinds import KINDS, Kind, camel
from pulumi_backups.plugin.schema import package_schema
from pulumi_backups.plugin.server import BackupsProvider
from pulumi_backups.vps.vps_restore import VpsRestoreProvider

Record = dict[str, Any]


def required(kind: Kind) -> dict[str, Any]:
    """A value for each required input (the mock monitor checks nothing)."""
    return {k: "given" for k, field in kind.args.model_fields.items() if field.is_required()}


def declared(kind: Kind) -> list[str]:
    """The attributes the class declares: its annotations, as the schema reads them."""
    return list(inspect.get_annotations(kind.resource))


def run(program: Callable[[], None]) -> list[Goal]:
    """Run ``program`` under the mock monitor; what each resource registered. A resource's
    outputs are its inputs (the mock runs no provider)."""
    goals: list[Goal] = []

    def register(goal: Goal) -> tuple[str, Record]:
        goals.append(goal)
        return f"{goal.name}-id", {k: v for k, v in goal.inputs.items() if k != "__provider"}

    failed = run_program(
        Program.resolve(program), stack_name="dev", preview=False, config={},
        secret_keys=[], env={}, register=register, exports={},
    )  # fmt: skip
    assert failed is None, repr(failed)
    return goals


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.name)
def test_every_attribute_reads_as_an_output_on_a_fresh_resource(kind: Kind) -> None:
    seen: Record = {}

    def program() -> None:
        resource = kind.resource("fresh", **required(kind))
        for name in declared(kind):
            getattr(resource, name).apply(lambda value, name=name: seen.__setitem__(name, value))

    run(program)
    defaults = {
        name: param.default
        for name, param in inspect.signature(kind.resource).parameters.items()
        if param.default is not inspect.Parameter.empty
    }
    expected = {name: required(kind).get(name, defaults.get(name)) for name in declared(kind)}
    assert seen == expected


def test_some_resources_have_secrets_and_each_is_an_attribute() -> None:
    assert {kind.name: kind.provider.secrets for kind in KINDS if kind.provider.secrets} == {
        "HostingDatabase": {"password"},
        "HostingDatabaseDump": {"url"},
        "RdbBackup": {"download_url"},
    }
    for kind in KINDS:
        assert kind.provider.secrets <= set(declared(kind)), kind.name
        assert kind.secrets == kind.provider.secrets


def schema_secrets(token: str) -> set[tuple[str, str]]:
    resource = package_schema()["resources"][token]
    return {
        (section, name)
        for section in ("inputProperties", "properties")
        for name, spec in resource[section].items()
        if spec.get("secret")
    }


def expected_schema_secrets(kind: Kind) -> set[tuple[str, str]]:
    inputs = {(s, camel(n)) for n in kind.provider.secrets for s in ("inputProperties",)}
    found = {("properties", camel(name)) for name in kind.provider.secrets}
    return found | {pair for pair in inputs if pair[1] in map(camel, kind.args.model_fields)}


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.name)
def test_declared_secrets_are_the_schemas_and_the_registered_options(kind: Kind) -> None:
    assert schema_secrets(kind.token) == expected_schema_secrets(kind)
    (goal,) = run(lambda: kind.resource("fresh", **required(kind)))
    assert sorted(goal.additional_secret_outputs) == sorted(kind.provider.secrets)


def test_a_secret_input_is_sealed_and_marked_by_the_plugin() -> None:
    """HostingDatabase's password: sealed by the dynamic resource even when given in clear
    (``additional_secret_outputs`` hides outputs only), marked secret in the plugin's Check
    answer, and never quoted in a check failure."""
    kind = kinds_module.BY_TOKEN["backups:ovh:HostingDatabase"]
    (goal,) = run(lambda: kind.resource("db", **required(kind), password="Cl3arText99"))
    assert is_secret(goal.inputs["password"]) and reveal(goal.inputs["password"]) == "Cl3arText99"
    inputs = {
        "serviceName": "x.cluster000.hosting.ovh.net", "user": "xapp", "type": "mysql",
        "capability": "sqlPerso", "password": "Cl3arText99",
    }  # fmt: skip
    with start_plugin() as host:
        checked = host.check(urn(kind.token, "db"), {}, inputs)
    assert is_secret(checked.inputs["password"]), checked.failures
    failures = kind.provider().check({}, {**required(kind), "password": ["Cl3arText99"]}).failures
    assert failures and all("Cl3arText99" not in f.reason for f in failures)


def test_a_secret_declared_in_one_place_is_secret_everywhere(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``status`` of a VpsRestore, declared secret on its provider alone: the schema, the
    dynamic resource's options and the plugin's Read answer all follow."""
    monkeypatch.setattr(VpsRestoreProvider, "secrets", frozenset({"status"}))
    kind = kinds_module.BY_TOKEN["backups:vps:VpsRestore"]
    assert schema_secrets(kind.token) == {("properties", "status")}
    (goal,) = run(lambda: kind.resource("restore", server_id=1, backup_id=2))
    assert goal.additional_secret_outputs == ["status"]
    state = {"serverId": 1.0, "backupId": 2.0, "status": "completed"}
    request = rpc.ReadRequest(
        urn=urn(kind.token, "restore"),
        resource_id="1/restore/2/1700000000000",
        properties={k: PropertyValue(v) for k, v in state.items()},
        inputs={},
    )
    answer = asyncio.run(BackupsProvider().read(request))
    assert answer.properties["status"].is_secret
    assert not answer.properties["serverId"].is_secret


PACKAGE = Path(__file__).resolve().parents[2] / "provider" / "pulumi_backups"
RESTATED = ("additional_secret_outputs", "Output.secret(", "secret_fields")
"""What restates a secret outside the provider's ``secrets``."""


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.name)
def test_a_resource_module_restates_neither_attributes_nor_secrets(kind: Kind) -> None:
    assert issubclass(kind.resource, DynamicResource)
    source = (PACKAGE / (kind.module.replace(".", "/") + ".py")).read_text()
    tree = ast.parse(source)
    constants = {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    assert constants.isdisjoint({"OUTPUTS", "ATTRIBUTES", "SECRETS"})
    assert [word for word in RESTATED if word in source] == []


def test_the_plugin_and_the_base_provider_name_no_secret_of_a_resource() -> None:
    """Their secrets are the providers' alone; the one name written is the orphan dumps'
    ``url`` (a function's field, no resource's)."""
    names = set().union(*(kind.provider.secrets for kind in KINDS))
    written = []
    for module in ("plugin/kinds.py", "plugin/schema.py", "plugin/server.py", "core/provider.py"):
        tree = ast.parse((PACKAGE / module).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value in names:
                written.append((module, node.value))
    assert written == [("plugin/kinds.py", "url")]
    assert "secrets" not in {field.name for field in dataclasses.fields(Kind)}


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_no_args_model_declares_again_what_every_resource_has(kind: Kind) -> None:
    """``timeouts`` (and whatever else ResourceArgs gives every resource) is declared there."""
    again = set(vars(kind.args).get("__annotations__", {})) & set(ResourceArgs.model_fields)
    assert again == set()
