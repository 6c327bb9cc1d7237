"""The RDB client: every recorded body parsed, every recorded error mapped, retries.

The recorded errors come from other Scaleway APIs (fixtures/scaleway/README.md): they prove
the mapping of Scaleway's common error shapes, not what RDB answers."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest
from support.fakes import FakeClock
from support.scaleway import (
    FIXTURES,
    INSTANCE,
    SECRET,
    client_for,
    error,
    recorded,
    settings,
)

from pulumi_backups.core.errors import (
    ApiError,
    AuthError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    TransportError,
)
from pulumi_backups.core.waiting import Clock
from pulumi_backups.scaleway.client import RdbClient
from pulumi_backups.scaleway.models import (
    Backup,
    BackupList,
    CreateBackupRequest,
    RestoreBackupRequest,
    UpdateBackupRequest,
)

INDEX = json.loads((FIXTURES / "INDEX.json").read_text())
CREATE = {**recorded("create_request.json"), "instance_id": INSTANCE, "database_name": "app"}
BACKUP_ID = "966dbbcc-8ffc-4ff3-9f9a-f0d332a48780"


def _answers(*responses: httpx.Response) -> tuple[list[httpx.Request], Any]:
    """A handler giving ``responses`` in order, and the list of requests it saw."""
    seen: list[httpx.Request] = []
    queue = list(responses)

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return queue.pop(0)

    return seen, handle


def _ok(name: str) -> httpx.Response:
    return httpx.Response(200, content=(FIXTURES / name).read_bytes())


def _about(file: str, **fields: Any) -> httpx.Response:
    """A recorded body, about the backup a call asks for (``fields`` replaced)."""
    return httpx.Response(200, json={**recorded(file), **fields})


# -- recorded bodies ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "entry",
    [e for e in INDEX if e["part"] == "response" and e["status"] == 200],
    ids=lambda e: e["file"],
)
def test_every_recorded_success_body_parses(entry: dict[str, Any]) -> None:
    data = recorded(entry["file"])
    backups = BackupList.model_validate(data).database_backups if "total_count" in data else []
    for backup in backups or [Backup.from_api(data)]:
        assert backup.region in ("fr-par", "nl-ams")
        assert backup.created_at is not None and backup.created_at.tzinfo is not None
        assert backup.outputs(export=True)["backup_id"] == backup.id


def test_timelines_parse_every_interaction() -> None:
    for entry in [e for e in INDEX if e["file"].startswith("timeline_")]:
        for step in recorded(entry["file"])["interactions"]:
            body = step["response_body"]
            if step["status"] == 200:
                backup = Backup.from_api(body)
                assert step["method"] == "POST" or backup.id in step["url"]
                assert backup.status in ("creating", "ready", "exporting", "restoring", "deleting")
            else:
                assert step["status"] == 404 and body["type"] == "not_found"


def test_nulls_microseconds_and_escaped_urls() -> None:
    creating = Backup.from_api(recorded("create_response_creating.json"))
    assert creating.size is None and creating.updated_at is None and creating.transient
    assert creating.created_at == datetime(2026, 2, 27, 14, 57, 32, 568200, tzinfo=timezone.utc)
    assert creating.outputs(export=True)["created_at"] == "2026-02-27T14:57:32.568200Z"
    exported = Backup.from_api(recorded("get_response_ready_with_download_url.json"))
    assert exported.download_url is not None
    assert "\\u0026" in (FIXTURES / "get_response_ready_with_download_url.json").read_text()
    assert "&X-Amz-Credential=REDACTED&X-Amz-Date=20251210T050656Z&" in exported.download_url
    assert exported.outputs(export=True)["download_url_expires_at"] == "2025-12-11T05:06:56.611123Z"
    cli = Backup.from_api(recorded("cli_create_response_with_expires_at.json"))
    assert (
        cli.outputs(export=True)["expires_at"] == "2032-01-02T22:04:05Z" and cli.region == "nl-ams"
    )
    two = BackupList.model_validate(recorded("cli_list_response_two.json"))
    assert [b.download_url is None for b in two.database_backups] == [False, True]


def test_request_bodies_match_the_recorded_ones() -> None:
    create = CreateBackupRequest(instance_id=INSTANCE, database_name="foo", name="test_backup")
    recorded_create = recorded("create_request.json")
    assert create.model_copy(update={"instance_id": recorded_create["instance_id"]}).to_api() == (
        recorded_create
    )
    restore = RestoreBackupRequest(**recorded("restore_request.json"))
    assert restore.to_api() == recorded("restore_request.json")
    assert RestoreBackupRequest(instance_id=INSTANCE).to_api() == {"instance_id": INSTANCE}
    expiry = datetime(
        2032, 1, 2, 23, 4, 5, tzinfo=datetime.fromisoformat("2000-01-01T00:00+01:00").tzinfo
    )
    assert UpdateBackupRequest(expires_at=expiry).to_api() == {"expires_at": "2032-01-02T22:04:05Z"}


def test_calls_send_token_paths_and_bodies() -> None:
    seen, handle = _answers(
        _ok("create_response_creating.json"),
        _about("export_response_exporting.json", id=BACKUP_ID),
        _about("restore_response_restoring.json", id=BACKUP_ID, region="nl-ams"),
        _about("get_response_ready.json", name="renamed"),
    )
    client = client_for(handle)
    request = CreateBackupRequest(**recorded("create_request.json"))
    assert client.create_backup("fr-par", request).status == "creating"
    client.export_backup("fr-par", BACKUP_ID)
    client.restore_backup("nl-ams", BACKUP_ID, RestoreBackupRequest(instance_id=INSTANCE))
    client.update_backup("fr-par", BACKUP_ID, UpdateBackupRequest(name="renamed"))
    assert [f"{r.method} {r.url.path}" for r in seen] == [
        "POST /rdb/v1/regions/fr-par/backups",
        f"POST /rdb/v1/regions/fr-par/backups/{BACKUP_ID}/export",
        f"POST /rdb/v1/regions/nl-ams/backups/{BACKUP_ID}/restore",
        f"PATCH /rdb/v1/regions/fr-par/backups/{BACKUP_ID}",
    ]
    assert all(r.headers["X-Auth-Token"] == SECRET for r in seen)
    assert json.loads(seen[0].content) == recorded("create_request.json")
    assert json.loads(seen[1].content) == recorded("export_request.json")
    assert json.loads(seen[3].content) == {"name": "renamed"}


def test_list_walks_every_page_with_filters() -> None:
    page = recorded("cli_list_response_two.json")
    first = {"database_backups": page["database_backups"][:1], "total_count": 2}
    second = {"database_backups": page["database_backups"][1:], "total_count": 2}
    seen, handle = _answers(httpx.Response(200, json=first), httpx.Response(200, json=second))
    instance = page["database_backups"][0]["instance_id"]
    found = client_for(handle).list_backups("fr-par", instance_id=instance, name="will")
    assert [b.name for b in found] == ["will_be_exported", "will_not_be_exported"]
    assert [r.url.params["page"] for r in seen] == ["1", "2"]
    assert seen[0].url.params["instance_id"] == instance and seen[0].url.params["name"] == "will"


EXPORTED = "f2d83106-4278-4133-8b76-8b8665c6cc16"  # get_response_ready_with_download_url.json


def _clock_at(*moments: datetime) -> Clock:
    """A client clock reading ``moments`` in turn."""
    queue = list(moments)
    return Clock(utc=lambda: queue.pop(0))


def test_date_header_is_the_clock_for_link_expiry() -> None:
    """A Date within the bound of the client's clock judges the link (the client's clock here
    is 4 minutes slow: the link still expires by the server's)."""
    body = recorded("get_response_ready_with_download_url.json")  # link valid to 2025-12-11
    before = httpx.Response(200, json=body, headers={"Date": "Wed, 10 Dec 2025 05:07:26 GMT"})
    after = httpx.Response(200, json=body, headers={"Date": "Thu, 11 Dec 2025 05:06:30 GMT"})
    naive = httpx.Response(200, json=body, headers={"Date": "Wed, 10 Dec 2025 05:07:26 -0000"})
    garbled = httpx.Response(200, json=body, headers={"Date": "yesterday"})
    _, handle = _answers(before, after, naive, garbled, httpx.Response(200, json=body))
    ours = [datetime(2025, 12, 10, 5, 3, tzinfo=timezone.utc)] * 5
    ours[1] = datetime(2025, 12, 11, 5, 2, 30, tzinfo=timezone.utc)  # 26 s left by the server
    ours[3] = ours[4] = datetime(2025, 12, 12, tzinfo=timezone.utc)
    client = RdbClient(settings(), transport=httpx.MockTransport(handle), clock=_clock_at(*ours))
    assert client.get_backup("fr-par", EXPORTED).link_valid()
    assert not client.get_backup("fr-par", EXPORTED).link_valid(margin_seconds=60)
    assert client.get_backup("fr-par", EXPORTED).link_valid()  # "-0000" read as UTC
    assert not client.get_backup("fr-par", EXPORTED).link_valid()  # unreadable: the client's clock
    assert not client.get_backup("fr-par", EXPORTED).link_valid()  # no Date: the client's clock


def test_without_a_date_header_the_clients_clock_judges_the_link() -> None:
    body = recorded("get_response_ready_with_download_url.json")  # link valid to 2025-12-11
    _, handle = _answers(httpx.Response(200, json=body), httpx.Response(200, json=body))
    for today, valid in ((datetime(2025, 12, 10, tzinfo=timezone.utc), True),
                         (datetime(2025, 12, 12, tzinfo=timezone.utc), False)):  # fmt: skip
        clock = Clock(utc=lambda today=today: today)
        client = RdbClient(settings(), transport=httpx.MockTransport(handle), clock=clock)
        assert client.get_backup("fr-par", EXPORTED).link_valid() is valid


# -- recorded errors (other Scaleway APIs: the common shapes, not RDB evidence) ----------------

ERRORS = [
    ("error_invalid_arguments_400.json", 400, BadRequestError, "invalid_arguments",
     ["invalid argument(s)", "ciphertext: constraint, cipher: message authentication failed"]),
    ("error_denied_authentication_401.json", 401, AuthError, "denied_authentication",
     ["authentication is denied", "api_key not_found"]),
    ("error_permissions_denied_403.json", 403, AuthError, "permissions_denied",
     ["insufficient permissions", "read on server denied"]),
    ("get_404_not_found.json", 404, NotFoundError, "not_found",
     ["resource is not found", f"database_backup {BACKUP_ID}"]),
    ("error_transient_state_409.json", 409, ConflictError, "transient_state",
     ["gateway ec175d39-169d-42e1-9d4a-3c40c9d3eade is configuring"]),
    ("error_precondition_failed_412.json", 412, ApiError, "precondition_failed",
     ["precondition is not respected", "protected_resource", "cannot delete a protected secret"]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "status", "cls", "code", "texts"), ERRORS)
def test_every_recorded_error_maps_to_its_error(
    name: str, status: int, cls: type[ApiError], code: str, texts: list[str]
) -> None:
    seen, handle = _answers(error(status, name, request_id="rid-7"))
    with pytest.raises(ApiError) as info:
        client_for(handle).get_backup("fr-par", BACKUP_ID)
    err = info.value
    assert type(err) is cls and err.status == status and err.code == code
    assert err.request_id == "rid-7" and len(seen) == 1
    assert err.call == f"GET /rdb/v1/regions/fr-par/backups/{BACKUP_ID}"
    for text in texts:
        assert text in str(err)
    assert "rid-7" in str(err) and err.call in str(err)


def test_recorded_429_with_empty_body_is_retried_then_reported() -> None:
    recorded_429 = recorded("error_429_ratelimited_response.json")
    headers = {k: v[0] for k, v in recorded_429["headers"].items()}
    answer = httpx.Response(429, content=recorded_429["body"].encode(), headers=headers)
    clock = FakeClock()
    seen, handle = _answers(*[answer] * 4)
    with pytest.raises(RateLimitedError) as info:
        client_for(handle, clock, attempts=4).get_backup("fr-par", BACKUP_ID)
    assert len(seen) == 4 and len(clock.sleeps) == 3
    assert info.value.request_id == "d86202b0-3e65-4e41-a921-d1b971e9e72f"
    assert "rate limited" in str(info.value)
    # jittered: each delay within [ceiling/2, ceiling] of 0.25 s doubling
    for n, delay in enumerate(clock.sleeps, start=1):
        ceiling = min(4.0, 0.25 * 2 ** (n - 1))
        assert ceiling / 2 <= delay <= ceiling


def test_429_then_success_and_503_on_create_are_retried() -> None:
    clock = FakeClock()
    seen, handle = _answers(
        error(429),
        error(503),
        _ok("create_response_creating.json"),
        error(502),
        _ok("get_response_ready.json"),
    )
    client = client_for(handle, clock)
    request = CreateBackupRequest(**recorded("create_request.json"))
    assert client.create_backup("fr-par", request).status == "creating"
    assert client.get_backup("fr-par", BACKUP_ID).status == "ready"
    assert len(seen) == 5 and len(clock.sleeps) == 3


def test_500_on_create_is_not_retried_but_is_on_get() -> None:
    html = httpx.Response(500, text="<html>oops</html>", headers={"X-Request-Id": "r5"})
    seen, handle = _answers(html, html, _ok("get_response_ready.json"))
    client = client_for(handle)
    with pytest.raises(ServerError) as info:
        client.create_backup("fr-par", CreateBackupRequest(**recorded("create_request.json")))
    assert len(seen) == 1 and "oops" in str(info.value) and info.value.request_id == "r5"
    assert client.get_backup("fr-par", BACKUP_ID).status == "ready" and len(seen) == 3


@pytest.mark.parametrize(
    "answer",
    [httpx.Response(404, text="Not Found"), httpx.Response(404, json={"message": "Not Found"})],
)
def test_404_that_is_not_about_an_object_is_not_gone(answer: httpx.Response) -> None:
    _, handle = _answers(answer)
    with pytest.raises(ApiError) as info:
        client_for(handle).get_backup("fr-par", BACKUP_ID)
    assert not isinstance(info.value, NotFoundError) and "scaleway:apiUrl" in str(info.value)


def test_transport_errors_retry_only_when_nothing_was_sent() -> None:
    calls: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if len(calls) == 1:
            raise httpx.ConnectError("refused", request=request)
        if len(calls) == 3:
            raise httpx.ReadTimeout("slow", request=request)
        return _ok("create_response_creating.json")

    client = client_for(handle)
    request = CreateBackupRequest(**recorded("create_request.json"))
    assert client.create_backup("fr-par", request).status == "creating"
    with pytest.raises(TransportError) as info:
        client.create_backup("fr-par", request)
    assert calls == ["POST"] * 3 and info.value.sent and "slow" in str(info.value)


def test_malformed_backup_is_an_api_error() -> None:
    _, handle = _answers(httpx.Response(200, json={"id": "x"}))
    with pytest.raises(ApiError, match="malformed answer"):
        client_for(handle).get_backup("fr-par", BACKUP_ID)


# Shapes of scaleway-core's errors that the recordings lack (its ResourceLockedError,
# QuotasExceededError and the untyped ValidationError).
LOCKED = {"message": "resource is locked", "type": "locked", "resource": "database_backup",
          "resource_id": BACKUP_ID}  # fmt: skip
QUOTAS = {"message": "quota(s) exceeded for this resource", "type": "quotas_exceeded",
          "details": [{"resource": "database_backups", "quota": 50, "current": 50}]}  # fmt: skip


@pytest.mark.parametrize(
    ("body", "cls", "texts"),
    [
        (LOCKED, ConflictError, ["resource is locked", f"database_backup {BACKUP_ID}"]),
        (QUOTAS, ApiError, ["quota(s) exceeded", "quota=50"]),
    ],
)
def test_a_locked_resource_or_an_exceeded_quota_is_no_credentials_problem(
    body: dict[str, Any], cls: type[ApiError], texts: list[str]
) -> None:
    seen, handle = _answers(httpx.Response(403, json=body))
    with pytest.raises(ApiError) as info:
        client_for(handle).export_backup("fr-par", BACKUP_ID)
    assert type(info.value) is cls and info.value.code == body["type"] and len(seen) == 1
    assert "secretKey" not in str(info.value) and "credential" not in str(info.value)
    for text in texts:
        assert text in str(info.value)


def test_a_denied_credential_still_says_where_credentials_come_from() -> None:
    _, handle = _answers(httpx.Response(403, json={"message": "forbidden"}))
    with pytest.raises(AuthError) as info:
        client_for(handle).get_backup("fr-par", BACKUP_ID)
    assert "scaleway:secretKey" in str(info.value)


def test_the_older_validation_shape_keeps_its_field_details() -> None:
    body = {"message": "Validation Error", "fields": {"name": ["must be at most 255 characters"],
            "expires_at": "must be in the future"}}  # fmt: skip
    _, handle = _answers(httpx.Response(400, json=body))
    with pytest.raises(BadRequestError) as info:
        client_for(handle).get_backup("fr-par", BACKUP_ID)
    message = str(info.value)
    assert "Validation Error" in message
    assert "name: must be at most 255 characters" in message
    assert "expires_at: must be in the future" in message
