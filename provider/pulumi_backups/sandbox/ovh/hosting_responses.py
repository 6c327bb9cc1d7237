"""Web hosting routes (under ``/1.0``): parse, call the model, serialize."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..context import SandboxContext
from . import dump_models as dumps
from . import hosting_models as hosting
from . import hosting_tasks as tasks
from .http import Call, Handler, endpoint

WEB = "/hosting/web/{serviceName}"
DB = WEB + "/database/{name}"


def auth_time(ctx: SandboxContext, call: Call) -> Any:
    return int(call.now)


def list_services(ctx: SandboxContext, call: Call) -> Any:
    return hosting.service_names(ctx)


def get_service(ctx: SandboxContext, call: Call) -> Any:
    return hosting.service(ctx, call.path["serviceName"])


def list_databases(ctx: SandboxContext, call: Call) -> Any:
    return hosting.list_databases(ctx, call.path["serviceName"], call.query)


def create_database(ctx: SandboxContext, call: Call) -> Any:
    return hosting.create_database(ctx, call.now, call.path["serviceName"], call.body)


def get_database(ctx: SandboxContext, call: Call) -> Any:
    return hosting.database_view(ctx, call.path["serviceName"], call.path["name"])


def delete_database(ctx: SandboxContext, call: Call) -> Any:
    return hosting.delete_database(ctx, call.now, call.path["serviceName"], call.path["name"])


def change_password(ctx: SandboxContext, call: Call) -> Any:
    sn, name = call.path["serviceName"], call.path["name"]
    return hosting.change_password(ctx, call.now, sn, name, call.body)


def available_versions(ctx: SandboxContext, call: Call) -> Any:
    return hosting.available_versions(ctx, call.path["serviceName"], call.query.get("type"))


def get_task(ctx: SandboxContext, call: Call) -> Any:
    return tasks.get_task(ctx, call.path["serviceName"], call.path["id"], call.now)


def restore_database(ctx: SandboxContext, call: Call) -> Any:
    sn, name = call.path["serviceName"], call.path["name"]
    return dumps.restore_database(ctx, call.now, sn, name, call.body)


def create_dump(ctx: SandboxContext, call: Call) -> Any:
    sn, name = call.path["serviceName"], call.path["name"]
    return dumps.create_dump(ctx, call.now, sn, name, call.body)


def list_dumps(ctx: SandboxContext, call: Call) -> Any:
    return dumps.list_dumps(ctx, call.path["serviceName"], call.path["name"], call.query)


def get_dump(ctx: SandboxContext, call: Call) -> Any:
    doc = dumps.database_dump(ctx, call.path["serviceName"], call.path["name"], call.path["id"])
    return dumps.dump_view(doc, call.base_url)


def delete_dump(ctx: SandboxContext, call: Call) -> Any:
    doc = dumps.database_dump(ctx, call.path["serviceName"], call.path["name"], call.path["id"])
    return dumps.delete_dump(ctx, call.now, doc)


def restore_dump(ctx: SandboxContext, call: Call) -> Any:
    sn, name = call.path["serviceName"], call.path["name"]
    return dumps.restore_dump(ctx, call.now, sn, name, call.path["id"])


def list_service_dumps(ctx: SandboxContext, call: Call) -> Any:
    return dumps.list_service_dumps(ctx, call.path["serviceName"], call.query)


def get_service_dump(ctx: SandboxContext, call: Call) -> Any:
    doc = dumps.service_dump(ctx, call.path["serviceName"], call.path["id"])
    return dumps.dump_view(doc, call.base_url, service_level=True)


def delete_service_dump(ctx: SandboxContext, call: Call) -> Any:
    doc = dumps.service_dump(ctx, call.path["serviceName"], call.path["id"])
    return dumps.delete_dump(ctx, call.now, doc)


def download_dump(ctx: SandboxContext, call: Call) -> Any:
    filename, content = dumps.download(ctx, call.path["id"], call.query.get("sign", ""))
    disposition = f'attachment; filename="{filename}"'
    headers = {"Content-Disposition": disposition}
    return Response(content, media_type="application/gzip", headers=headers)


_ROUTES: list[tuple[str, str, Handler]] = [
    ("GET", "/hosting/web", list_services),
    ("GET", WEB, get_service),
    ("GET", WEB + "/database", list_databases),
    ("POST", WEB + "/database", create_database),
    ("GET", WEB + "/databaseAvailableVersion", available_versions),
    ("GET", DB, get_database),
    ("DELETE", DB, delete_database),
    ("POST", DB + "/changePassword", change_password),
    ("POST", DB + "/restore", restore_database),
    ("GET", DB + "/dump", list_dumps),
    ("POST", DB + "/dump", create_dump),
    ("GET", DB + "/dump/{id}", get_dump),
    ("DELETE", DB + "/dump/{id}", delete_dump),
    ("POST", DB + "/dump/{id}/restore", restore_dump),
    ("GET", WEB + "/dump", list_service_dumps),
    ("GET", WEB + "/dump/{id}", get_service_dump),
    ("DELETE", WEB + "/dump/{id}", delete_service_dump),
    ("GET", WEB + "/tasks/{id}", get_task),
]


def routes(ctx: SandboxContext) -> list[BaseRoute]:
    """The web hosting routes, the public ``/auth/time`` and the public dump downloads."""
    public: list[BaseRoute] = [
        Route("/auth/time", endpoint(ctx, auth_time, signed=False), methods=["GET"]),
        Route(
            "/_download/dump/{id}.sql.gz",
            endpoint(ctx, download_dump, signed=False),
            methods=["GET"],
        ),
    ]
    signed: list[BaseRoute] = [
        Route(path, endpoint(ctx, handler), methods=[method]) for method, path, handler in _ROUTES
    ]
    return public + signed
