"""Lying answers: what a proxy between the client and the sandbox could make of an answer.

A lie is a targeted fault kind (``sandbox.fault(kind, route)``) of the form
``family[:argument]``. Most change the real handler's answer on its way out (the server has
acted); three never reach a handler:

======================  ========================================================================
``set:<path>=<json>``   set a value in the JSON answer (``*`` maps over a list):
                        ``set:id=777``, ``set:results.*.server.id=54321``, ``set:count=0``
``omit:<json>``         drop from a list answer (or its ``results`` / ``database_backups``)
                        each entry equal to the value or whose ``id`` is it
``pad:<n>``             append ``n`` made-up entries to a list answer
``body:<how>``          ``empty`` (same status, no body), ``204``, ``truncated`` (first half),
                        ``deep`` (JSON nested 100000 levels), ``html`` (a 200 HTML page),
                        ``huge`` (a 500 with a 20 MB body in the API's error shape)
``date:<+-seconds>``    the Date header shifted by that many seconds
``redirect:<status>``   no handler: 301/302/307/308 to ``http://localhost:<port>/_sandbox/
                        collect<path>``, where whatever follows it is recorded
``silent``              no handler: the connection is held and never answered
``trickle:<seconds>``   no handler: a 200 whose body comes one byte every ``seconds``
======================  ========================================================================
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

REWRITES = frozenset({"set", "omit", "pad", "body", "date"})
"""Lies that let the handler act, then change its answer (``date`` is stamped by the fault
layer, which owns the Date header)."""
WITHHELD = frozenset({"redirect", "silent", "trickle"})
"""Lies in place of the handler: the server never sees the request."""
BODIES = frozenset({"empty", "204", "truncated", "deep", "html", "huge"})
REDIRECTS = frozenset({301, 302, 307, 308})
LISTS = ("results", "database_backups")
HUGE = 20 * 1024 * 1024
DEEP = 100_000
HTML = b"<html><body><h1>Welcome</h1><p>Everything is fine.</p></body></html>\n"
COLLECT = "/_sandbox/collect"


@dataclass(frozen=True)
class Answer:
    """One HTTP answer as the middleware sends it."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


def family(kind: str) -> str:
    return kind.partition(":")[0]


def is_lie(kind: str) -> bool:
    return family(kind) in REWRITES | WITHHELD


def check(kind: str) -> None:
    """Raise ValueError when ``kind`` is not a well-formed lie."""
    name, _, arg = kind.partition(":")
    if name == "set":
        path, eq, value = arg.partition("=")
        if not path or not eq:
            raise ValueError("set needs <path>=<json>")
        json.loads(value)
    elif name == "omit":
        json.loads(arg)
    elif name in ("pad", "trickle", "date"):
        float(arg) if name != "pad" else int(arg)
    elif name == "body" and arg not in BODIES:
        raise ValueError(f"body must be one of {', '.join(sorted(BODIES))}")
    elif name == "redirect" and int(arg) not in REDIRECTS:
        raise ValueError("redirect must be 301, 302, 307 or 308")
    elif name not in REWRITES | WITHHELD:
        raise ValueError(f"unknown lie {kind!r}")


def rewrite(kind: str, answer: Answer, api: str) -> Answer:
    """The answer a proxy lying with ``kind`` passes on instead of ``answer``."""
    name, _, arg = kind.partition(":")
    if name == "body":
        return _body(arg, answer, api)
    try:
        data = json.loads(answer.body)
    except ValueError:
        return answer  # nothing to change in a body that is not JSON
    if name == "set":
        path, _, value = arg.partition("=")
        data = _set(data, path.split("."), json.loads(value))
    elif name == "omit":
        data = _map_list(data, lambda items: [i for i in items if not _is(i, json.loads(arg))])
    elif name == "pad":
        data = _map_list(data, lambda items: items + _made_up(items, int(arg)))
    return _replaced(answer, json.dumps(data).encode())


def redirect_to(scope: Mapping[str, Any], status: int) -> Answer:
    """A redirect to the same server under another host name (``localhost``)."""
    port = (scope.get("server") or ("127.0.0.1", 80))[1]
    query = scope.get("query_string", b"").decode()
    location = f"http://localhost:{port}{COLLECT}{scope['path']}" + (f"?{query}" if query else "")
    headers = [(b"location", location.encode()), (b"content-length", b"0")]
    return Answer(status, headers, b"")


def _is(item: Any, value: Any) -> bool:
    return item == value or (isinstance(item, dict) and item.get("id") == value)


def _map_list(data: Any, change: Any) -> Any:
    if isinstance(data, list):
        return change(data)
    if isinstance(data, dict):
        for key in LISTS:
            if isinstance(data.get(key), list):
                return {**data, key: change(data[key])}
    return data


def _made_up(items: list[Any], n: int) -> list[Any]:
    if all(isinstance(i, int) for i in items):
        start = max(items, default=0) + 1
        return list(range(start, start + n))
    return [f"made-up-{k}" for k in range(n)]


def _set(data: Any, path: list[str], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if head == "*" and isinstance(data, list):
        return [_set(item, rest, value) for item in data]
    if isinstance(data, dict):
        return {**data, head: _set(data.get(head), rest, value)}
    return data


def _headers(answer: Answer, drop: set[bytes]) -> list[tuple[bytes, bytes]]:
    return [(k, v) for k, v in answer.headers if k.lower() not in drop]


def _replaced(answer: Answer, body: bytes, status: int | None = None) -> Answer:
    headers = _headers(answer, {b"content-length"})
    headers.append((b"content-length", str(len(body)).encode()))
    return Answer(answer.status if status is None else status, headers, body)


def _body(how: str, answer: Answer, api: str) -> Answer:
    if how == "empty":
        return _replaced(answer, b"")
    if how == "204":
        headers = _headers(answer, {b"content-length", b"content-type"})
        return Answer(204, headers, b"")
    if how == "truncated":
        return _replaced(answer, answer.body[: len(answer.body) // 2])
    if how == "deep":
        return _replaced(answer, b"[" * DEEP + b"]" * DEEP)
    if how == "html":
        headers = [*_headers(answer, {b"content-type"}), (b"content-type", b"text/html")]
        return _replaced(Answer(200, headers, b""), HTML, 200)
    key = "detail" if api == "vps" else "message"
    huge = Answer(500, _headers(answer, {b"content-type"}), b"")
    huge.headers.append((b"content-type", b"application/json"))
    return _replaced(huge, json.dumps({key: "x" * HUGE}).encode(), 500)
