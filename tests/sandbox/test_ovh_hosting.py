"""OVHcloud emulator: web hosting services, databases and hosting tasks, via python-ovh."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import ovh
import ovh.client
import pytest
from ovh.exceptions import BadParametersError, ResourceConflictError, ResourceNotFoundError

from pulumi_backups.sandbox import CREDENTIALS, Sandbox

SN = "sandbox.cluster000.hosting.ovh.net"
WEB = f"/hosting/web/{SN}"
DB = f"{WEB}/database"


@pytest.fixture
def client(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The real python-ovh client, pointed at the sandbox through a registered endpoint."""
    monkeypatch.setitem(ovh.client.ENDPOINTS, "sandbox-hosting", f"{sandbox.url}/1.0")
    api = ovh.Client(
        endpoint="sandbox-hosting",
        application_key=CREDENTIALS["OVH_APPLICATION_KEY"],
        application_secret=CREDENTIALS["OVH_APPLICATION_SECRET"],
        consumer_key=CREDENTIALS["OVH_CONSUMER_KEY"],
    )
    yield api
    api._session.close()


def skip_ahead(sandbox: Sandbox, client: Any, seconds: float) -> None:
    """Advance the sandbox clock by more than the signature window, then resynchronize.

    python-ovh learns the server time once per client; a real server whose clock jumped
    would refuse its timestamps (QUERY_TIME_OUT) exactly as the sandbox does.
    """
    sandbox.advance(seconds)
    client._time_delta = None


def create(client: Any, user: str = "sandbox1", **extra: Any) -> Any:
    body = {"capabilitie": "sqlPerso", "type": "mysql", "user": user, **extra}
    return client.post(DB, **body)


def test_services_are_listed_and_described(client: Any) -> None:
    assert client.get("/hosting/web") == [SN]
    detail = client.get(WEB)
    assert detail["serviceName"] == SN
    assert detail["primaryLogin"] == "sandbox"
    assert client.get(DB) == []
    with pytest.raises(ResourceNotFoundError):
        client.get("/hosting/web/other.cluster000.hosting.ovh.net")


def test_available_versions_per_type(client: Any) -> None:
    versions = client.get(f"{WEB}/databaseAvailableVersion", type="mysql")
    assert versions["default"] in versions["list"]
    assert client.get(f"{WEB}/databaseAvailableVersion", type="postgresql")["default"] == "15"
    with pytest.raises(BadParametersError):
        client.get(f"{WEB}/databaseAvailableVersion", type="oracle")


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"capabilitie": "sqlExotic"}, "DatabaseCapabilitiesTypeEnum"),
        ({"type": "oracle"}, "DatabaseTypeEnum"),
        ({"user": None}, "[user] Property is mandatory"),
        ({"user": "other1"}, "start with the hosting login"),
        ({"user": "Sandbox1"}, "lower case"),
        ({"user": "sandbox1234567"}, "at most 6"),
        ({"quota": 100}, "only be chosen for extraSqlPerso"),
        ({"capabilitie": "extraSqlPerso", "quota": 300}, "ExtraSqlQuotaEnum"),
        ({"version": "4.0"}, "Version 4.0 is not available"),
        ({"password": "short1"}, "8 to 30 characters"),
    ],
)
def test_database_creation_is_validated(client: Any, changes: dict[str, Any], words: str) -> None:
    body = {"capabilitie": "sqlPerso", "type": "mysql", "user": "sandbox1", **changes}
    with pytest.raises(BadParametersError) as caught:
        client.post(DB, **{k: v for k, v in body.items() if v is not None})
    assert caught.value.response.json()["class"] == "Client::BadRequest"
    assert words in caught.value.response.json()["message"]
    assert client.get(DB) == []


def test_database_is_created_at_once_with_zero_task_seconds(client: Any) -> None:
    task = create(client, password="Secret123", version="5.7")
    assert task["function"] == "database/create"
    assert task["status"] == "done"
    assert task["objectId"] == "sandbox1.mysql.db"
    assert client.get(DB, user="sandbox1") == ["sandbox1.mysql.db"]
    detail = client.get(f"{DB}/sandbox1.mysql.db")
    assert detail["status"] == "created"
    assert detail["state"] == "ok"
    assert detail["version"] == "5.7"
    assert detail["port"] == 3306
    assert detail["quotaSize"] == {"unit": "MB", "value": 200}
    assert detail["quotaUsed"]["unit"] == "MB"
    assert detail["dumps"] == 0
    with pytest.raises(ResourceConflictError):
        create(client)


def test_extra_sql_quota_and_other_types(client: Any) -> None:
    create(client, "sandboxpg", type="postgresql", capabilitie="extraSqlPerso", quota=512)
    detail = client.get(f"{DB}/sandboxpg.mysql.db")
    assert detail["quotaSize"]["value"] == 512
    assert (detail["type"], detail["port"], detail["version"]) == ("postgresql", 5432, "15")


def test_task_moves_along_with_the_clock(sandbox: Sandbox, client: Any) -> None:
    sandbox.configure(task_seconds=9)
    task = create(client)
    assert (task["status"], task["doneDate"]) == ("todo", None)
    assert client.get(f"{DB}/sandbox1.mysql.db")["status"] == "creating"
    sandbox.advance(3)
    assert client.get(f"{WEB}/tasks/{task['id']}")["status"] == "doing"
    sandbox.advance(6)
    done = client.get(f"{WEB}/tasks/{task['id']}")
    assert done["status"] == "done"
    assert done["doneDate"] == done["lastUpdate"]
    assert done["startDate"] == task["startDate"]
    assert client.get(f"{DB}/sandbox1.mysql.db")["status"] == "created"


def test_done_task_is_archived_after_archive_seconds(sandbox: Sandbox, client: Any) -> None:
    task = create(client)
    archive = sandbox.config()["archive_seconds"]
    sandbox.advance(archive - 1)
    assert client.get(f"{WEB}/tasks/{task['id']}")["status"] == "done"
    sandbox.advance(1)
    with pytest.raises(ResourceNotFoundError):
        client.get(f"{WEB}/tasks/{task['id']}")
    assert client.get(f"{DB}/sandbox1.mysql.db")["status"] == "created"


def test_failed_creation_leaves_no_database(sandbox: Sandbox, client: Any) -> None:
    sandbox.script("hosting:database/create", "fail")
    task = create(client)
    assert task["status"] == "cancelled"
    assert client.get(DB) == []
    skip_ahead(sandbox, client, 3600)  # a failed task stays readable
    assert client.get(f"{WEB}/tasks/{task['id']}")["status"] == "cancelled"
    assert create(client)["status"] == "done"  # only the next operation was scripted


def test_hanging_creation_never_ends(sandbox: Sandbox, client: Any) -> None:
    sandbox.script("hosting:database/create", "hang")
    task = create(client)
    skip_ahead(sandbox, client, 86_400)
    assert client.get(f"{WEB}/tasks/{task['id']}")["status"] == "doing"
    assert client.get(f"{DB}/sandbox1.mysql.db")["status"] == "creating"
    client.delete(f"{DB}/sandbox1.mysql.db")  # a stuck database can still be cleaned up
    assert client.get(DB) == []


def test_password_change_is_a_task(sandbox: Sandbox, client: Any) -> None:
    create(client)
    sandbox.configure(task_seconds=4)
    task = client.post(f"{DB}/sandbox1.mysql.db/changePassword", password="NewSecret42")
    assert task["function"] == "database/changePassword"
    assert client.get(f"{DB}/sandbox1.mysql.db")["status"] == "updating"
    sandbox.advance(4)
    assert client.get(f"{DB}/sandbox1.mysql.db")["status"] == "created"
    with pytest.raises(BadParametersError):
        client.post(f"{DB}/sandbox1.mysql.db/changePassword", password="weak")


def test_deletion_removes_the_database_when_done(sandbox: Sandbox, client: Any) -> None:
    create(client)
    sandbox.configure(task_seconds=5)
    task = client.delete(f"{DB}/sandbox1.mysql.db")
    assert task["function"] == "database/delete"
    assert client.get(f"{DB}/sandbox1.mysql.db")["status"] == "deleting"
    with pytest.raises(ResourceConflictError):
        client.delete(f"{DB}/sandbox1.mysql.db")
    sandbox.advance(5)
    assert client.get(DB) == []
    with pytest.raises(ResourceNotFoundError):
        client.delete(f"{DB}/sandbox1.mysql.db")


def test_failed_deletion_keeps_the_database(sandbox: Sandbox, client: Any) -> None:
    create(client)
    sandbox.script("hosting:database/delete", "fail")
    assert client.delete(f"{DB}/sandbox1.mysql.db")["status"] == "cancelled"
    assert client.get(f"{DB}/sandbox1.mysql.db")["status"] == "created"


def test_list_filters(client: Any) -> None:
    create(client, "sandboxa")
    create(client, "sandboxb", type="postgresql")
    assert client.get(DB) == ["sandboxa.mysql.db", "sandboxb.mysql.db"]
    assert client.get(DB, type="postgresql") == ["sandboxb.mysql.db"]
    assert client.get(DB, name="sandboxa.mysql.db") == ["sandboxa.mysql.db"]
    assert client.get(DB, server="sandboxb.mysql.db", mode="classic") == ["sandboxb.mysql.db"]
    assert client.get(DB, user="sandboxc") == []


def test_unknown_database_and_task_are_not_found(client: Any) -> None:
    with pytest.raises(ResourceNotFoundError) as caught:
        client.get(f"{DB}/nothing.mysql.db")
    assert caught.value.response.json() == {
        "class": "Client::NotFound",
        "message": "The requested object (name = nothing.mysql.db) does not exist",
    }
    with pytest.raises(ResourceNotFoundError):
        client.get(f"{WEB}/tasks/123")
