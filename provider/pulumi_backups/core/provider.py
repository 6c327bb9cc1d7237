"""The base every resource provider stands on: pure check, declarative diff, error context.

A resource declares a pydantic model of its inputs (:class:`ResourceArgs`) and the fields whose
change forces a replacement; :class:`BaseProvider` turns that into Pulumi's CRUD contract:

- ``check`` validates and normalizes the inputs with no I/O, one ``CheckFailure`` per bad
  property; values still unknown during a preview are let through untouched;
- ``diff`` compares the declared input fields only (never ``__provider`` nor outputs), treats an
  unknown new value as a change, and replaces on ``replace_on_change`` fields and ``triggers``,
  but never for an unknown ``parent_fields`` value alone (see :meth:`BaseProvider.diff`);
- ``create`` / ``read`` / ``update`` / ``delete`` parse the inputs and call the subclass's
  ``*_resource`` methods, adding the resource's name to any :class:`BackupsError`;
- ``configure`` hands the stack config to :mod:`pulumi_backups.core.config` (module level,
  never on ``self``: providers are pickled into the state).
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)
from pulumi.output import Unknown
from pulumi.runtime import rpc
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from .config import set_stack_config
from .errors import BackupsError, in_resource
from .fields import CheckContext, Seconds, plain_input, shown
from .waiting import DEFAULT_TIMEOUT, READ_TIMEOUT, WaitPolicy, utc_now, within

PROVIDER_KEY = "__provider"

ENGINE_TIMEOUT: ContextVar[float | None] = ContextVar("engine_timeout", default=None)
"""The engine's custom timeout for the running create / update / delete (seconds), when the
adapter that serves it has one: it wins over the ``timeouts`` input."""


class FieldDiff(DiffResult):
    """A :class:`DiffResult` that also names the changed input fields (for detailed diffs)."""

    def __init__(self, changed: list[str], **fields: Any) -> None:
        super().__init__(**fields)
        self.changed = changed


MAX_FAILURES = 10
"""Check failures reported at most (a list of a million bad items is one message, not a
million: the answer must stay far below the 4 MB the engine's gRPC channel carries)."""
MAX_PROPERTY = 80
"""Longest property name quoted in a failure (an unknown key may be huge)."""


class Timeouts(BaseModel):
    """Per-operation deadlines, in seconds: each bounds every request, retry and wait of its
    operation (a create, update or delete defaults to 1800 s, a read to 60 s).

    ``custom_timeouts`` never reach dynamic providers; the provider plugin receives them, and
    the engine's then win over these."""

    model_config = ConfigDict(extra="forbid")

    create: Seconds | None = Field(default=None, description="Deadline of a create, in seconds.")
    update: Seconds | None = Field(default=None, description="Deadline of an update, in seconds.")
    delete: Seconds | None = Field(default=None, description="Deadline of a delete, in seconds.")
    read: Seconds | None = Field(
        default=None, description="Deadline of a read (each resource of a refresh), in seconds."
    )


class ResourceArgs(BaseModel):
    """Base of every resource's input model. Unknown keys are refused (typos surface early)."""

    model_config = ConfigDict(extra="forbid")

    timeouts: Timeouts | None = Field(default=None, description="Deadlines in seconds.")

    @field_validator("*", mode="before")
    @classmethod
    def _plain_input(cls, value: Any, info: ValidationInfo) -> Any:
        # One set of rules for every input of every resource (see core.fields.plain_input).
        return plain_input(value, cls.model_fields[str(info.field_name)])

    def cross_check(self, olds: Mapping[str, Any]) -> list[tuple[str, str]]:
        """Rules spanning several fields, or old and new inputs: ``(property, reason)`` pairs.

        Runs only once every field validated and none is unknown. ``olds`` are the previous
        inputs (empty on create).
        """
        return []

    def to_inputs(self) -> dict[str, Any]:
        """The normalized inputs stored in the state (None values left out, as the engine does)."""
        return self.model_dump(mode="json", exclude_none=True)


A = TypeVar("A", bound=ResourceArgs)


def is_unknown(value: Any) -> bool:
    """True when ``value`` is, or contains, a value not known until the deployment."""
    if isinstance(value, Unknown) or value == rpc.UNKNOWN:
        return True
    if isinstance(value, dict):
        return any(is_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(is_unknown(v) for v in value)
    return False


def _plain(value: Any) -> Any:
    """Strip the SDK's secret wrappers (sent only when a provider accepts secrets)."""
    value = rpc.unwrap_rpc_secret(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _failure(error: Mapping[str, Any], secret: frozenset[str]) -> CheckFailure:
    """A pydantic error as a check failure: the property, then the reason alone (without
    pydantic's ``Value error, `` prefix), the input quoted short and never a secret."""
    prop = ".".join(str(part) for part in error["loc"]) or "inputs"
    if len(prop) > MAX_PROPERTY:
        prop = prop[:MAX_PROPERTY] + "..."
    cause = error.get("ctx", {}).get("error") if error["type"] == "value_error" else None
    reason = str(cause) if cause is not None else str(error["msg"])
    if (
        error["type"] not in ("missing", "value_error")
        and not (error["loc"] and error["loc"][0] in secret)
        and "input" in error
        and not isinstance(error["input"], dict)
    ):
        reason += f" (got {shown(error['input'])})"
    return CheckFailure(prop, reason)


def _bounded(failures: list[CheckFailure]) -> list[CheckFailure]:
    if len(failures) <= MAX_FAILURES:
        return failures
    more = len(failures) - MAX_FAILURES + 1
    last = CheckFailure(failures[MAX_FAILURES - 1].property, f"... and {more} more failures")
    return [*failures[: MAX_FAILURES - 1], last]


class BaseProvider(ResourceProvider, Generic[A]):
    """Pulumi CRUD contract for one resource kind; subclasses implement ``*_resource``."""

    kind: ClassVar[str]
    args_type: ClassVar[type[ResourceArgs]]
    replace_on_change: ClassVar[frozenset[str]] = frozenset()
    parent_fields: ClassVar[frozenset[str]] = frozenset()
    """Inputs naming the object this resource backs up, snapshots or restores into (its
    parent: a database, a server, a partition, an instance). Unknown, they never replace."""
    secrets: ClassVar[frozenset[str]] = frozenset()
    """The resource's secret properties (inputs or outputs, snake_case), declared here only:
    never quoted in a check failure; from this set the dynamic resource seals them and
    registers them as ``additional_secret_outputs``, the plugin marks them secret in its
    answers and the package schema marks them ``secret``."""
    delete_before_replace: ClassVar[bool] = False
    default_timeout: ClassVar[float] = DEFAULT_TIMEOUT

    # -- engine entry points ------------------------------------------------------------------

    def configure(self, req: ConfigureRequest) -> None:
        set_stack_config(getattr(req.config, "_props", {}) or {})

    def check(
        self, _olds: dict[str, Any], news: dict[str, Any], now: datetime | None = None
    ) -> CheckResult:
        """Validate and normalize ``news``; ``now`` (default: the wall clock) judges dates."""
        inputs = {k: _plain(v) for k, v in news.items() if k != PROVIDER_KEY}
        unknown = {k for k, v in inputs.items() if is_unknown(v)}
        known = {k: v for k, v in inputs.items() if k not in unknown}
        olds = self._input_fields(_olds)
        context = CheckContext(now=now or utc_now(), olds=olds)
        try:
            args = self.args_type.model_validate(known, context=context)
        except ValidationError as err:
            failures = [
                _failure(e, self.secrets)
                for e in err.errors()
                if not (e["loc"] and e["loc"][0] in unknown and e["type"] == "missing")
            ]
            # no failure left when only unknown fields are missing: decided at deploy
            return CheckResult(inputs, _bounded(failures))
        normalized = args.to_inputs()
        if not unknown:
            cross = args.cross_check(olds)
            if cross:
                return CheckResult(inputs, [CheckFailure(p, r) for p, r in cross])
        normalized.update({k: rpc.UNKNOWN for k in unknown})
        return CheckResult(normalized, [])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Changed input fields; those in ``replace_on_change`` (and ``triggers``) replace.

        An unknown value is a change, and replaces too, except in a ``parent_fields`` input:
        before replacing a resource delete-before-replace, the engine Diffs each dependent
        with the inputs that come from it set to unknown, and deletes first every dependent
        whose Diff says replace (``calculateDependentReplacements``, pulumi/pulumi
        pkg/resource/deploy/step_generator.go). A backup must not go because the object it
        backs up is being replaced; a restore must not run again for it. Once that value is
        known, an equal one changes nothing and another one replaces as any change does. A
        preview, which cannot know it yet, shows such a resource as an update.

        A field absent on either side counts as its default: ``check`` leaves defaults out
        when an unknown required field stops it from validating (during a preview).
        """
        changes: list[str] = []
        replaces: list[str] = []
        for key, field in self.args_type.model_fields.items():
            default = None if field.is_required() else field.get_default(call_default_factory=True)
            new = news.get(key, default)
            unknown = is_unknown(new)
            if not unknown and _plain(olds.get(key, default)) == _plain(new):
                continue
            changes.append(key)
            parent_unknown = unknown and key in self.parent_fields
            if key == "triggers" or (key in self.replace_on_change and not parent_unknown):
                replaces.append(key)
        return FieldDiff(
            changes,
            changes=bool(changes),
            replaces=replaces,
            stables=[],
            delete_before_replace=self.delete_before_replace,
        )

    # An operation's failure is raised ``from None``, its cause kept in ``ResourceError.cause``:
    # the SDK's dynamic provider host sends the whole ``traceback.format_exc()`` as the gRPC
    # message (``_abort_with_traceback``, pulumi/dynamic/__main__.py), and a chained traceback
    # through retries and waits passes the engine's 8 KiB metadata limit, where the user would
    # see only "Stream removed (received metadata size exceeds soft limit)".

    def create(self, props: dict[str, Any]) -> CreateResult:
        args = self.parse(props)
        try:
            with within(self.wait_policy(args, "create")):
                resource_id, outs = self.create_resource(args)
        except BackupsError as err:
            raise in_resource(self.describe(args), "create", err) from None
        return CreateResult(resource_id, {**args.to_inputs(), **outs})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        args = self.parse(props)
        try:
            with within(self.wait_policy(args, "read")):
                outs = self.read_resource(id_, args, props)
        except BackupsError as err:
            raise in_resource(f"{self.kind} {id_}", "read", err) from None
        if outs is None:
            return ReadResult("", {})
        return ReadResult(id_, {**args.to_inputs(), **outs})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        args = self.parse(news)
        try:
            with within(self.wait_policy(args, "update")):
                outs = self.update_resource(id_, olds, args)
        except BackupsError as err:
            raise in_resource(f"{self.kind} {id_}", "update", err) from None
        return UpdateResult({**args.to_inputs(), **outs})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        args = self.parse(props)
        try:
            with within(self.wait_policy(args, "delete")):
                self.delete_resource(id_, args, props)
        except BackupsError as err:
            raise in_resource(f"{self.kind} {id_}", "delete", err) from None

    # -- what subclasses implement ------------------------------------------------------------

    def create_resource(self, args: A) -> tuple[str, dict[str, Any]]:
        """Create the object, wait until usable, return ``(id, outputs read from the API)``."""
        raise NotImplementedError

    def read_resource(self, id_: str, args: A, props: dict[str, Any]) -> dict[str, Any] | None:
        """Current outputs of the object, or None when it is gone."""
        raise NotImplementedError

    def update_resource(self, id_: str, olds: dict[str, Any], args: A) -> dict[str, Any]:
        """Apply in-place changes; return every output (the engine keeps nothing else)."""
        outs = self.read_resource(id_, args, olds)
        return outs if outs is not None else {}

    def delete_resource(self, id_: str, args: A, props: dict[str, Any]) -> None:
        """Delete the object and wait; an object already gone is a success."""
        raise NotImplementedError

    # -- helpers ------------------------------------------------------------------------------

    def import_id(self, import_id: str) -> str:
        """The resource id an import id names: the same, unless the kind's id alone cannot
        describe the object and its import id carries more (see :meth:`import_inputs`)."""
        return import_id

    def import_inputs(self, id_: str) -> dict[str, Any]:
        """The inputs that describe the existing object ``id_`` (``pulumi import``: a Read
        with an id alone); an error when there is none, or when the kind cannot be imported."""
        raise BackupsError(f"a {self.kind} cannot be imported")

    def describe(self, args: A) -> str:
        """How errors name a resource that has no id yet."""
        return self.kind

    def parse(self, props: Mapping[str, Any]) -> A:
        """The typed inputs out of stored inputs or outputs (output-only keys are ignored)."""
        return self.args_type.model_validate(self._input_fields(props))  # type: ignore[return-value]

    def wait_policy(self, args: ResourceArgs, operation: str) -> WaitPolicy:
        """The deadline of ``operation`` (create / read / update / delete): the engine's
        ``customTimeouts`` (never for a read), else ``timeouts``, else the kind's default
        (:data:`READ_TIMEOUT` for a read). Each operation opens it once (:func:`within`)."""
        timeout = ENGINE_TIMEOUT.get() if operation != "read" else None
        if timeout:
            return WaitPolicy(timeout=timeout, setting="customTimeouts")
        if args.timeouts:
            timeout = getattr(args.timeouts, operation, None)
        default = READ_TIMEOUT if operation == "read" else self.default_timeout
        return WaitPolicy(timeout=timeout or default)

    def _input_fields(self, props: Mapping[str, Any]) -> dict[str, Any]:
        fields = self.args_type.model_fields
        return {k: _plain(v) for k, v in props.items() if k in fields and v is not None}
