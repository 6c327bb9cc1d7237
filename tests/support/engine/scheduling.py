"""Running steps in dependency order, in parallel, as the engine's step executor does."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from .state import ResourceState


def dependents_first(
    ordered: list[ResourceState], action: Callable[[ResourceState], None], workers: int
) -> None:
    """Run `action` on each of `ordered` (a dependency order), each after everything in
    `ordered` that depends on it, up to `workers` at a time; once one raises, start no more.

    This is how the engine schedules deletes (ScheduleDeletes in step_generator.go: antichains
    of the reversed dependency graph, each run with `--parallel` workers).
    """
    by_urn: dict[str, list[int]] = {}
    for index, res in enumerate(ordered):
        by_urn.setdefault(res.urn, []).append(index)
    blockers: list[set[int]] = [set() for _ in ordered]
    for dependent, res in enumerate(ordered):
        for urn in (*res.dependencies, res.parent):
            for index in by_urn.get(urn or "", []):
                if index != dependent:
                    blockers[index].add(dependent)

    pending = set(range(len(ordered)))
    with ThreadPoolExecutor(max(1, workers)) as pool:
        running: dict[Future[None], int] = {}
        failed = False
        while pending or running:
            ready = [] if failed else [i for i in sorted(pending) if not blockers[i]]
            for index in ready:
                pending.discard(index)
                running[pool.submit(action, ordered[index])] = index
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                finished = running.pop(future)
                if future.exception() is not None:
                    failed = True
                for waiting in blockers:
                    waiting.discard(finished)
