"""Time in the OVHcloud emulator: date formats and how a task shows its progress.

A task carries the :class:`~..progress.Operation` of its operation. Its phase follows the
sandbox clock: ``todo`` for the first third, ``doing`` until the end, then ``done`` (or
``error`` for a scripted failure, which each API shows its own way: a hosting task
``cancelled``, a NAS-HA task ``customerError``); a scripted hang stays ``doing`` forever.
What a task changes takes effect when it ends (:mod:`.settle`).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ...core.fields import parse_datetime
from ..progress import Operation


def _zone() -> tzinfo:
    try:
        return ZoneInfo("Europe/Paris")
    except ZoneInfoNotFoundError:  # pragma: no cover - tzdata always ships on CI
        return timezone.utc


#: The European API writes local Paris time with its offset.
ZONE = _zone()
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def ovh_date(epoch: float | None) -> str | None:
    """``2026-11-25T16:21:42+01:00`` (seconds, Paris offset), or None."""
    if epoch is None:
        return None
    return datetime.fromtimestamp(int(epoch), ZONE).isoformat()


def parse_date(text: str) -> float:
    """Epoch seconds of an ISO 8601 date or date-time; naive values are Paris time.

    Raises ValueError for anything else.
    """
    text = text.strip()
    if _DATE_ONLY.match(text):
        text += "T00:00:00"
    return parse_datetime(text, naive=ZONE).timestamp()


def phase(progress: Operation, now: float) -> str:
    """``todo``, ``doing``, ``done`` or ``error`` at time ``now``."""
    if progress.over(now):
        return "error" if progress.failed else "done"
    return "todo" if now < _doing_from(progress) else "doing"


def last_update(progress: Operation, now: float) -> float:
    """When the task's phase last changed."""
    if progress.over(now):
        return progress.ended
    doing = _doing_from(progress)
    return progress.started if now < doing else doing


def _doing_from(progress: Operation) -> float:
    return progress.started + progress.seconds / 3
