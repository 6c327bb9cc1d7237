"""Dates as the APIs and users write them parse on every supported Python (3.10 included)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import pulumi_backups
from pulumi_backups.core.fields import parse_datetime


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2032-01-02T22:04:05Z", datetime(2032, 1, 2, 22, 4, 5, tzinfo=timezone.utc)),
        (
            "2032-01-03T00:04:05.25+02:00",
            datetime(2032, 1, 3, 0, 4, 5, 250000, tzinfo=timezone(timedelta(hours=2))),
        ),
        (
            "2026-12-04T01:00:00.123456789Z",  # nanoseconds, as Go servers write them
            datetime(2026, 12, 4, 1, 0, 0, 123456, tzinfo=timezone.utc),
        ),
        ("2026-12-04T01:00:00", datetime(2026, 12, 4, 1, 0, 0)),
    ],
)
def test_iso_datetimes_parse(text: str, expected: datetime) -> None:
    assert parse_datetime(text) == expected


@pytest.mark.parametrize("text", ["1790000000", "2026-12-04", "tomorrow", "2026-13-04T00:00:00Z"])
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not an ISO 8601 date-time"):
        parse_datetime(text)


def test_a_date_time_without_a_zone_takes_the_one_given() -> None:
    paris = timezone(timedelta(hours=1))
    assert parse_datetime("2026-12-04T01:00:00", naive=paris) == datetime(
        2026, 12, 4, 1, tzinfo=paris
    )
    assert parse_datetime("2026-12-04T01:00:00Z", naive=paris).tzinfo == timezone.utc


def test_the_package_reads_dates_with_one_parser() -> None:
    """Every module reads dates through :func:`parse_datetime`, never a parser of its own."""
    package = Path(pulumi_backups.__file__).parent
    own = re.compile(r"fromisoformat\(|strptime\(|dateutil")
    found = [
        f"{path.relative_to(package)}:{number}"
        for path in sorted(package.rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if own.search(line) and not line.lstrip().startswith(("#", '"', "``"))
    ]
    assert found == []
