"""A parent's replacement never replaces a backup, snapshot or restore, as the engine asks it.

Before it replaces a resource delete-before-replace, the engine Diffs each dependent with its
stored inputs, those that come from the replaced resource set to unknown, and deletes first
every dependent whose Diff asks for a replacement (``calculateDependentReplacements``,
pulumi/pulumi pkg/resource/deploy/step_generator.go). Here, through the SDK's real provider
host: every backup, snapshot and restore kind, its parent's inputs unknown, asks for no
replacement; once known, an equal value changes nothing and another one replaces.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from pulumi.dynamic.dynamic import serialize_provider
from support import UNKNOWN, ProviderHost

from pulumi_backups.core import BaseProvider
from pulumi_backups.ovh.hosting_database_dump import HostingDatabaseDumpProvider
from pulumi_backups.ovh.hosting_database_restore import HostingDatabaseRestoreProvider
from pulumi_backups.ovh.nasha_custom_snapshot import NashaCustomSnapshotProvider
from pulumi_backups.ovh.nasha_snapshot_policy import NashaSnapshotPolicyProvider
from pulumi_backups.scaleway.rdb_backup import RdbBackupProvider
from pulumi_backups.scaleway.rdb_backup_restore import RdbBackupRestoreProvider
from pulumi_backups.vps.vps_backup import VpsBackupProvider
from pulumi_backups.vps.vps_restore import VpsRestoreProvider

SN = "sandbox.cluster000.hosting.ovh.net"
DB = "sandboxapp.mysql.db"
INSTANCE = "11111111-1111-1111-1111-111111111111"
OTHER_INSTANCE = "22222222-2222-2222-2222-222222222222"
BACKUP = f"fr-par/{'3' * 8}-{'3' * 4}-{'3' * 4}-{'3' * 4}-{'3' * 12}"
NAS = {"service_name": "zpool-000000", "partition_name": "backups"}


@dataclass
class Case:
    """A dependent as stored: its provider, id, inputs, and the inputs its parent gives it."""

    provider: BaseProvider[Any]
    id: str
    inputs: dict[str, Any]
    parent: dict[str, Any]  # input -> another value the parent could give it
    source: dict[str, Any] | None = None  # a restore's backup input -> another backup

    @property
    def urn(self) -> str:
        return f"urn:pulumi:dev::project::pulumi-python:dynamic:Resource::{self.provider.kind}"


CASES = [
    Case(
        HostingDatabaseDumpProvider(),
        f"{SN}/{DB}/1000001",
        {"service_name": SN, "database_name": DB, "triggers": ["1.0"]},
        {"database_name": "sandboxnew.mysql.db", "service_name": "x.cluster001.hosting.ovh.net"},
    ),
    Case(
        HostingDatabaseRestoreProvider(),
        f"{SN}/{DB}/restore/200000001",
        {"service_name": SN, "database_name": DB, "dump_id": 1000001},
        {"database_name": "sandboxnew.mysql.db"},
        source={"dump_id": 1000002},
    ),
    Case(
        NashaCustomSnapshotProvider(),
        "zpool-000000/backups/before-upgrade",
        {**NAS, "name": "before-upgrade"},
        {"partition_name": "www"},
    ),
    Case(
        NashaSnapshotPolicyProvider(),
        "zpool-000000/backups",
        {**NAS, "frequencies": ["day-1", "hour-6"]},
        {"partition_name": "www"},
    ),
    Case(
        VpsBackupProvider(), "12345/501", {"server_id": 12345, "description": "x"}, {"server_id": 7}
    ),
    Case(
        VpsRestoreProvider(),
        "12345/restore/501/1700000000000",
        {"server_id": 12345, "backup_id": 501},
        {"server_id": 6},
        source={"backup_id": 502},
    ),
    Case(
        RdbBackupProvider(),
        f"fr-par/{BACKUP.split('/')[1]}",
        {"instance_id": INSTANCE, "database_name": "app", "region": "fr-par"},
        {"instance_id": OTHER_INSTANCE, "database_name": "app2"},
    ),
    Case(
        RdbBackupRestoreProvider(),
        f"{BACKUP}/restore/1700000000000",
        {"backup_id": BACKUP, "instance_id": INSTANCE, "database_name": "app_restore"},
        {"instance_id": OTHER_INSTANCE, "database_name": "app2"},
        source={"backup_id": BACKUP.replace("3", "4")},
    ),
]


@pytest.fixture(scope="module")
def host() -> Iterator[ProviderHost]:
    with ProviderHost() as provider_host:
        provider_host.configure({})
        yield provider_host


def stored(host: ProviderHost, case: Case) -> dict[str, Any]:
    """The inputs the engine stores for `case`: its checked inputs, provider included."""
    news = {"__provider": serialize_provider(case.provider), **case.inputs}
    checked = host.check(case.urn, {}, news)
    assert checked.failures == []
    return checked.inputs


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.provider.kind)
def test_a_dependent_is_not_replaced_for_its_parent(host: ProviderHost, case: Case) -> None:
    inputs = stored(host, case)

    def diff(**news: Any) -> tuple[str, list[str]]:
        answer = host.diff(
            case.urn, case.id, inputs, {**inputs, **news}, old_inputs=inputs, allow_unknowns=True
        )
        return answer.changes, sorted(answer.replaces)

    assert diff(**dict.fromkeys(case.parent, UNKNOWN)) == ("some", [])  # a preview's update
    assert diff() == ("none", [])  # the parent came back under the same name
    for key, value in case.parent.items():
        assert diff(**{key: value}) == ("some", [key])  # another parent: as any change
    for key, value in (case.source or {}).items():  # a restore of another backup runs again
        assert diff(**{key: UNKNOWN}) == ("some", [key])
        assert diff(**{key: value}) == ("some", [key])


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.provider.kind)
def test_a_preview_with_the_parent_unknown_shows_an_update(host: ProviderHost, case: Case) -> None:
    """The program registers the dependent before its parent is known (a preview of the
    parent's replacement): Check cannot validate without the parent's inputs and lets the
    program's inputs through, defaults left out; they still count as unchanged."""
    inputs = stored(host, case)
    program = {"__provider": serialize_provider(case.provider), **case.inputs}
    news = {**program, **dict.fromkeys(case.parent, UNKNOWN)}
    checked = host.check(case.urn, inputs, news, allow_unknowns=True)
    assert checked.failures == []
    answer = host.diff(
        case.urn, case.id, inputs, checked.inputs, old_inputs=inputs, allow_unknowns=True
    )
    assert (answer.changes, answer.replaces) == ("some", [])
