"""The look-ups against the sandbox over HTTP: what exists, newest first, the newest usable
backup's date and age on the client's clock, and an error (never an empty list) when a
listing cannot be believed or the object listed does not exist."""

from __future__ import annotations

from datetime import timedelta

import pytest
from lookups.conftest import Served

from pulumi_backups import (
    get_hosting_database_dumps,
    get_nasha_custom_snapshots,
    get_nasha_snapshot_frequencies,
    get_rdb_backups,
    get_vps_backups,
)
from pulumi_backups.core.errors import ApiError, NotFoundError
from pulumi_backups.core.fields import answer_datetime
from pulumi_backups.core.waiting import WaitPolicy
from pulumi_backups.ovh.hosting_client import HostingApi
from pulumi_backups.ovh.nasha.client import NashaPartition
from pulumi_backups.ovh.nasha.waiters import wait_nasha
from pulumi_backups.ovh.waiters import wait_hosting
from pulumi_backups.sandbox import Sandbox
from pulumi_backups.sandbox.settings import (
    HOSTING_SERVICE,
    NASHA_SERVICE,
    RDB_INSTANCE_ID,
    VPS_SERVER_ID,
)
from pulumi_backups.scaleway.models import CreateBackupRequest as RdbRequest
from pulumi_backups.vps.models import CreateBackupRequest as VpsRequest

FAST = WaitPolicy(timeout=5)
DB = "sandboxlk.mysql.db"
DUMP_IDS = "GET /1.0/hosting/web/{serviceName}/database/{name}/dump"
VPS_LIST = "GET /api/v1/backups/"
RDB_LIST = "GET /rdb/v1/regions/{region}/backups"


def aged(served: Served, created_at: str | None, seconds: float) -> None:
    """Set the clients' wall clock ``seconds`` after ``created_at``."""
    when = answer_datetime(created_at)
    assert when is not None
    served.wall.at = when + timedelta(seconds=seconds)


def dumped(served: Served, sandbox: Sandbox, dumps: int) -> list[int]:
    """``DB`` made, then ``dumps`` dumps a minute apart; their ids, oldest first."""
    api = HostingApi(served.ovh, HOSTING_SERVICE)
    body = {"capabilitie": "sqlPerso", "type": "mysql", "user": "sandboxlk"}
    wait_hosting(api, api.create_database(body), FAST)
    for _ in range(dumps):
        sandbox.advance(60)
        wait_hosting(api, api.create_dump(DB, "now", False), FAST)
    return sorted(api.dump_ids(DB))


def test_hosting_dumps_newest_first_with_the_newest_one_s_age(
    served: Served, sandbox: Sandbox
) -> None:
    ids = dumped(served, sandbox, 3)
    found = get_hosting_database_dumps(HOSTING_SERVICE, DB)
    assert [d.id for d in found.dumps] == ids[::-1]
    assert found.newest_created_at == found.dumps[0].creation_date
    aged(served, found.newest_created_at, 5400)
    assert get_hosting_database_dumps(HOSTING_SERVICE, DB).newest_age_seconds == 5400
    assert all(d.url for d in found.dumps)


def test_a_dump_dropped_from_one_listing_is_still_listed(served: Served, sandbox: Sandbox) -> None:
    """One answer that leaves an entry out proves nothing: listings are read until two agree."""
    ids = dumped(served, sandbox, 2)
    sandbox.fault(f"omit:{ids[-1]}", DUMP_IDS, count=1)
    assert [d.id for d in get_hosting_database_dumps(HOSTING_SERVICE, DB).dumps] == ids[::-1]


def test_hosting_dumps_of_a_listing_that_keeps_changing_is_an_error(
    served: Served, sandbox: Sandbox
) -> None:
    dumped(served, sandbox, 2)
    for count in range(3):  # each answer shorter than the last
        sandbox.fault(f"pad:{3 - count}", DUMP_IDS, count=1)
    with pytest.raises(Exception, match="changed at each of 3 reads"):
        get_hosting_database_dumps(HOSTING_SERVICE, DB)


def test_the_dumps_of_a_database_that_does_not_exist_are_an_error(served: Served) -> None:
    with pytest.raises(NotFoundError):
        get_hosting_database_dumps(HOSTING_SERVICE, "sandboxnone.mysql.db")


def test_nasha_snapshots_by_expiration_and_frequencies_by_period(served: Served) -> None:
    partition = NashaPartition(served.ovh, NASHA_SERVICE, "backups")
    for name, expiration in (("early", "2031-01-01"), ("kept", None), ("late", "2032-01-01")):
        wait_nasha(partition, partition.create_custom_snapshot(name, expiration), FAST)
    snapshots = get_nasha_custom_snapshots(NASHA_SERVICE, "backups")
    assert [s.name for s in snapshots.snapshots] == ["kept", "late", "early"]
    assert snapshots.newest_created_at is None and snapshots.newest_age_seconds is None

    assert get_nasha_snapshot_frequencies(NASHA_SERVICE, "backups").frequencies == ["day-1"]
    wait_nasha(partition, partition.add_snapshot_type("hour-6"), FAST)
    frequencies = get_nasha_snapshot_frequencies(NASHA_SERVICE, "backups")
    assert frequencies.frequencies == ["hour-6", "day-1"]
    assert frequencies.shortest_period_seconds == 6 * 3600
    with pytest.raises(NotFoundError):
        get_nasha_custom_snapshots(NASHA_SERVICE, "nopartition")


def test_vps_backups_newest_first_and_the_newest_usable_one_s_age(
    served: Served, sandbox: Sandbox
) -> None:
    made = served.vps.create_backup(VpsRequest(server_id=VPS_SERVER_ID, description="good"))
    sandbox.advance(60)
    sandbox.script("vps:backup/create", "fail")
    failed = served.vps.create_backup(VpsRequest(server_id=VPS_SERVER_ID, description="bad"))
    found = get_vps_backups(VPS_SERVER_ID)
    assert [(b.id, b.status) for b in found.backups] == [
        (failed.id, "failed"),
        (made.id, "completed"),
    ]
    assert found.newest_created_at == made.created_at  # a failed backup is no backup
    aged(served, made.created_at, 7200)
    assert get_vps_backups(VPS_SERVER_ID, "manual").newest_age_seconds == 7200
    none = get_vps_backups(VPS_SERVER_ID, "automatic")
    assert none.backups == [] and none.newest_age_seconds is None


@pytest.mark.parametrize("lie", ["set:results.*.server.id=54321", "set:count=5"])
def test_a_vps_listing_that_cannot_be_believed_is_an_error(
    served: Served, sandbox: Sandbox, lie: str
) -> None:
    served.vps.create_backup(VpsRequest(server_id=VPS_SERVER_ID))
    sandbox.fault(lie, VPS_LIST, count=None)
    with pytest.raises(ApiError, match=r"another object|nothing is concluded"):
        get_vps_backups(VPS_SERVER_ID)


def test_rdb_backups_filtered_newest_first_with_the_newest_ready_one_s_age(
    served: Served, sandbox: Sandbox
) -> None:
    made = []
    for database, name in (("app", "nightly-1"), ("app_restore", "other"), ("app", "nightly-2")):
        request = RdbRequest(instance_id=RDB_INSTANCE_ID, database_name=database, name=name)
        made.append(served.rdb.create_backup("fr-par", request))
        sandbox.advance(60)
    found = get_rdb_backups(instance_id=RDB_INSTANCE_ID, database_name="app")
    assert found.region == "fr-par"
    assert [b.name for b in found.backups] == ["nightly-2", "nightly-1"]
    assert found.newest_created_at == found.backups[0].created_at
    aged(served, found.newest_created_at, 60)
    assert get_rdb_backups(database_name="app").newest_age_seconds == 60
    assert [b.name for b in get_rdb_backups(name="other").backups] == ["other"]
    assert get_rdb_backups(region="nl-ams").backups == []


def test_an_rdb_listing_that_disagrees_with_its_count_is_an_error(
    served: Served, sandbox: Sandbox
) -> None:
    request = RdbRequest(instance_id=RDB_INSTANCE_ID, database_name="app", name="counted")
    served.rdb.create_backup("fr-par", request)
    sandbox.fault("set:total_count=3", RDB_LIST, count=None)
    with pytest.raises(ApiError, match="the count says 3"):
        get_rdb_backups(instance_id=RDB_INSTANCE_ID)


def test_arguments_are_checked_before_any_request(served: Served, sandbox: Sandbox) -> None:
    sandbox.clear_counters()
    with pytest.raises(ValueError, match="UUID"):
        get_rdb_backups(instance_id="not-a-uuid")
    with pytest.raises(ValueError, match="manual"):
        get_vps_backups(VPS_SERVER_ID, "weekly")
    with pytest.raises(ValueError):
        get_hosting_database_dumps(HOSTING_SERVICE, "../etc")
    assert sandbox.counters() == {}


def test_an_rdb_listing_whose_count_moves_between_pages_is_an_error(
    served: Served, sandbox: Sandbox
) -> None:
    """Page 1 counted 150, page 2 counts 101: backups were deleted while it was read, so one
    may have slid from page 2 to page 1 unseen; the 101 read prove nothing."""
    for number in range(101):
        request = RdbRequest(instance_id=RDB_INSTANCE_ID, database_name="app", name=f"n{number}")
        served.rdb.create_backup("fr-par", request)
    assert len(get_rdb_backups(instance_id=RDB_INSTANCE_ID).backups) == 101
    sandbox.fault("set:total_count=150", RDB_LIST, count=1)
    with pytest.raises(ApiError, match="the count changed between pages"):
        get_rdb_backups(instance_id=RDB_INSTANCE_ID)
