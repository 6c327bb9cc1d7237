"""Request signature checking, as OVHcloud's API v1 does it.

A signed request carries ``X-Ovh-Application`` (application key), ``X-Ovh-Consumer``
(consumer key), ``X-Ovh-Timestamp`` (server time, seconds) and ``X-Ovh-Signature``::

    "$1$" + sha1_hex(AS + "+" + CK + "+" + METHOD + "+" + URL + "+" + BODY + "+" + TS)

where URL is the full URL the client called, query string included, and BODY the raw body
(compact JSON or empty). The checks run in the real API's order: application key
(403 INVALID_KEY), consumer key (403 INVALID_CREDENTIAL), timestamp (400 QUERY_TIME_OUT),
signature (400 INVALID_SIGNATURE).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .exceptions import invalid_credential, invalid_key, invalid_signature, query_time_out

#: How far (seconds) a request's timestamp may be from the server's clock.
TIMESTAMP_WINDOW = 180


@dataclass(frozen=True)
class Keys:
    """The one application and consumer key the emulated API knows."""

    application_key: str
    application_secret: str
    consumer_key: str


def signature(secret: str, consumer: str, method: str, url: str, body: str, ts: str) -> str:
    """The ``X-Ovh-Signature`` value a client computes for this request."""
    payload = "+".join([secret, consumer, method.upper(), url, body, ts])
    return "$1$" + hashlib.sha1(payload.encode("utf-8")).hexdigest()


def candidate_urls(scheme: str, headers: Mapping[str, str], raw_path: str, query: str) -> list[str]:
    """Every URL the client may have signed for this request.

    The client signs the URL it was configured with; the server only sees the Host
    header, the raw path and the raw query. Behind a proxy the forwarded scheme and host
    are what the client used, and HTTP clients drop a default port from ``Host``.
    """
    suffix = raw_path + (f"?{query}" if query else "")
    schemes = _unique([headers.get("x-forwarded-proto", ""), scheme])
    hosts = _unique([headers.get("x-forwarded-host", ""), headers.get("host", "")])
    urls: list[str] = []
    for sch in schemes:
        for host in hosts:
            urls.append(f"{sch}://{host}{suffix}")
            default_port = {"http": ":80", "https": ":443"}.get(sch)
            if default_port and ":" not in host.rsplit("]", 1)[-1]:
                urls.append(f"{sch}://{host}{default_port}{suffix}")
    return urls


def _unique(values: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for value in values:
        first = value.split(",")[0].strip()
        if first and first not in seen:
            seen.append(first)
    return seen


def verify(
    keys: Keys,
    method: str,
    urls: Iterable[str],
    body: str,
    headers: Mapping[str, str],
    now: float,
) -> None:
    """Raise the real API's :class:`~.exceptions.AuthError` unless the request is signed.

    ``headers`` is looked up with lower-case names; ``now`` is the server clock (epoch s).
    """
    if not hmac.compare_digest(headers.get("x-ovh-application", ""), keys.application_key):
        raise invalid_key()
    if not hmac.compare_digest(headers.get("x-ovh-consumer", ""), keys.consumer_key):
        raise invalid_credential()
    ts = headers.get("x-ovh-timestamp", "")
    if not ts.isdigit() or abs(int(ts) - now) > TIMESTAMP_WINDOW:
        raise query_time_out()
    sent = headers.get("x-ovh-signature", "")
    for url in urls:
        expected = signature(keys.application_secret, keys.consumer_key, method, url, body, ts)
        if hmac.compare_digest(sent, expected):
            return
    raise invalid_signature()
