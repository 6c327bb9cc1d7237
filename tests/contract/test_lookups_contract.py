"""The look-ups' exchanges, recorded on the sandbox's side, checked against the published
descriptions: every request (route, query: the RDB listing's filters, order and pages) and
every answer (dumps, custom snapshots, frequencies, backup pages) as the APIs describe them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from contract.conftest import ovh_problems, scaleway_problems
from contract.ovh_spec import OvhSpec
from contract.recorder import RecordingSandbox
from contract.scaleway_spec import ScalewaySpec
from pulumi_backups import (
    get_hosting_database_dumps,
    get_nasha_custom_snapshots,
    get_nasha_snapshot_frequencies,
    get_rdb_backups,
)
from pulumi_backups.core.waiting import WaitPolicy
from pulumi_backups.ovh import client as ovh
from pulumi_backups.ovh.hosting_client import HostingApi
from pulumi_backups.ovh.nasha.client import NashaPartition
from pulumi_backups.ovh.nasha.waiters import wait_nasha
from pulumi_backups.ovh.waiters import wait_hosting
from pulumi_backups.scaleway import client as scaleway
from pulumi_backups.scaleway.models import CreateBackupRequest
from pulumi_backups.scaleway.settings import ScalewaySettings

SN = "sandbox.cluster000.hosting.ovh.net"
DB = "sandboxlc.mysql.db"
NAS = ("zpool-000000", "backups")
INSTANCE = "11111111-1111-1111-1111-111111111111"
FAST = WaitPolicy(timeout=5)


@pytest.fixture
def clients(recording: RecordingSandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The look-ups' clients pointed at the recording sandbox."""
    env = recording.handle.env()
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = ScalewaySettings(secret_key=env["SCW_SECRET_KEY"], api_url=env["SCW_API_URL"])
    rdb = scaleway.RdbClient(settings)
    with (
        ovh.clients.substitute(ovh.OvhClient(recording.handle.ovh_settings())),
        scaleway.clients.substitute(rdb),
    ):
        yield
    rdb.close()


def test_ovh_lookups_conform(
    recording: RecordingSandbox, clients: None, ovh_specs: dict[str, OvhSpec]
) -> None:
    api = HostingApi(ovh.OvhClient(recording.handle.ovh_settings()), SN)
    body = {"capabilitie": "sqlPerso", "type": "mysql", "user": "sandboxlc"}
    wait_hosting(api, api.create_database(body), FAST)
    wait_hosting(api, api.create_dump(DB, "now", False), FAST)
    partition = NashaPartition(api.client, *NAS)
    wait_nasha(partition, partition.create_custom_snapshot("looked", "2031-01-01"), FAST)
    recording.recorder.take()

    assert get_hosting_database_dumps(SN, DB).dumps
    assert get_nasha_custom_snapshots(*NAS).snapshots
    assert get_nasha_snapshot_frequencies(*NAS).frequencies
    exchanges = recording.recorder.take()
    paths = {ex.path for ex in exchanges}
    assert any(p.endswith(f"/database/{DB}/dump") for p in paths)
    assert any(p.endswith("/customSnapshot/looked") for p in paths)
    assert any(p.endswith("/snapshot") for p in paths)
    problems = ovh_problems(exchanges, ovh_specs)
    assert not problems, "\n".join(sorted(set(problems)))


def test_rdb_lookup_conforms(
    recording: RecordingSandbox, clients: None, scaleway_spec: ScalewaySpec
) -> None:
    client, region = scaleway.rdb_client("fr-par")
    for name in ("lookup-1", "lookup-2"):
        request = CreateBackupRequest(instance_id=INSTANCE, database_name="app", name=name)
        client.create_backup(region, request)
        recording.handle.advance(1)
    recording.recorder.take()

    found = get_rdb_backups(region="fr-par", instance_id=INSTANCE, name="lookup")
    assert [b.name for b in found.backups] == ["lookup-2", "lookup-1"]
    exchanges = recording.recorder.take()
    (listing,) = exchanges
    assert listing.query.get("instance_id") == INSTANCE and listing.query.get("name") == "lookup"
    problems = scaleway_problems(exchanges, scaleway_spec)
    assert not problems, "\n".join(sorted(set(problems)))
