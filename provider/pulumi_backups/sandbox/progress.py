"""How server-side operations progress, the same way in every emulated API (moto's "managed
state transitions").

An operation (:class:`Operation`) takes, when it starts, the sandbox's ``task_seconds`` and its
scripted outcome: it ends at once when ``task_seconds`` is 0, after that many seconds of
sandbox time otherwise, never when scripted to ``hang``; a scripted ``fail`` ends it failed.
Nothing runs in the background. :func:`schedule` stores the document an operation belongs to
(a task, a backup, a server) with its progress and queues its end; :func:`settle`, which each
API calls at the start of every request (and the admin API before it lists objects), applies
the effect of every operation ended by then, oldest first: an effect sees the operation's own
end time, never the instant of the request that found it ended.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final

from .context import Outcome, SandboxContext

Doc = dict[str, Any]
Effect = Callable[[SandboxContext, Doc, "Operation"], None]
"""What an ended operation changes: ``(ctx, document, progress)``; the document is the one
:func:`schedule` stored, as it is now."""

KEY: Final = "_progress"
"""The document key holding an operation's progress (private: no API shows it)."""
PENDING: Final = "sandbox:pending"
"""Store kind of the queue of operations not yet settled."""


@dataclass(frozen=True)
class Operation:
    """One operation: its name (e.g. ``vps:backup/create``), start, duration and outcome."""

    operation: str
    started: float
    seconds: float
    outcome: Outcome

    @classmethod
    def start(cls, ctx: SandboxContext, operation: str, now: float) -> Operation:
        """An operation starting at ``now``: the current ``task_seconds``, the next scripted
        outcome of ``operation`` (else ``ok``)."""
        seconds = max(0.0, float(ctx.settings.task_seconds))
        return cls(operation, now, seconds, ctx.take_outcome(operation))

    @classmethod
    def of(cls, doc: Mapping[str, Any]) -> Operation:
        """The progress stored in ``doc`` by :func:`schedule` (KeyError when it has none)."""
        fields: Mapping[str, Any] = doc[KEY]
        return cls(**fields)

    @property
    def ends_at(self) -> float | None:
        """When the operation ends (done or failed); None for one that hangs."""
        return None if self.outcome == "hang" else self.started + self.seconds

    @property
    def ended(self) -> float:
        """The end time of an operation that ends (an effect's instant); ValueError if it hangs."""
        if self.ends_at is None:
            raise ValueError(f"{self.operation} hangs: it never ends")
        return self.ends_at

    @property
    def failed(self) -> bool:
        """Whether the operation ends (or ended) in failure."""
        return self.outcome == "fail"

    def over(self, now: float) -> bool:
        """Whether the operation has ended by ``now``."""
        return self.ends_at is not None and now >= self.ends_at


def schedule(ctx: SandboxContext, kind: str, key: str, doc: Doc, progress: Operation) -> Doc:
    """Store ``doc`` under (kind, key) with ``progress``, queue its end (never, if it hangs)
    and return the stored document. Call inside a store transaction."""
    stored = {**doc, KEY: dataclasses.asdict(progress)}
    ctx.store.put(kind, key, stored)
    ref = f"{kind}/{key}"
    if progress.ends_at is None:
        ctx.store.delete(PENDING, ref)
    else:
        queued = {"kind": kind, "key": key, "operation": progress.operation}
        ctx.store.put(PENDING, ref, {**queued, "endsAt": progress.ends_at})
    return stored


def settle(ctx: SandboxContext, now: float, effects: Mapping[str, Effect]) -> None:
    """Apply, oldest first, the effect of every queued operation named in ``effects`` that has
    ended by ``now`` (an API settles its own operations only). Call inside a store transaction.

    A document deleted meanwhile has nothing left to change: its entry is dropped.
    """
    due = [
        ref
        for ref in ctx.store.list(PENDING)
        if ref["operation"] in effects and float(ref["endsAt"]) <= now
    ]
    for ref in sorted(due, key=lambda r: float(r["endsAt"])):
        ctx.store.delete(PENDING, f"{ref['kind']}/{ref['key']}")
        doc = ctx.store.get(ref["kind"], ref["key"])
        if doc is not None and doc.get(KEY) is not None:
            effects[ref["operation"]](ctx, doc, Operation.of(doc))


@contextmanager
def settled_transaction(
    ctx: SandboxContext, settle_api: Callable[[SandboxContext, float], None]
) -> Iterator[float]:
    """One request's store transaction, yielding its instant once ``settle_api`` has applied
    what time has done by then. The instant is taken under the lock: requests see time in
    order."""
    with ctx.store.transaction():
        now = ctx.clock()
        settle_api(ctx, now)
        yield now
