"""Dates are judged in `check` by the clock it is given: an RdbBackup expiry must lie ahead
when it is sent (create, or a new one on update), and never stops a read of a stored one."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from pulumi_backups.scaleway.rdb_backup import RdbBackupProvider

NOW = datetime(2030, 1, 31, 12, 0, 0, tzinfo=timezone.utc)
BASE = {"instance_id": "11111111-1111-1111-1111-111111111111", "database_name": "app"}


def failures(olds: dict[str, object], expires_at: str) -> dict[str, str]:
    result = RdbBackupProvider().check(olds, {**BASE, "expires_at": expires_at}, now=NOW)
    return {f.property: f.reason for f in result.failures or []}


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_an_expiry_must_lie_ahead_of_the_checks_clock() -> None:
    assert failures({}, stamp(NOW + timedelta(seconds=1))) == {}
    reason = failures({}, stamp(NOW))["expires_at"]
    assert reason.startswith("is in the past (now 2030-01-31T12:00:00Z)")
    assert "expires_at" in failures({}, "2030-01-31T13:00:00+02:00")  # 11:00 UTC


def test_a_new_expiry_on_update_is_judged_an_unchanged_one_is_not() -> None:
    past = stamp(NOW - timedelta(days=1))
    olds = {**BASE, "expires_at": past, "export": False}
    assert failures(olds, past) == {}  # not sent again: nothing to refuse
    assert "expires_at" in failures({**olds, "expires_at": stamp(NOW + timedelta(days=9))}, past)


def test_a_stored_expiry_that_has_passed_still_parses() -> None:
    args = RdbBackupProvider().parse({**BASE, "expires_at": "2001-01-31T00:00:00Z"})
    assert args.expires_at == "2001-01-31T00:00:00Z"
