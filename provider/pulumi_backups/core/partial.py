"""A create that made its object but did not finish (a wait that timed out, an export that
failed): what becomes of the object depends on the adapter.

The provider plugin can hand it to the engine as a partial result (``ErrorResourceInitFailed``
with its id and properties): the object stays in the state, and the next ``up`` finishes it.
It says so by running the create inside :func:`partial_results`. The dynamic path cannot
(Pulumi's dynamic provider server reports a failed create with no resource): there, an
unfinished object is cleaned up as before, and a finished one (a ready backup whose export
failed) is never deleted for a later step's failure; the error names it.

An operation asks :func:`keeps_partial` and raises :class:`IncompleteCreateError` when it is
true, instead of cleaning up.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from .errors import BackupsError

_KEEPS_PARTIAL: ContextVar[bool] = ContextVar("keeps_partial", default=False)


@contextmanager
def partial_results() -> Iterator[None]:
    """Within this block (in this thread), a create that made an object and did not finish
    raises :class:`IncompleteCreateError` instead of cleaning up."""
    token = _KEEPS_PARTIAL.set(True)
    try:
        yield
    finally:
        _KEEPS_PARTIAL.reset(token)


def keeps_partial() -> bool:
    """Whether the adapter running this create keeps an unfinished object in the state."""
    return _KEEPS_PARTIAL.get()


class IncompleteCreateError(BackupsError):
    """A create made the object ``id`` (its outputs so far: ``outputs``, the provider's own
    output names) and then failed with ``cause``; the object is left as the server has it."""

    def __init__(self, id_: str, outputs: Mapping[str, Any], cause: BackupsError) -> None:
        self.id = id_
        self.outputs = dict(outputs)
        self.cause = cause
        super().__init__(
            f"{cause}; {id_} was made and is kept in the state: the next up finishes it"
        )
