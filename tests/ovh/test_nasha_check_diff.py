"""NAS-HA resources: pure check (normalization, property-level failures) and diff."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, get_args

import pytest
from pulumi.runtime import rpc

from pulumi_backups.ovh.nasha.models import MAX_SNAPSHOT_TYPES, SNAPSHOT_TYPES
from pulumi_backups.ovh.nasha.policy_operations import Change, plan_schedule
from pulumi_backups.ovh.nasha_custom_snapshot import (
    NashaCustomSnapshotProvider,
    normalize_expiration,
    same_expiration,
)
from pulumi_backups.ovh.nasha_snapshot_policy import NashaSnapshotPolicyProvider, SnapshotType

PROVIDER = "c2VyaWFsaXplZA=="
POLICY = {"service_name": "zpool-000000", "partition_name": "backups"}
SNAPSHOT = {**POLICY, "name": "before-upgrade"}


pytestmark = pytest.mark.usefixtures("no_network")  # check and diff are pure


def check_policy(**inputs: Any) -> tuple[dict[str, Any], dict[str, str]]:
    result = NashaSnapshotPolicyProvider().check({}, {"__provider": PROVIDER, **inputs})
    return result.inputs, {f.property: f.reason for f in result.failures}


NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)  # the expirations below are still to come


def check_snapshot(
    now: datetime = NOW, olds: dict[str, Any] | None = None, **inputs: Any
) -> tuple[dict[str, Any], dict[str, str]]:
    news = {"__provider": PROVIDER, **inputs}
    result = NashaCustomSnapshotProvider().check(olds or {}, news, now)
    return result.inputs, {f.property: f.reason for f in result.failures}


@pytest.mark.parametrize(
    ("expiration", "passed"),
    [
        ("2025-12-30", True),
        ("2025-12-31", False),  # still that day west of UTC
        ("2025-12-31T23:00:00Z", True),
        ("2026-01-01T00:00:01+00:00", False),
        ("2025-12-31T20:00:00", False),  # the API's local time: not over everywhere yet
    ],
)
def test_snapshot_expiration_in_the_past_is_refused(expiration: str, passed: bool) -> None:
    _, failures = check_snapshot(**SNAPSHOT, expiration=expiration)
    assert ("in the past" in failures.get("expiration", "")) is passed, failures


def test_a_stored_expiration_that_has_passed_does_not_fail_check() -> None:
    stored = {**SNAPSHOT, "expiration": "2025-06-24"}
    _, failures = check_snapshot(olds=stored, **stored)
    assert failures == {}


# -- NashaSnapshotPolicy: check -----------------------------------------------------------------


def test_policy_knows_every_documented_type() -> None:
    assert set(get_args(SnapshotType)) == set(SNAPSHOT_TYPES) == {
        "hour-1", "hour-6", "day-1", "day-2", "day-3", "day-7"
    }  # fmt: skip
    assert MAX_SNAPSHOT_TYPES == 4


def test_policy_frequencies_are_normalized_to_a_sorted_list() -> None:
    inputs, failures = check_policy(**POLICY, frequencies=["hour-6", "day-7", "day-1"])
    assert failures == {}
    assert inputs == {**POLICY, "frequencies": ["day-1", "day-7", "hour-6"]}


def test_policy_accepts_an_empty_set_and_timeouts() -> None:
    inputs, failures = check_policy(**POLICY, frequencies=[], timeouts={"update": 30})
    assert failures == {}
    assert inputs["frequencies"] == [] and inputs["timeouts"] == {"update": 30.0}


def test_policy_rejects_an_unknown_type_on_its_element() -> None:
    _, failures = check_policy(**POLICY, frequencies=["day-1", "week-1"])
    assert set(failures) == {"frequencies.1"}
    assert "'hour-1'" in failures["frequencies.1"] and "'week-1'" in failures["frequencies.1"]


def test_policy_rejects_duplicates_naming_them() -> None:
    _, failures = check_policy(**POLICY, frequencies=["day-1", "hour-1", "day-1"])
    assert set(failures) == {"frequencies"}
    assert "day-1 more than once" in failures["frequencies"]


def test_policy_rejects_more_frequencies_than_the_service_allows() -> None:
    five = ["hour-1", "hour-6", "day-1", "day-2", "day-3"]
    _, failures = check_policy(**POLICY, frequencies=five)
    assert set(failures) == {"frequencies"}
    assert "at most 4" in failures["frequencies"]
    _, failures = check_policy(**POLICY, frequencies=five[:4])
    assert failures == {}


def test_policy_reports_each_bad_property() -> None:
    _, failures = check_policy(
        service_name="", partition_name="a/b", frequencies="day-1", colour="red"
    )
    assert set(failures) == {"service_name", "partition_name", "frequencies", "colour"}
    assert "without '/'" in failures["partition_name"]
    _, failures = check_policy(service_name="zpool-000000")
    assert set(failures) == {"partition_name", "frequencies"}


def test_policy_lets_unknown_frequencies_through_during_preview() -> None:
    inputs, failures = check_policy(**POLICY, frequencies=rpc.UNKNOWN)
    assert failures == {}
    assert inputs["frequencies"] == rpc.UNKNOWN


# -- NashaSnapshotPolicy: diff ------------------------------------------------------------------


def policy_diff(olds: dict[str, Any], news: dict[str, Any]) -> tuple[bool, list[str]]:
    checked, _ = check_policy(**news)
    result = NashaSnapshotPolicyProvider().diff("zpool-000000/backups", olds, checked)
    return bool(result.changes), list(result.replaces or [])


STATE = {
    "__provider": PROVIDER,
    **POLICY,
    "frequencies": ["day-1", "hour-6"],
    "initial_frequencies": ["day-1"],
}


def test_policy_order_of_frequencies_is_no_change() -> None:
    assert policy_diff(STATE, {**POLICY, "frequencies": ["hour-6", "day-1"]}) == (False, [])


def test_policy_frequency_change_updates_in_place() -> None:
    assert policy_diff(STATE, {**POLICY, "frequencies": ["day-1", "hour-1"]}) == (True, [])
    assert policy_diff(STATE, {**POLICY, "frequencies": ["day-1", "hour-6"], "timeouts": {}}) == (
        True,
        [],
    )


def test_policy_other_partition_replaces() -> None:
    news = {**POLICY, "partition_name": "other", "frequencies": ["day-1", "hour-6"]}
    assert policy_diff(STATE, news) == (True, ["partition_name"])


def test_policy_drift_in_state_shows_as_a_change() -> None:
    refreshed = {**STATE, "frequencies": ["day-1"]}  # hour-6 removed out of band
    assert policy_diff(refreshed, {**POLICY, "frequencies": ["day-1", "hour-6"]}) == (True, [])


# -- schedule planning --------------------------------------------------------------------------


def test_plan_removes_before_adding_and_only_what_it_may_remove() -> None:
    plan = plan_schedule(
        ["day-1", "day-2", "day-7", "hour-1"], ["hour-6", "day-1"], removable=["day-2", "hour-1"]
    )
    assert plan == [Change("remove", "day-2"), Change("remove", "hour-1"), Change("add", "hour-6")]
    assert plan_schedule(["day-1"], ["day-1"], removable=["day-1"]) == []


# -- NashaCustomSnapshot: check -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "normalized"),
    [
        ("2026-06-24", "2026-06-24"),
        ("2026-06-24T12:30", "2026-06-24T12:30:00"),
        ("2026-06-24 12:30:05", "2026-06-24T12:30:05"),
        ("2026-06-24T12:30:05Z", "2026-06-24T12:30:05+00:00"),
        ("2026-06-24T12:30:05+0200", "2026-06-24T12:30:05+02:00"),
        ("2026-06-24T12:30:05.250-05:30", "2026-06-24T12:30:05.250000-05:30"),
        (" 2026-06-24T12:30:05+02:00 ", "2026-06-24T12:30:05+02:00"),
    ],
)
def test_snapshot_expiration_is_normalized(given: str, normalized: str) -> None:
    inputs, failures = check_snapshot(**SNAPSHOT, expiration=given)
    assert failures == {}
    assert inputs == {**SNAPSHOT, "expiration": normalized}
    assert normalize_expiration(normalized) == normalized


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ("tomorrow", "ISO 8601"),
        ("24/06/2026", "ISO 8601"),
        ("2026-02-30", "not a valid date"),
        ("2026-06-24T25:00", "not a valid date"),
        ("2026-06-24T12:00+25:00", "not a valid date"),
    ],
)
def test_snapshot_rejects_a_bad_expiration(given: str, reason: str) -> None:
    _, failures = check_snapshot(**SNAPSHOT, expiration=given)
    assert set(failures) == {"expiration"}
    assert reason in failures["expiration"]


def test_snapshot_reports_each_bad_property() -> None:
    _, failures = check_snapshot(
        service_name="zpool/0", partition_name="backups", name="no spaces", expiration="soon"
    )
    assert set(failures) == {"service_name", "name", "expiration"}
    assert "ZFS snapshot name" in failures["name"]
    inputs, failures = check_snapshot(**SNAPSHOT)
    assert failures == {} and inputs == SNAPSHOT


@pytest.mark.parametrize(
    ("stored", "wanted", "same"),
    [
        (None, None, True),
        ("2026-06-24T00:00:00+02:00", None, False),
        (None, "2026-06-24", False),
        ("2026-06-24T00:00:00+02:00", "2026-06-24", True),
        ("2026-06-25T00:00:00+02:00", "2026-06-24", False),
        ("2026-06-24T14:00:00+02:00", "2026-06-24T12:00:00+00:00", True),
        ("2026-06-24T14:00:00+02:00", "2026-06-24T14:00:00+00:00", False),
        ("2026-06-24T14:00:00+02:00", "2026-06-24T14:00:00", True),
        ("2026-06-24", "2026-06-24T00:00:00", False),
        ("not a date", "not a date", True),
    ],
)
def test_expirations_compare_by_meaning(stored: Any, wanted: Any, same: bool) -> None:
    assert same_expiration(stored, wanted) is same


# -- NashaCustomSnapshot: diff ------------------------------------------------------------------


def snapshot_diff(olds: dict[str, Any], news: dict[str, Any]) -> tuple[bool, list[str], bool]:
    checked, failures = check_snapshot(**news)
    assert failures == {}
    result = NashaCustomSnapshotProvider().diff(
        "zpool-000000/backups/before-upgrade", olds, checked
    )
    return bool(result.changes), sorted(result.replaces or []), bool(result.delete_before_replace)


STORED = {"__provider": PROVIDER, **SNAPSHOT, "expiration": "2026-06-24T00:00:00+02:00"}


def test_snapshot_stored_spelling_of_the_expiration_is_no_change() -> None:
    assert snapshot_diff(STORED, {**SNAPSHOT, "expiration": "2026-06-24"}) == (False, [], False)
    same_instant = {**SNAPSHOT, "expiration": "2026-06-23T22:00:00Z"}
    assert snapshot_diff(STORED, same_instant) == (False, [], False)


def test_snapshot_new_expiration_replaces_deleting_first() -> None:
    later = {**SNAPSHOT, "expiration": "2026-07-01"}
    assert snapshot_diff(STORED, later) == (True, ["expiration"], True)
    assert snapshot_diff(STORED, SNAPSHOT) == (True, ["expiration"], True)


def test_snapshot_rename_replaces_creating_first() -> None:
    renamed = {**SNAPSHOT, "name": "after-upgrade", "expiration": "2026-06-24"}
    assert snapshot_diff(STORED, renamed) == (True, ["name"], False)


def test_snapshot_timeouts_change_is_an_update() -> None:
    news = {**SNAPSHOT, "expiration": "2026-06-24", "timeouts": {"delete": 60}}
    assert snapshot_diff(STORED, news) == (True, [], False)


def test_snapshot_unknown_expiration_is_a_replacement() -> None:
    result = NashaCustomSnapshotProvider().diff(
        "zpool-000000/backups/before-upgrade", STORED, {**SNAPSHOT, "expiration": rpc.UNKNOWN}
    )
    assert result.changes and result.replaces == ["expiration"]
