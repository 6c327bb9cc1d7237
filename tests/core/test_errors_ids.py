"""Error messages carry call, status, server message and request id; ids parse in one place."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import pulumi_backups
from pulumi_backups.core import (
    ApiError,
    AuthError,
    ConflictError,
    NotFoundError,
    RateLimitedError,
    ResourceError,
    ServerError,
    TransportError,
    error_for_status,
    is_retryable,
    join_id,
    split_id,
)
from pulumi_backups.core.errors import in_resource, with_note


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (401, AuthError),
        (403, AuthError),
        (404, NotFoundError),
        (409, ConflictError),
        (429, RateLimitedError),
        (503, ServerError),
        (418, ApiError),
    ],
)
def test_error_for_status_picks_the_class(status: int, cls: type[ApiError]) -> None:
    err = error_for_status("GET /a", status, "msg", request_id="rid-1", code="c")
    assert type(err) is cls
    assert str(err) == f"GET /a failed: HTTP {status} [c]: msg (request id rid-1)"


def test_resource_error_names_the_resource_first() -> None:
    err = in_resource("HostingDatabase sn/db", "delete", NotFoundError("DELETE /x", 404, "gone"))
    assert isinstance(err, ResourceError)
    assert str(err).startswith("HostingDatabase sn/db: delete failed: DELETE /x failed: HTTP 404")


def test_ids_round_trip() -> None:
    rid = join_id("sandbox.cluster000.hosting.ovh.net", "db.mysql.db", 42)
    assert split_id(rid, "{service}/{database}/{dump_id}") == [
        "sandbox.cluster000.hosting.ovh.net",
        "db.mysql.db",
        "42",
    ]
    assert split_id("12345/restore/7/2", "{server}/restore/{backup}/{n}") == ["12345", "7", "2"]


@pytest.mark.parametrize("bad", ["a/b", "a/b/c/d", "a//c", "12345/restores/7/2"])
def test_malformed_ids_are_refused_with_the_expected_shape(bad: str) -> None:
    shape = "{a}/{b}/{c}" if bad.count("/") != 3 else "{server}/restore/{backup}/{n}"
    with pytest.raises(ValueError, match="expected"):
        split_id(bad, shape)


def test_join_refuses_parts_with_separator_or_empty() -> None:
    with pytest.raises(ValueError):
        join_id("a/b", "c")
    with pytest.raises(ValueError):
        join_id("", "c")


def test_with_note_is_a_copy_so_an_error_is_never_its_own_cause() -> None:
    err = ConflictError("DELETE /x", 409, "busy", code="transient_state")
    with pytest.raises(ConflictError) as info:
        raise with_note(err, "the backup it created is left behind") from err
    raised = info.value
    assert raised is not err and raised.__cause__ is err and raised.code == "transient_state"
    assert str(raised).endswith("busy; the backup it created is left behind")
    assert "left behind" not in str(err)


@pytest.mark.parametrize(
    ("error", "acted"),
    [
        (ServerError("POST /x", 500, "boom"), True),  # the answer was lost, not the request
        (ServerError("POST /x", 503, "busy"), False),  # refused by an overloaded server
        (ServerError("POST /x", 502, "gateway"), False),
        (TransportError("POST /x", "reset", sent=True), True),
        (TransportError("POST /x", "refused", sent=False, refused=True), False),
        (RateLimitedError("POST /x", 429, "slow down"), False),
        (ConflictError("POST /x", 409, "exists"), False),
    ],
)
def test_may_have_acted_says_whether_a_failed_call_may_have_been_carried_out(
    error: ApiError, acted: bool
) -> None:
    assert error.may_have_acted is acted
    # the converse: what a POST is sent again on
    assert is_retryable(error, idempotent=False) is (error.transient and not acted)


def test_context_is_added_to_an_error_one_way() -> None:
    """``with_note`` keeps an error's class, status and request id; a new BackupsError
    spelled from another error's text (``BackupsError(f"{err}...")``) loses them."""
    package = Path(pulumi_backups.__file__).parent
    spelled = re.compile(r"BackupsError\(\s*f\"\{(err|error|lost|cause|failure|exc)\b")
    found = [
        str(path.relative_to(package))
        for path in sorted(package.rglob("*.py"))
        if spelled.search(path.read_text())
    ]
    assert found == []
