"""What a registry page shows of each resource, beside its description: one example in every
language the schema has a section for, and how to import an existing object (its id).

An example is one set of arguments per kind (:data:`EXAMPLES`, Python names, plain values);
each language's program is written from it, so the six read the same. The SDK's names follow
:data:`.schema.LANGUAGE` (npm package, Go module, .NET namespace, Java package).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from .kinds import PACKAGE, Kind, camel, pascal

NPM_PACKAGE = "pulumi-backups"
PYTHON_PACKAGE = "pulumi_backups_sdk"
GO_IMPORT_BASE = "github.com/pulumi-backups/pulumi-backups/sdk/go/backups"
DOTNET_NAMESPACE = "PulumiBackups"
JAVA_PACKAGE = "com.pulumibackups"

SANDBOX_DATABASE = "sandboxapp.mysql.db"
EXAMPLES: dict[str, tuple[str, dict[str, Any]]] = {
    "HostingDatabase": (
        "A MySQL database of a web hosting",
        {
            "service_name": "sandbox.cluster000.hosting.ovh.net",
            "user": "sandboxapp",
            "type": "mysql",
            "capability": "sqlPerso",
        },
    ),
    "HostingDatabaseDump": (
        "A dump of a database, made again when the release changes",
        {
            "service_name": "sandbox.cluster000.hosting.ovh.net",
            "database_name": SANDBOX_DATABASE,
            "triggers": ["v1"],
        },
    ),
    "HostingDatabaseRestore": (
        "The database put back as its dump left it",
        {
            "service_name": "sandbox.cluster000.hosting.ovh.net",
            "database_name": SANDBOX_DATABASE,
            "dump_id": 1,
        },
    ),
    "NashaSnapshotPolicy": (
        "Hourly and daily snapshots of a NAS-HA partition",
        {
            "service_name": "zpool-000000",
            "partition_name": "backups",
            "frequencies": ["hour-1", "day-1"],
        },
    ),
    "NashaCustomSnapshot": (
        "A named snapshot that expires by itself",
        {
            "service_name": "zpool-000000",
            "partition_name": "backups",
            "name": "before-upgrade",
            "expiration": "2030-01-01T00:00:00Z",
        },
    ),
    "VpsBackup": (
        "A backup before each deployment",
        {"server_id": 12345, "description": "Pre-deployment backup", "triggers": ["v1"]},
    ),
    "VpsRestore": (
        "A server put back as a backup left it",
        {"server_id": 12345, "backup_id": 1},
    ),
    "RdbBackup": (
        "A backup of a Managed Database that expires by itself",
        {
            "instance_id": "11111111-1111-1111-1111-111111111111",
            "database_name": "app",
            "region": "fr-par",
            "expires_at": "2030-01-01T00:00:00Z",
        },
    ),
    "RdbBackupRestore": (
        "A database put back as a backup left it",
        {
            "backup_id": "fr-par/22222222-2222-2222-2222-222222222222",
            "instance_id": "11111111-1111-1111-1111-111111111111",
        },
    ),
}
"""Kind name -> (what the example shows, its arguments): values the sandbox accepts."""


def _variable(kind: Kind) -> str:
    return kind.name[:1].lower() + kind.name[1:]


def _literal(value: Any) -> str:
    """A value in the syntax TypeScript, Python-free languages and YAML flow share."""
    return json.dumps(value)


def _python(value: Any) -> str:
    return repr(value)


def _go(value: Any) -> str:
    if isinstance(value, bool):
        return f"pulumi.Bool({str(value).lower()})"
    if isinstance(value, int):
        return f"pulumi.Int({value})"
    if isinstance(value, str):
        return f"pulumi.String({json.dumps(value)})"
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        items = ", ".join(json.dumps(item) for item in value)
        return f"pulumi.Any([]string{{{items}}})"
    raise TypeError(f"no Go literal for {value!r}")


def _dotnet(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return "new[] { " + ", ".join(_dotnet(item) for item in value) + " }"
    return json.dumps(value)


def _java(value: Any) -> str:
    if isinstance(value, list):
        return "List.of(" + ", ".join(_java(item) for item in value) + ")"
    return json.dumps(value)


def typescript(kind: Kind, args: Mapping[str, Any]) -> str:
    lines = [f"    {camel(k)}: {_literal(v)}," for k, v in args.items()]
    return "\n".join(
        [
            f'import * as backups from "{NPM_PACKAGE}";',
            "",
            f'const {_variable(kind)} = new backups.{kind.api}.{kind.name}("{_variable(kind)}", {{',
            *lines,
            "});",
        ]
    )


def python(kind: Kind, args: Mapping[str, Any]) -> str:
    lines = [f"    {k}={_python(v)}," for k, v in args.items()]
    return "\n".join(
        [
            f"import {PYTHON_PACKAGE} as backups",
            "",
            f'{_variable(kind)} = backups.{kind.api}.{kind.name}("{_variable(kind)}",',
            *lines,
            ")",
        ]
    )


def go(kind: Kind, args: Mapping[str, Any]) -> str:
    width = max(len(pascal(k)) for k in args) + 1
    lines = [f"\t\t\t{(pascal(k) + ':').ljust(width)} {_go(v)}," for k, v in args.items()]
    return "\n".join(
        [
            "package main",
            "",
            "import (",
            f'\t"{GO_IMPORT_BASE}/{kind.api}"',
            '\t"github.com/pulumi/pulumi/sdk/v3/go/pulumi"',
            ")",
            "",
            "func main() {",
            "\tpulumi.Run(func(ctx *pulumi.Context) error {",
            f'\t\t_, err := {kind.api}.New{kind.name}(ctx, "{_variable(kind)}", '
            f"&{kind.api}.{kind.name}Args{{",
            *lines,
            "\t\t})",
            "\t\treturn err",
            "\t})",
            "}",
        ]
    )


def csharp(kind: Kind, args: Mapping[str, Any]) -> str:
    lines = [f"        {pascal(k)} = {_dotnet(v)}," for k, v in args.items()]
    return "\n".join(
        [
            "using Pulumi;",
            f"using Backups = {DOTNET_NAMESPACE}.Backups;",
            "",
            "return await Deployment.RunAsync(() =>",
            "{",
            f"    var {_variable(kind)} = new Backups.{pascal(kind.api)}.{kind.name}"
            f'("{_variable(kind)}", new()',
            "    {",
            *lines,
            "    });",
            "});",
        ]
    )


def java(kind: Kind, args: Mapping[str, Any]) -> str:
    lines = [f"                .{camel(k)}({_java(v)})" for k, v in args.items()]
    package = f"{JAVA_PACKAGE}.{PACKAGE}.{kind.api}"
    return "\n".join(
        [
            "import com.pulumi.Pulumi;",
            f"import {package}.{kind.name};",
            f"import {package}.{kind.name}Args;",
            "import java.util.List;",
            "",
            "public class App {",
            "    public static void main(String[] args) {",
            "        Pulumi.run(ctx -> {",
            f'            var {_variable(kind)} = new {kind.name}("{_variable(kind)}", '
            f"{kind.name}Args.builder()",
            *lines,
            "                .build());",
            "        });",
            "    }",
            "}",
        ]
    )


def yaml(kind: Kind, args: Mapping[str, Any]) -> str:
    lines = [f"      {camel(k)}: {_literal(v)}" for k, v in args.items()]
    return "\n".join(
        [
            "resources:",
            f"  {_variable(kind)}:",
            f"    type: {kind.token}",
            "    properties:",
            *lines,
        ]
    )


LANGUAGES: dict[str, Callable[[Kind, Mapping[str, Any]], str]] = {
    "typescript": typescript,
    "python": python,
    "go": go,
    "csharp": csharp,
    "java": java,
    "yaml": yaml,
}
"""Fence label of each language's example (the labels Pulumi's doc generator keeps)."""


def examples(kind: Kind) -> str:
    """The ``## Example Usage`` section of a resource, in Pulumi's examples shortcodes."""
    title, args = EXAMPLES[kind.name]
    programs = "\n".join(
        f"```{label}\n{write(kind, args)}\n```" for label, write in LANGUAGES.items()
    )
    return (
        "{{% examples %}}\n## Example Usage\n\n{{% example %}}\n"
        f"### {title}\n\n{programs}\n{{{{% /example %}}}}\n{{{{% /examples %}}}}"
    )


def import_section(kind: Kind) -> str:
    """The ``## Import`` section: the id an existing object is imported by, its parts named
    as the schema names properties (``{server_id}`` -> ``{serverId}``)."""
    shape = re.sub(r"\{(\w+)\}", lambda part: f"{{{camel(part[1])}}}", kind.id_shape)
    return (
        f"## Import\n\nAn existing object is imported by its id, `{shape}`:\n\n"
        f"```sh\n$ pulumi import {kind.token} {_variable(kind)} {shape}\n```"
    )
