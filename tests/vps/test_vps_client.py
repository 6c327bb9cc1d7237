"""The VPS panel client: auth, error mapping, retries, pagination, typed answers."""

from __future__ import annotations

import httpx
import pytest
from support.fakes import FakeClock
from vps.vps_fakes import BASE, SERVER, FakePanel

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
from pulumi_backups.core.retry import RetryPolicy
from pulumi_backups.vps.client import VpsClient, vps_client
from pulumi_backups.vps.settings import VpsSettings

UNAVAILABLE = (503, {"detail": "Service temporarily unavailable, try again later."})


def test_list_sends_bearer_token_and_server_filter() -> None:
    panel = FakePanel()
    panel.add(499)
    backups = panel.client().list_backups(SERVER, "manual")
    assert [b.id for b in backups] == [499]
    request = panel.requests[0]
    assert request.headers["Authorization"] == "Bearer good-token"
    assert request.url.params["server_id"] == str(SERVER)
    assert request.url.params["backup_type"] == "manual"
    assert str(request.url).startswith(f"{BASE}/api/v1/backups/")


def test_list_follows_pagination_links() -> None:
    panel = FakePanel(page_size=2)
    for backup_id in (490, 491, 492, 493, 494):
        panel.add(backup_id)
    client = panel.client()
    assert [b.id for b in client.list_backups(SERVER)] == [490, 491, 492, 493, 494]
    assert len(panel.calls("GET")) == 3
    assert client.find_backup(SERVER, 494) is not None  # found on the last page


def test_find_backup_ignores_other_servers_and_missing_ids() -> None:
    panel = FakePanel()
    panel.add(499, server=777)
    client = panel.client()
    assert client.find_backup(SERVER, 499) is None
    assert client.find_backup(777, 499) is not None
    assert client.find_backup(777, 1) is None


def test_refresh_reads_share_one_recent_listing_and_waits_never_do() -> None:
    panel = FakePanel(page_size=2)
    for backup_id in range(490, 500):
        panel.add(backup_id)
    client = panel.client()
    found = [client.find_backup(SERVER, b, max_age=60) for b in range(490, 500)]
    assert [b.id for b in found if b is not None] == list(range(490, 500))
    assert len(panel.calls("GET")) == 5  # one listing of 5 pages served the 10 reads
    assert "backup_type=manual" in str(panel.requests[0].url)
    panel.requests.clear()
    client.find_backup(SERVER, 495)
    client.find_backup(SERVER, 495)
    assert len(panel.calls("GET")) == 10  # max_age=0: each read lists afresh


def _answering(*bodies: object) -> VpsClient:
    pages = list(bodies)

    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=pages.pop(0) if pages else {"results": []})

    settings = VpsSettings(api_url=BASE, api_token="t")
    return VpsClient(settings, transport=httpx.MockTransport(handle))


def test_pagination_link_to_another_host_is_refused() -> None:
    client = _answering({"results": [], "next": "https://evil.test/api/v1/backups/?page=2"})
    with pytest.raises(ApiError, match="refusing pagination link"):
        client.list_backups(SERVER)


def test_pagination_that_loops_is_an_error() -> None:
    loop = {"results": [], "next": f"{BASE}/api/v1/backups/?page=2"}
    client = _answering(loop, loop, loop)
    with pytest.raises(ApiError, match="pagination does not end"):
        client.list_backups(SERVER)


def test_unpaginated_list_is_accepted() -> None:
    backup = FakePanel()
    backup.add(1)
    client = _answering(list(backup.backups.values()))
    assert [b.id for b in client.list_backups(SERVER)] == [1]


def test_bad_token_is_an_auth_error_that_says_what_to_fix() -> None:
    panel = FakePanel()
    client = VpsClient(
        VpsSettings(api_url=BASE, api_token="wrong"), transport=httpx.MockTransport(panel.handle)
    )
    with pytest.raises(AuthError) as caught:
        client.list_backups(SERVER)
    err = caught.value
    assert err.status == 401 and err.call == "GET /api/v1/backups/"
    assert "Invalid token." in str(err) and "vps:apiToken" in str(err)
    assert "VPS_API_TOKEN" in str(err) and err.request_id == "req-1"
    assert len(panel.requests) == 1  # never retried


def test_unknown_server_on_create_names_the_server() -> None:
    with pytest.raises(NotFoundError, match="server 99999 does not exist") as caught:
        FakePanel().client().create_backup(99999)
    assert "Server not found." in str(caught.value)


def test_field_errors_become_the_message() -> None:
    panel = FakePanel(faults=[(400, {"server_id": ["A valid integer is required."]})])
    with pytest.raises(BadRequestError, match=r"server_id: A valid integer is required\."):
        panel.client().create_backup(SERVER)


def test_5xx_burst_is_retried_for_reads_and_refused_posts() -> None:
    panel = FakePanel(faults=[UNAVAILABLE, (502, None), (504, None)])
    assert panel.client().list_backups(SERVER) == []
    assert len(panel.requests) == 4
    panel = FakePanel(faults=[UNAVAILABLE, (429, {"detail": "Request was throttled."})])
    backup = panel.client().create_backup(SERVER, "x")
    assert backup.status == "in_progress" and len(panel.backups) == 1


def test_retries_are_bounded() -> None:
    panel = FakePanel(faults=[UNAVAILABLE] * 3)
    with pytest.raises(ServerError, match="HTTP 503") as caught:
        panel.client(attempts=3).list_backups(SERVER)
    assert "try again later" in str(caught.value)


def test_500_on_a_post_is_not_retried() -> None:
    panel = FakePanel(faults=[(500, {"detail": "boom"})])
    with pytest.raises(ServerError):
        panel.client().create_backup(SERVER)
    assert len(panel.requests) == 1


def test_refused_connection_is_retried_even_for_posts() -> None:
    panel = FakePanel()
    failures = [httpx.ConnectError("connection refused")]

    def handle(request: httpx.Request) -> httpx.Response:
        if failures:
            raise failures.pop()
        return panel.handle(request)

    client = VpsClient(
        VpsSettings(api_url=BASE, api_token="good-token"),
        transport=httpx.MockTransport(handle),
        clock=FakeClock().clock(),
    )
    assert client.create_backup(SERVER).status == "in_progress"


def test_lost_answer_to_a_post_is_not_retried() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    client = VpsClient(
        VpsSettings(api_url=BASE, api_token="t"),
        transport=httpx.MockTransport(handle),
        retry=RetryPolicy(attempts=2),
        clock=FakeClock().clock(),
    )
    with pytest.raises(TransportError, match="POST /api/v1/backups/ failed: no response"):
        client.create_backup(SERVER)


def test_delete_reports_already_gone() -> None:
    panel = FakePanel()
    panel.add(501)
    client = panel.client()
    assert client.delete_backup(501) is True
    assert client.delete_backup(501) is False
    assert panel.calls("DELETE") == ["DELETE /api/v1/backups/501/"] * 2


def test_restore_and_server_reads() -> None:
    panel = FakePanel()
    panel.add(501)
    client = panel.client()
    answer = client.restore_server(SERVER, 501)
    assert answer.in_progress and answer.status == "restoring"
    assert panel.requests[-1].content == b'{"backup_id":501}'
    server = client.get_server(SERVER)
    assert server is not None and server.name == "web-server-01"
    panel.server_route = False
    assert client.get_server(SERVER) is None


def test_server_route_answering_405_counts_as_missing() -> None:
    panel = FakePanel(faults=[(405, {"detail": 'Method "GET" not allowed.'})])
    assert panel.client().get_server(SERVER) is None


def test_non_json_error_pages_keep_the_reason() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, text="<html>nginx</html>")

    client = VpsClient(
        VpsSettings(api_url=BASE, api_token="t"), transport=httpx.MockTransport(handle)
    )
    with pytest.raises(ApiError, match=r"HTTP 404: Not Found \(not an answer of the VPS") as err:
        client.list_backups(SERVER)
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
