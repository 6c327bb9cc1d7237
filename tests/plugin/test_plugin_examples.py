"""The YAML example's resources, read from its file, driven through the plugin as the engine
runs `pulumi up` then `pulumi destroy` on it; the TypeScript example uses the schema's names."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from support import ProviderHost, is_secret, reveal
from support.plugin import urn

from pulumi_backups.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "plugin-yaml" / "Pulumi.yaml"
REFERENCE = re.compile(r"^\$\{([A-Za-z]\w*)(?:\.(\w+))?\}$")


def resolve(value: Any, config: dict[str, Any], outputs: dict[str, dict[str, Any]]) -> Any:
    """`${key}` from the config, `${resource.property}` from a resource's outputs."""
    if isinstance(value, list):
        return [resolve(v, config, outputs) for v in value]
    if isinstance(value, dict):
        return {k: resolve(v, config, outputs) for k, v in value.items()}
    match = REFERENCE.match(value) if isinstance(value, str) else None
    if match is None:
        return value
    name, prop = match.groups()
    return outputs[name][prop] if prop else config[name]


def test_the_yaml_example_goes_up_and_comes_down(plugin: ProviderHost, sandbox: Sandbox) -> None:
    project = yaml.safe_load(EXAMPLE.read_text())
    assert project["runtime"] == "yaml"
    config = {k: v["default"] for k, v in project["config"].items()}
    before = sandbox.objects()
    created: dict[str, tuple[str, str, dict[str, Any]]] = {}
    outputs: dict[str, dict[str, Any]] = {}
    for name, resource in project["resources"].items():
        token = resource["type"]
        inputs = resolve(resource["properties"], config, outputs)
        checked = plugin.check(urn(token, name), {}, inputs)
        assert checked.failures == [], name
        resource_id, outs = plugin.create(urn(token, name), checked.inputs)
        created[name] = (token, resource_id, outs)
        outputs[name] = outs
    exported = {k: reveal(v) for k, v in resolve(project["outputs"], config, outputs).items()}
    assert is_secret(outputs["exported"]["downloadUrl"])
    assert exported["frequencies"] == ["day-1", "day-7", "hour-6"]
    assert exported["restoredOnDestroy"] == ["day-1"]
    assert exported["vpsBackup"] and exported["downloadUrl"].startswith("http")
    for name, (token, resource_id, outs) in reversed(created.items()):
        assert plugin.read(urn(token, name), resource_id, outs, {}).id == resource_id
        plugin.delete(urn(token, name), resource_id, outs)
    # the schedule of before is back, no snapshot nor record left
    assert _partition(sandbox.objects()) == _partition(before) == ({"day-1": "active"}, {})


def _partition(objects: dict[str, dict[str, Any]]) -> tuple[Any, Any]:
    (doc,) = objects["ovh:nasha:partition"].values()
    return doc["snapshots"], doc["custom"]


def test_the_typescript_example_uses_the_schemas_names() -> None:
    """Every `new backups.<module>.<Kind>(..., { args })` of the example names a resource of
    the schema and only its input properties."""
    schema = json.loads((ROOT / "schema.json").read_text())
    source = (ROOT / "examples" / "plugin-typescript" / "index.ts").read_text()
    package = schema["language"]["nodejs"]["packageName"]
    assert f'import * as backups from "{package}";' in source
    found = re.findall(r"new backups\.(\w+)\.(\w+)\(\"[^\"]+\", \{(.*?)\n\}\);", source, re.S)
    assert found
    for module, kind, body in found:
        inputs = schema["resources"][f"backups:{module}:{kind}"]["inputProperties"]
        names = re.findall(r"^\s+(\w+):", body, re.M)
        assert names and set(names) <= set(inputs), (kind, names)
