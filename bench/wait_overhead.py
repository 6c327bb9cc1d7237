"""Wait overhead: how long a create takes when the server needs D seconds, divided by D.

For each D (the sandbox's ``task_seconds``: every server-side operation takes D s), one
backup of each kind is created through the real provider host, the four at once as the
engine would send them, and each Create call is timed from request to answer: the POST,
the polls, and the reads that produce the outputs. Target: <= 1.10 x D for D >= 3 s, and
<= D + 0.3 s below.

The official Terraform providers' default schedules are applied to the same D, computed: a
wait ends at the first poll at or after D. Scaleway's Terraform provider polls right away,
then every 30 s. OVHcloud's Terraform provider waits for NAS-HA tasks with the plugin SDK's
StateChangeConf (Delay 10 s, MinTimeout 3 s): first poll at 10 s, then the pause doubles
from 0.2 s, held between 3 s and 10 s, i.e. polls at 10, 13, 19, 29, 39, 49 ... s.
Our own schedule (core/waiting.py: pause = clamp(0.08 x elapsed, 0.2 s, 10 s)) is shown
the same way, to separate what the schedule costs from what the requests cost.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor

import _common as c

from pulumi_backups.core.waiting import WaitPolicy
from pulumi_backups.sandbox import Sandbox

DURATIONS = (1.0, 3.0, 10.0, 30.0)


def ours() -> Iterator[float]:
    """Poll times of core/waiting.py's default policy, requests taking no time."""
    policy, now = WaitPolicy(), 0.0
    while True:
        yield now
        now += policy.delay(now)


def scaleway_terraform() -> Iterator[float]:
    """Poll times of the Scaleway Terraform provider: at once, then every 30 s."""
    return (30.0 * k for k in itertools.count())


def ovh_terraform_nasha() -> Iterator[float]:
    """Poll times of the OVHcloud Terraform provider for NAS-HA tasks (StateChangeConf with
    Delay 10 s and MinTimeout 3 s: the pause doubles from 0.1 s, clamped to 3 s .. 10 s)."""
    now, pause = 10.0, 0.1
    while True:
        yield now
        pause = min(max(pause * 2, 3.0), 10.0)
        now += pause


def first_poll_after(schedule: Iterable[float], seconds: float) -> tuple[float, int]:
    """When a wait on this schedule sees an operation of ``seconds`` done, and after how
    many polls."""
    for count, when in enumerate(schedule, start=1):
        if when >= seconds:
            return when, count
    raise ValueError("a schedule never ends")


def target(seconds: float) -> tuple[float, str]:
    """The longest acceptable create for an operation of ``seconds``, and how it reads."""
    if seconds >= 3:
        return 1.10 * seconds, "<= 1.10 x D"
    return seconds + 0.3, "<= D + 0.3 s"


def _create_all(
    sandbox: Sandbox, kinds: Sequence[c.Kind], seconds: float
) -> tuple[list[float], dict[str, int]]:
    """Create one backup of each kind at once (then delete them); return each Create's
    seconds and the requests the creates made, per route."""
    goals = c.goals(sandbox, c.backups(kinds, 1, tag=f"{seconds:g}s-"))
    with c.host(sandbox) as host:
        durations: list[float] = [0.0] * len(goals)
        created: list[c.ResourceState] = []

        def create(index: int) -> None:
            goal = goals[index]
            checked = host.process.check(goal.urn, {}, goal.inputs).inputs
            started = time.perf_counter()
            id_, outputs = host.process.create(goal.urn, checked)
            durations[index] = time.perf_counter() - started
            created.append(c.ResourceState(goal.urn, goal.type, id_, checked, outputs))

        sandbox.configure(task_seconds=seconds)
        sandbox.clear_counters()
        with ThreadPoolExecutor(c.THREADS) as pool:
            list(pool.map(create, range(len(goals))))
        requests = c.counters(sandbox)
        sandbox.configure(task_seconds=0)
        with ThreadPoolExecutor(c.THREADS) as pool:
            list(pool.map(host.delete, created))
    return durations, requests


def _schedules(seconds: float) -> list[c.Row]:
    """The peers' schedules and ours applied to ``seconds``, requests taking no time."""
    rows = []
    for label, schedule in (
        ("Scaleway Terraform", scaleway_terraform()),
        ("OVHcloud Terraform, NAS-HA", ovh_terraform_nasha()),
        ("our", ours()),
    ):
        when, polls = first_poll_after(schedule, seconds)
        rows.append(
            c.Row(
                f"wait D={seconds:g} s, {label} schedule",
                f"{when:.4g} s = {when / seconds:.3f} x D",
                note=f"{c.plural(polls, 'poll')} (computed)",
            )
        )
    return rows


def measure(
    sandbox: Sandbox | None = None,
    durations: Sequence[float] = DURATIONS,
    kinds: Iterable[str] | None = None,
) -> list[c.Row]:
    """Per D: a row per kind (the measured create against its target), then the peers'
    schedules and ours applied to D."""
    chosen = c.kinds_named(kinds)
    rows: list[c.Row] = []
    with c.bench_sandbox(sandbox) as sb, c.workdir() as directory:
        needs_db = any(k.needs_database for k in chosen)
        with c.hosting_database(sb, directory, needs_db):
            for seconds in durations:
                observed, polls = _create_all(sb, chosen, seconds)
                for kind, took in zip(chosen, observed, strict=True):
                    limit, wanted = target(seconds)
                    ratio = f" = {took / seconds:.3f} x D" if seconds else ""
                    rows.append(
                        c.Row(
                            f"wait D={seconds:g} s, {kind.name} create",
                            f"{took:.2f} s{ratio}",
                            wanted,
                            c.verdict(took <= limit),
                            f"{c.plural(polls.get(kind.poll, 0), 'poll')} ({kind.poll})",
                        )
                    )
                if seconds:
                    rows += _schedules(seconds)
    return rows


if __name__ == "__main__":
    c.main(measure)
