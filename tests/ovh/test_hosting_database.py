"""HostingDatabase: pure check/diff, and the provider's CRUD against the sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from support.fakes import FakeClock
from support.ovh import fast_ovh_client

from pulumi_backups.core.errors import BackupsError, ServerError
from pulumi_backups.core.retry import RetryPolicy
from pulumi_backups.core.waiting import WaitPolicy
from pulumi_backups.ovh.client import OvhClient, clients, ovh_client
from pulumi_backups.ovh.hosting_client import HostingApi
from pulumi_backups.ovh.hosting_database import HostingDatabaseArgs, HostingDatabaseProvider
from pulumi_backups.ovh.hosting_operations import create_database
from pulumi_backups.ovh.models import Database, DatabaseRequest, hosting_login
from pulumi_backups.ovh.waiters import wait_hosting
from pulumi_backups.sandbox import Sandbox

SN = "sandbox.cluster000.hosting.ovh.net"
BASE = {"service_name": SN, "user": "sandboxapp", "type": "mysql", "capability": "sqlPerso"}
PROVIDER = HostingDatabaseProvider()


def NAMED(db: Database) -> tuple[str, dict[str, Any]]:
    return f"{SN}/{db.name}", {"name": db.name}


@pytest.fixture
def api(sandbox: Sandbox, clock: FakeClock) -> HostingApi:
    return HostingApi(fast_ovh_client(sandbox, clock=clock), SN)


@pytest.fixture
def provider(api: HostingApi) -> Iterator[HostingDatabaseProvider]:
    """The provider, talking to ``api``'s client."""
    with clients.substitute(api.client):
        yield HostingDatabaseProvider()


def failures(news: dict[str, Any], olds: dict[str, Any] | None = None) -> dict[str, str]:
    result = PROVIDER.check(olds or {}, {"__provider": "p", **news})
    return {f.property: f.reason for f in result.failures}


# -- check ------------------------------------------------------------------------------------


def test_login_is_the_first_label_of_a_cluster_service_name() -> None:
    assert hosting_login(SN) == "sandbox"
    assert hosting_login("Ab12.cluster031.hosting.ovh.net") == "ab12"
    assert hosting_login("example.com") is None  # the API alone judges the user then


def test_check_normalizes_and_defaults() -> None:
    extra = {**BASE, "capability": "extraSqlPerso"}
    result = PROVIDER.check({}, {"__provider": "p", **extra, "quota": 100.0})
    assert result.failures == []
    assert result.inputs == {
        **extra,
        "quota": 100,
        "deletion_protection": True,
        "adopt": False,
        "name": "sandboxapp.mysql.db",  # known before the database exists: see the previews
    }


@pytest.mark.parametrize(
    ("change", "prop", "words"),
    [
        ({"user": "Sandboxapp"}, "user", "lower case"),
        ({"user": "otherapp"}, "user", "'sandbox'"),
        ({"user": "sandbox1234567"}, "user", "at most 6"),
        ({"type": "oracle"}, "type", "mysql"),
        ({"capability": "sqlMega"}, "capability", "sqlPerso"),
        ({"quota": 300, "capability": "extraSqlPerso"}, "quota", "1024"),
        ({"quota": 100}, "quota", "extraSqlPerso"),
        ({"version": "latest"}, "version", "pattern"),
        ({"password": "short1"}, "password", "8 to 30"),
        ({"password": "lettersonly"}, "password", "letters and digits"),
        ({"service_name": "a/b"}, "service_name", "pattern"),
        ({"usr": "x"}, "usr", "not permitted"),
    ],
)
def test_check_refuses_bad_inputs_on_the_right_property(
    change: dict[str, Any], prop: str, words: str
) -> None:
    found = failures({**BASE, **change})
    assert list(found) == [prop]
    assert words in found[prop]
    assert "short1" not in found.get("password", "")  # a secret is never echoed


def test_user_prefix_is_left_to_the_api_for_other_service_names() -> None:
    assert failures({**BASE, "service_name": "example.com", "user": "whatever"}) == {}


def test_protected_database_refuses_a_replacing_change_in_check() -> None:
    olds = {**BASE, "deletion_protection": True, "adopt": False}
    found = failures({**BASE, "type": "mariadb"}, olds)
    assert list(found) == ["type"]
    assert "deletion_protection" in found["type"] and "pulumi up" in found["type"]
    # turning protection off in the same change is not enough: the old one is still protected
    assert list(failures({**BASE, "user": "sandboxv2", "deletion_protection": False}, olds)) == [
        "user"
    ]
    assert failures({**BASE, "password": "n3wPassword"}, olds) == {}
    assert failures({**BASE, "type": "mariadb"}, {**olds, "deletion_protection": False}) == {}


# -- diff -------------------------------------------------------------------------------------


def diff(news: dict[str, Any]) -> tuple[bool, list[str], bool]:
    olds = {"__provider": "p", **BASE, "deletion_protection": True, "name": "sandboxapp.mysql.db"}
    result = PROVIDER.diff(f"{SN}/sandboxapp.mysql.db", olds, {**BASE, **news})
    return bool(result.changes), list(result.replaces or []), bool(result.delete_before_replace)


def test_diff_changes_the_password_in_place_and_replaces_the_rest() -> None:
    assert diff({"deletion_protection": True}) == (False, [], False)
    assert diff({"password": "n3wPassword", "deletion_protection": True})[:2] == (True, [])
    assert diff({"deletion_protection": False}) == (True, [], False)
    # same user, same name: the old database must be deleted before its successor exists
    assert diff({"type": "mariadb", "deletion_protection": True}) == (True, ["type"], True)
    assert diff({"user": "sandboxv2", "deletion_protection": True}) == (True, ["user"], False)


# -- CRUD against the sandbox -----------------------------------------------------------------


def test_create_read_change_password_and_delete(
    provider: HostingDatabaseProvider, api: HostingApi, sandbox: Sandbox
) -> None:
    args = HostingDatabaseArgs(**BASE, password="f1rstPassword")
    resource_id, outs = provider.create_resource(args)
    assert resource_id == f"{SN}/sandboxapp.mysql.db"
    assert outs["name"] == "sandboxapp.mysql.db" and outs["status"] == "created"
    assert outs["port"] == 3306 and outs["quota_size"] == 200.0
    assert provider.read_resource(resource_id, args, outs) == outs

    changed = args.model_copy(update={"password": "s3condPassword"})
    provider.update_resource(resource_id, {**args.to_inputs(), **outs}, changed)
    stored = sandbox.objects()["ovh:hosting:database"][resource_id]
    assert stored["password"] == "s3condPassword"

    with pytest.raises(BackupsError, match="deletion_protection is on"):
        provider.delete_resource(resource_id, changed, outs)
    assert api.database_names() == ["sandboxapp.mysql.db"]
    unprotected = changed.model_copy(update={"deletion_protection": False})
    provider.delete_resource(resource_id, unprotected, outs)
    assert api.database_names() == []
    assert provider.read_resource(resource_id, unprotected, outs) is None
    provider.delete_resource(resource_id, unprotected, outs)  # gone already: success


def test_existing_database_is_refused_unless_adopted(
    provider: HostingDatabaseProvider, sandbox: Sandbox
) -> None:
    api = HostingApi(ovh_client(), SN)
    body = {"capabilitie": "sqlPerso", "type": "mysql", "user": "sandboxold"}
    wait_hosting(
        api, api.create_database(body), provider.wait_policy(HostingDatabaseArgs(**BASE), "create")
    )
    args = HostingDatabaseArgs(**{**BASE, "user": "sandboxold"}, password="ad0ptedPassword")
    with pytest.raises(BackupsError, match="adopt=True"):
        provider.create_resource(args)
    resource_id, _ = provider.create_resource(args.model_copy(update={"adopt": True}))
    assert resource_id == f"{SN}/sandboxold.mysql.db"
    stored = sandbox.objects()["ovh:hosting:database"][resource_id]
    assert stored["password"] == "ad0ptedPassword"
    with pytest.raises(BackupsError, match="not postgresql"):
        provider.create_resource(args.model_copy(update={"adopt": True, "type": "postgresql"}))


def test_failed_creation_names_the_task_and_leaves_nothing(
    provider: HostingDatabaseProvider, api: HostingApi, sandbox: Sandbox
) -> None:
    sandbox.script("hosting:database/create", "fail")
    with pytest.raises(BackupsError) as caught:
        provider.create(dict(BASE))
    message = str(caught.value)
    assert message.startswith("HostingDatabase of user sandboxapp on")
    assert "database/create #" in message and "'cancelled'" in message
    assert api.database_names() == []


def test_endless_creation_times_out_and_deletes_what_it_started(
    provider: HostingDatabaseProvider, api: HostingApi, sandbox: Sandbox, clock: FakeClock
) -> None:
    sandbox.script("hosting:database/create", "hang")
    with pytest.raises(BackupsError) as caught:
        provider.create({**BASE, "timeouts": {"create": 30}})
    message = str(caught.value)
    assert "timed out after 30 s" in message and "deleting the half-created" in message
    assert 30 <= clock.t < 31
    assert api.database_names() == []


def test_out_of_band_deletion_is_seen_as_gone(
    provider: HostingDatabaseProvider, api: HostingApi
) -> None:
    args = HostingDatabaseArgs(**BASE)
    resource_id, outs = provider.create_resource(args)
    wait_hosting(
        api, api.delete_database("sandboxapp.mysql.db"), provider.wait_policy(args, "delete")
    )
    assert provider.read_resource(resource_id, args, outs) is None


def test_version_drift_shows_only_when_a_version_is_set(provider: HostingDatabaseProvider) -> None:
    args = HostingDatabaseArgs(**BASE, version="5.7")
    _, outs = provider.create_resource(args)
    assert outs["version"] == "5.7"
    _, unversioned = provider.create_resource(HostingDatabaseArgs(**{**BASE, "user": "sandboxb"}))
    assert "version" not in unversioned  # the API's default is no drift


def test_transient_failures_are_retried_without_duplicates(
    provider: HostingDatabaseProvider, api: HostingApi, sandbox: Sandbox
) -> None:
    users = ["sandboxr1", "sandboxr2", "sandboxr3"]
    api.database_names()  # the client learns the server time before counting starts
    sandbox.clear_counters()
    sandbox.configure(error_rate=0.2, ratelimit_rate=0.2)
    for user in users:
        provider.create_resource(HostingDatabaseArgs(**{**BASE, "user": user}))
    sandbox.configure(error_rate=0.0, ratelimit_rate=0.0)
    # 4 calls per creation without faults: the surplus are the refused ones, retried
    assert sum(sandbox.counters().values()) > 4 * len(users)
    assert sorted(api.database_names()) == [f"{user}.mysql.db" for user in users]


def test_a_rate_limit_that_does_not_end_is_a_clear_error(
    provider: HostingDatabaseProvider, api: HostingApi, sandbox: Sandbox
) -> None:
    api.database_names()  # the client has learnt the server time already
    sandbox.configure(ratelimit_rate=1.0)
    with pytest.raises(BackupsError) as caught:
        provider.create(dict(BASE))
    sandbox.configure(ratelimit_rate=0.0)
    message = str(caught.value)
    assert message.startswith("HostingDatabase of user sandboxapp on")
    assert "HTTP 429" in message and "Too many requests" in message
    assert api.database_names() == []


class AnswerLost(OvhClient):
    """A client whose POSTs are carried out but answered 500 (``lost``), or refused 500
    before reaching the database code (not ``lost``)."""

    lost = True

    def post(self, path: str, **body: Any) -> Any:
        if self.lost:
            super().post(path, **body)
        raise ServerError(f"POST {path}", 500, "Internal server error")


def test_a_creation_whose_answer_is_lost_goes_on_with_its_task(sandbox: Sandbox) -> None:
    client = AnswerLost(sandbox.ovh_settings(), RetryPolicy(base=0.0, cap=0.0))
    api = HostingApi(client, SN)
    request = DatabaseRequest(user="sandboxlost", type="mysql", capability="sqlPerso")
    db = create_database(api, request, adopt=False, policy=WaitPolicy(timeout=5), named=NAMED)
    assert db.name == "sandboxlost.mysql.db" and db.task_id is not None
    assert api.task(db.task_id).done
    client.lost = False
    with pytest.raises(ServerError):  # nothing was created this time: the error stands
        request = request.model_copy(update={"user": "sandboxnone"})
        create_database(api, request, adopt=False, policy=WaitPolicy(timeout=5), named=NAMED)
    assert api.database_names() == ["sandboxlost.mysql.db"]
