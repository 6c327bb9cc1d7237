"""OVHcloud emulator: request signing and refusals, through the real python-ovh client."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import ovh
import ovh.client
import pytest
from ovh.exceptions import BadParametersError, InvalidCredential, InvalidKey

from pulumi_backups.sandbox import CREDENTIALS, Sandbox
from pulumi_backups.sandbox.ovh import auth

AK = CREDENTIALS["OVH_APPLICATION_KEY"]
AS = CREDENTIALS["OVH_APPLICATION_SECRET"]
CK = CREDENTIALS["OVH_CONSUMER_KEY"]
HOSTING = "/hosting/web"
MakeClient = Callable[..., Any]


@pytest.fixture
def endpoint(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> str:
    """A python-ovh endpoint name pointing at the sandbox."""
    monkeypatch.setitem(ovh.client.ENDPOINTS, "sandbox-auth", f"{sandbox.url}/1.0")
    return "sandbox-auth"


@pytest.fixture
def make_client(endpoint: str) -> Iterator[MakeClient]:
    """Build python-ovh clients on the sandbox endpoint; their sessions close afterwards."""
    made: list[ovh.Client] = []

    def build(secret: str = AS, consumer: str = CK, key: str = AK) -> ovh.Client:
        client = ovh.Client(
            endpoint=endpoint,
            application_key=key,
            application_secret=secret,
            consumer_key=consumer,
        )
        made.append(client)
        return client

    yield build
    for client in made:
        client._session.close()


def test_known_signature_vector() -> None:
    url = "https://eu.api.ovh.com/1.0/auth"
    sig = auth.signature(
        "9ufkBmLaTQ9nz5yMUlg79taH0GNnzDjk",
        "5mBuy6SUQcRw2ZUxg0cG68BoDKpED4KY",
        "GET",
        url,
        "",
        "1457018875",
    )
    assert sig == "$1$e9556054b6309771395efa467c22e627407461ad"


def test_auth_time_needs_no_signature_and_follows_the_sandbox_clock(
    sandbox: Sandbox, make_client: MakeClient
) -> None:
    client = make_client()
    before = client.get("/auth/time", _need_auth=False)
    assert abs(before - time.time()) < 5
    sandbox.advance(3600)
    assert client.get("/auth/time", _need_auth=False) >= before + 3600


def test_signed_calls_with_query_and_body_are_accepted(make_client: MakeClient) -> None:
    client = make_client()
    assert client.get(HOSTING) == ["sandbox.cluster000.hosting.ovh.net"]
    sn = "sandbox.cluster000.hosting.ovh.net"
    assert client.get(f"{HOSTING}/{sn}/database", user="sandbox", type="mysql") == []
    dumps = client.get(f"{HOSTING}/{sn}/dump", orphan=True, **{"creationDate.from": "2020-01-01"})
    assert dumps == []


def test_wrong_secret_is_an_invalid_signature(make_client: MakeClient) -> None:
    with pytest.raises(BadParametersError) as caught:
        make_client(secret="not-the-secret").get(HOSTING)
    assert caught.value.response.json() == {
        "errorCode": "INVALID_SIGNATURE",
        "httpCode": "400 Bad Request",
        "message": "Invalid signature",
    }
    assert caught.value.query_id.startswith("EU.ext-")


def test_unknown_application_key_is_refused(make_client: MakeClient) -> None:
    with pytest.raises(InvalidKey) as caught:
        make_client(key="someone-else").get(HOSTING)
    assert caught.value.response.status_code == 403
    assert caught.value.response.json()["message"] == "This application key is invalid"


def test_wrong_consumer_key_is_an_invalid_credential(make_client: MakeClient) -> None:
    with pytest.raises(InvalidCredential) as caught:
        make_client(consumer="revoked-ck").get(HOSTING)
    assert caught.value.response.json() == {
        "errorCode": "INVALID_CREDENTIAL",
        "httpCode": "403 Forbidden",
        "message": "This credential is not valid",
    }


def test_missing_consumer_key_is_an_invalid_credential(sandbox: Sandbox) -> None:
    # python-ovh refuses to send without a consumer key: send one by hand
    response = httpx.get(f"{sandbox.url}/1.0{HOSTING}", headers={"X-Ovh-Application": AK})
    assert response.status_code == 403
    assert response.json()["errorCode"] == "INVALID_CREDENTIAL"
    assert response.headers["X-OVH-QUERYID"].startswith("EU.ext-1.")


def test_stale_timestamp_is_out_of_time(sandbox: Sandbox, make_client: MakeClient) -> None:
    client = make_client()
    client.get(HOSTING)  # learns the server time once, as python-ovh does
    sandbox.advance(auth.TIMESTAMP_WINDOW + 60)
    with pytest.raises(BadParametersError) as caught:
        client.get(HOSTING)
    assert caught.value.response.json() == {
        "errorCode": "QUERY_TIME_OUT",
        "httpCode": "400 Bad Request",
        "message": "Query out of time",
    }
    assert make_client().get(HOSTING)  # a new client syncs with /auth/time again


def _signed_headers(sandbox: Sandbox, url: str, now: int) -> dict[str, str]:
    return {
        "X-Ovh-Application": AK,
        "X-Ovh-Consumer": CK,
        "X-Ovh-Timestamp": str(now),
        "X-Ovh-Signature": auth.signature(AS, CK, "GET", url, "", str(now)),
    }


def test_url_signed_by_a_client_behind_a_proxy_is_accepted(sandbox: Sandbox) -> None:
    now = int(httpx.get(f"{sandbox.url}/1.0/auth/time").json())
    public = "https://ovh.example.test/1.0/hosting/web"
    headers = _signed_headers(sandbox, public, now)
    headers.update({"X-Forwarded-Proto": "https", "X-Forwarded-Host": "ovh.example.test"})
    assert httpx.get(f"{sandbox.url}/1.0/hosting/web", headers=headers).status_code == 200
    del headers["X-Forwarded-Host"]
    refused = httpx.get(f"{sandbox.url}/1.0/hosting/web", headers=headers)
    assert refused.json()["errorCode"] == "INVALID_SIGNATURE"


def test_candidate_urls_cover_default_ports_and_forwarding() -> None:
    urls = auth.candidate_urls("http", {"host": "api.test"}, "/1.0/x", "a=1")
    assert urls == ["http://api.test/1.0/x?a=1", "http://api.test:80/1.0/x?a=1"]
    forwarded = auth.candidate_urls(
        "http", {"host": "127.0.0.1:8080", "x-forwarded-proto": "https"}, "/1.0/x", ""
    )
    assert forwarded[0] == "https://127.0.0.1:8080/1.0/x"


def test_errors_and_successes_carry_a_query_id(sandbox: Sandbox) -> None:
    now = int(httpx.get(f"{sandbox.url}/1.0/auth/time").json())
    url = f"{sandbox.url}/1.0/hosting/web/unknown.example"
    response = httpx.get(url, headers=_signed_headers(sandbox, url, now))
    assert response.status_code == 404
    assert response.json() == {
        "class": "Client::NotFound",
        "message": "The requested object (serviceName = unknown.example) does not exist",
    }
    assert response.headers["X-OVH-QUERYID"].startswith("EU.ext-1.")
