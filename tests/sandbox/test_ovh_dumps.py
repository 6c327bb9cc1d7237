"""OVHcloud emulator: database dumps, restores, orphans and downloads, via python-ovh."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import ovh
import ovh.client
import pytest
from ovh.exceptions import BadParametersError, ResourceNotFoundError

from pulumi_backups.sandbox import CREDENTIALS, Sandbox

SN = "sandbox.cluster000.hosting.ovh.net"
WEB = f"/hosting/web/{SN}"
NAME = "sandbox1.mysql.db"
DB = f"{WEB}/database/{NAME}"
DAY = 86_400


@pytest.fixture
def client(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """python-ovh on the sandbox, with database ``sandbox1.mysql.db`` created."""
    monkeypatch.setitem(ovh.client.ENDPOINTS, "sandbox-dumps", f"{sandbox.url}/1.0")
    api = ovh.Client(
        endpoint="sandbox-dumps",
        application_key=CREDENTIALS["OVH_APPLICATION_KEY"],
        application_secret=CREDENTIALS["OVH_APPLICATION_SECRET"],
        consumer_key=CREDENTIALS["OVH_CONSUMER_KEY"],
    )
    api.post(f"{WEB}/database", capabilitie="sqlPerso", type="mysql", user="sandbox1")
    yield api
    api._session.close()


def skip_ahead(sandbox: Sandbox, client: Any, seconds: float) -> None:
    """Advance the clock past the signature window; python-ovh must re-learn server time."""
    sandbox.advance(seconds)
    client._time_delta = None


def dump(client: Any, date: str = "now") -> int:
    """Take a dump (task_seconds=0) and return its id, the newest one of the database."""
    client.post(f"{DB}/dump", date=date, sendEmail=False)
    ids: list[int] = client.get(f"{DB}/dump")
    return ids[-1]


def test_dump_id_is_listed_only_once_the_task_is_done(sandbox: Sandbox, client: Any) -> None:
    sandbox.configure(task_seconds=6)
    task = client.post(f"{DB}/dump", date="now", sendEmail=False)
    assert (task["function"], task["status"], task["objectId"]) == ("dump/create", "todo", NAME)
    assert client.get(f"{DB}/dump") == []
    assert client.get(DB)["status"] == "dumping"
    sandbox.advance(6)
    assert client.get(f"{WEB}/tasks/{task['id']}")["status"] == "done"
    [dump_id] = client.get(f"{DB}/dump")
    detail = client.get(f"{DB}/dump/{dump_id}")
    assert detail["taskId"] == task["id"]
    assert (detail["status"], detail["type"]) == ("created", "now")
    created = datetime.fromisoformat(detail["creationDate"])
    assert created.utcoffset() is not None
    assert datetime.fromisoformat(detail["deletionDate"]) - created == timedelta(days=30)
    assert client.get(DB)["dumps"] == 1
    assert client.get(DB)["status"] == "created"


def test_dump_url_downloads_without_signature(client: Any) -> None:
    url = client.get(f"{DB}/dump/{dump(client)}")["url"]
    response = httpx.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/gzip"
    assert NAME in gzip.decompress(response.content).decode()
    forged = httpx.get(url.split("?")[0] + "?sign=guess")
    assert forged.status_code == 404


def test_dump_list_filters(client: Any) -> None:
    first, second = dump(client, "now"), dump(client, "daily.1")
    assert client.get(f"{DB}/dump") == [first, second]
    assert client.get(f"{DB}/dump", type="daily.1") == [second]
    daily = client.get(f"{DB}/dump/{second}")
    assert daily["type"] == "daily.1"
    created = daily["creationDate"]
    assert client.get(f"{DB}/dump", **{"creationDate.from": created}) == [first, second]
    later = (datetime.fromisoformat(created) + timedelta(seconds=1)).isoformat()
    assert client.get(f"{DB}/dump", **{"creationDate.from": later}) == []
    ten_days = (datetime.fromisoformat(created) + timedelta(days=10)).isoformat()
    assert client.get(f"{DB}/dump", **{"deletionDate.to": ten_days}) == [second]
    with pytest.raises(BadParametersError):
        client.get(f"{DB}/dump", **{"creationDate.from": "yesterday"})
    with pytest.raises(BadParametersError):
        client.post(f"{DB}/dump", date="monthly.1")


def test_failed_dump_lists_nothing(sandbox: Sandbox, client: Any) -> None:
    sandbox.script("hosting:dump/create", "fail")
    assert client.post(f"{DB}/dump", date="now")["status"] == "cancelled"
    assert client.get(f"{DB}/dump") == []
    assert client.get(DB)["status"] == "created"


def test_dump_deletion(sandbox: Sandbox, client: Any) -> None:
    dump_id = dump(client)
    sandbox.configure(task_seconds=3)
    task = client.delete(f"{DB}/dump/{dump_id}")
    assert (task["function"], task["objectId"]) == ("dump/delete", str(dump_id))
    assert client.get(f"{DB}/dump/{dump_id}")["status"] == "deleting"
    sandbox.advance(3)
    assert client.get(f"{DB}/dump") == []
    with pytest.raises(ResourceNotFoundError):
        client.get(f"{DB}/dump/{dump_id}")


def test_restores_are_tasks(sandbox: Sandbox, client: Any) -> None:
    dump_id = dump(client)
    sandbox.configure(task_seconds=2)
    task = client.post(f"{DB}/dump/{dump_id}/restore")
    assert task["function"] == "database/restore"
    assert client.get(DB)["status"] == "restoring"
    sandbox.advance(2)
    assert client.get(DB)["status"] == "created"
    task = client.post(f"{DB}/restore", date="daily.1", sendEmail=False)
    assert task["function"] == "database/restore"
    with pytest.raises(BadParametersError):
        client.post(f"{DB}/restore", date="yesterday")
    with pytest.raises(ResourceNotFoundError):
        client.post(f"{DB}/dump/999/restore")


def test_dumps_of_a_deleted_database_become_orphans(sandbox: Sandbox, client: Any) -> None:
    older, newer = dump(client), dump(client, "weekly.1")
    assert client.get(f"{WEB}/dump", databaseName=NAME) == [newer, older]
    client.delete(DB)
    assert client.get(f"{WEB}/dump", orphan=False) == []
    assert client.get(f"{WEB}/dump", databaseName=NAME, orphan=True) == [newer, older]
    detail = client.get(f"{WEB}/dump/{older}")
    assert (detail["databaseName"], detail["orphan"]) == (NAME, True)
    assert httpx.get(detail["url"]).status_code == 200
    with pytest.raises(ResourceNotFoundError):
        client.get(f"{DB}/dump/{older}")
    assert client.delete(f"{WEB}/dump/{newer}")["function"] == "dump/delete"
    assert client.get(f"{WEB}/dump", orphan=True) == [older]
    skip_ahead(sandbox, client, 30 * DAY + 1)
    assert client.get(f"{WEB}/dump", orphan=True) == []


def test_orphans_are_kept_thirty_days_after_deletion(sandbox: Sandbox, client: Any) -> None:
    dump_id = dump(client, "daily.1")  # would expire after 7 days if its database lived
    client.delete(DB)
    skip_ahead(sandbox, client, 29 * DAY)
    assert client.get(f"{WEB}/dump", orphan=True) == [dump_id]


def test_a_database_created_again_does_not_take_the_orphans_over(
    sandbox: Sandbox, client: Any
) -> None:
    first = dump(client, "daily.1")
    client.delete(DB)
    kept_until = client.get(f"{WEB}/dump/{first}")["deletionDate"]
    client.post(f"{WEB}/database", capabilitie="sqlPerso", type="mariadb", user="sandbox1")
    assert client.get(DB)["dumps"] == 0 and client.get(f"{DB}/dump") == []
    with pytest.raises(ResourceNotFoundError):
        client.get(f"{DB}/dump/{first}")
    with pytest.raises(ResourceNotFoundError):
        client.post(f"{DB}/dump/{first}/restore")
    second = dump(client)
    assert client.get(f"{WEB}/dump", databaseName=NAME, orphan=True) == [first]
    assert client.get(f"{WEB}/dump", databaseName=NAME, orphan=False) == [second]

    client.delete(DB)  # the second database goes too: the first one's orphan keeps its date
    detail = client.get(f"{WEB}/dump/{first}")
    assert (detail["orphan"], detail["deletionDate"]) == (True, kept_until)
    assert client.get(f"{WEB}/dump", databaseName=NAME, orphan=True) == [second, first]
    assert client.delete(f"{WEB}/dump/{first}")["function"] == "dump/delete"
    assert client.get(f"{WEB}/dump", orphan=True) == [second]
