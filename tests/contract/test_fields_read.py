"""Every field the clients read from an answer is a property of the answer's model in the
published descriptions: the `from_api` parsers of the OVHcloud clients (found by reading
their source), the task fields the waiters read, and the Scaleway pydantic models."""

from __future__ import annotations

import ast
import inspect
import textwrap
from typing import Any

import pytest

from contract.ovh_spec import OvhSpec
from contract.scaleway_spec import ScalewaySpec
from pulumi_backups.ovh import models as ovh
from pulumi_backups.ovh.nasha import models as nasha
from pulumi_backups.scaleway import models

HOSTING = "/hosting/web"
NASHA = "/dedicated/nasha"


def keys_read(function: Any, name: str) -> set[str]:
    """The string keys `function` reads from its variable `name`: `name["k"]`, `name.get("k")`."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
            target, key = node.value.id, node.slice
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and isinstance(node.func.value, ast.Name)
            and node.args
        ):
            target, key = node.func.value.id, node.args[0]
        else:
            continue
        if target == name and isinstance(key, ast.Constant) and isinstance(key.value, str):
            found.add(key.value)
    return found


PARSERS = [
    (ovh.Database.from_api, "body", HOSTING, "hosting.web.database"),
    (ovh.Dump.from_api, "body", HOSTING, "hosting.web.database.dump"),
    (ovh.ServiceDump.from_api, "body", HOSTING, "hosting.web.dump"),
    (nasha.CustomSnapshot.from_api, "body", NASHA, "dedicated.nasha.customSnap"),
    (ovh.HostingTask.from_api, "body", HOSTING, "hosting.web.task"),
    (nasha.NashaTask.from_api, "body", NASHA, "dedicated.nasTask.Task"),
]


@pytest.mark.parametrize(("parser", "var", "api", "model"), PARSERS)
def test_ovh_fields_read_are_model_properties(
    ovh_specs: dict[str, OvhSpec], parser: Any, var: str, api: str, model: str
) -> None:
    read = keys_read(parser, var)
    assert read, "the parser reads no field: the scan no longer sees its source"
    assert read - ovh_specs[api].properties(model) == set()


def test_task_failure_statuses_are_in_the_models(ovh_specs: dict[str, OvhSpec]) -> None:
    """Every published hosting task status that is not a step to done is taken as a failure,
    and every NAS-HA status taken as one is published."""
    hosting_statuses = set(ovh_specs[HOSTING].enum("hosting.web.task.StatusEnum"))
    assert hosting_statuses - {"done", "init", "todo", "doing"} <= ovh.HOSTING_FAILED
    assert set(ovh_specs[NASHA].enum("dedicated.TaskStatusEnum")) >= nasha.NASHA_FAILED


@pytest.mark.parametrize(
    ("model", "schema"),
    [
        (models.Backup, "scaleway.rdb.v1.DatabaseBackup"),
        (models.BackupList, "scaleway.rdb.v1.ListDatabaseBackupsResponse"),
    ],
)
def test_scaleway_fields_read_are_schema_properties(
    scaleway_spec: ScalewaySpec, model: Any, schema: str
) -> None:
    read = {
        field.alias or name
        for name, field in model.model_fields.items()
        if not field.exclude  # filled from headers, not from the body
    }
    assert read - scaleway_spec.properties(schema) == set()
