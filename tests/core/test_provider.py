"""BaseProvider: pure check with property-level failures, declarative diff, error context."""

from __future__ import annotations

import traceback
from collections.abc import Mapping
from typing import Any, Literal

import pytest
from pulumi.runtime import rpc
from pydantic import Field
from support.fakes import Connections

from pulumi_backups.core import BaseProvider, NotFoundError, ResourceArgs, ResourceError


class WidgetArgs(ResourceArgs):
    zone: Literal["a", "b"]
    size: int = Field(ge=1, le=10)
    label: str | None = None
    source: str | None = None
    triggers: Any = None

    def cross_check(self, olds: Mapping[str, Any]) -> list[tuple[str, str]]:
        if olds.get("label") and not self.label:
            return [("label", "a label cannot be removed once set")]
        return []


class WidgetProvider(BaseProvider[WidgetArgs]):
    kind = "Widget"
    args_type = WidgetArgs
    replace_on_change = frozenset({"zone"})

    def create_resource(self, args: WidgetArgs) -> tuple[str, dict[str, Any]]:
        raise NotFoundError("POST /widgets", 404, "no such zone", request_id="q-1")

    def describe(self, args: WidgetArgs) -> str:
        return f"Widget in zone {args.zone}"


PROVIDER = "c2VyaWFsaXplZA=="


def test_check_normalizes_and_keeps_provider_out_of_inputs(no_network: Connections) -> None:
    result = WidgetProvider().check({}, {"__provider": PROVIDER, "zone": "a", "size": 3.0})
    assert result.failures == []
    assert result.inputs == {"zone": "a", "size": 3}
    assert no_network.attempts == []


def test_check_reports_one_failure_per_bad_property(no_network: Connections) -> None:
    result = WidgetProvider().check(
        {}, {"__provider": PROVIDER, "zone": "c", "size": 99, "colour": "red"}
    )
    by_property = {f.property: f.reason for f in result.failures}
    assert set(by_property) == {"zone", "size", "colour"}
    assert "'a' or 'b'" in by_property["zone"] and "'c'" in by_property["zone"]
    assert "less than or equal to 10" in by_property["size"]
    assert no_network.attempts == []


def test_check_reports_missing_required_property() -> None:
    result = WidgetProvider().check({}, {"__provider": PROVIDER, "size": 1})
    assert [(f.property, f.reason) for f in result.failures] == [("zone", "Field required")]


def test_check_lets_unknowns_through_during_preview() -> None:
    news = {"__provider": PROVIDER, "zone": rpc.UNKNOWN, "size": 2}
    result = WidgetProvider().check({}, news)
    assert result.failures == []
    assert result.inputs["zone"] == rpc.UNKNOWN


def test_cross_check_compares_old_and_new_inputs() -> None:
    olds = {"zone": "a", "size": 1, "label": "x"}
    result = WidgetProvider().check(olds, {"__provider": PROVIDER, "zone": "a", "size": 1})
    assert [(f.property, f.reason) for f in result.failures] == [
        ("label", "a label cannot be removed once set")
    ]


def test_diff_ignores_provider_and_outputs() -> None:
    olds = {"__provider": "old", "zone": "a", "size": 2.0, "status": "ready", "id_out": "x"}
    news = {"__provider": "new", "zone": "a", "size": 2}
    result = WidgetProvider().diff("w1", olds, news)
    assert result.changes is False
    assert result.replaces == []


def test_diff_updates_in_place_or_replaces_by_field() -> None:
    olds = {"zone": "a", "size": 2}
    update = WidgetProvider().diff("w1", olds, {"zone": "a", "size": 3})
    assert (update.changes, update.replaces) == (True, [])
    replace = WidgetProvider().diff("w1", olds, {"zone": "b", "size": 2})
    assert (replace.changes, replace.replaces) == (True, ["zone"])
    trig = WidgetProvider().diff("w1", {**olds, "triggers": ["v1"]}, {**olds, "triggers": ["v2"]})
    assert trig.replaces == ["triggers"]


def test_diff_counts_unknown_as_change() -> None:
    result = WidgetProvider().diff("w1", {"zone": "a", "size": 2}, {"zone": rpc.UNKNOWN, "size": 2})
    assert result.replaces == ["zone"]


def test_create_errors_name_the_resource_and_the_call() -> None:
    with pytest.raises(ResourceError) as info:
        WidgetProvider().create({"__provider": PROVIDER, "zone": "b", "size": 1})
    message = str(info.value)
    assert message.startswith("Widget in zone b: create failed: POST /widgets failed: HTTP 404")
    assert "no such zone" in message and "q-1" in message


def test_provider_holds_no_state() -> None:
    provider = WidgetProvider()
    assert vars(provider) == {}


class LoginArgs(ResourceArgs):
    password: str = Field(min_length=8)


class LoginProvider(BaseProvider[LoginArgs]):
    kind = "Login"
    args_type = LoginArgs
    secrets = frozenset({"password"})


def test_check_failures_never_repeat_a_secret_value() -> None:
    result = LoginProvider().check({}, {"__provider": PROVIDER, "password": "hunter2"})
    assert [f.property for f in result.failures] == ["password"]
    assert "hunter2" not in result.failures[0].reason


class ChainedProvider(WidgetProvider):
    """A failure at the end of a long chain of retries, each raised while handling the last."""

    def create_resource(self, args: WidgetArgs) -> tuple[str, dict[str, Any]]:
        def attempt(left: int) -> None:
            try:
                if left:
                    attempt(left - 1)
                raise NotFoundError("POST /widgets", 404, "x" * 400, request_id="q-1")
            except NotFoundError as err:
                raise NotFoundError("POST /widgets", 404, f"try {left}", request_id="q-2") from err

        attempt(30)
        return "", {}


def test_a_failure_reaches_the_dynamic_host_without_its_chain(no_network: Connections) -> None:
    """The SDK's dynamic provider host sends ``traceback.format_exc()`` as the gRPC message:
    with the chain of causes, it passes the engine's 8 KiB metadata limit ("Stream removed")."""
    with pytest.raises(ResourceError) as info:
        ChainedProvider().create({"zone": "a", "size": 1})
    printed = "".join(traceback.format_exception(info.value))
    assert len(printed.encode()) < 4000, printed[:2000]
    assert "Widget in zone a: create failed" in printed and "try 30" in printed
    assert isinstance(info.value.cause, NotFoundError)
