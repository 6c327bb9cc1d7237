"""Checking Scaleway exchanges against the RDB v1 OpenAPI 3.0 description, with jsonschema.

OpenAPI 3.0 schemas are JSON Schema with a few differences, which `_strict` bridges before
validating with `jsonschema` (draft 2020-12): `nullable: true` becomes a `"null"` type;
objects are closed (a property the description lacks is an error); in answers, every
property not marked nullable is required (Scaleway answers carry every field of a model;
`null` is how they say "none"). `date-time` values must be RFC 3339 with an offset.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema
import yaml

FORMATS = jsonschema.FormatChecker()


@FORMATS.checks("date-time")
def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True  # formats constrain strings only; the type says whether null is allowed
    if "T" not in value:
        return False
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return parsed.tzinfo is not None


def _strict(node: Any, *, answer: bool) -> Any:
    """The OpenAPI schema `node` as closed JSON Schema (see the module docstring)."""
    if isinstance(node, list):
        return [_strict(item, answer=answer) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _strict(value, answer=answer) for key, value in node.items()}
    if out.pop("nullable", False):
        if "type" in out:
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        elif "$ref" in out:
            out = {"anyOf": [{"$ref": out.pop("$ref")}, {"type": "null"}], **out}
    props = out.get("properties")
    if isinstance(props, dict) and isinstance(node.get("properties"), dict):
        out.setdefault("additionalProperties", False)
        if answer:
            raw = node["properties"]
            out["required"] = sorted(k for k, v in raw.items() if not v.get("nullable"))
    return out


class ScalewaySpec:
    """The description's paths and components, ready to validate requests and answers."""

    def __init__(self, path: Path) -> None:
        self.doc: dict[str, Any] = yaml.safe_load(path.read_text())
        self._components = {
            mode: _strict(self.doc["components"], answer=mode == "answer")
            for mode in ("request", "answer")
        }

    def operation(self, method: str, path: str) -> tuple[str, dict[str, Any]] | None:
        """(path template, operation) serving `method path`; fixed segments win."""
        found = []
        for template, item in self.doc["paths"].items():
            parts = re.split(r"(\{\w+\})", template)
            regex = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
            if re.fullmatch(regex, path) and method.lower() in item:
                found.append((template.count("{"), template, item[method.lower()]))
        found.sort(key=lambda f: f[0])
        return (found[0][1], found[0][2]) if found else None

    def _errors(self, value: Any, schema: dict[str, Any], mode: str, where: str) -> list[str]:
        full = {**_strict(schema, answer=mode == "answer"), "components": self._components[mode]}
        validator = jsonschema.Draft202012Validator(full, format_checker=FORMATS)
        return [
            f"{where}{''.join(f'.{p}' for p in error.absolute_path)}: {error.message}"
            for error in validator.iter_errors(value)
        ]

    def check_request(
        self, template: str, op: dict[str, Any], path: str, query: dict[str, str], body: Any
    ) -> list[str]:
        """Path and query parameters and the JSON body against the operation."""
        where = f"{op['operationId']}"
        params = {(p["in"], p["name"]): p for p in op.get("parameters", [])}
        names = re.findall(r"\{(\w+)\}", template)
        regex = re.sub(r"\\\{\w+\\\}", "([^/]+)", re.escape(template))
        match = re.fullmatch(regex, path)
        assert match is not None
        errors = []
        for name, value in zip(names, match.groups(), strict=True):
            errors += self._errors(
                value, params[("path", name)]["schema"], "request", f"{where} path {name}"
            )
        for name, text in query.items():
            param = params.get(("query", name))
            if param is None:
                errors.append(f"{where}: unknown query parameter {name!r}")
                continue
            errors += self._errors(
                _typed(text, param["schema"], self.doc),
                param["schema"],
                "request",
                f"{where} query {name}",
            )
        request = op.get("requestBody")
        if request is None:
            return errors + ([f"{where}: unexpected body {body!r}"] if body is not None else [])
        schema = request["content"]["application/json"]["schema"]
        return errors + self._errors(body, schema, "request", f"{where} body")

    def check_answer(self, op: dict[str, Any], status: int, body: Any) -> list[str]:
        """A 2xx answer's body against the operation's response schema."""
        response = op["responses"].get(str(status))
        if response is None:
            return [f"{op['operationId']}: status {status} is not described"]
        schema = response["content"]["application/json"]["schema"]
        return self._errors(body, schema, "answer", f"{op['operationId']} answer")

    def properties(self, model: str) -> set[str]:
        return set(self.doc["components"]["schemas"][model]["properties"])


def _typed(text: str, schema: dict[str, Any], doc: dict[str, Any]) -> Any:
    """A query string value as the JSON value its schema types (kept as text when not)."""
    if "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    kind = schema.get("type")
    if kind == "integer" and re.fullmatch(r"-?\d+", text):
        return int(text)
    if kind == "boolean" and text in ("true", "false"):
        return text == "true"
    return text
