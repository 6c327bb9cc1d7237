"""OVHcloud API client: python-ovh signs, this module sends, retries and maps errors.

One choke point, :meth:`OvhClient.call`: it builds the query string as python-ovh does
(booleans as ``true``/``false``, dotted keys), lets python-ovh sign and send the request, and
maps the answer by status and ``errorCode`` / ``class`` (never by message text) into
:mod:`pulumi_backups.core.errors`, with the call, the server's message and ``X-OVH-QUERYID``.
Transient failures are retried there, and only there.

python-ovh sends through :class:`BoundedSession` (application keys) or
:class:`BoundedOAuth2Session` (client credentials): no redirect is ever followed (requests
would resend the application key, the consumer key and the signature, or the client secret
and the bearer token, and for a 307 the body, a database password, wherever a 3xx points: it
is an error naming where), and every request
is bounded by the operation's deadline (``core.waiting.current``), its body read in chunks.

"Gone" only on proof: a 404 is a :class:`NotFoundError` only in OVHcloud's own JSON error
shape (``class`` or ``errorCode`` with a ``message``); an HTML page from a proxy or any other
404 is a plain :class:`ApiError` naming ``ovh:endpoint``. So is every failure of
``/auth/time``, which every signed call reads first: it proves the base URL serves the API.

Clients are cached per resolved settings at module level (not on providers, which are pickled
into the state), so the ``/auth/time`` delta and the HTTP connections are shared by every call
of a deployment.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import ovh
import ovh.client
import ovh.exceptions
import ovh.oauth2
import requests
import urllib3.exceptions
from oauthlib.oauth2 import BackendApplicationClient  # type: ignore[import-untyped]

from ..core.clients import ClientCache
from ..core.errors import (
    ApiError,
    AuthError,
    RateLimitedError,
    TransportError,
    error_for_status,
    lost_connection,
)
from ..core.http_client import (
    ERROR_BODY_LIMIT,
    Budget,
    bounded,
    decoded,
    redirected,
    sending,
    timed_out,
    within_budget,
)
from ..core.retry import DEFAULT_RETRY, RetryPolicy, call_with_retry
from ..core.waiting import SYSTEM_CLOCK, Clock
from .settings import CREDENTIALS_HINT, ENDPOINT_HINT, OvhSettings, resolve_ovh

_AUTH_CODES = {
    "NOT_GRANTED_CALL",
    "NOT_CREDENTIAL",
    "INVALID_KEY",
    "INVALID_CREDENTIAL",
    "FORBIDDEN",
    "INVALID_SIGNATURE",
    "QUERY_TIME_OUT",
}
_IDEMPOTENT = {"GET", "PUT", "DELETE"}
TIMEOUT = (10.0, 120.0)
"""Socket timeouts (connect, read) of a request, each at most what is left of the deadline."""
CHUNK = 64 * 1024
_TIMEOUTS = (requests.Timeout, urllib3.exceptions.TimeoutError)
API_BASES = ("/1.0", "/v1")
"""The paths under which OVHcloud serves its API (``https://eu.api.ovh.com/v1`` = ``/1.0``)."""


def endpoint_name(endpoint: str) -> str:
    """A python-ovh endpoint name for ``endpoint``; an http(s) URL gets registered under one.

    A URL ending in ``/1.0`` or ``/v1`` is the API's base as given; any other gets ``/1.0``.
    """
    if not endpoint.startswith(("http://", "https://")):
        return endpoint
    url = endpoint.rstrip("/")
    if not url.endswith(API_BASES):
        url += "/1.0"
    name = "url-" + hashlib.sha1(url.encode()).hexdigest()[:12]
    ovh.client.ENDPOINTS[name] = url  # python-ovh looks names up here at client creation
    return name


def _query(params: dict[str, Any]) -> str:
    prepared = {
        k: ("true" if v else "false") if isinstance(v, bool) else v
        for k, v in params.items()
        if v is not None
    }
    return ("?" + urlencode(prepared)) if prepared else ""


def _bounded(kwargs: dict[str, Any]) -> dict[str, Any]:
    """A request's options: no redirect followed, timeouts at most what the running request
    has left of the operation's deadline, the body left to be read (``stream``) by
    :func:`_read`, within that time."""
    connect, read = TIMEOUT
    timeout = (within_budget(connect), within_budget(read))
    return {**kwargs, "timeout": timeout, "allow_redirects": False, "stream": True}


class BoundedSession(requests.Session):
    """The session python-ovh sends with (application keys): see :func:`_bounded`."""

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        return super().request(*args, **_bounded(kwargs))


class BoundedOAuth2Session(ovh.oauth2.RefreshOAuth2Session):  # type: ignore[misc]  # untyped
    """The session of python-ovh's OAuth2 mode (client credentials), bounded as
    :class:`BoundedSession`: a redirect would take the bearer token, or the client secret
    of a token request, wherever it points. A redirected token request is refused here,
    naming where it pointed (oauthlib would only say that no token came)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.register_compliance_hook("access_token_response", self._refuse_redirect)

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        response: requests.Response = super().request(*args, **_bounded(kwargs))
        return response

    def _refuse_redirect(self, response: requests.Response) -> requests.Response:
        if 300 <= response.status_code < 400:
            call = f"POST {self.token_url}"
            location = response.headers.get("Location")
            raise redirected(call, response.status_code, location, CREDENTIALS_HINT)
        return response


class BoundedOAuth2(ovh.oauth2.OAuth2):  # type: ignore[misc]  # untyped
    """python-ovh's OAuth2 token holder, its token fetched and used on
    :class:`BoundedOAuth2Session` sessions."""

    _session: BoundedOAuth2Session | None = None
    _token: Any = None

    def _new_session(self, **kwargs: Any) -> BoundedOAuth2Session:
        client = BackendApplicationClient(client_id=self.client_id, scope=["all"])
        return BoundedOAuth2Session(token_url=self.token_url, client=client, **kwargs)

    @property
    def session(self) -> BoundedOAuth2Session:
        if self._session is None:
            secrets = {"client_id": self.client_id, "client_secret": self.client_secret}
            self._session = self._new_session(
                token=self.token, token_updater=self.token_updater, auto_refresh_kwargs=secrets
            )
        return self._session

    @property
    def token(self) -> Any:
        if self._token is None:
            self._token = self._new_session().fetch_token(
                token_url=self.token_url,
                client_id=self.client_id,
                client_secret=self.client_secret,
            )
        return self._token


def _chunks(response: requests.Response) -> Iterator[bytes]:
    """The body as it comes, each socket read waiting at most what the request has left
    (a server sending a byte at a time cannot hold the request past it)."""
    raw = response.raw
    while True:
        # Read again each time: urllib3 gives the connection back to its pool (to another
        # thread) as soon as the body is read, and this request's time is not that one's.
        sock = getattr(getattr(raw, "connection", None), "sock", None)
        if sock is not None:
            sock.settimeout(within_budget(TIMEOUT[1]))
        chunk = raw.read1(CHUNK, decode_content=True)
        if not chunk:
            return
        yield chunk


def _read(response: requests.Response, budget: Budget | None) -> None:
    """Read the body of ``response`` (an error's: its first ERROR_BODY_LIMIT bytes)."""
    limit = None if response.status_code < 300 else ERROR_BODY_LIMIT
    try:
        response._content = bounded(_chunks(response), limit=limit, budget=budget)
    finally:
        response.close()


def _never_sent(err: Exception) -> bool:
    if isinstance(err, requests.ConnectTimeout):
        return True
    reason = err.args[0] if err.args else None
    if isinstance(reason, urllib3.exceptions.MaxRetryError):
        return isinstance(reason.reason, urllib3.exceptions.NewConnectionError)
    return False


def _error(call: str, response: requests.Response) -> ApiError:
    try:
        body = response.json()
    except ValueError:
        body = None
    body = body if isinstance(body, dict) else {}
    message = str(body.get("message") or response.reason or "no message")
    code = body.get("errorCode") or body.get("class")
    request_id = response.headers.get("X-OVH-QUERYID")
    if response.status_code == 404 and not (code and body.get("message")):
        # Not OVHcloud's error shape: a proxy's page, a wrong base path. Never proof of "gone".
        message = f"{message} ({ENDPOINT_HINT})"
        return ApiError(call, 404, message, request_id=request_id, code=code)
    if code in _AUTH_CODES or response.status_code in (401, 403):
        message = f"{message} ({CREDENTIALS_HINT})"
        return AuthError(call, response.status_code, message, request_id=request_id, code=code)
    return error_for_status(call, response.status_code, message, request_id=request_id, code=code)


class OvhClient:
    """A signed OVHcloud API client with error mapping and bounded retries."""

    def __init__(
        self, settings: OvhSettings, retry: RetryPolicy = DEFAULT_RETRY, clock: Clock = SYSTEM_CLOCK
    ) -> None:
        self.retry = retry
        self.clock = clock
        self._time_lock = threading.Lock()
        self._ovh = ovh.Client(
            endpoint=endpoint_name(settings.endpoint),
            application_key=settings.application_key,
            application_secret=settings.application_secret,
            consumer_key=settings.consumer_key,
            client_id=settings.client_id,
            client_secret=settings.client_secret,
            timeout=TIMEOUT,
        )
        self._ovh._session = BoundedSession()
        if self._ovh._oauth2 is not None:  # client credentials: python-ovh's own session
            oauth2 = self._ovh._oauth2
            self._ovh._oauth2 = BoundedOAuth2(
                oauth2.client_id, oauth2.client_secret, oauth2.token_url
            )

    def get(self, path: str, **params: Any) -> Any:
        return self.call("GET", path + _query(params))

    def post(self, path: str, **body: Any) -> Any:
        return self.call("POST", path, {k: v for k, v in body.items() if v is not None})

    def delete(self, path: str) -> Any:
        return self.call("DELETE", path)

    def call(self, method: str, path: str, body: Any = None, *, need_auth: bool = True) -> Any:
        """Send one call (retried when transient); return the decoded JSON answer."""
        call = f"{method} {path.split('?', 1)[0]}"
        if need_auth:
            self._sync_time()

        def send() -> Any:
            response = self._send(method, path, body, call, need_auth)
            if 300 <= response.status_code < 400:
                location = response.headers.get("Location")
                raise redirected(call, response.status_code, location, ENDPOINT_HINT)
            if response.status_code >= 300:
                raise _error(call, response)
            request_id = response.headers.get("X-OVH-QUERYID")
            return decoded(call, response, ENDPOINT_HINT, request_id=request_id)

        def sent_with_retries() -> Any:
            idempotent, sleep = method in _IDEMPOTENT, self.clock.sleep
            return call_with_retry(send, idempotent=idempotent, policy=self.retry, sleep=sleep)

        try:
            return sent_with_retries()
        except AuthError as err:
            if err.code != "QUERY_TIME_OUT" or not need_auth:
                raise
            # The clock moved since the server time was read: read it again, sign again.
            self._ovh._time_delta = None
            self._sync_time()
            return sent_with_retries()

    def _send(
        self, method: str, path: str, body: Any, call: str, need_auth: bool
    ) -> requests.Response:
        """One request signed by python-ovh and its answer, read within the deadline."""
        with sending(call, self.clock) as budget:
            clamped = budget is not None and budget.left() < TIMEOUT[1]
            try:
                response: requests.Response = self._ovh.raw_call(
                    method, path, body, need_auth=need_auth
                )
                _read(response, budget)
            except ovh.exceptions.OAuth2FailureError as err:  # no token for the client id
                raise AuthError(call, 401, f"{err} ({CREDENTIALS_HINT})") from err
            except (requests.RequestException, urllib3.exceptions.HTTPError) as err:
                sent = not _never_sent(err)
                late = timed_out(budget, clamped=clamped, sent=sent)
                if late is not None and isinstance(err, _TIMEOUTS):
                    raise late from err
                where = self._ovh._endpoint
                raise lost_connection(
                    call, err, sent=sent, where=where, hint=ENDPOINT_HINT
                ) from err
        return response

    def _sync_time(self) -> None:
        """Read the server's clock once (python-ovh would, but outside of our retries).

        Any failure is an ApiError naming ``ovh:endpoint``, never a NotFoundError: a 404 here
        says nothing of the object the call was about.
        """
        with self._time_lock:  # one /auth/time for all the host's threads
            if self._ovh._time_delta is None:
                try:
                    server_time = self.call("GET", "/auth/time", need_auth=False)
                    delta = int(server_time) - int(self.clock.utc().timestamp())
                except ApiError as err:
                    if type(err) is ApiError:  # not the API's answer: named so already
                        raise
                    if isinstance(err, RateLimitedError):  # the API's own answer: wait more
                        raise
                    if isinstance(err, TransportError) and err.refused:  # says so already
                        raise
                    message = f"{err.message} ({ENDPOINT_HINT})"
                    raise ApiError(
                        err.call, err.status, message, request_id=err.request_id
                    ) from err
                except (TypeError, ValueError) as err:
                    message = f"not a server time: {str(server_time)[:80]!r} ({ENDPOINT_HINT})"
                    raise ApiError("GET /auth/time", 200, message) from err
                self._ovh._time_delta = delta


clients: ClientCache[OvhSettings, OvhClient] = ClientCache(OvhClient)


def ovh_client() -> OvhClient:
    """The shared client for the currently configured OVHcloud account."""
    return clients.serving(resolve_ovh)
