"""A validator for the OVHcloud API console's JSON descriptions (`/1.0/<api>.json`).

Such a file lists operations (`apis[].operations[]`: `httpMethod`, `parameters` with
`paramType` path / query / body, `responseType`) and models (`models{}`: an object model has
`properties` whose `fullType` is a primitive, another model, `xxx[]` or a generic such as
`complexType.UnitAndValue<double>`, and `canBeNull`; an enum model has `enum`). Each check
returns the list of what is wrong (empty when the exchange conforms), every item naming where.

A model the file does not define (e.g. `iam.ResourceMetadata`, shared across APIs) is not
checked; everything else is: unknown properties, missing or null non-null ones, types,
enum values, datetime formats.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

_LONG = re.compile(r"-?\d+")


@dataclass(frozen=True)
class Operation:
    """One operation: `GET /hosting/web/{serviceName}/database` and what it takes."""

    method: str
    path: str
    parameters: tuple[dict[str, Any], ...]
    response_type: str

    @property
    def pattern(self) -> re.Pattern[str]:
        parts = re.split(r"(\{\w+\})", self.path)
        regex = "".join("([^/]+)" if p.startswith("{") else re.escape(p) for p in parts)
        return re.compile(f"^{regex}$")

    def params(self, kind: str) -> dict[str, dict[str, Any]]:
        return {p["name"]: p for p in self.parameters if p["paramType"] == kind and p.get("name")}


def _is_datetime(text: str) -> bool:
    """ISO 8601 date and time with an offset (`Z` or `+01:00`), as OVHcloud writes them."""
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return "T" in text and parsed.tzinfo is not None


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


class OvhSpec:
    """One description file: operations by method and path, models by full name."""

    def __init__(self, path: Path) -> None:
        doc = json.loads(path.read_text())
        self.models: dict[str, dict[str, Any]] = doc["models"]
        self.operations = [
            Operation(op["httpMethod"], api["path"], tuple(op["parameters"]), op["responseType"])
            for api in doc["apis"]
            for op in api["operations"]
        ]

    def operation(self, method: str, path: str) -> Operation | None:
        """The operation serving `method path` (path without `/1.0`); fixed segments win."""
        found = [op for op in self.operations if op.method == method and op.pattern.match(path)]
        found.sort(key=lambda op: op.path.count("{"))
        return found[0] if found else None

    # requests ---------------------------------------------------------------------------
    def check_request(
        self, op: Operation, path: str, query: dict[str, str], body: Any
    ) -> list[str]:
        """Path segments, query parameters and body against the operation's parameters."""
        where = f"{op.method} {op.path}"
        errors: list[str] = []
        match = op.pattern.match(path)
        assert match is not None
        names = re.findall(r"\{(\w+)\}", op.path)
        for name, value in zip(names, match.groups(), strict=True):
            errors += self._check_text(
                value, op.params("path")[name]["dataType"], f"{where} path {name}"
            )
        errors += self._check_params(op.params("query"), query, where, "query", textual=True)
        whole = [p for p in op.parameters if p["paramType"] == "body" and not p.get("name")]
        if whole:
            errors += self.check_value(body, whole[0]["dataType"], f"{where} body", partial=True)
        else:
            errors += self._check_params(
                op.params("body"), body or {}, where, "body", textual=False
            )
        return errors

    def _check_params(
        self, params: dict[str, dict[str, Any]], given: Any, where: str, kind: str, *, textual: bool
    ) -> list[str]:
        if not isinstance(given, dict):
            return [f"{where} {kind}: expected an object, got {given!r}"]
        errors = [
            f"{where} {kind}: unknown parameter {name!r}" for name in given if name not in params
        ]
        for name, param in params.items():
            if name not in given:
                if param.get("required"):
                    errors.append(f"{where} {kind}: required parameter {name!r} missing")
                continue
            label = f"{where} {kind} {name}"
            if textual:
                errors += self._check_text(given[name], param["dataType"], label)
            else:
                errors += self.check_value(given[name], param["dataType"], label)
        return errors

    def _check_text(self, text: str, type_name: str, where: str) -> list[str]:
        """A value sent as text (path segment, query string) against its type."""
        if type_name in ("long", "int"):
            return [] if _LONG.fullmatch(text) else [f"{where}: {text!r} is not a {type_name}"]
        if type_name == "boolean":
            return [] if text in ("true", "false") else [f"{where}: {text!r} is not a boolean"]
        return self.check_value(text, type_name, where)

    # answers ----------------------------------------------------------------------------
    def check_answer(self, op: Operation, body: Any) -> list[str]:
        """A 2xx answer's body against the operation's response type."""
        where = f"{op.method} {op.path} answer"
        if op.response_type == "void":
            return [] if body is None else [f"{where}: void operation answered {body!r}"]
        return self.check_value(body, op.response_type, where)

    def check_value(
        self, value: Any, type_name: str, where: str, *, partial: bool = False
    ) -> list[str]:
        """`value` against a primitive, `xxx[]`, generic or model type."""
        if type_name.endswith("[]"):
            if not isinstance(value, list):
                return [f"{where}: expected a list of {type_name[:-2]}, got {value!r}"]
            return [
                e
                for i, item in enumerate(value)
                for e in self.check_value(item, type_name[:-2], f"{where}[{i}]")
            ]
        primitive = _primitive(value, type_name)
        if primitive is not None:
            return [] if primitive else [f"{where}: {value!r} is not a {type_name}"]
        generic = re.fullmatch(r"([\w.]+)<([\w.]+)>", type_name)
        model = self.models.get(f"{generic.group(1)}<T>" if generic else type_name)
        if model is None:
            return []  # defined in another API's description
        if "enum" in model:
            if value not in model["enum"]:
                return [f"{where}: {value!r} is not in {type_name}"]
            return []
        return self._check_object(
            value, model, type_name, generic.group(2) if generic else None, where, partial
        )

    def _check_object(
        self,
        value: Any,
        model: dict[str, Any],
        name: str,
        arg: str | None,
        where: str,
        partial: bool,
    ) -> list[str]:
        if not isinstance(value, dict):
            return [f"{where}: expected a {name} object, got {value!r}"]
        props: dict[str, dict[str, Any]] = model["properties"]
        errors = [
            f"{where}: {key!r} is not a property of {name}" for key in value if key not in props
        ]
        for key, prop in props.items():
            type_name = prop.get("fullType", prop["type"])
            if arg is not None:
                type_name = re.sub(r"^T(?=$|\[)", arg, type_name)
            if value.get(key) is None:
                if not prop["canBeNull"] and not partial:
                    state = "missing" if key not in value else "null"
                    errors.append(f"{where}: non-null {name}.{key} is {state}")
                continue
            errors += self.check_value(value[key], type_name, f"{where}.{key}")
        return errors

    def properties(self, model: str) -> set[str]:
        """The property names of an object model."""
        return set(self.models[model]["properties"])

    def enum(self, model: str) -> list[str]:
        values: list[str] = self.models[model]["enum"]
        return values


def _primitive(value: Any, type_name: str) -> bool | None:
    """Whether `value` is of the primitive `type_name` (None: not a primitive type)."""
    if type_name in ("long", "int"):
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name == "double":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if type_name == "boolean":
        return isinstance(value, bool)
    if type_name == "datetime":
        return isinstance(value, str) and _is_datetime(value)
    if type_name == "date":
        return isinstance(value, str) and _is_date(value)
    if type_name in ("string", "password", "text", "ip", "ipBlock", "ipv4", "ipv6", "uuid"):
        return isinstance(value, str)
    if type_name.startswith("map["):
        return isinstance(value, dict)
    return None


def problems(checks: Iterable[list[str]]) -> list[str]:
    """Every problem of several checks, in order."""
    return [p for check in checks for p in check]
