"""Helpers shared by the ``pulumi.dynamic.Resource`` classes of every module."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pulumi

from .errors import BackupsError


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


def refuse_import(api: str, kind: str, resource_name: str, opts: Any) -> None:
    """The ``import_`` resource option, refused as the resource is declared: the engine sends
    an import's Read to the SDK's dynamic provider host without the provider's code (no
    ``__provider``), where it fails with a ``KeyError`` traceback that says nothing of why."""
    if isinstance(opts, pulumi.ResourceOptions) and opts.import_:
        raise BackupsError(
            f"{kind} {resource_name!r}: the import_ option cannot work with the dynamic "
            "resources (the engine's Read of an import carries no provider code); leave it "
            "out and use adopt=True where the resource has it, or take the object with the "
            f"provider plugin: pulumi import backups:{api}:{kind} {resource_name} "
            f"{opts.import_}"
        )
