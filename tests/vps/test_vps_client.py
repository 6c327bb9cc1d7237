"""The VPS panel client against the sandbox's panel: auth, error mapping, retries,
pagination, typed answers; `MockTransport` answers only for what the sandbox cannot say."""

from __future__ import annotations

import httpx
import pytest
from support.fakes import FakeClock
from support.vps import CREATE, LIST, SERVER, TOKEN, SandboxVps, listed, no_server_route

from pulumi_backups.core.config import set_stack_config
from pulumi_backups.core.errors import (
    ApiError,
    AuthError,
    BadRequestError,
    ConfigError,
    NotFoundError,
    ServerError,
    TransportError,
)
from pulumi_backups.vps.client import VpsClient, vps_client
from pulumi_backups.vps.models import CreateBackupRequest, RestoreRequest
from pulumi_backups.vps.settings import VpsSettings

BASE = "http://panel.test"
LISTED = {
    "id": 499,
    "server": {"id": SERVER, "name": "web-server-01"},
    "backup_type": "manual",
    "status": "completed",
    "size_mb": 4456,
    "created_at": "2025-01-14T10:30:00Z",
    "expires_at": None,
    "description": "Pre-update backup",
}
"""A backup as the panel's documentation lists one."""


def _backup_of(server_id: int, description: str | None = None) -> CreateBackupRequest:
    return CreateBackupRequest(server_id=server_id, description=description)


def test_list_sends_bearer_token_and_server_filter(vps_api: SandboxVps) -> None:
    (backup_id,) = vps_api.add()
    backups = listed(vps_api.client())
    assert [b.id for b in backups] == [backup_id]
    request = vps_api.requests[0]
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.url.params["server_id"] == str(SERVER)
    assert request.url.params["backup_type"] == "manual"
    assert str(request.url).startswith(f"{vps_api.sandbox.url}/api/v1/backups/")


def test_list_follows_pagination_links(vps_api: SandboxVps) -> None:
    made = vps_api.add(101)  # 50 a page: three pages
    client = vps_api.client()
    assert [b.id for b in listed(client)] == sorted(made, reverse=True)
    assert len(vps_api.calls("GET")) == 3
    assert client.find_backup(SERVER, made[0]) is not None  # the oldest: on the last page


def _answering(*bodies: object) -> VpsClient:
    pages = list(bodies)

    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=pages.pop(0) if pages else {"count": 0, "results": []})

    settings = VpsSettings(api_url=BASE, api_token="t")
    return VpsClient(settings, transport=httpx.MockTransport(handle), clock=FakeClock().clock())


def test_an_entry_of_another_server_is_a_lie_not_an_absence() -> None:
    other = {**LISTED, "server": {"id": 777, "name": "db-01"}}
    client = _answering(*[{"count": 1, "results": [other]}] * 3)  # a panel ignoring the filter
    with pytest.raises(ApiError, match=r"another object \(server 777\).*\(server 12345\)"):
        client.find_backup(SERVER, 499)
    assert client.find_backup(777, 499) is not None


def test_refresh_reads_share_one_recent_listing_and_waits_never_do(vps_api: SandboxVps) -> None:
    made = vps_api.add(101)
    client = vps_api.client()
    found = [client.find_backup(SERVER, b, max_age=60) for b in made[:10]]
    assert [b.id for b in found if b is not None] == made[:10]
    assert len(vps_api.calls("GET")) == 3  # one listing of 3 pages served the 10 reads
    assert "backup_type=manual" in str(vps_api.requests[0].url)
    vps_api.exchanges.clear()
    client.find_backup(SERVER, made[5])
    client.find_backup(SERVER, made[5])
    assert len(vps_api.calls("GET")) == 6  # max_age=0: each read lists afresh


def test_pagination_link_to_another_host_is_refused() -> None:
    link = "https://evil.test/api/v1/backups/?page=2"
    client = _answering({"count": 1, "results": [], "next": link})
    with pytest.raises(ApiError, match="refusing pagination link"):
        listed(client)


def test_pagination_that_loops_is_an_error() -> None:
    loop = {"count": 1, "results": [], "next": f"{BASE}/api/v1/backups/?page=2"}
    client = _answering(loop, loop, loop)
    with pytest.raises(ApiError, match="pagination does not end"):
        listed(client)


@pytest.mark.parametrize(
    ("body", "wrong"),
    [
        ([LISTED], "body: Input should be a valid dictionary"),
        ({"results": [LISTED]}, "count: Field required"),
        ({"count": 1, "results": [{**LISTED, "server": None}]}, "results.0.server"),
    ],
)
def test_a_listing_that_is_no_page_object_is_malformed(body: object, wrong: str) -> None:
    with pytest.raises(ApiError, match=f"HTTP 200: malformed answer: {wrong}"):
        listed(_answering(body))


def test_bad_token_is_an_auth_error_that_says_what_to_fix(vps_api: SandboxVps) -> None:
    with pytest.raises(AuthError) as caught:
        listed(vps_api.client(token="wrong"))
    err = caught.value
    assert err.status == 401 and err.call == "GET /api/v1/backups/"
    assert "Invalid token." in str(err) and "vps:apiToken" in str(err)
    assert "VPS_API_TOKEN" in str(err)
    assert err.request_id == vps_api.responses[0].headers["X-Request-Id"]
    assert len(vps_api.requests) == 1  # never retried


def test_unknown_server_on_create_names_the_server(vps_api: SandboxVps) -> None:
    with pytest.raises(NotFoundError, match="server 99999 does not exist") as caught:
        vps_api.client().create_backup(_backup_of(99999))
    assert "Not found." in str(caught.value)


def test_field_errors_become_the_message(vps_api: SandboxVps) -> None:
    too_long = _backup_of(SERVER, "d" * 256)
    with pytest.raises(BadRequestError, match=r"description: Ensure this field has no more"):
        vps_api.client().create_backup(too_long)


def test_5xx_burst_is_retried_for_reads_and_refused_posts(vps_api: SandboxVps) -> None:
    vps_api.answer_first(httpx.Response(502), httpx.Response(504))  # a gateway's
    vps_api.sandbox.fault("503", LIST)
    assert listed(vps_api.client()) == []
    assert len(vps_api.requests) == 4
    vps_api.sandbox.fault("503", CREATE)
    vps_api.sandbox.fault("429", CREATE)
    backup = vps_api.client().create_backup(_backup_of(SERVER, "x"))
    assert backup.status == "in_progress" and len(vps_api.backups()) == 1


def test_retries_are_bounded(vps_api: SandboxVps) -> None:
    vps_api.sandbox.fault("503", LIST, count=3)
    with pytest.raises(ServerError, match="HTTP 503") as caught:
        listed(vps_api.client(attempts=3))
    assert "try again later" in str(caught.value)


def test_500_on_a_post_is_not_retried(vps_api: SandboxVps) -> None:
    vps_api.sandbox.fault("500", CREATE)
    with pytest.raises(ServerError):
        vps_api.client().create_backup(_backup_of(SERVER))
    assert len(vps_api.requests) == 1


def test_refused_connection_is_retried_even_for_posts(vps_api: SandboxVps) -> None:
    failures = [httpx.ConnectError("connection refused")]

    def refuse_once(request: httpx.Request) -> None:
        if failures:
            raise failures.pop()

    vps_api.answer = refuse_once
    assert vps_api.client().create_backup(_backup_of(SERVER)).status == "in_progress"


def test_lost_answer_to_a_post_is_not_retried(vps_api: SandboxVps) -> None:
    vps_api.sandbox.fault("lost-drop", CREATE)  # the panel acts, its answer is cut short
    with pytest.raises(TransportError, match="POST /api/v1/backups/ failed: no response"):
        vps_api.client(attempts=2).create_backup(_backup_of(SERVER))
    assert vps_api.calls("POST") == [CREATE] and len(vps_api.backups()) == 1


def test_delete_reports_already_gone(vps_api: SandboxVps) -> None:
    (backup_id,) = vps_api.add()
    client = vps_api.client()
    assert client.delete_backup(backup_id) is True
    assert client.delete_backup(backup_id) is False
    assert vps_api.calls("DELETE") == [f"DELETE /api/v1/backups/{backup_id}/"] * 2


def test_restore_and_server_reads(vps_api: SandboxVps) -> None:
    assert vps_api.add() == [501]
    client = vps_api.client()
    answer = client.restore_server(RestoreRequest(server_id=SERVER, backup_id=501))
    assert answer.in_progress and answer.status == "restoring"
    assert vps_api.requests[-1].content == b'{"backup_id":501}'
    server = client.get_server(SERVER)
    assert server is not None and server.name == "web-server-01"
    vps_api.answer = no_server_route
    assert client.get_server(SERVER) is None


def test_server_route_answering_405_counts_as_missing(vps_api: SandboxVps) -> None:
    vps_api.answer_first(httpx.Response(405, json={"detail": 'Method "GET" not allowed.'}))
    assert vps_api.client().get_server(SERVER) is None


def test_non_json_error_pages_keep_the_reason(vps_api: SandboxVps) -> None:
    vps_api.sandbox.fault("html404", LIST)
    with pytest.raises(ApiError, match=r"HTTP 404: Not Found \(not an answer of the VPS") as err:
        listed(vps_api.client())
    assert not isinstance(err.value, NotFoundError)  # a proxy's page is no proof of "gone"


def test_shared_client_follows_the_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VPS_API_TOKEN", raising=False)
    monkeypatch.delenv("VPS_API_URL", raising=False)
    set_stack_config({})
    with pytest.raises(ConfigError, match=r"vps:apiToken.*VPS_API_TOKEN"):
        vps_client()
    try:
        set_stack_config({"vps:apiToken": "a", "vps:apiUrl": "http://127.0.0.1:1/"})
        first = vps_client()
        assert vps_client() is first
        set_stack_config({"vps:apiToken": "b", "vps:apiUrl": "http://127.0.0.1:1/"})
        assert vps_client() is not first
    finally:
        set_stack_config({})
