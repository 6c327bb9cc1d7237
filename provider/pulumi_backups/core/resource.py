"""Helpers shared by the ``pulumi.dynamic.Resource`` classes of every module."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pulumi


def resource_props(arguments: Mapping[str, Any], outputs: Iterable[str]) -> dict[str, Any]:
    """The property bag of a dynamic resource: given arguments, then outputs seeded with None.

    Arguments left as None are dropped by the engine, so optional arguments need no special
    care; seeding the outputs is what makes them readable as attributes of the resource.
    """
    props = {k: v for k, v in arguments.items() if v is not None}
    for name in outputs:
        props.setdefault(name, None)
    return props


def secret_options(
    opts: pulumi.ResourceOptions | None, secret_outputs: Iterable[str]
) -> pulumi.ResourceOptions:
    """Merge ``additional_secret_outputs`` into the user's options."""
    ours = pulumi.ResourceOptions(additional_secret_outputs=list(secret_outputs))
    return pulumi.ResourceOptions.merge(opts, ours)
