"""The Scaleway RDB emulator against real recorded traffic (fixtures/scaleway/).

The backup bodies are RDB traffic; the error bodies (`error_*.json`) were recorded on other
Scaleway APIs (fixtures/scaleway/README.md says which): they check Scaleway's common error
shapes only, not which status RDB answers in which case.

Shapes are compared key by key: same keys, same JSON types (null vs string vs number),
same timestamp formats; status sequences are replayed from the recorded timelines.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from pulumi_backups.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[2]
CANDIDATES = [
    ROOT / "tests" / "fixtures" / "scaleway",
    ROOT.parent / "shared" / "fixtures" / "scaleway",
]
FIXTURES = next((path for path in CANDIDATES if path.is_dir()), CANDIDATES[-1])
INSTANCE = "11111111-1111-1111-1111-111111111111"
OTHER = "99999999-9999-9999-9999-999999999999"
TRANSIENT = {"creating", "exporting", "restoring", "deleting"}
MICROS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
SECONDS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def recorded(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def shape(value: Any) -> Any:
    """Keys and JSON types, timestamps told apart by format."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value]
    if isinstance(value, str):
        return "ts-micro" if MICROS.match(value) else "ts-sec" if SECONDS.match(value) else "str"
    return type(value).__name__


@pytest.fixture
def scw(sandbox: Sandbox) -> Iterator[httpx.Client]:
    headers = {"X-Auth-Token": sandbox.env()["SCW_SECRET_KEY"]}
    base = f"{sandbox.url}/rdb/v1/regions/fr-par"
    with httpx.Client(base_url=base, headers=headers) as client:
        yield client


def create(scw: httpx.Client, name: str = "test_backup", **extra: Any) -> dict[str, Any]:
    body = {"instance_id": INSTANCE, "database_name": "app", "name": name, **extra}
    response = scw.post("/backups", json=body)
    assert response.status_code == 200, response.text
    created: dict[str, Any] = response.json()
    return created


def test_fixtures_are_present() -> None:
    assert (FIXTURES / "INDEX.json").is_file(), f"recorded Scaleway bodies missing: {FIXTURES}"


def test_lifecycle_bodies_match_the_recorded_ones(sandbox: Sandbox, scw: httpx.Client) -> None:
    first = create(scw)
    assert shape(first) == shape(recorded("create_response_creating.json"))
    assert list(first) == list(recorded("cli_create_response_with_expires_at.json"))
    backup = f"/backups/{first['id']}"
    ready = scw.get(backup).json()
    assert shape(ready) == shape(recorded("get_response_ready.json"))
    assert ready["created_at"] == first["created_at"] and ready["status"] == "ready"
    listed = scw.get("/backups", params={"instance_id": INSTANCE, "name": "test_backup"})
    assert shape(listed.json()) == shape(recorded("list_response_one.json"))
    exporting = scw.post(f"{backup}/export", json=recorded("export_request.json")).json()
    assert shape(exporting) == shape(recorded("export_response_exporting.json"))
    exported = scw.get(backup).json()
    assert shape(exported) == shape(recorded("get_response_ready_with_download_url.json"))
    assert exported["updated_at"] == ready["updated_at"]  # an export leaves updated_at alone
    request = {"database_name": "app_restore", "instance_id": INSTANCE}
    restoring = scw.post(f"{backup}/restore", json=request)
    assert restoring.json()["status"] == "restoring"
    assert restoring.json()["instance_id"] == INSTANCE


def test_restore_and_delete_bodies_match_the_recorded_ones(scw: httpx.Client) -> None:
    backup = f"/backups/{create(scw)['id']}"
    scw.get(backup)
    request = {**recorded("restore_request.json"), "instance_id": INSTANCE}
    request["database_name"] = "app_restore"
    restoring = scw.post(f"{backup}/restore", json=request).json()
    assert shape(restoring) == shape(recorded("restore_response_restoring.json"))
    restored = scw.get(backup).json()
    assert shape(restored) == shape(recorded("get_response_ready_after_restore.json"))
    assert restored["updated_at"] > restoring["updated_at"]
    deleting = scw.delete(backup)
    assert deleting.status_code == 200
    assert shape(deleting.json()) == shape(recorded("delete_response_deleting.json"))
    gone = scw.get(backup)
    expected = {**recorded("get_404_not_found.json"), "resource_id": restored["id"]}
    assert (gone.status_code, gone.json()) == (404, expected)


def test_expiry_is_echoed_like_the_cli_recording(scw: httpx.Client) -> None:
    cli = recorded("cli_create_response_with_expires_at.json")
    created = create(scw, "foobar", expires_at=cli["expires_at"])
    assert shape(created) == shape(cli)
    assert created["expires_at"] == "2032-01-02T22:04:05Z"
    offset = create(scw, "offset", expires_at="2032-01-03T00:04:05.25+02:00")
    assert offset["expires_at"] == "2032-01-02T22:04:05.250000Z"


def test_list_of_two_matches_the_cli_recording(scw: httpx.Client) -> None:
    exported = create(scw, "will_be_exported", expires_at="2032-01-02T22:04:05Z")
    create(scw, "will_not_be_exported", expires_at="2032-01-02T22:04:05Z")
    scw.get("/backups")
    scw.post(f"/backups/{exported['id']}/export", json={})
    listed = scw.get("/backups", params={"instance_id": INSTANCE, "order_by": "created_at_asc"})
    assert shape(listed.json()) == shape(recorded("cli_list_response_two.json"))
    assert '", "instance_id":"' in listed.text  # the API's own separators


def _call(scw: httpx.Client, step: dict[str, Any], backup_id: str | None) -> httpx.Response:
    path = "/backups" + (f"/{backup_id}" if backup_id else "")
    if step["url"].endswith("/export"):
        return scw.post(f"{path}/export", json=step["request_body"])
    if step["url"].endswith("/restore"):
        body = {**step["request_body"], "instance_id": INSTANCE, "database_name": "app_restore"}
        return scw.post(f"{path}/restore", json=body)
    if step["method"] == "POST":
        return scw.post(
            path, json={**step["request_body"], "instance_id": INSTANCE, "database_name": "app"}
        )
    return scw.request(step["method"], path)


@pytest.mark.parametrize(
    "timeline",
    [
        "timeline_tf_database-backup-basic.json",
        "timeline_tf_export.json",
        "timeline_tf_restore.json",
    ],
)
def test_recorded_timelines_replay(sandbox: Sandbox, scw: httpx.Client, timeline: str) -> None:
    """Each call answers what the real API answered; time only moves when it did."""
    sandbox.configure(task_seconds=30)
    backup_id, last = None, None
    for step in recorded(timeline)["interactions"]:
        body = step["response_body"]
        expected = body.get("status") if step["status"] == 200 else step["status"]
        if last in TRANSIENT and expected != last:
            sandbox.advance(30)
        response = _call(scw, step, backup_id)
        assert response.status_code == step["status"], (step["interaction_index"], response.text)
        answer = response.json()
        assert shape(answer) == shape(
            {**body, "resource_id": "x"} if "resource_id" in body else body
        )
        last = answer.get("status") if response.status_code == 200 else response.status_code
        assert last == expected, step["interaction_index"]
        backup_id = backup_id or answer["id"]


def test_timestamps_carry_microseconds(scw: httpx.Client) -> None:
    backup = create(scw)
    ready = scw.get(f"/backups/{backup['id']}").json()
    assert MICROS.match(ready["created_at"]) and MICROS.match(ready["updated_at"])
    scw.post(f"/backups/{backup['id']}/export", json={})
    exported = scw.get(f"/backups/{backup['id']}").json()
    assert MICROS.match(exported["download_url_expires_at"])
    assert exported["download_url"].startswith("https://s3.nl-ams.scw.cloud/")


# errors: Scaleway's common shapes (recorded on other APIs, not RDB evidence) ---------------
def test_authentication_is_denied_in_the_common_shape(sandbox: Sandbox) -> None:
    url = f"{sandbox.url}/rdb/v1/regions/fr-par/backups"
    for headers in ({}, {"X-Auth-Token": "11111111-0000-0000-0000-000000000000"}):
        response = httpx.get(url, headers=headers)
        assert response.status_code == 401
        assert response.json() == recorded("error_denied_authentication_401.json")


def test_busy_backup_answers_transient_state(sandbox: Sandbox, scw: httpx.Client) -> None:
    sandbox.configure(task_seconds=60)
    backup = create(scw)
    for method, suffix in (("DELETE", ""), ("POST", "/export"), ("PATCH", "")):
        response = scw.request(method, f"/backups/{backup['id']}{suffix}", json={})
        assert response.status_code == 409
        assert shape(response.json()) == shape(recorded("error_transient_state_409.json"))
        expected = {
            "current_state": "creating",
            "resource": "database_backup",
            "resource_id": backup["id"],
        }
        assert expected.items() <= response.json().items()


def test_an_expiry_cannot_be_removed(scw: httpx.Client) -> None:
    backup = create(scw, expires_at="2032-01-02T22:04:05Z")
    scw.get(f"/backups/{backup['id']}")
    response = scw.patch(f"/backups/{backup['id']}", json={"expires_at": None})
    assert response.status_code == 400
    assert shape(response.json()) == shape(recorded("error_invalid_arguments_400.json"))
    assert response.json()["details"][0]["argument_name"] == "expires_at"
    renamed = scw.patch(
        f"/backups/{backup['id']}", json={"name": "renamed", "expires_at": "2033-01-01T00:00:00Z"}
    )
    assert renamed.json()["name"] == "renamed"
    assert renamed.json()["expires_at"] == "2033-01-01T00:00:00Z"


def test_another_project_is_denied(scw: httpx.Client) -> None:
    response = scw.get("/backups", params={"project_id": OTHER})
    assert response.status_code == 403
    assert shape(response.json()) == shape(recorded("error_permissions_denied_403.json"))
    assert (
        scw.get(
            "/backups", params={"project_id": "00000000-0000-0000-0000-000000000000"}
        ).status_code
        == 200
    )


def test_a_failed_backup_cannot_be_exported(sandbox: Sandbox, scw: httpx.Client) -> None:
    sandbox.script("scaleway:backup/create", "fail")
    backup = create(scw)
    assert scw.get(f"/backups/{backup['id']}").json()["status"] == "error"
    response = scw.post(f"/backups/{backup['id']}/export", json={})
    assert response.status_code == 412
    assert shape(response.json()) == shape(recorded("error_precondition_failed_412.json"))
    # the preconditions Scaleway's SDKs know (scaleway-core's PreconditionFailedError)
    known = {"unknown_precondition", "resource_still_in_use", "attribute_must_be_set"}
    assert response.json()["precondition"] in known
    assert scw.delete(f"/backups/{backup['id']}").json()["status"] == "deleting"


def test_rate_limit_has_an_empty_body(sandbox: Sandbox, scw: httpx.Client) -> None:
    sandbox.configure(ratelimit_rate=1.0)
    response = scw.get("/backups")
    real = recorded("error_429_ratelimited_response.json")
    assert response.status_code == real["code"] == 429
    assert response.content == real["body"].encode() == b""
    assert "content-type" not in response.headers and "Content-Type" not in real["headers"]
    assert response.headers["x-envoy-ratelimited"] == "true" and response.headers["x-request-id"]


@pytest.mark.parametrize(
    ("region", "body", "resource"),
    [
        ("fr-par", {"instance_id": OTHER, "database_name": "app", "name": "b"}, "instance"),
        ("nl-ams", {"instance_id": INSTANCE, "database_name": "app", "name": "b"}, "instance"),
        ("fr-par", {"instance_id": INSTANCE, "database_name": "nope", "name": "b"}, "database"),
    ],
)
def test_unknown_targets_are_not_found(
    sandbox: Sandbox, scw: httpx.Client, region: str, body: dict[str, str], resource: str
) -> None:
    response = scw.post(f"{sandbox.url}/rdb/v1/regions/{region}/backups", json=body)
    assert response.status_code == 404
    assert shape(response.json()) == shape(recorded("get_404_not_found.json"))
    assert response.json()["resource"] == resource


def test_restore_into_an_unknown_instance_is_not_found(scw: httpx.Client) -> None:
    backup = create(scw)
    response = scw.post(f"/backups/{backup['id']}/restore", json={"instance_id": OTHER})
    assert (response.status_code, response.json()["resource"]) == (404, "instance")


@pytest.mark.parametrize(
    ("body", "argument"),
    [
        ({"database_name": "app", "name": "b"}, "instance_id"),
        ({"instance_id": "not-a-uuid", "database_name": "app", "name": "b"}, "instance_id"),
        ({"instance_id": INSTANCE, "name": "b"}, "database_name"),
        ({"instance_id": INSTANCE, "database_name": "app"}, "name"),
        (
            {"instance_id": INSTANCE, "database_name": "app", "name": "b", "expires_at": "soon"},
            "expires_at",
        ),
    ],
)
def test_invalid_arguments(scw: httpx.Client, body: dict[str, str], argument: str) -> None:
    response = scw.post("/backups", json=body)
    assert response.status_code == 400
    assert shape(response.json()) == shape(recorded("error_invalid_arguments_400.json"))
    assert response.json()["details"][0]["argument_name"] == argument


# listing, outcomes, expiry -----------------------------------------------------------------
def test_list_filters_orders_and_pages(scw: httpx.Client) -> None:
    for name in ("b-alpha", "b-charlie", "b-bravo"):
        create(scw, name)

    def names(**params: Any) -> tuple[list[str], int]:
        body = scw.get("/backups", params=params).json()
        return [item["name"] for item in body["database_backups"]], body["total_count"]

    assert names() == (["b-alpha", "b-charlie", "b-bravo"], 3)
    assert names(order_by="name_asc") == (["b-alpha", "b-bravo", "b-charlie"], 3)
    assert names(order_by="created_at_desc") == (["b-bravo", "b-charlie", "b-alpha"], 3)
    assert names(order_by="name_desc", page_size=2, page=2) == (["b-alpha"], 3)
    assert names(name="char") == (["b-charlie"], 1)
    assert names(instance_id=OTHER) == ([], 0)
    for bad in ({"order_by": "size_asc"}, {"page_size": "101"}, {"page": "0"}):
        assert scw.get("/backups", params=bad).status_code == 400


def test_scripted_outcomes(sandbox: Sandbox, scw: httpx.Client) -> None:
    sandbox.script("scaleway:backup/create", "hang")
    hung = create(scw, "hung")
    sandbox.advance(3600)
    assert scw.get(f"/backups/{hung['id']}").json()["status"] == "creating"
    backup = create(scw, "ok")
    sandbox.script("scaleway:backup/restore", "fail")
    scw.post(f"/backups/{backup['id']}/restore", json={"instance_id": INSTANCE})
    assert scw.get(f"/backups/{backup['id']}").json()["status"] == "error"
    other = create(scw, "other")
    sandbox.script("scaleway:backup/delete", "hang")
    scw.delete(f"/backups/{other['id']}")
    sandbox.advance(3600)
    assert scw.get(f"/backups/{other['id']}").json()["status"] == "deleting"


def test_an_expired_backup_disappears(sandbox: Sandbox, scw: httpx.Client) -> None:
    soon = sandbox.advance(0) + 3600
    expiry = datetime.fromtimestamp(soon, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    backup = create(scw, expires_at=expiry)
    assert scw.get(f"/backups/{backup['id']}").status_code == 200
    sandbox.advance(7200)
    assert scw.get(f"/backups/{backup['id']}").status_code == 404


def test_deleting_waits_for_time(sandbox: Sandbox, scw: httpx.Client) -> None:
    sandbox.configure(task_seconds=10)
    backup = create(scw)
    sandbox.advance(10)
    assert scw.delete(f"/backups/{backup['id']}").json()["status"] == "deleting"
    assert scw.get(f"/backups/{backup['id']}").json()["status"] == "deleting"
    assert "scaleway:backup" in sandbox.objects()
    sandbox.advance(10)
    assert "scaleway:backup" not in sandbox.objects()
    assert scw.get(f"/backups/{backup['id']}").status_code == 404
