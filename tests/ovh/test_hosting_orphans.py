"""Orphan recovery: get_orphan_dumps, download_dump and `python -m pulumi_backups orphan-dumps`."""

from __future__ import annotations

import gzip
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.ovh import fast_ovh_client

from pulumi_backups.__main__ import ProgressLine, main
from pulumi_backups.core.errors import BackupsError, NotFoundError
from pulumi_backups.core.waiting import WaitPolicy
from pulumi_backups.ovh.client import OvhClient, clients
from pulumi_backups.ovh.hosting_client import HostingApi
from pulumi_backups.ovh.models import Dump, ServiceDump
from pulumi_backups.ovh.orphans import download_dump, get_orphan_dumps
from pulumi_backups.ovh.waiters import wait_hosting
from pulumi_backups.sandbox import Sandbox

SN = "sandbox.cluster000.hosting.ovh.net"
DB = "sandboxgone.mysql.db"
FAST = WaitPolicy(timeout=5)


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[OvhClient]:
    """The sandbox's client, the one ``get_orphan_dumps`` gets during the test."""
    with clients.substitute(fast_ovh_client(sandbox, attempts=6)) as served:
        yield served


@pytest.fixture
def orphans(client: OvhClient, sandbox: Sandbox) -> list[int]:
    """Three dumps of ``DB``, then ``DB`` deleted; their ids, oldest first."""
    api = HostingApi(client, SN)
    body = {"capabilitie": "sqlPerso", "type": "mysql", "user": "sandboxgone"}
    wait_hosting(api, api.create_database(body), FAST)
    for _ in range(3):
        wait_hosting(api, api.create_dump(DB, "now", False), FAST)
    ids = api.dump_ids(DB)
    wait_hosting(api, api.delete_database(DB), FAST)
    return ids


# The published models (hosting_web.json): a database's route answers
# hosting.web.database.dump, the service-level route hosting.web.dump, which alone adds these.
DATABASE_DUMP = {"creationDate", "deletionDate", "id", "status", "taskId", "type", "url"}
SERVICE_ONLY = {"databaseName", "orphan"}


def test_the_two_dump_models_are_the_two_routes_answers(client: OvhClient) -> None:
    api = HostingApi(client, SN)
    body = {"capabilitie": "sqlPerso", "type": "mysql", "user": "sandboxgone"}
    wait_hosting(api, api.create_database(body), FAST)
    wait_hosting(api, api.create_dump(DB, "now", False), FAST)
    [dump_id] = api.dump_ids(DB)
    assert set(client.get(f"/hosting/web/{SN}/database/{DB}/dump/{dump_id}")) == DATABASE_DUMP
    assert set(client.get(f"/hosting/web/{SN}/dump/{dump_id}")) == DATABASE_DUMP | SERVICE_ONLY
    assert set(Dump.model_fields) == {"creation_date", "deletion_date", "id", "status",
                                      "task_id", "type", "url"}  # fmt: skip
    assert set(ServiceDump.model_fields) - set(Dump.model_fields) == {"database_name", "orphan"}

    live = api.dump(DB, dump_id)
    assert type(live) is Dump and not hasattr(live, "orphan")
    wait_hosting(api, api.delete_database(DB), FAST)
    kept = api.service_dump(dump_id, DB)
    assert (kept.id, kept.database_name, kept.orphan) == (dump_id, DB, True)
    assert kept.model_dump(exclude={"database_name", "orphan"}) == {
        **live.model_dump(),
        "deletion_date": kept.deletion_date,
    }


@pytest.fixture
def ovh_env(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The sandbox's credentials in the environment, where the command finds them."""
    env = {k: v for k, v in sandbox.env().items() if k.startswith("OVH_")}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def test_orphans_are_listed_newest_first(client: OvhClient, orphans: list[int]) -> None:
    dumps = get_orphan_dumps(SN, DB)
    assert [d.id for d in dumps] == sorted(orphans, reverse=True)
    assert all(d.orphan and d.database_name == DB and d.url for d in dumps)
    assert get_orphan_dumps(SN, "sandboxother.mysql.db") == []


def test_a_live_database_has_no_orphans(client: OvhClient) -> None:
    api = HostingApi(client, SN)
    body = {"capabilitie": "sqlPerso", "type": "mysql", "user": "sandboxlive"}
    wait_hosting(api, api.create_database(body), FAST)
    wait_hosting(api, api.create_dump("sandboxlive.mysql.db", "now", False), FAST)
    assert get_orphan_dumps(SN, "sandboxlive.mysql.db") == []


def test_download_writes_the_whole_file_and_reports_progress(
    client: OvhClient, orphans: list[int], tmp_path: Path
) -> None:
    latest = get_orphan_dumps(SN, DB)[0]
    seen: list[tuple[int, int | None]] = []
    path = download_dump(latest, tmp_path, progress=lambda done, total: seen.append((done, total)))
    assert path == tmp_path / f"{latest.id}.sql.gz"
    assert f"Dump {latest.id} of {DB}" in gzip.decompress(path.read_bytes()).decode()
    assert seen and seen[-1][0] == path.stat().st_size
    assert list(tmp_path.iterdir()) == [path]


def test_a_refused_download_leaves_no_file(
    client: OvhClient, orphans: list[int], tmp_path: Path
) -> None:
    latest = get_orphan_dumps(SN, DB)[0]
    forged = latest.model_copy(update={"url": str(latest.url).split("?")[0] + "?sign=forged"})
    with pytest.raises(NotFoundError) as caught:
        download_dump(forged, tmp_path / "dump.sql.gz")
    assert "forged" not in str(caught.value)  # the link's signature never shows
    assert list(tmp_path.iterdir()) == []


def test_command_lists_and_downloads_the_latest(
    ovh_env: dict[str, str], orphans: list[int], tmp_path: Path
) -> None:
    out, err = io.StringIO(), io.StringIO()
    target = tmp_path / "latest.sql.gz"
    argv = ["orphan-dumps", "--service", SN, "--database", DB, "--download", str(target)]
    assert main(argv, out, err) == 0
    rows = out.getvalue().splitlines()
    assert rows[0].startswith("id\t")
    assert [int(row.split("\t")[0]) for row in rows[1:]] == sorted(orphans, reverse=True)
    assert f"Dump {max(orphans)} of" in gzip.decompress(target.read_bytes()).decode()
    assert f"saved dump {max(orphans)} to {target}" in err.getvalue()
    assert "100%" in err.getvalue()


def test_command_with_nothing_to_download_fails(ovh_env: dict[str, str], tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    argv = ["orphan-dumps", "--service", SN, "--database", DB]
    assert main(argv, out, err) == 0
    assert main([*argv, "--download", str(tmp_path)], out, err) == 1
    assert "no dump left by" in err.getvalue() and out.getvalue() == ""


def test_command_reports_errors_and_usage(
    ovh_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    err = io.StringIO()
    argv = ["orphan-dumps", "--service", "nope.cluster000.hosting.ovh.net", "--database", DB]
    assert main(argv, io.StringIO(), err) == 1
    assert err.getvalue().startswith("error: GET /hosting/web/nope.cluster000") and "404" in (
        err.getvalue()
    )
    with pytest.raises(SystemExit) as usage:
        main(["orphan-dumps", "--service", SN])
    assert usage.value.code == 2
    assert "--database" in capsys.readouterr().err


def test_python_dash_m_runs_the_command(
    ovh_env: dict[str, str], orphans: list[int], tmp_path: Path
) -> None:
    command = ["orphan-dumps", "--service", SN, "--database", DB, "--download", str(tmp_path)]
    done = subprocess.run(
        [sys.executable, "-m", "pulumi_backups", *command],
        env={**os.environ, **ovh_env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 1 + len(orphans)
    saved = tmp_path / f"{max(orphans)}.sql.gz"
    assert f"saved dump {max(orphans)} to {saved}" in done.stderr
    assert gzip.decompress(saved.read_bytes()).startswith(b"-- Dump")


@pytest.mark.parametrize("shape", ["missing/dump.sql.gz", "missing/"])
def test_download_into_a_missing_folder_is_refused_before_fetching(
    client: OvhClient, orphans: list[int], tmp_path: Path, shape: str
) -> None:
    latest = get_orphan_dumps(SN, DB)[0]
    with pytest.raises(BackupsError, match=f"no folder {tmp_path / 'missing'}"):
        download_dump(latest, f"{tmp_path}/{shape}")
    assert list(tmp_path.iterdir()) == []  # neither a file named "missing" nor a .part


def test_command_names_a_missing_folder_without_a_traceback(
    ovh_env: dict[str, str], orphans: list[int], tmp_path: Path
) -> None:
    out, err = io.StringIO(), io.StringIO()
    argv = ["orphan-dumps", "--service", SN, "--database", DB]
    assert main([*argv, "--download", f"{tmp_path}/nowhere/"], out, err) == 1
    assert err.getvalue().endswith(
        f"error: no folder {tmp_path}/nowhere: create it first, or give a file name\n"
    )


@pytest.mark.parametrize(
    ("done", "total", "shown"),
    [
        (0, 0, "dump 1: 0 B"),
        (300, 700, "dump 1:  42% 300/700 B"),
        (1536, 4096, "dump 1:  37% 1.5/4.0 KB"),
        (5 * 1024**2, 10 * 1024**2, "dump 1:  50% 5.0/10.0 MB"),
        (1024**3, 2 * 1024**3, "dump 1:  50% 1.0/2.0 GB"),
        (3 * 1024**2, None, "dump 1: 3.0 MB"),
    ],
)
def test_progress_speaks_in_units_that_fit_the_size(
    done: int, total: int | None, shown: str
) -> None:
    line = ProgressLine("dump 1", io.StringIO())
    line(done, total)
    assert line.text == shown


def test_a_dumps_repr_keeps_its_download_link_secret(client: OvhClient, orphans: list[int]) -> None:
    latest = get_orphan_dumps(SN, DB)[0]
    assert latest.url and latest.url not in repr(latest) and latest.url not in str(latest)
    assert f"id={latest.id}" in repr(latest)
