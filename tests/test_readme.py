"""The README as a new user meets it: what, why and how to try on the first screen, no
placeholders to fill in, the command line documented from the real parser."""

from __future__ import annotations

import argparse
import re
from importlib.metadata import entry_points
from pathlib import Path

from pulumi_backups.__main__ import parser

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
FIRST_SCREEN = "\n".join(README.splitlines()[:25])


def test_the_first_screen_says_what_why_and_the_two_commands() -> None:
    assert "Backups and snapshot schedules as infrastructure code" in FIRST_SCREEN
    assert "Why:" in FIRST_SCREEN
    assert re.search(r"^make demo\b", FIRST_SCREEN, re.M)
    assert re.search(r"^make test\b", FIRST_SCREEN, re.M)


def test_no_placeholder_is_left_to_fill_in() -> None:
    assert re.findall(r"<[^<>\n]*(?:repository|this)[^<>\n]*>", README) == []


def test_the_performance_analysis_lives_in_docs_with_a_summary_here() -> None:
    performance = ROOT / "docs" / "performance.md"
    assert "**Wait overhead.**" in performance.read_text()
    assert "**Wait overhead.**" not in README
    assert "](docs/performance.md)" in README
    section = README.split("## Performance\n", 1)[1].split("\n## ", 1)[0]
    assert 0 < len(section.splitlines()) <= 25


def test_the_console_script_and_each_of_its_commands_are_documented() -> None:
    scripts = {
        e.name: e.value
        for e in entry_points(group="console_scripts")
        if e.value.startswith("pulumi_backups")
    }
    assert scripts == {
        "pulumi-backups": "pulumi_backups.__main__:main",
        "pulumi-resource-backups": "pulumi_backups.plugin.server:main",
    }
    assert "`pulumi-resource-backups`" in README
    root = parser()
    assert root.prog == "pulumi-backups"
    (commands,) = [a for a in root._actions if isinstance(a, argparse._SubParsersAction)]
    assert commands.choices
    for name, sub in commands.choices.items():
        assert f"`pulumi-backups {name} " in README, name
        for option in sub._option_string_actions:
            if option.startswith("--") and option != "--help":
                assert option in README, (name, option)
