"""The deadline against real sockets: a loopback server that never answers, or answers a byte
at a time (headers or body), holds no request past its operation's deadline, through httpx
(the VPS panel and Scaleway's choke point) and through python-ovh's requests; python-ovh
follows no redirect. Deadlines of 0.3 s, on the system clock: the whole file takes about 2 s."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from pulumi_backups.core import ApiError, RetryPolicy, TransportError, WaitPolicy
from pulumi_backups.core.http_client import HttpApi, HttpClient
from pulumi_backups.core.waiting import SYSTEM_CLOCK, within
from pulumi_backups.ovh.client import OvhClient
from pulumi_backups.ovh.settings import OvhSettings

DEADLINE = 0.3
SLACK = 0.5
"""Seconds a request may end after its deadline here (a loaded test machine)."""

Behaviour = Callable[[socket.socket, bytes], None]


def _request(conn: socket.socket) -> bytes:
    """The head and the whole body: a server that closes with a body unread resets the
    connection, and the client would see a reset instead of the answer."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    while length and len(body) < int(length.group(1)):
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


class Server:
    """A loopback HTTP server: ``behave(conn, request)`` answers each connection, on a
    thread of its own; ``/auth/time`` (OVHcloud's clock) is always answered at once."""

    def __init__(self, behave: Behaviour) -> None:
        self.behave = behave
        self.requests: list[bytes] = []
        self.stop = threading.Event()
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            request = _request(conn)
            self.requests.append(request)
            try:
                if b"/auth/time" in request.split(b"\r\n", 1)[0]:
                    body = str(int(time.time())).encode()
                    conn.sendall(_head(200, len(body)) + body)
                else:
                    self.behave(conn, request)
            except OSError:
                pass  # the client gave up: what the test wants

    def close(self) -> None:
        self.stop.set()
        self.sock.close()


def _head(status: int, length: int, extra: str = "") -> bytes:
    # one answer per connection, said so: a client would otherwise send its next request on a
    # connection the server is closing, and see a reset instead of the answer
    head = f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nConnection: close\r\n"
    return f"{head}Content-Length: {length}\r\n{extra}\r\n".encode()


def silent(conn: socket.socket, _request: bytes) -> None:
    """Accept, read the request, never answer."""
    conn.recv(1)  # until the client closes


def trickle_body(conn: socket.socket, _request: bytes) -> None:
    conn.sendall(_head(200, 100000))
    _drip(conn, b" " * 100000)


def trickle_headers(conn: socket.socket, _request: bytes) -> None:
    _drip(conn, b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"x" * 100000)


def _drip(conn: socket.socket, data: bytes) -> None:
    for byte in data:
        conn.sendall(bytes([byte]))
        time.sleep(0.02)


@pytest.fixture
def serve() -> Iterator[Callable[[Behaviour], Server]]:
    servers: list[Server] = []

    def start(behave: Behaviour) -> Server:
        servers.append(Server(behave))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def _error(call: str, response: httpx.Response) -> ApiError:
    return ApiError(call, response.status_code, response.text)


def httpx_call(server: Server) -> Callable[[], object]:
    api = HttpApi(_error, "check `x:apiUrl`", frozenset({"GET"}), httpx.Timeout(120, connect=10))
    client = HttpClient(api, server.url, {}, RetryPolicy(), SYSTEM_CLOCK, None)
    return lambda: client.send("GET", "/x", "GET /x")


def ovh_call(server: Server) -> Callable[[], object]:
    client = OvhClient(OvhSettings(f"{server.url}/1.0", "ak", "as", "ck"))
    return lambda: client.get("/hosting/web/svc/database")


CASES = [
    (httpx_call, silent),
    (httpx_call, trickle_body),
    (httpx_call, trickle_headers),
    (ovh_call, silent),
    (ovh_call, trickle_body),
    # not (ovh_call, trickle_headers): requests reads the headers with a per-read timeout
]


@pytest.mark.parametrize(("make", "behave"), CASES)
def test_a_request_ends_at_its_operations_deadline(
    serve: Callable[[Behaviour], Server],
    make: Callable[[Server], Callable[[], object]],
    behave: Behaviour,
) -> None:
    call = make(serve(behave))
    start = time.monotonic()
    with within(WaitPolicy(timeout=DEADLINE)), pytest.raises(TransportError) as info:
        call()
    took = time.monotonic() - start
    assert took < DEADLINE + SLACK, took
    assert f"within the operation's deadline of {DEADLINE:g} s" in str(info.value)


def _redirect(status: int, to: str) -> Behaviour:
    def behave(conn: socket.socket, _request: bytes) -> None:
        conn.sendall(_head(status, 0, f"Location: {to}\r\n"))

    return behave


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_python_ovh_follows_no_redirect(serve: Callable[[Behaviour], Server], status: int) -> None:
    """requests would resend the keys, the signature and, for a 307, the body elsewhere."""
    elsewhere = serve(_redirect(500, "/nowhere"))
    target = f"{elsewhere.url.replace('127.0.0.1', 'localhost')}/collect"
    client = OvhClient(OvhSettings(f"{serve(_redirect(status, target)).url}/1.0", "ak", "as", "ck"))
    with pytest.raises(ApiError) as info:
        client.post("/hosting/web/svc/database", password="s3cret-Passw0rd")
    assert elsewhere.requests == []
    assert info.value.status == status
    assert f"redirected to {target}: not followed" in str(info.value)
    assert "ovh:endpoint" in str(info.value)


TOKEN = json.dumps({"access_token": "t0k3n", "token_type": "Bearer", "expires_in": 3600})


def _oauth2(token: Behaviour, api: Behaviour) -> Behaviour:
    """The token route (``/token``) answered by ``token``, every other by ``api``."""

    def behave(conn: socket.socket, request: bytes) -> None:
        line = request.split(b"\r\n", 1)[0]
        (token if b" /token " in line else api)(conn, request)

    return behave


def _answer(status: int, body: str) -> Behaviour:
    def behave(conn: socket.socket, _request: bytes) -> None:
        conn.sendall(_head(status, len(body)) + body.encode())

    return behave


@pytest.fixture(autouse=True)
def _loopback_oauth2(monkeypatch: pytest.MonkeyPatch) -> None:
    """oauthlib refuses plain http unless told: the loopback servers here speak it."""
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")


def _client_credentials(server: Server) -> OvhClient:
    """An OAuth2 (client credentials) client whose token and API routes are ``server``'s:
    python-ovh takes OAuth2 for its own endpoints only, so both are pointed there after."""
    client = OvhClient(OvhSettings("ovh-eu", client_id="id", client_secret="s3cret-Client"))
    client._ovh._endpoint = f"{server.url}/1.0"
    client._ovh._oauth2.token_url = f"{server.url}/token"
    return client


@pytest.mark.parametrize("status", [302, 307])
@pytest.mark.parametrize("where", ["token", "api"])
def test_python_ovh_client_credentials_follow_no_redirect(
    serve: Callable[[Behaviour], Server], status: int, where: str
) -> None:
    """OAuth2 mode sends on python-ovh's own session: the client secret (token request) or the
    bearer token and the body (API call) would go with a redirect."""
    elsewhere = serve(_redirect(500, "/nowhere"))
    target = f"{elsewhere.url.replace('127.0.0.1', 'localhost')}/collect"
    token = _redirect(status, target) if where == "token" else _answer(200, TOKEN)
    api = _redirect(status, target) if where == "api" else _answer(200, "[]")
    client = _client_credentials(serve(_oauth2(token, api)))
    with pytest.raises(ApiError) as info:
        client.post("/hosting/web/svc/database", password="s3cret-Passw0rd")
    assert elsewhere.requests == []
    assert info.value.status == status
    assert f"redirected to {target}: not followed" in str(info.value)


def test_python_ovh_client_credentials_reach_the_api(serve: Callable[[Behaviour], Server]) -> None:
    """The bounded OAuth2 sessions still fetch a token and send the API call with it."""
    server = serve(_oauth2(_answer(200, TOKEN), _answer(200, '["db1"]')))
    assert _client_credentials(server).get("/hosting/web/svc/database") == ["db1"]
    api_calls = [r for r in server.requests if b"/1.0/hosting" in r]
    assert api_calls and b"Bearer t0k3n" in api_calls[0]
