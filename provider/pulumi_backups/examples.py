"""Defaults that only make sense against the local sandbox (the examples' services and ids).

The examples run against the sandbox as they are; copied and pointed at a real account with
a setting forgotten, they must not send the sandbox's ids to the real API, where they would
name someone else's service or nothing. :func:`sandbox_default` lets the sandbox's value
through (as a default, or set in a stack file copied along) only while the API's endpoint is
a loopback address, and otherwise stops the program (in the preview already, before any
request) naming the setting to give.
"""

from __future__ import annotations

from typing import TypeVar
from urllib.parse import urlsplit

import pulumi

from .core.config import configured_endpoint

T = TypeVar("T")

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
API_NAMES = {"ovh": "OVHcloud", "scaleway": "Scaleway", "vps": "VPS panel"}


def points_at_sandbox(api: str) -> bool:
    """Whether ``api`` ("ovh", "scaleway" or "vps") is configured to a loopback URL; unset
    means the real API."""
    url = configured_endpoint(api) or ""
    return "://" in url and urlsplit(url).hostname in LOOPBACK


def sandbox_default(value: T | None, key: str, sandbox_value: T, api: str) -> T:
    """``value`` (the program's setting ``key``), ``sandbox_value`` when it is not given;
    the sandbox's value only while ``api`` points at the sandbox, else a
    :class:`pulumi.RunError` naming ``<project>:<key>``."""
    chosen = sandbox_value if value is None else value
    if chosen != sandbox_value or points_at_sandbox(api):
        return chosen
    project = pulumi.get_project()
    given = "is set to" if value is not None else "defaults to"
    raise pulumi.RunError(
        f"set `{project}:{key}` (pulumi config set {key} <value>): it {given} the sandbox's "
        f"{sandbox_value!r}, and the {API_NAMES[api]} API's endpoint is not the local sandbox"
    )
