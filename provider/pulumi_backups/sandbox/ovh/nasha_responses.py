"""NAS-HA routes (under ``/1.0``): parse, call the model, serialize."""

from __future__ import annotations

from typing import Any

from starlette.routing import BaseRoute, Route

from ..context import SandboxContext
from . import nasha_models as nasha
from .http import Call, Handler, endpoint

NAS = "/dedicated/nasha/{serviceName}"
PART = NAS + "/partition/{partitionName}"


def _where(call: Call) -> tuple[str, str]:
    return call.path["serviceName"], call.path["partitionName"]


def list_services(ctx: SandboxContext, call: Call) -> Any:
    return nasha.service_names(ctx)


def get_service(ctx: SandboxContext, call: Call) -> Any:
    return nasha.service(ctx, call.path["serviceName"])


def list_partitions(ctx: SandboxContext, call: Call) -> Any:
    return nasha.partition_names(ctx, call.path["serviceName"])


def get_partition(ctx: SandboxContext, call: Call) -> Any:
    return nasha.partition_view(ctx, *_where(call))


def list_snapshot_types(ctx: SandboxContext, call: Call) -> Any:
    return nasha.snapshot_types(ctx, *_where(call))


def add_snapshot_type(ctx: SandboxContext, call: Call) -> Any:
    return nasha.add_snapshot_type(ctx, call.now, *_where(call), call.body)


def get_snapshot_type(ctx: SandboxContext, call: Call) -> Any:
    return nasha.snapshot(ctx, *_where(call), call.path["snapshotType"])


def delete_snapshot_type(ctx: SandboxContext, call: Call) -> Any:
    return nasha.delete_snapshot_type(ctx, call.now, *_where(call), call.path["snapshotType"])


def list_custom(ctx: SandboxContext, call: Call) -> Any:
    return nasha.custom_names(ctx, *_where(call))


def add_custom(ctx: SandboxContext, call: Call) -> Any:
    return nasha.add_custom_snapshot(ctx, call.now, *_where(call), call.body)


def get_custom(ctx: SandboxContext, call: Call) -> Any:
    return nasha.custom_snapshot(ctx, *_where(call), call.path["name"])


def delete_custom(ctx: SandboxContext, call: Call) -> Any:
    return nasha.delete_custom_snapshot(ctx, call.now, *_where(call), call.path["name"])


def get_task(ctx: SandboxContext, call: Call) -> Any:
    return nasha.get_task(ctx, call.path["serviceName"], call.path["taskId"], call.now)


_ROUTES: list[tuple[str, str, Handler]] = [
    ("GET", "/dedicated/nasha", list_services),
    ("GET", NAS, get_service),
    ("GET", NAS + "/partition", list_partitions),
    ("GET", PART, get_partition),
    ("GET", PART + "/snapshot", list_snapshot_types),
    ("POST", PART + "/snapshot", add_snapshot_type),
    ("GET", PART + "/snapshot/{snapshotType}", get_snapshot_type),
    ("DELETE", PART + "/snapshot/{snapshotType}", delete_snapshot_type),
    ("GET", PART + "/customSnapshot", list_custom),
    ("POST", PART + "/customSnapshot", add_custom),
    ("GET", PART + "/customSnapshot/{name}", get_custom),
    ("DELETE", PART + "/customSnapshot/{name}", delete_custom),
    ("GET", NAS + "/task/{taskId}", get_task),
]


def routes(ctx: SandboxContext) -> list[BaseRoute]:
    """The NAS-HA routes (all signed)."""
    return [
        Route(path, endpoint(ctx, handler), methods=[method]) for method, path, handler in _ROUTES
    ]
