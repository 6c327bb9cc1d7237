"""Everything time brings about in the OVHcloud emulator, applied before each request.

The effects of ended tasks (hosting and NAS-HA, in the order they ended), then the changes no
task makes: dumps and custom snapshots expire, archived hosting tasks are forgotten.
"""

from __future__ import annotations

from ..context import SandboxContext
from ..progress import Effect
from ..progress import settle as settle_operations
from . import hosting_effects, nasha_models

EFFECTS: dict[str, Effect] = {**hosting_effects.EFFECTS, **nasha_models.EFFECTS}
OPERATIONS = frozenset(EFFECTS)
"""The OVHcloud operations: those an outcome can be scripted for."""


def settle(ctx: SandboxContext, now: float) -> None:
    """Apply everything that time has brought about by ``now`` (tasks, expiries)."""
    settle_operations(ctx, now, EFFECTS)
    hosting_effects.housekeeping(ctx, now)
    nasha_models.expire_custom_snapshots(ctx, now)
