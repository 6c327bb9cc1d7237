"""The sandbox framework: store, admin routes, faults and counters, restarts, threads, CLI."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.sandbox_cli import sandbox_cli

import pulumi_backups.sandbox as sandbox_package
from pulumi_backups.sandbox import CREDENTIALS, Sandbox, SandboxSettings
from pulumi_backups.sandbox.store import Store

INSTANCE = "11111111-1111-1111-1111-111111111111"
SCW_BACKUPS = "/rdb/v1/regions/fr-par/backups"
SCW_HEADERS = {"X-Auth-Token": CREDENTIALS["SCW_SECRET_KEY"]}
VPS_HEADERS = {"Authorization": f"Bearer {CREDENTIALS['VPS_API_TOKEN']}"}


def scw_create(url: str, name: str = "b") -> dict[str, Any]:
    body = {"instance_id": INSTANCE, "database_name": "app", "name": name}
    response = httpx.post(url + SCW_BACKUPS, json=body, headers=SCW_HEADERS)
    assert response.status_code == 200, response.text
    created: dict[str, Any] = response.json()
    return created


def vps_create(client: httpx.Client) -> int:
    response = client.post("/api/v1/backups/", json={"server_id": 12345}, headers=VPS_HEADERS)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_public_surface() -> None:
    assert sandbox_package.__all__ == sorted(sandbox_package.__all__)
    assert sandbox_package.__all__ == ["CREDENTIALS", "Sandbox", "SandboxSettings"]


# store ------------------------------------------------------------------------------------
def test_store_documents_counters_and_transactions(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "state.db"))
    store.put("k", "b", {"n": 1})
    store.put("k", "a", {"n": 2})
    store.put("k", "b", {"n": 3})  # a replaced document keeps its position
    assert store.list("k") == [{"n": 3}, {"n": 2}]
    assert store.get("k", "a") == {"n": 2} and store.get("k", "zz") is None
    assert [store.next_id("c"), store.next_id("c"), store.next_id("d")] == [1, 2, 1]
    with pytest.raises(RuntimeError), store.transaction():
        store.put("k", "c", {"n": 4})
        raise RuntimeError("rolled back")
    assert store.get("k", "c") is None
    assert store.delete("k", "a") and not store.delete("k", "a")
    store.close()
    reopened = Store(str(tmp_path / "state.db"))
    assert reopened.list("k") == [{"n": 3}] and reopened.next_id("c") == 3
    reopened.reset()
    assert reopened.items() == [] and reopened.next_id("c") == 1
    reopened.close()


# handle and admin -------------------------------------------------------------------------
def test_env_and_stack_config_point_at_the_sandbox(sandbox: Sandbox) -> None:
    env = sandbox.env()
    assert env["OVH_ENDPOINT"] == f"{sandbox.url}/1.0"
    assert env["SCW_API_URL"] == env["VPS_API_URL"] == sandbox.url
    assert env["SCW_DEFAULT_REGION"] == "fr-par"
    assert CREDENTIALS.items() <= env.items()
    config = sandbox.stack_config()
    assert config["ovh:endpoint"] == env["OVH_ENDPOINT"]
    assert config["scaleway:projectId"] == "00000000-0000-0000-0000-000000000000"
    assert config["vps:apiToken"] == "sandbox-vps-token" and len(config) == 11


def test_reset_restores_everything(sandbox: Sandbox) -> None:
    fresh = sandbox.objects()
    assert fresh["vps:server"]["12345"]["name"] == "web-server-01"
    assert fresh["scaleway:instance"][f"fr-par/{INSTANCE}"]["databases"] == ["app", "app_restore"]
    scw_create(sandbox.url)
    sandbox.configure(task_seconds=9, latency_ms=1)
    sandbox.script("vps:backup/create", "fail", count=2)
    before = sandbox.advance(1000)
    assert before > time.time() + 900
    sandbox.reset()
    assert sandbox.objects() == fresh
    assert sandbox.config()["task_seconds"] == 0 and sandbox.config()["latency_ms"] == 0
    assert sandbox.counters() == {}
    assert httpx.get(f"{sandbox.url}/_sandbox/outcomes").json() == {}
    assert sandbox.advance(0) < time.time() + 100


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/outcomes", {"operation": "scaleway:backup/nope", "outcome": "fail"}),
        ("POST", "/outcomes", {"operation": "vps:backup/create", "outcome": "explode"}),
        ("POST", "/outcomes", {"operation": "vps:backup/create", "outcome": "fail", "count": 0}),
        ("PUT", "/config", {"seed": 3}),
        ("PUT", "/config", {"error_rate": "high"}),
        ("POST", "/advance", {"seconds": -1}),
    ],
)
def test_admin_rejects_malformed_requests(
    sandbox: Sandbox, method: str, path: str, body: dict[str, Any]
) -> None:
    response = httpx.request(method, f"{sandbox.url}/_sandbox{path}", json=body)
    assert response.status_code == 400 and "error" in response.json()


def test_unknown_routes_answer_in_each_api_shape(sandbox: Sandbox) -> None:
    def get(path: str) -> tuple[int, Any]:
        response = httpx.get(sandbox.url + path)
        return response.status_code, response.json()

    assert get("/api/v1/nothing/") == (404, {"detail": "Not found."})
    assert get("/1.0/nothing")[0] == 404 and "message" in get("/1.0/nothing")[1]
    assert get("/rdb/v1/nothing")[0] == 404 and "message" in get("/rdb/v1/nothing")[1]


# faults and counters ----------------------------------------------------------------------
def test_fault_shares_follow_the_seeded_generator() -> None:
    with Sandbox(SandboxSettings(task_seconds=0, seed=7, error_rate=0.3, ratelimit_rate=0.2)) as sb:
        client = httpx.Client(base_url=sb.url, headers=VPS_HEADERS)
        codes = [client.get("/api/v1/backups/").status_code for _ in range(400)]
        assert set(codes) == {200, 429, 503}
        assert 80 <= codes.count(503) <= 160 and 40 <= codes.count(429) <= 120
        sb.reset()  # the generator restarts from the seed
        assert [client.get("/api/v1/backups/").status_code for _ in range(400)] == codes
        client.close()


def test_fault_bodies_in_each_api_shape(sandbox: Sandbox) -> None:
    cases = {"/1.0/hosting/web": "ovh", SCW_BACKUPS: "scw", "/api/v1/backups/": "vps"}
    sandbox.configure(error_rate=1.0)
    unavailable = {api: httpx.get(sandbox.url + path) for path, api in cases.items()}
    assert {r.status_code for r in unavailable.values()} == {503}
    assert unavailable["vps"].json() == {
        "detail": "Service temporarily unavailable, try again later."
    }
    assert set(unavailable["scw"].json()) == {"message", "type"}
    assert "message" in unavailable["ovh"].json() and unavailable["ovh"].headers["x-ovh-queryid"]
    sandbox.configure(error_rate=0, ratelimit_rate=1.0)
    throttled = {api: httpx.get(sandbox.url + path) for path, api in cases.items()}
    assert {r.status_code for r in throttled.values()} == {429}
    assert throttled["ovh"].json() == {"message": "Too many requests"}
    assert throttled["vps"].json() == {"detail": "Request was throttled."}
    assert throttled["scw"].content == b"" and "content-type" not in throttled["scw"].headers
    assert httpx.get(f"{sandbox.url}/_sandbox/config").status_code == 200  # admin: never faulted


VPS_LIST = "GET /api/v1/backups/"


def test_targeted_faults_hit_their_route_in_each_api_shape(sandbox: Sandbox) -> None:
    client = httpx.Client(base_url=sandbox.url, headers=VPS_HEADERS)
    for kind in ("500", "403"):
        sandbox.fault(kind, api="ovh")
        sandbox.fault(kind, VPS_LIST)
        ovh, vps = httpx.get(sandbox.url + "/1.0/hosting/web"), client.get("/api/v1/backups/")
        assert (ovh.status_code, vps.status_code) == (int(kind), int(kind))
        assert {"message"} <= set(ovh.json()) and set(vps.json()) == {"detail"}
    sandbox.fault("403", api="scaleway")
    scw = httpx.get(sandbox.url + SCW_BACKUPS, headers=SCW_HEADERS)
    assert scw.status_code == 403 and scw.json()["type"] == "permissions_denied"
    # one use each, then the route answers again; another route is never touched
    sandbox.fault("503", VPS_LIST, count=2)
    assert client.get("/api/v1/servers/12345/").status_code == 200
    codes = [client.get("/api/v1/backups/").status_code for _ in range(3)]
    assert codes == [503, 503, 200] and sandbox.faults() == []
    client.close()


def test_proxy_404_is_html_whatever_the_api(sandbox: Sandbox) -> None:
    sandbox.fault("html404", api="ovh", count=None)  # until cleared
    for _ in range(2):
        page = httpx.get(sandbox.url + "/1.0/hosting/web")
        assert page.status_code == 404 and page.headers["content-type"] == "text/html"
        assert page.text.startswith("<html>") and "nginx" in page.text
    assert sandbox.faults() == [{"kind": "html404", "route": None, "api": "ovh", "count": None}]
    sandbox.clear_faults()
    assert httpx.get(sandbox.url + "/1.0/hosting/web").status_code != 404


@pytest.mark.parametrize("kind", ["lost-500", "lost-drop"])
def test_lost_answers_carry_the_request_out(sandbox: Sandbox, kind: str) -> None:
    client = httpx.Client(base_url=sandbox.url, headers=VPS_HEADERS)
    before = client.get("/api/v1/backups/").json()["count"]
    sandbox.fault(kind, "POST /api/v1/backups/")
    if kind == "lost-500":
        answer = client.post("/api/v1/backups/", json={"server_id": 12345})
        assert answer.status_code == 500 and set(answer.json()) == {"detail"}
    else:
        with pytest.raises(httpx.RemoteProtocolError):
            client.post("/api/v1/backups/", json={"server_id": 12345})
    assert client.get("/api/v1/backups/").json()["count"] == before + 1  # it was created
    client.close()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"kind": "418"}, "kind must be one of"),
        ({"kind": "500", "api": "aws"}, "api must be"),
        ({"kind": "500", "count": 0}, "count must be"),
        ({"kind": "500", "route": 7}, "route must be"),
        ({"kind": "500", "when": "now"}, "unknown keys: when"),
    ],
)
def test_fault_admin_refuses_malformed_rules(
    sandbox: Sandbox, body: dict[str, Any], message: str
) -> None:
    answer = httpx.post(f"{sandbox.url}/_sandbox/faults", json=body)
    assert answer.status_code == 400 and message in answer.json()["error"]


def test_reset_clears_targeted_faults(sandbox: Sandbox) -> None:
    sandbox.fault("500", api="vps", count=None)
    sandbox.reset()
    assert sandbox.faults() == []


def test_counters_are_keyed_by_route_template(sandbox: Sandbox) -> None:
    first, second = scw_create(sandbox.url), scw_create(sandbox.url)
    for backup in (first, second, first):
        httpx.get(f"{sandbox.url}{SCW_BACKUPS}/{backup['id']}", headers=SCW_HEADERS)
    httpx.get(f"{sandbox.url}/api/v1/servers/12345/", headers=VPS_HEADERS)
    sandbox.objects()
    assert sandbox.counters() == {
        "POST /rdb/v1/regions/{region}/backups": 2,
        "GET /rdb/v1/regions/{region}/backups/{backup_id}": 3,
        "GET /api/v1/servers/{server_id}/": 1,
    }
    sandbox.clear_counters()
    assert sandbox.counters() == {}


def test_latency_is_added(sandbox: Sandbox) -> None:
    sandbox.configure(latency_ms=60)
    started = time.monotonic()
    httpx.get(f"{sandbox.url}/api/v1/backups/", headers=VPS_HEADERS)
    assert time.monotonic() - started >= 0.06


# state, threads, CLI ----------------------------------------------------------------------
def test_restart_on_the_same_state_file_keeps_every_object(tmp_path: Path) -> None:
    settings = SandboxSettings(task_seconds=0, state_path=str(tmp_path / "state.db"))
    with Sandbox(settings) as first:
        scw_create(first.url, "kept")
        with httpx.Client(base_url=first.url) as client:
            kept_id = vps_create(client)
        before = first.objects()
    with Sandbox(settings) as second:
        assert second.objects() == before
        with httpx.Client(base_url=second.url) as client:
            assert vps_create(client) == kept_id + 1  # counters survive too


def test_concurrent_clients_lose_nothing(sandbox: Sandbox) -> None:
    created: list[int] = []
    lock = threading.Lock()

    def work() -> None:
        with httpx.Client(base_url=sandbox.url) as client:
            ids = [vps_create(client) for _ in range(10)]
            scw_create(sandbox.url)
        with lock:
            created.extend(ids)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(created) == len(set(created)) == 80
    objects = sandbox.objects()
    assert {int(key) for key in objects["vps:backup"]} == set(created)
    assert len(objects["scaleway:backup"]) == 8


def test_cli_prints_exports_serves_and_keeps_state(tmp_path: Path) -> None:
    with sandbox_cli("--state", str(tmp_path / "cli.db")) as env:
        handle = Sandbox.attach(env["SCW_API_URL"])
        assert handle.env() == env
        assert list(env) == list(Sandbox.attach("http://x").env())
        backup = scw_create(handle.url)
        before = handle.objects()
        handle.stop()
    with sandbox_cli("--state", str(tmp_path / "cli.db")) as env:
        handle = Sandbox.attach(env["VPS_API_URL"])
        assert handle.objects() == before
        assert backup["id"] in str(handle.objects()["scaleway:backup"])
        handle.stop()


def test_cli_on_a_port_in_use_says_a_sandbox_may_run_there(sandbox: Sandbox) -> None:
    port = sandbox.url.rsplit(":", 1)[1]
    command = [sys.executable, "-m", "pulumi_backups.sandbox", "--port", port]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1 and done.stdout == ""
    assert "Traceback" not in done.stderr
    assert f"port {port} on 127.0.0.1 is already in use: a sandbox may already run there" in (
        done.stderr
    )
    assert "--port 0 for a free one" in done.stderr


def test_cli_help_gives_every_option_its_meaning_and_default() -> None:
    command = [sys.executable, "-m", "pulumi_backups.sandbox", "--help"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
    text = " ".join(done.stdout.split())
    for option, default in [
        ("--host", "127.0.0.1"),
        ("--port", "8765"),
        ("--state", "in memory"),
        ("--task-seconds", "2.0"),
        ("--archive-seconds", "60.0"),
        ("--latency-ms", "0.0"),
        ("--error-rate", "0.0"),
        ("--ratelimit-rate", "0.0"),
        ("--seed", "random"),
    ]:
        described = text.split(f" {option} ", 1)[1].split(" --", 1)[0]
        assert f"(default: {default}" in described, (option, described)


def test_make_sandbox_passes_its_options_through() -> None:
    root = Path(__file__).resolve().parents[2]
    command = ["make", "-n", "-C", str(root), "sandbox", "ARGS=--port 0 --task-seconds 0"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
    assert "-m pulumi_backups.sandbox --state .state/sandbox.db --port 0 --task-seconds 0" in (
        done.stdout
    )
