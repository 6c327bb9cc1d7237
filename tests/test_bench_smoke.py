"""The benchmark scripts (bench/) still run: each one's ``measure`` with tiny parameters
(2 resources, instant operations) against the test run's sandbox, plus the pure parts."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from pulumi_backups.sandbox import Sandbox

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

import _common as c  # noqa: E402
import http_requests  # noqa: E402
import lying_answers  # noqa: E402
import plugin_concurrency  # noqa: E402
import preview  # noqa: E402
import refresh  # noqa: E402
import run_all  # noqa: E402
import startup  # noqa: E402
import throughput  # noqa: E402
import wait_overhead  # noqa: E402


def by_figure(rows: list[c.Row]) -> dict[str, c.Row]:
    return {row.figure: row for row in rows}


def test_run_all_runs_every_script() -> None:
    scripts = {p.stem for p in BENCH.glob("*.py")} - {"_common", "run_all"}
    assert {module.__name__ for _, module in run_all.SCRIPTS} == scripts


def test_table_aligns_columns_and_keeps_the_note_last() -> None:
    out = io.StringIO()
    c.print_table([c.Row("a", "1 s", "<= 2 s", "ok", "why"), c.Row("longer figure", "2")], out)
    header, rule, first, second = out.getvalue().splitlines()
    assert header.split() == ["figure", "measured", "target", "verdict", "note"]
    assert rule.startswith("-" * c.WIDTHS[0] + "  ")
    assert first.index("1 s") == second.index("2") == header.index("measured")
    assert first.endswith("why") and second == second.rstrip()


def script(name: str, measure: Callable[[Sandbox], list[c.Row]]) -> ModuleType:
    module = ModuleType(name)
    module.measure = measure  # type: ignore[attr-defined]
    return module


def test_a_failing_script_hides_no_other_row(sandbox: Sandbox) -> None:
    """Each row is printed as it is made; a script that fails keeps the rows it measured,
    its failure is a MISS row with the error's last line, and the next script still runs."""
    printed: list[str] = []

    class Out(io.StringIO):
        def flush(self) -> None:  # what was printed by the time each row was measured
            printed.append(self.getvalue())

    def failing(sb: Sandbox) -> list[c.Row]:
        c.Row("measured first", "1 s")
        assert printed and "measured first" in printed[-1]  # printed before the failure
        raise RuntimeError("the sandbox went away\nsecond line: the one shown")

    def fine(sb: Sandbox) -> list[c.Row]:
        return [c.Row("measured after", "2 s", "<= 3 s", "ok")]

    out = Out()
    scripts = [("breaks", script("breaks", failing)), ("works", script("works", fine))]
    rows = run_all.run(sandbox, scripts, out)
    figures = [r.figure for r in rows]
    assert figures == [
        "== breaks",
        "measured first",
        "breaks: failed",
        "== works",
        "measured after",
    ]
    failed = rows[2]
    assert failed.verdict == "MISS" and failed.note == "RuntimeError: second line: the one shown"
    text = out.getvalue()
    assert all(figure in text for figure in figures)


def test_run_all_exits_1_on_a_miss_only_when_strict(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [c.Row("x: failed", "after 0 s", "runs", "MISS", "RuntimeError: no")]
    monkeypatch.setattr(run_all, "run", lambda out: rows)
    assert run_all.main([], io.StringIO()) == 0
    out = io.StringIO()
    assert run_all.main(["--strict"], out) == 1
    assert "MISS x: failed: after 0 s (target runs)" in out.getvalue()


def test_peer_schedules_and_targets() -> None:
    assert wait_overhead.first_poll_after(wait_overhead.scaleway_terraform(), 1) == (30, 2)
    nasha = wait_overhead.ovh_terraform_nasha()
    assert [next(nasha) for _ in range(6)] == [10, 13, 19, 29, 39, 49]
    assert wait_overhead.first_poll_after(wait_overhead.ovh_terraform_nasha(), 30) == (39, 5)
    assert wait_overhead.first_poll_after(wait_overhead.ours(), 0.5) == (pytest.approx(0.6), 4)
    assert wait_overhead.target(1) == (1.3, "<= D + 0.3 s")
    assert wait_overhead.target(10) == (pytest.approx(11), "<= 1.10 x D")


def test_wait_overhead(sandbox: Sandbox) -> None:
    rows = wait_overhead.measure(sandbox, durations=(0,))
    assert [r.figure for r in rows] == [
        f"wait D=0 s, {kind.name} create" for kind in c.BACKUP_KINDS
    ]
    assert all(r.measured.endswith(" s") and r.verdict == "ok" for r in rows)


def test_throughput(sandbox: Sandbox) -> None:
    rows = throughput.measure(sandbox, count=2, task_seconds=0, kinds=["VpsBackup"])
    cycle, one_host, two_hosts = rows
    assert cycle.figure == "2 x VpsBackup: up + destroy (D=0 s)"
    assert "(up " in cycle.measured and cycle.note.startswith(
        "8 requests"
    )  # POST, GET, GET, DELETE
    assert "1 host" in one_host.figure and "2 host" in two_hosts.figure


def test_http_requests(sandbox: Sandbox) -> None:
    rows = by_figure(http_requests.measure(sandbox, resources=["VpsBackup"], seconds=0))
    assert rows["requests VpsBackup create"].measured == "3 / 3"  # list, POST, poll
    # The read's listing, just taken by the same host, proves the backup its server's: DELETE.
    assert rows["requests VpsBackup delete"].measured == "1 / 1"
    assert all(r.verdict in ("", "ok") for r in rows.values())


def test_http_requests_flags_a_call_without_reason() -> None:
    counts = {"create": {"GET /nowhere": 1}, "read": {}, "delete": {}}
    rows = http_requests._rows("Thing", counts, counts, 1)
    assert rows[0].verdict == "MISS" and "GET /nowhere" in rows[0].note


def test_preview_makes_no_request(sandbox: Sandbox) -> None:
    rows = preview.measure(sandbox, per_kind=2, kinds=["VpsBackup", "NashaCustomSnapshot"])
    assert [r.figure for r in rows] == [
        "preview of 4 resources, new stack",
        "preview of 4 resources, deployed stack",
    ]
    assert [r.note for r in rows] == ["Check", "Check + Diff"]
    assert all(r.measured.startswith("0 requests") and r.verdict == "ok" for r in rows)


def test_refresh_costs_at_most_one_request_per_resource(sandbox: Sandbox) -> None:
    rows = refresh.measure(sandbox, sizes=(2,), kinds=["VpsBackup", "RdbBackup"])
    # VPS reads share one listing of the server; RDB backups are read one by one
    assert [r.measured for r in rows[:2]] == ["1 requests for 2 reads", "2 requests for 2 reads"]
    assert all(r.verdict == "ok" for r in rows)


def test_startup(sandbox: Sandbox) -> None:
    imported, spawned = startup.measure(sandbox, classes=["VpsBackup"])
    assert imported.figure == "import pulumi_backups" and imported.verdict == "ok"
    assert spawned.figure == "host spawn to first Check, VpsBackup"
    size = int(spawned.note.split()[1])
    assert 0 < size < 200  # the provider class pickled by reference, not by value


def test_lying_answers(sandbox: Sandbox) -> None:
    rows = lying_answers.measure(
        sandbox, names=["proxy 404 on read, refresh", "wrong base URL, destroy"], only=["rdbbackup"]
    )
    assert [(r.measured, r.verdict) for r in rows] == [("all 0", "ok")] * 2


def test_lying_answers_counts_what_a_lie_leaves() -> None:
    found = lying_answers.Tally(leaked=2, notes=["a"])
    found.add(lying_answers.Tally(dropped=1, secret_sent=1, notes=["b"]))
    assert str(found) == "leaked 2, dropped 1, secret sent 1" and found.notes == ["a", "b"]
    assert not found.clean and lying_answers.Tally().clean and str(lying_answers.Tally()) == "all 0"


def test_every_lying_answers_scenario_names_known_kinds() -> None:
    for _scenario, kinds, variants in lying_answers.SCENARIOS.values():
        assert set(kinds) <= set(lying_answers.TARGETS) and variants


def test_plugin_concurrency(sandbox: Sandbox) -> None:
    rows = plugin_concurrency.measure(sandbox, runs=((3, 0.0),))
    assert [r.figure for r in rows] == [
        "plugin: 3 x NashaCustomSnapshot up (D=0 s)",
        "plugin: 3 x NashaCustomSnapshot destroy (D=0 s)",
    ]
    assert all("3 calls in flight" in r.note for r in rows)
