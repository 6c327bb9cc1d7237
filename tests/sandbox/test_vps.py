"""The VPS panel emulator: documented routes, DRF errors and pagination, progress in time."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from pulumi_backups.sandbox import Sandbox

SERVER = 12345
DOC_ITEM_KEYS = [
    "id", "server", "backup_type", "status", "size_mb", "created_at", "expires_at", "description",
]  # fmt: skip
SECONDS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@pytest.fixture
def vps(sandbox: Sandbox) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {sandbox.env()['VPS_API_TOKEN']}"}
    with httpx.Client(base_url=f"{sandbox.url}/api/v1", headers=headers) as client:
        yield client


def create(vps: httpx.Client, **body: Any) -> dict[str, Any]:
    response = vps.post("/backups/", json={"server_id": SERVER, **body})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def listed(vps: httpx.Client, **params: Any) -> dict[str, Any]:
    response = vps.get("/backups/", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_create_answers_in_progress_then_completes(sandbox: Sandbox, vps: httpx.Client) -> None:
    sandbox.configure(task_seconds=30)
    created = create(vps, description="Pre-deployment backup")
    assert list(created) == [*DOC_ITEM_KEYS, "message"]
    assert created["server"] == {"id": SERVER, "name": "web-server-01"}
    assert (created["status"], created["size_mb"], created["expires_at"]) == (
        "in_progress",
        None,
        None,
    )
    assert created["backup_type"] == "manual" and SECONDS.match(created["created_at"])
    assert created["message"].startswith("Backup is being created")
    assert listed(vps, server_id=SERVER)["results"][0]["status"] == "in_progress"
    sandbox.advance(30)
    item = listed(vps, server_id=SERVER)["results"][0]
    assert list(item) == DOC_ITEM_KEYS
    assert item["status"] == "completed" and isinstance(item["size_mb"], int)
    assert item["description"] == "Pre-deployment backup"


def test_list_filters(vps: httpx.Client) -> None:
    first, second = create(vps), create(vps)
    body = listed(vps, server_id=SERVER)
    assert [item["id"] for item in body["results"]] == [second["id"], first["id"]]
    assert listed(vps, server_id=99999)["count"] == 0
    assert listed(vps, backup_type="automatic")["count"] == 0
    assert listed(vps, backup_type="manual")["count"] == 2
    bad_server = vps.get("/backups/", params={"server_id": "abc"})
    assert (bad_server.status_code, bad_server.json()) == (400, {"server_id": ["Enter a number."]})
    bad_type = vps.get("/backups/", params={"backup_type": "weekly"})
    assert bad_type.status_code == 400 and list(bad_type.json()) == ["backup_type"]


def test_pagination_is_drf_page_number(vps: httpx.Client) -> None:
    ids = [create(vps)["id"] for _ in range(51)]
    page_one = listed(vps, server_id=SERVER)
    assert (page_one["count"], len(page_one["results"]), page_one["previous"]) == (51, 50, None)
    assert page_one["next"].endswith("page=2") and "server_id=12345" in page_one["next"]
    page_two = httpx.get(page_one["next"], headers=vps.headers).json()
    assert [item["id"] for item in page_two["results"]] == [ids[0]]
    assert page_two["next"] is None and "page=" not in page_two["previous"]
    beyond = vps.get("/backups/", params={"page": 3})
    assert (beyond.status_code, beyond.json()) == (404, {"detail": "Invalid page."})
    assert listed(vps, server_id=SERVER, page=1)["results"] == page_one["results"]
    assert listed(vps, server_id=SERVER, page="last")["results"] == page_two["results"]
    for bad in (0, -1, "x"):
        assert vps.get("/backups/", params={"page": bad}).json() == {"detail": "Invalid page."}


def test_pages_shift_as_backups_come_and_go(vps: httpx.Client) -> None:
    """Each request pages the listing as it is then, as DRF does: a page read after a delete
    starts one entry further on, a page the listing shrank away from is gone."""
    ids = [create(vps)["id"] for _ in range(51)]
    page_one = listed(vps, server_id=SERVER)
    assert vps.delete(f"/backups/{ids[-1]}/").status_code == 204  # newest: on page one
    gone = httpx.get(page_one["next"], headers=vps.headers)
    assert (gone.status_code, gone.json()) == (404, {"detail": "Invalid page."})
    create(vps)
    create(vps)
    page_two = httpx.get(page_one["next"], headers=vps.headers).json()
    assert page_two["count"] == 52 and [i["id"] for i in page_two["results"]] == [ids[1], ids[0]]


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        ({}, "Authentication credentials were not provided."),
        ({"Authorization": "Bearer wrong"}, "Invalid token."),
        ({"Authorization": "Token sandbox-vps-token"}, "Invalid token."),
    ],
)
def test_unauthenticated(sandbox: Sandbox, headers: dict[str, str], detail: str) -> None:
    for method, path in (("GET", "/backups/"), ("POST", "/backups/"), ("DELETE", "/backups/501/")):
        response = httpx.request(method, f"{sandbox.url}/api/v1{path}", headers=headers)
        assert (response.status_code, response.json()) == (401, {"detail": detail})
        assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"server_id": ["This field is required."]}),
        ({"server_id": "abc"}, {"server_id": ["A valid integer is required."]}),
        ({"server_id": True}, {"server_id": ["A valid integer is required."]}),
        (
            {"server_id": SERVER, "description": "x" * 256},
            {"description": ["Ensure this field has no more than 255 characters."]},
        ),
        ([1], {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}),
    ],
)
def test_invalid_bodies(vps: httpx.Client, body: Any, errors: dict[str, list[str]]) -> None:
    response = vps.post("/backups/", json=body)
    assert (response.status_code, response.json()) == (400, errors)


def test_malformed_json_and_unknown_server(vps: httpx.Client) -> None:
    broken = vps.post("/backups/", content=b"{", headers={"Content-Type": "application/json"})
    assert broken.status_code == 400 and broken.json()["detail"].startswith("JSON parse error")
    missing = vps.post("/backups/", json={"server_id": 99999})
    assert (missing.status_code, missing.json()) == (404, {"detail": "Not found."})
    assert create(vps, server_id="12345")["server"]["id"] == SERVER


def test_delete(vps: httpx.Client) -> None:
    backup = create(vps)
    deleted = vps.delete(f"/backups/{backup['id']}/")
    assert (deleted.status_code, deleted.content) == (204, b"")
    again = vps.delete(f"/backups/{backup['id']}/")
    assert (again.status_code, again.json()) == (404, {"detail": "Not found."})
    assert listed(vps)["count"] == 0


def test_no_detail_route(vps: httpx.Client) -> None:
    backup = create(vps)
    response = vps.get(f"/backups/{backup['id']}/")
    assert (response.status_code, response.json()) == (405, {"detail": 'Method "GET" not allowed.'})


def test_restore_takes_the_server_away_then_back(sandbox: Sandbox, vps: httpx.Client) -> None:
    backup = create(vps)
    listed(vps)
    sandbox.configure(task_seconds=60)
    response = vps.post(f"/servers/{SERVER}/restore/", json={"backup_id": backup["id"]})
    assert response.status_code == 202
    assert response.json()["status"] == "restoring"
    assert (response.json()["server_id"], response.json()["backup_id"]) == (SERVER, backup["id"])
    server = vps.get(f"/servers/{SERVER}/").json()
    assert server == {"id": SERVER, "name": "web-server-01", "status": "restoring"}
    busy = vps.post(f"/servers/{SERVER}/restore/", json={"backup_id": backup["id"]})
    assert busy.status_code == 400
    sandbox.advance(60)
    assert vps.get(f"/servers/{SERVER}/").json()["status"] == "running"


def test_restore_errors(sandbox: Sandbox, vps: httpx.Client) -> None:
    unknown = vps.post("/servers/99999/restore/", json={"backup_id": 1})
    assert (unknown.status_code, unknown.json()) == (404, {"detail": "Not found."})
    assert vps.get("/servers/99999/").status_code == 404
    bad = vps.post(f"/servers/{SERVER}/restore/", json={"backup_id": "x"})
    assert (bad.status_code, bad.json()) == (400, {"backup_id": ["A valid integer is required."]})
    absent = vps.post(f"/servers/{SERVER}/restore/", json={"backup_id": 424242})
    assert absent.status_code == 400 and list(absent.json()) == ["backup_id"]
    sandbox.configure(task_seconds=60)
    pending = create(vps)
    early = vps.post(f"/servers/{SERVER}/restore/", json={"backup_id": pending["id"]})
    assert early.status_code == 400 and list(early.json()) == ["backup_id"]


def test_scripted_failures(sandbox: Sandbox, vps: httpx.Client) -> None:
    sandbox.script("vps:backup/create", "fail")
    failed = create(vps)
    good = create(vps)
    statuses = {item["id"]: item["status"] for item in listed(vps)["results"]}
    assert statuses == {failed["id"]: "failed", good["id"]: "completed"}
    sandbox.script("vps:server/restore", "fail")
    vps.post(f"/servers/{SERVER}/restore/", json={"backup_id": good["id"]})
    assert vps.get(f"/servers/{SERVER}/").json()["status"] == "error"
    sandbox.script("vps:server/restore", "hang")
    vps.post(f"/servers/{SERVER}/restore/", json={"backup_id": good["id"]})
    sandbox.advance(3600)
    assert vps.get(f"/servers/{SERVER}/").json()["status"] == "restoring"
