"""An emulated API that fails unexpectedly answers a 500 in its own error shape.

A stored document the rules cannot read (a state file written by hand, a bug) makes the
request that meets it fail inside the API's code: the answer is that API's own 500, with its
request-id header, never the web framework's plain-text page; once the document is gone the
API serves again.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from pulumi_backups.sandbox import CREDENTIALS, Sandbox

SCW_HEADERS = {"X-Auth-Token": CREDENTIALS["SCW_SECRET_KEY"]}
VPS_HEADERS = {"Authorization": f"Bearer {CREDENTIALS['VPS_API_TOKEN']}"}
BROKEN = {"broken": True}  # none of the fields the rules read

CASES = {
    "ovh": (
        ("ovh:hosting:dump", "sandbox.cluster000.hosting.ovh.net/1"),
        ("/1.0/auth/time", {}),
        ({"class": "Server::InternalServerError", "message": "Internal server error"}, "EU."),
        "x-ovh-queryid",
    ),
    "scaleway": (
        ("scaleway:backup", "fr-par/11111111-0000-0000-0000-000000000000"),
        ("/rdb/v1/regions/fr-par/backups", SCW_HEADERS),
        ({"message": "internal error", "type": "internal_error"}, ""),
        "x-request-id",
    ),
    "vps": (
        ("vps:backup", "501"),
        ("/api/v1/backups/", VPS_HEADERS),
        ({"detail": "A server error occurred."}, ""),
        "x-request-id",
    ),
}


@pytest.mark.parametrize("api", list(CASES))
def test_an_unexpected_failure_answers_500_in_the_api_shape(sandbox: Sandbox, api: str) -> None:
    (kind, key), (path, headers), (body, id_prefix), id_header = CASES[api]
    ctx = sandbox.context
    assert ctx is not None  # an in-process sandbox: its store can be spoiled
    with httpx.Client(base_url=sandbox.url, headers=headers) as client:
        assert client.get(path).status_code == 200
        ctx.store.put(kind, key, BROKEN)
        failed = client.get(path)
        assert failed.status_code == 500, failed.text
        assert failed.headers["content-type"] == "application/json"
        answer: Any = failed.json()
        assert answer == body
        assert failed.headers[id_header].startswith(id_prefix) and failed.headers["date"]
        ctx.store.delete(kind, key)
        assert client.get(path).status_code == 200


def test_a_failure_stays_with_the_requests_that_meet_it(sandbox: Sandbox) -> None:
    ctx = sandbox.context
    assert ctx is not None
    ctx.store.put("vps:backup", "501", BROKEN)
    with httpx.Client(base_url=sandbox.url, headers=VPS_HEADERS) as client:
        assert client.get("/api/v1/backups/").status_code == 500
        assert client.get("/api/v1/servers/12345/").status_code == 200  # the backups only
    assert sandbox.counters() == {"GET /api/v1/backups/": 1, "GET /api/v1/servers/{server_id}/": 1}
