"""Ready-made situations a sandbox can start in (`--scenario NAME`), on top of its seed.

Each scenario is played through the emulators' own rules at back-dated times (a database
created, dumped, deleted, every task left to end), so its objects are exactly what those
calls leave behind: ids, dates, orphan flags, download links. Scenarios are seeded with the
store: a state file seeded before keeps what it has, and `POST /_sandbox/reset` plays the
start scenarios again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from .context import SandboxContext
from .ovh.dump_models import DAY, create_dump
from .ovh.hosting_models import create_database, delete_database
from .ovh.settle import settle
from .settings import HOSTING_SERVICE

DELETED_DATABASE: Final = "sandboxold.mysql.db"
LIVE_DATABASE: Final = "sandboxapp.mysql.db"


@dataclass(frozen=True)
class Scenario:
    """What a scenario leaves in the sandbox (shown by `--help`) and how it is played."""

    summary: str
    play: Callable[[SandboxContext], None]
    try_it: str = ""


def _step(ctx: SandboxContext, when: float, call: Callable[[float], object]) -> None:
    """Make one API call at sandbox time `when`, then let its task end."""
    call(when)
    settle(ctx, when + max(0.0, ctx.settings.task_seconds))


def _database_with_dumps(ctx: SandboxContext, name: str, since: float, dumps: int) -> None:
    """Create `name` at `since`, then take one dump a day after it."""
    user = name.split(".", 1)[0]
    body = {"capabilitie": "sqlPerso", "type": "mysql", "user": user}
    _step(ctx, since, lambda at: create_database(ctx, at, HOSTING_SERVICE, body))
    for day in range(1, dumps + 1):
        _step(
            ctx,
            since + day * DAY,
            lambda at: create_dump(ctx, at, HOSTING_SERVICE, name, {"date": "now"}),
        )


def _deleted_database(ctx: SandboxContext) -> None:
    now = ctx.clock()
    _database_with_dumps(ctx, DELETED_DATABASE, now - 4 * DAY, dumps=2)
    _step(ctx, now - DAY, lambda at: delete_database(ctx, at, HOSTING_SERVICE, DELETED_DATABASE))
    settle(ctx, now)


def _live_database(ctx: SandboxContext) -> None:
    now = ctx.clock()
    _database_with_dumps(ctx, LIVE_DATABASE, now - 2 * DAY, dumps=1)
    settle(ctx, now)


SCENARIOS: Final[Mapping[str, Scenario]] = MappingProxyType(
    {
        "deleted-database": Scenario(
            f"database {DELETED_DATABASE} of {HOSTING_SERVICE} was deleted yesterday; its two "
            "dumps remain as orphans",
            _deleted_database,
            f"pulumi-backups orphan-dumps --service {HOSTING_SERVICE} "
            f"--database {DELETED_DATABASE} --download .",
        ),
        "live-database": Scenario(
            f"database {LIVE_DATABASE} of {HOSTING_SERVICE} exists, with one dump from yesterday",
            _live_database,
        ),
    }
)
"""Every scenario by name."""


def seeders(names: tuple[str, ...]) -> list[Callable[[SandboxContext], None]]:
    """The seeders of the scenarios `names`, in order, each once (ValueError on unknown)."""
    unknown = sorted(set(names) - set(SCENARIOS))
    if unknown:
        raise ValueError(f"unknown scenarios: {', '.join(unknown)}")
    return [SCENARIOS[name].play for name in dict.fromkeys(names)]
