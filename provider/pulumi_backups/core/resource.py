"""The base of every ``pulumi.dynamic.Resource`` class of the package.

A resource is declared once: its class's ``name: pulumi.Output[T]`` annotations are its
attributes (the package schema reads the same annotations for its outputs), and its
provider's ``secrets`` (:attr:`~.provider.BaseProvider.secrets`) are its secret properties.
:class:`DynamicResource` derives the rest from those two: every attribute seeded, the secret
inputs sealed and the secret outputs registered, the ``import_`` option refused.
"""

from __future__ import annotations

import inspect
from collections.abc import Collection, Mapping
from typing import Any, ClassVar

import pulumi
import pulumi.dynamic

from .errors import BackupsError
from .provider import BaseProvider


class DynamicResource(pulumi.dynamic.Resource):
    """A resource of the package, declared ``class X(DynamicResource, module=<api>,
    name=<X>)`` with one ``pulumi.Output[T]`` annotation per attribute; its ``__init__``
    gathers the arguments and hands them, with its provider, to this one."""

    _token: ClassVar[tuple[str, str]] = ("", "Resource")
    """``(module, name)`` as the class declares them: its API package and its kind."""

    def __init_subclass__(cls, module: str = "", name: str = "Resource", **kwargs: Any) -> None:
        super().__init_subclass__(module=module, name=name, **kwargs)
        cls._token = (module, name)

    def __init__(
        self,
        provider: BaseProvider[Any],
        resource_name: str,
        arguments: Mapping[str, Any],
        opts: pulumi.ResourceOptions | None,
    ) -> None:
        refuse_import(*self._token, resource_name, opts)
        props = resource_props(attributes(type(self)), arguments, provider.secrets)
        super().__init__(provider, resource_name, props, secret_options(opts, provider.secrets))


def attributes(resource: type[DynamicResource]) -> tuple[str, ...]:
    """The attributes a resource class declares: its annotations and those of its bases up to
    :class:`DynamicResource` (whose own, and pulumi's, are none of them)."""
    names: dict[str, None] = {}
    for cls in reversed(resource.__mro__):
        if issubclass(cls, DynamicResource) and cls is not DynamicResource:
            names.update(dict.fromkeys(inspect.get_annotations(cls)))
    return tuple(names)


def resource_props(
    attributes: Collection[str], arguments: Mapping[str, Any], secrets: Collection[str]
) -> dict[str, Any]:
    """The property bag of a dynamic resource: the arguments given, the secret ones sealed,
    then every other attribute seeded with None.

    Arguments left as None are dropped by the engine, so optional arguments need no special
    care; seeding is what makes every attribute readable on the resource (an Output of None
    until the provider says otherwise). A secret input is sealed here because
    ``additional_secret_outputs`` hides outputs only: a plain one would be stored in clear.
    """
    props = {
        k: pulumi.Output.secret(v) if k in secrets else v
        for k, v in arguments.items()
        if v is not None
    }
    for name in attributes:
        props.setdefault(name, None)
    return props


def secret_options(
    opts: pulumi.ResourceOptions | None, secret_outputs: Collection[str]
) -> pulumi.ResourceOptions:
    """The user's options with the resource's secrets added to ``additional_secret_outputs``."""
    ours = pulumi.ResourceOptions(additional_secret_outputs=sorted(secret_outputs))
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
