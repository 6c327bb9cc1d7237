"""The package schema of the provider plugin: what ``GetSchema`` answers and what
``schema.json`` at the repository root holds (``python -m pulumi_backups.plugin.schema``
prints it; ``make schema`` rewrites the file).

Everything is derived from the table of kinds (:mod:`.kinds`), never restated:

- a resource's inputs are the fields of its ``XArgs`` model: the field's description, its
  default when it is a plain value, required when the model requires it;
- its outputs are the ``pulumi.Output[T]`` annotations of its dynamic resource class plus
  every input (providers return ``{**inputs, **outputs}``); an output that is also an input
  is described as the input. The required inputs are the only outputs declared always
  present: the inputs returned are those of a validated ``XArgs`` model;
- Python types map to schema types: ``str`` string, ``int`` integer, ``float`` number,
  ``bool`` boolean, ``list[T]`` array, ``Any`` ``pulumi.json#/Any``, ``T | None`` ``T``
  (optional is the default); a nested model is an object type (``backups:index:Timeouts``);
  a ``Literal`` is an enum type named after the first resource and field that take it
  (``backups:ovh:HostingDatabaseType``), shared by the fields of one module with the same
  values;
- secrets are the kinds' ``secrets`` (their providers' own), marked on inputs and outputs
  alike.
"""

from __future__ import annotations

import ast
import inspect
import json
import re
import sys
import textwrap
import types
from functools import cache
from importlib import metadata
from itertools import pairwise
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import pulumi
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from ..core.resource import DynamicResource
from ..ovh.models import ServiceDump
from ..ovh.orphans import get_orphan_dumps
from . import docs
from .kinds import (
    KINDS,
    LOOKUP_FUNCTIONS,
    ORPHAN_DUMP_SECRETS,
    ORPHAN_DUMPS,
    PACKAGE,
    SETTINGS,
    Kind,
    Lookup,
    Setting,
    camel,
    pascal,
)

Spec = dict[str, Any]
"""A piece of the schema document (JSON)."""

DISTRIBUTION = "pulumi-backups"
ANY_REF = "pulumi.json#/Any"
ORPHAN_DUMP = f"{PACKAGE}:ovh:OrphanDump"

_PRIMITIVES: dict[Any, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}
_MODULES = {"core": "index"}
"""Schema module of the models of a package of ours, when not the package's own name."""
_ORPHAN_DUMPS = (
    "The dumps a deleted web-hosting database left (OVHcloud keeps them 30 days), newest "
    "first; empty when there are none (no restore route reaches them: download one)."
)
_ORPHAN_DUMP = "A dump of a deleted web-hosting database; `url` downloads it unsigned."
_URL_KEYS = {"homepage": "homepage", "repository": "repository", "source": "repository"}
"""Schema keys of the distribution's ``Project-URL`` labels (lower case)."""
_ORPHAN_INPUTS = {
    "service_name": "Web hosting service, e.g. `xxxxx.cluster000.hosting.ovh.net`.",
    "database_name": "Name the deleted database had.",
}

DESCRIPTION = (
    "Backups and snapshot schedules as infrastructure code: OVHcloud web-hosting database "
    "dumps and restores, NAS-HA snapshot schedules and snapshots, VPS panel backups and "
    "restores, Scaleway Managed Database backups and restores."
)
LANGUAGE: Spec = {
    # The Python SDK must not take the import name of the distribution's own package.
    "python": {"packageName": docs.PYTHON_PACKAGE},
    "nodejs": {"packageName": docs.NPM_PACKAGE},
    "go": {"importBasePath": docs.GO_IMPORT_BASE, "generateResourceContainerTypes": True},
    "csharp": {"rootNamespace": docs.DOTNET_NAMESPACE},
    "java": {"basePackage": docs.JAVA_PACKAGE},
}
PUBLISHER = "pulumi-backups"
PULUMI_OPTIONS = frozenset(
    {"retain_on_delete", "custom_timeouts", "delete_before_replace", "ignore_changes"}
)
"""Resource options descriptions may name, spelled as every language but Python does."""
_LITERAL = re.compile(r"``([^`]+)``")
_ROLE = re.compile(r":[a-z]+:`~?\.?([^`]+)`")
_SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


@cache
def _property_names() -> frozenset[str]:
    """snake_case names of every property of the package (inputs, outputs, look-ups)."""
    names: set[str] = set(PULUMI_OPTIONS)
    for kind in KINDS:
        names.update(kind.args.model_fields, inspect.get_annotations(kind.resource))
    for lookup in LOOKUP_FUNCTIONS:
        names.update(lookup.args.model_fields, lookup.result.model_fields)
    return frozenset(name for name in names if "_" in name)


def neutral(text: str) -> str:
    """A description in the language-neutral form of a schema: Markdown code spans, not
    reST's double backticks or roles, and property names as the schema spells them
    (``service_name`` -> ``serviceName``)."""
    text = _ROLE.sub(lambda match: f"`{match[1].rsplit('.', 1)[-1]}`", text)
    text = _LITERAL.sub(r"`\1`", text)
    names = _property_names()
    return _SNAKE.sub(lambda match: camel(match[0]) if match[0] in names else match[0], text)


def attribute_docs(resource: type[DynamicResource]) -> dict[str, str]:
    """The docstring under each attribute annotation of a resource class and its bases (the
    string literal that follows ``name: pulumi.Output[T]``), on one line each."""
    found: dict[str, str] = {}
    for cls in reversed(resource.__mro__):
        if not issubclass(cls, DynamicResource) or cls is DynamicResource:
            continue
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
        body = tree.body[0].body if isinstance(tree.body[0], ast.ClassDef) else []
        for node, after in pairwise(body):
            if (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)
            ):
                found[node.target.id] = " ".join(inspect.cleandoc(after.value.value).split())
    return found


def _summary(obj: object) -> str:
    """The first paragraph of an object's docstring, on one line."""
    doc = inspect.getdoc(obj) or ""
    return " ".join(doc.split("\n\n")[0].split())


def _optional(annotation: Any) -> bool:
    """Whether ``annotation`` admits None (an output that may be absent)."""
    if annotation is Any:
        return True
    if get_origin(annotation) is Annotated:
        return _optional(get_args(annotation)[0])
    return get_origin(annotation) in (Union, types.UnionType) and type(None) in get_args(annotation)


def _described(obj: object) -> str:
    """An object's docstring up to its first literal block (the Python example a ``::``
    opens, which the schema's examples replace), each paragraph on one line."""
    kept = []
    for paragraph in (inspect.getdoc(obj) or "").split("\n\n"):
        text = " ".join(paragraph.split())
        if text.endswith("::"):
            break
        kept.append(text)
    return "\n\n".join(kept)


def _bare(annotation: Any) -> Any:
    """``annotation`` without ``Annotated`` nor ``None`` (optional is the schema's default)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _bare(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        kept = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(kept) != 1:
            raise TypeError(f"no schema type for the union {annotation!r}")
        return _bare(kept[0])
    return annotation


def _output_type(annotation: Any) -> Any:
    """``T`` of ``pulumi.Output[T]``."""
    if get_origin(annotation) is not pulumi.Output:
        raise TypeError(f"an output is annotated pulumi.Output[T], not {annotation!r}")
    return get_args(annotation)[0]


def _marked(spec: Spec, description: str | None, secret: bool) -> Spec:
    if description:
        spec["description"] = neutral(description)
    if secret:
        spec["secret"] = True
    return spec


def _echoed(spec: Spec) -> Spec:
    """An input as an output: a default applies to inputs only."""
    return {key: value for key, value in spec.items() if key != "default"}


class _Types:
    """Turns annotations into type references, collecting the named types they refer to."""

    def __init__(self) -> None:
        self.named: dict[str, Spec] = {}
        self._enums: dict[tuple[str, tuple[Any, ...]], str] = {}
        self._secrets: frozenset[str] = frozenset()
        """Secret fields of the nested models being described (a look-up's answer)."""

    def ref(self, annotation: Any, token: str) -> Spec:
        """The type reference of ``annotation``; ``token`` names the enum type it may need."""
        bare = _bare(annotation)
        if bare is Any:
            return {"$ref": ANY_REF}
        if bare in _PRIMITIVES:
            return {"type": _PRIMITIVES[bare]}
        origin = get_origin(bare)
        if origin is Literal:
            return self._enum(get_args(bare), token)
        if origin is list:
            return {"type": "array", "items": self.ref(get_args(bare)[0], token)}
        if inspect.isclass(bare) and issubclass(bare, BaseModel):
            return self.model(bare, _model_token(bare), self._secrets)
        raise TypeError(f"no schema type for {annotation!r} ({token})")

    def _enum(self, values: tuple[Any, ...], token: str) -> Spec:
        """An enum type: the first field of the module with these values names it."""
        scope = token.rsplit(":", 1)[0]
        token = self._enums.setdefault((scope, values), token)
        kinds = {_PRIMITIVES[type(value)] for value in values}
        if len(kinds) != 1:
            raise TypeError(f"an enum has values of one type, not {values!r} ({token})")
        self.named[token] = {
            "type": kinds.pop(),
            "enum": [{"value": value} for value in values],
        }
        return {"$ref": f"#/types/{token}"}

    def model(
        self,
        model: type[BaseModel],
        token: str,
        secrets: frozenset[str] = frozenset(),
        description: str | None = None,
    ) -> Spec:
        """A reference to the object type of a pydantic model, defined once under ``token``
        (described by ``description``, else by the model's docstring)."""
        if token not in self.named:
            self.named[token] = {
                "type": "object",
                "description": description or _summary(model),
                "properties": self.fields(model.model_fields, token, secrets),
                "required": sorted(
                    camel(name) for name, info in model.model_fields.items() if info.is_required()
                ),
            }
        return {"$ref": f"#/types/{token}"}

    def fields(self, fields: dict[str, FieldInfo], token: str, secrets: frozenset[str]) -> Spec:
        """The properties of pydantic fields; ``token`` prefixes the names of their enums."""
        specs = {}
        for name, info in fields.items():
            spec = self.ref(info.annotation, f"{token}{pascal(name)}")
            if isinstance(info.default, (str, int, float, bool)):
                spec["default"] = info.default
            specs[camel(name)] = _marked(spec, info.description, name in secrets)
        return specs

    def resource(self, kind: Kind) -> Spec:
        """A resource: its ``XArgs`` fields as inputs; its class annotations and inputs as
        outputs, those whose type is not optional always set."""
        fields: dict[str, FieldInfo] = kind.args.model_fields
        inputs = self.fields(fields, kind.token, kind.secrets)
        for name in kind.provider.replace_on_change | {"triggers"}:
            if camel(name) in inputs:
                inputs[camel(name)]["willReplaceOnChanges"] = True
        annotations = inspect.get_annotations(kind.resource, eval_str=True)
        described = attribute_docs(kind.resource)
        outputs = {
            camel(name): _marked(
                self.ref(_output_type(annotation), f"{kind.token}{pascal(name)}"),
                described.get(name),
                name in kind.secrets,
            )
            for name, annotation in annotations.items()
            if name not in fields
        }
        required = sorted(camel(name) for name, info in fields.items() if info.is_required())
        always = [
            camel(name)
            for name, annotation in annotations.items()
            if name not in fields and not _optional(_output_type(annotation))
        ]
        return {
            "description": "\n\n".join(
                [
                    neutral(_described(kind.resource)),
                    docs.examples(kind),
                    docs.import_section(kind),
                ]
            ),
            "inputProperties": inputs,
            "requiredInputs": required,
            "properties": {**outputs, **{name: _echoed(spec) for name, spec in inputs.items()}},
            "required": sorted({*required, *always}),
        }

    def lookup(self, lookup: Lookup) -> Spec:
        """A look-up: its ``GetXArgs`` fields as inputs, its answer's fields as outputs (the
        models they nest become object types, their secrets marked)."""
        inputs: dict[str, FieldInfo] = lookup.args.model_fields
        answer: dict[str, FieldInfo] = lookup.result.model_fields
        self._secrets = lookup.secrets
        try:
            outputs = self.fields(answer, lookup.token, lookup.secrets)
        finally:
            self._secrets = frozenset()
        return {
            "description": _summary(lookup.function),
            "inputs": {
                "type": "object",
                "properties": self.fields(inputs, lookup.token, frozenset()),
                "required": _required(inputs),
            },
            "outputs": {
                "type": "object",
                "description": _summary(lookup.result),
                "properties": {name: _echoed(spec) for name, spec in outputs.items()},
                "required": _required(answer),
            },
        }

    def orphan_dumps(self) -> Spec:
        """The function listing the dumps of a deleted web-hosting database."""
        params = inspect.signature(get_orphan_dumps, eval_str=True).parameters
        inputs = {
            camel(name): _marked(
                self.ref(param.annotation, f"{ORPHAN_DUMPS}{pascal(name)}"),
                _ORPHAN_INPUTS[name],
                False,
            )
            for name, param in params.items()
        }
        dumps = {
            "type": "array",
            "items": self.model(ServiceDump, ORPHAN_DUMP, ORPHAN_DUMP_SECRETS, _ORPHAN_DUMP),
        }
        return {
            "description": _ORPHAN_DUMPS,
            "inputs": {"type": "object", "properties": inputs, "required": sorted(inputs)},
            "outputs": {
                "type": "object",
                "properties": {"dumps": _marked(dumps, "The dumps, newest first.", False)},
                "required": ["dumps"],
            },
        }


def _model_token(model: type[BaseModel]) -> str:
    """The object type token of a model of ours: ``backups:<its API package>:<its name>``."""
    module = model.__module__.split(".")[1]
    return f"{PACKAGE}:{_MODULES.get(module, module)}:{model.__name__}"


def _required(fields: dict[str, FieldInfo]) -> list[str]:
    return sorted(camel(name) for name, info in fields.items() if info.is_required())


def _setting(setting: Setting) -> Spec:
    spec = _marked({"type": "string"}, setting.description, setting.secret)
    spec["defaultInfo"] = {"environment": [setting.environment]}
    return spec


def package_version() -> str:
    """The distribution's version, the package's ("0.0.0" when it is not installed)."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "0.0.0"


def _distribution() -> Spec:
    """Version, license and links of the installed distribution."""
    found: Spec = {"version": package_version()}
    try:
        about = metadata.metadata(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return found
    if "License-Expression" in about:
        found["license"] = about["License-Expression"]
    for entry in about.get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        key = _URL_KEYS.get(label.strip().lower())
        if key:
            found[key] = url.strip()
    return found


def package_schema() -> Spec:
    """The package schema (a JSON document valid against Pulumi's package metaschema)."""
    named = _Types()
    resources = {kind.token: named.resource(kind) for kind in KINDS}
    functions = {ORPHAN_DUMPS: named.orphan_dumps()}
    functions.update({lookup.token: named.lookup(lookup) for lookup in LOOKUP_FUNCTIONS})
    settings = {setting.key: _setting(setting) for setting in SETTINGS}
    return {
        "name": PACKAGE,
        "displayName": "Backups",
        "description": DESCRIPTION,
        "keywords": ["pulumi", "backups", "ovhcloud", "scaleway", "vps", "category/utility"],
        "publisher": PUBLISHER,
        **_distribution(),
        "config": {"variables": settings},
        "provider": {
            "description": "Accounts and endpoints of the three APIs; an unset key falls back "
            "to the environment variables and vendor files.",
            "inputProperties": {key: dict(spec) for key, spec in settings.items()},
        },
        "resources": resources,
        "functions": functions,
        "types": named.named,
        "language": LANGUAGE,
    }


def schema_text() -> str:
    """``schema.json`` as written at the repository root: sorted keys, two-space indent."""
    return json.dumps(package_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    sys.stdout.write(schema_text())
