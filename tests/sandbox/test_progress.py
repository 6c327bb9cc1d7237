"""The progress of server-side operations, shared by every emulated API: at once, after the
run-time `task_seconds`, or never; effects applied once, oldest first, at their own end."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pulumi_backups.sandbox import SandboxSettings
from pulumi_backups.sandbox.context import SandboxContext
from pulumi_backups.sandbox.progress import Doc, Effect, Operation, schedule, settle

KIND = "test:item"


@pytest.fixture
def ctx() -> Iterator[SandboxContext]:
    context = SandboxContext(SandboxSettings(task_seconds=10))
    yield context
    context.store.close()


def start(ctx: SandboxContext, key: str, operation: str, now: float) -> Operation:
    with ctx.store.transaction():
        progress = Operation.start(ctx, operation, now)
        schedule(ctx, KIND, key, {"key": key}, progress)
    return progress


def recorder(seen: list[tuple[str, float, bool]]) -> Effect:
    def effect(ctx: SandboxContext, doc: Doc, progress: Operation) -> None:
        seen.append((doc["key"], progress.ended, progress.failed))

    return effect


def test_an_operation_lasts_the_task_seconds_in_force_when_it_starts(ctx: SandboxContext) -> None:
    slow = start(ctx, "slow", "test:op", 100.0)
    ctx.configure({"task_seconds": 0})
    quick = start(ctx, "quick", "test:op", 100.0)
    assert (slow.ends_at, quick.ends_at) == (110.0, 100.0)
    assert quick.over(100.0) and not slow.over(109.9) and slow.over(110.0)
    assert Operation.of(ctx.store.get(KIND, "slow") or {}) == slow


def test_scripted_outcomes_fail_or_never_end(ctx: SandboxContext) -> None:
    ctx.script("test:op", "fail")
    ctx.script("test:op", "hang")
    failed, hung, fine = (start(ctx, key, "test:op", 0.0) for key in ("a", "b", "c"))
    assert (failed.failed, failed.ends_at) == (True, 10.0)
    assert (hung.ends_at, hung.over(1e12)) == (None, False)
    with pytest.raises(ValueError, match="never ends"):
        _ = hung.ended
    assert (fine.outcome, fine.failed) == ("ok", False)


def test_settle_applies_each_effect_once_oldest_first_at_its_own_end(
    ctx: SandboxContext,
) -> None:
    seen: list[tuple[str, float, bool]] = []
    effects = {"test:op": recorder(seen)}
    start(ctx, "late", "test:op", 5.0)  # ends at 15
    ctx.script("test:op", "fail")
    start(ctx, "early", "test:op", 0.0)  # ends at 10, failed
    ctx.script("test:op", "hang")
    start(ctx, "hung", "test:op", 0.0)
    start(ctx, "gone", "test:op", 0.0)
    ctx.store.delete(KIND, "gone")  # deleted meanwhile: nothing left to change
    start(ctx, "other", "test:other", 0.0)  # another API's operation: not settled here
    with ctx.store.transaction():
        settle(ctx, 12.0, effects)
        settle(ctx, 100.0, effects)
        settle(ctx, 200.0, effects)
    assert seen == [("early", 10.0, True), ("late", 15.0, False)]
    other: list[tuple[str, float, bool]] = []
    with ctx.store.transaction():
        settle(ctx, 100.0, {"test:other": recorder(other)})
    assert other == [("other", 10.0, False)]
