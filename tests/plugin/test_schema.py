"""The provider plugin's package schema: `schema.json` is the generated document, valid against
Pulumi's package metaschema, every type reference resolves, and tokens, required inputs,
secrets, property names and config keys are those users and outside checks rely on."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from pulumi_backups.plugin.kinds import BY_TOKEN, camel
from pulumi_backups.plugin.schema import package_schema, schema_text

ROOT = Path(__file__).resolve().parents[2]
METASCHEMA = ROOT / "tests" / "fixtures" / "specs" / "pulumi-package-metaschema.json"

RESOURCES = {
    "backups:ovh:HostingDatabase",
    "backups:ovh:HostingDatabaseDump",
    "backups:ovh:HostingDatabaseRestore",
    "backups:ovh:NashaSnapshotPolicy",
    "backups:ovh:NashaCustomSnapshot",
    "backups:vps:VpsBackup",
    "backups:vps:VpsRestore",
    "backups:scaleway:RdbBackup",
    "backups:scaleway:RdbBackupRestore",
}
FUNCTION = "backups:ovh:getOrphanDumps"
LOOKUP_TOKENS = {
    "backups:ovh:getHostingDatabaseDumps",
    "backups:ovh:getNashaCustomSnapshots",
    "backups:ovh:getNashaSnapshotFrequencies",
    "backups:vps:getVpsBackups",
    "backups:scaleway:getRdbBackups",
}
CREDENTIALS = {
    "ovhApplicationKey",
    "ovhApplicationSecret",
    "ovhConsumerKey",
    "ovhClientId",
    "ovhClientSecret",
    "scalewayAccessKey",
    "scalewaySecretKey",
    "vpsApiToken",
}
CONFIG_KEYS = CREDENTIALS | {
    "ovhEndpoint",
    "scalewayRegion",
    "scalewayProjectId",
    "scalewayApiUrl",
    "scalewayProfile",
    "vpsApiUrl",
}
SECRET_PROPERTIES = {
    ("backups:ovh:HostingDatabase", "inputProperties", "password"),
    ("backups:ovh:HostingDatabase", "properties", "password"),
    ("backups:ovh:HostingDatabaseDump", "properties", "url"),
    ("backups:scaleway:RdbBackup", "properties", "downloadUrl"),
    ("backups:ovh:OrphanDump", "properties", "url"),
    ("backups:ovh:Dump", "properties", "url"),  # the dumps a look-up lists
}
BUILT_IN_TYPES = {"pulumi.json#/Any", "pulumi.json#/Archive", "pulumi.json#/Asset"}
CAMEL = re.compile(r"^[a-z][a-zA-Z0-9]*$")
ECMA_NAMED_GROUP = re.compile(r"\(\?<(?=[A-Za-z])")
"""``(?<name>`` of the metaschema's patterns (ECMA-262 syntax), which Python spells ``(?P<name>``
(lookbehinds ``(?<=`` and ``(?<!`` are the same in both)."""


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return package_schema()


def nodes(value: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in ``value``, depth first."""
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from nodes(item)
    elif isinstance(value, list):
        for item in value:
            yield from nodes(item)


def objects(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """``(owner, section, properties)`` of every property map of the schema."""
    yield "config", "variables", schema["config"]["variables"]
    yield "provider", "inputProperties", schema["provider"]["inputProperties"]
    for token, resource in schema["resources"].items():
        yield token, "inputProperties", resource["inputProperties"]
        yield token, "properties", resource["properties"]
    for token, function in schema["functions"].items():
        yield token, "inputs", function["inputs"]["properties"]
        yield token, "outputs", function["outputs"]["properties"]
    for token, named in schema["types"].items():
        yield token, "properties", named.get("properties", {})


def metaschema_errors(document: dict[str, Any]) -> list[str]:
    meta = json.loads(ECMA_NAMED_GROUP.sub("(?P<", METASCHEMA.read_text()))
    validator = jsonschema.Draft202012Validator(meta, format_checker=jsonschema.FormatChecker())
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(document)
    ]


def test_schema_json_is_the_generated_schema() -> None:
    written = (ROOT / "schema.json").read_text()
    assert written == schema_text(), (
        "schema.json differs from package_schema(): regenerate it with `make schema` "
        "(.venv/bin/python -m pulumi_backups.plugin.schema > schema.json)"
    )


def test_schema_is_valid_against_the_pulumi_metaschema(schema: dict[str, Any]) -> None:
    assert metaschema_errors(schema) == []
    broken = copy.deepcopy(schema)
    broken["resources"]["backups:vps:VpsBackup"]["inputProperties"]["serverId"] = {"type": "map"}
    assert metaschema_errors(broken), "the metaschema must refuse an unknown type"


def test_every_type_reference_resolves_and_every_type_is_used(schema: dict[str, Any]) -> None:
    refs = [node["$ref"] for node in nodes(schema) if "$ref" in node]
    local = {ref.removeprefix("#/types/") for ref in refs if ref.startswith("#/types/")}
    assert {ref for ref in refs if not ref.startswith("#/types/")} <= BUILT_IN_TYPES
    assert local <= set(schema["types"]), "references to undefined types"
    assert set(schema["types"]) <= local, "types defined but never used"
    assert "backups:index:Timeouts" in local
    assert "pulumi.json#/Any" in refs


def test_package_tokens_and_version(schema: dict[str, Any]) -> None:
    assert schema["name"] == "backups"
    assert schema["version"] == metadata.version("pulumi-backups")
    assert set(schema["resources"]) == RESOURCES
    assert set(schema["functions"]) == {FUNCTION, *LOOKUP_TOKENS}


def test_version_falls_back_when_the_distribution_is_not_installed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def missing(name: str) -> Any:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", missing)
    monkeypatch.setattr(metadata, "metadata", missing)
    found = package_schema()
    assert found["version"] == "0.0.0"
    assert "license" not in found


@pytest.mark.parametrize("token", sorted(RESOURCES))
def test_required_inputs_are_the_args_models_required_fields(
    schema: dict[str, Any], token: str
) -> None:
    resource = schema["resources"][token]
    args = BY_TOKEN[token].args
    # pydantic's own JSON schema of the model: a second, independent reading of "required".
    required = sorted(camel(name) for name in args.model_json_schema().get("required", []))
    assert resource["requiredInputs"] == required
    # Outputs: the required inputs, and every output whose annotation is not optional.
    assert set(required) <= set(resource["required"]) <= set(resource["properties"])
    assert set(resource["inputProperties"]) == {camel(name) for name in args.model_fields}
    assert set(resource["inputProperties"]) <= set(resource["properties"])


def test_orphan_dumps_function(schema: dict[str, Any]) -> None:
    function = schema["functions"][FUNCTION]
    assert set(function["inputs"]["properties"]) == {"serviceName", "databaseName"}
    assert sorted(function["inputs"]["required"]) == ["databaseName", "serviceName"]
    dumps = function["outputs"]["properties"]["dumps"]
    assert dumps["items"] == {"$ref": "#/types/backups:ovh:OrphanDump"}
    dump = schema["types"]["backups:ovh:OrphanDump"]["properties"]
    assert {"id", "creationDate", "deletionDate", "databaseName", "url"} <= set(dump)


def test_secrets_are_marked_and_nothing_else_is(schema: dict[str, Any]) -> None:
    secret = {
        (owner, section, name)
        for owner, section, properties in objects(schema)
        for name, spec in properties.items()
        if spec.get("secret")
    }
    config = {("config", "variables", key) for key in CREDENTIALS}
    provider = {("provider", "inputProperties", key) for key in CREDENTIALS}
    assert secret == SECRET_PROPERTIES | config | provider


def test_property_names_are_camel_case(schema: dict[str, Any]) -> None:
    names = [(owner, name) for owner, _, properties in objects(schema) for name in properties]
    for resource in schema["resources"].values():
        names += [("required", name) for name in resource["required"] + resource["requiredInputs"]]
        assert not {"id", "urn"} & set(resource["properties"]), "id and urn are the engine's"
    assert [(owner, name) for owner, name in names if not CAMEL.match(name)] == []
    assert ("backups:ovh:HostingDatabaseDump", "serviceName") in names


def test_config_keys_are_the_documented_ones(schema: dict[str, Any]) -> None:
    assert set(schema["config"]["variables"]) == CONFIG_KEYS
    assert schema["provider"]["inputProperties"] == schema["config"]["variables"]
    assert "required" not in schema["config"]
    assert "requiredInputs" not in schema["provider"]


def test_types_of_inputs_and_outputs(schema: dict[str, Any]) -> None:
    resources = schema["resources"]
    dump = resources["backups:ovh:HostingDatabaseDump"]
    assert dump["properties"]["dumpId"]["type"] == "integer"
    assert dump["inputProperties"]["sendEmail"] == {
        "type": "boolean",
        "default": False,
        "description": "Mail the hosting's contact when ready.",
    }
    assert "default" not in dump["properties"]["sendEmail"], "defaults apply to inputs"
    assert dump["inputProperties"]["date"]["$ref"] == "#/types/backups:ovh:HostingDatabaseDumpDate"
    assert dump["inputProperties"]["date"]["default"] == "now"
    assert dump["inputProperties"]["triggers"]["$ref"] == "pulumi.json#/Any"
    assert dump["inputProperties"]["timeouts"]["$ref"] == "#/types/backups:index:Timeouts"
    database = resources["backups:ovh:HostingDatabase"]
    assert database["properties"]["quotaSize"]["type"] == "number"
    assert database["properties"]["port"]["type"] == "integer"
    policy = resources["backups:ovh:NashaSnapshotPolicy"]["properties"]
    assert policy["initialFrequencies"]["items"] == {"type": "string"}
    assert policy["initialFrequencies"]["type"] == "array"
    enum = {"$ref": "#/types/backups:ovh:NashaSnapshotPolicyFrequencies"}
    assert policy["frequencies"]["items"] == policy["restoreFrequencies"]["items"] == enum
    quota = schema["types"]["backups:ovh:HostingDatabaseQuota"]
    assert quota["type"] == "integer"
    assert {"value": 1024} in quota["enum"]
    timeouts = schema["types"]["backups:index:Timeouts"]["properties"]
    assert {name: spec["type"] for name, spec in timeouts.items()} == {
        "create": "number",
        "update": "number",
        "delete": "number",
        "read": "number",
    }
    vps_backup = resources["backups:vps:VpsBackup"]["properties"]
    assert vps_backup["triggers"]["$ref"] == "pulumi.json#/Any"
    assert vps_backup["sizeMb"]["type"] == "number"


def test_every_property_is_described(schema: dict[str, Any]) -> None:
    for token, resource in schema["resources"].items():
        for group in ("inputProperties", "properties"):
            bare = sorted(n for n, spec in resource[group].items() if not spec.get("description"))
            assert not bare, f"{token} {group}: {bare}"
        assert "## Import" in resource["description"] and "```yaml" in resource["description"]
        id_shape = resource["description"].split("## Import")[1]
        assert not re.search(r"\{\w*_\w*\}", id_shape), f"{token}: {id_shape}"
        prose = resource["description"].split("{{% examples %}}")[0]
        assert "``" not in prose, token
    for key, setting in schema["config"]["variables"].items():
        assert setting["defaultInfo"]["environment"], key
