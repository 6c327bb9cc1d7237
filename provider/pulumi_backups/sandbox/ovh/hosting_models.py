"""Web hosting state and rules: services and databases (no HTTP here).

Rules (from the API schema and guides):

* a database user is lower case, starts with the hosting's login and adds at most 6
  letters or digits; the database is named ``<user>.mysql.db`` whatever its type;
* ``quota`` is only accepted with ``extraSqlPerso``; ``version`` must be one that
  ``databaseAvailableVersion`` lists for the type (default: its ``default``);
* every change returns a hosting task; the database shows ``creating`` / ``updating`` /
  ``deleting`` meanwhile, and the change lands when the task ends.
"""

from __future__ import annotations

import re
from typing import Any

from ..context import SandboxContext
from ..progress import Doc
from . import params
from .exceptions import BadRequest, Conflict, existing
from .hosting_tasks import DATABASE, DUMP, SERVICE, start_task, task_view
from .timeline import ovh_date

CAPABILITIES = ("extraSqlPerso", "local", "privateDatabase", "sqlLocal", "sqlPerso", "sqlPro")
TYPES = ("mariadb", "mysql", "postgresql", "redis")
EXTRA_SQL_QUOTAS = (25, 100, 200, 256, 400, 512, 800, 1024)
#: Default quota (MB) per capability when none is given.
DEFAULT_QUOTA = {
    "extraSqlPerso": 25,
    "local": 1024,
    "privateDatabase": 512,
    "sqlLocal": 1024,
    "sqlPerso": 200,
    "sqlPro": 400,
}
VERSIONS = {
    "mariadb": ("10.11", ["10.6", "10.11"]),
    "mysql": ("8.0", ["5.7", "8.0"]),
    "postgresql": ("15", ["12", "13", "15"]),  # hosting.web.database.VersionEnum has no 14
    "redis": ("7.0", ["6.0", "7.0"]),
}
#: ``databaseType`` is the service type (``DatabaseServiceTypeEnum``), not the capability:
#: an extra SQL database is bought apart, a private database is an option of the hosting.
SERVICE_TYPES = {"extraSqlPerso": "extra", "privateDatabase": "optional"}
PORTS = {"mariadb": 3306, "mysql": 3306, "postgresql": 5432, "redis": 6379}
USED_MB = 0.2  # what an empty database's system tables take


def service(ctx: SandboxContext, sn: str) -> Doc:
    """The hosting service ``sn`` (404 when unknown)."""
    return existing(ctx.store.get(SERVICE, sn), "serviceName", sn)


def service_names(ctx: SandboxContext) -> list[str]:
    """Every hosting service, in seeding order."""
    return [doc["serviceName"] for doc in ctx.store.list(SERVICE)]


def database(ctx: SandboxContext, sn: str, name: str) -> Doc:
    """The stored database ``name`` of ``sn`` (404 when unknown)."""
    service(ctx, sn)
    return existing(ctx.store.get(DATABASE, f"{sn}/{name}"), "name", name)


def available_versions(ctx: SandboxContext, sn: str, db_type: str | None) -> dict[str, Any]:
    """``{"default": ..., "list": [...]}`` for a database type."""
    service(ctx, sn)
    checked = params.choice(
        {"type": db_type}, "type", TYPES, "hosting.web.database.DatabaseTypeEnum"
    )
    default, versions = VERSIONS[str(checked)]
    return {"default": default, "list": list(versions)}


def _check_user(login: str, user: str) -> None:
    if not re.fullmatch(re.escape(login) + r"[a-z0-9]{0,6}", user):
        raise BadRequest(
            f"[user] Invalid database user ({user}): it must be lower case, start with "
            f"the hosting login '{login}' and add at most 6 letters or digits"
        )


def _check_quota(capability: str, quota: int | None) -> int:
    if quota is None:
        return DEFAULT_QUOTA[capability]
    if capability != "extraSqlPerso":
        raise BadRequest(f"[quota] A quota can only be chosen for extraSqlPerso, not {capability}")
    if quota not in EXTRA_SQL_QUOTAS:
        raise BadRequest(
            f"[quota] Given data ({quota}) does not belong to the "
            "hosting.web.database.ExtraSqlQuotaEnum enumeration"
        )
    return quota


def check_password(password: str) -> None:
    """Database passwords: 8 to 30 characters, letters and digits both present."""
    ok = 8 <= len(password) <= 30 and any(c.isdigit() for c in password)
    if not ok or not any(c.isalpha() for c in password):
        raise BadRequest(
            "[password] The password must be 8 to 30 characters long and mix letters and digits"
        )


def _parse_create(ctx: SandboxContext, sn: str, body: Doc) -> Doc:
    capability = str(
        params.choice(
            body, "capabilitie", CAPABILITIES, "hosting.web.database.DatabaseCapabilitiesTypeEnum"
        )
    )
    db_type = str(params.choice(body, "type", TYPES, "hosting.web.database.DatabaseTypeEnum"))
    user = str(params.text(body, "user"))
    _check_user(service(ctx, sn)["primaryLogin"], user)
    quota = _check_quota(capability, params.integer(body, "quota"))
    default, versions = VERSIONS[db_type]
    version = params.text(body, "version", mandatory=False) or default
    if version not in versions:
        raise BadRequest(f"[version] Version {version} is not available for {db_type}")
    password = params.text(body, "password", mandatory=False)
    if password is not None:
        check_password(password)
    return {
        "capability": capability,
        "type": db_type,
        "user": user,
        "quota": quota,
        "version": version,
        "password": password,
    }


def create_database(ctx: SandboxContext, now: float, sn: str, body: Doc) -> Doc:
    """Start creating a database; it is listed at once with status ``creating``."""
    fields = _parse_create(ctx, sn, body)
    name = f"{fields['user']}.mysql.db"
    if ctx.store.get(DATABASE, f"{sn}/{name}") is not None:
        raise Conflict(f"The database {name} already exists")
    task = start_task(ctx, now, sn, "hosting:database/create", name, "Database", database=name)
    doc = {
        **fields,
        "service": sn,
        "name": name,
        "status": "creating",
        "taskId": task["id"],
        "createdAt": now,
    }
    ctx.store.put(DATABASE, f"{sn}/{name}", doc)
    return task_view(task, now)


def busy_check(doc: Doc, *refused: str) -> None:
    """409 when the database is in one of the ``refused`` statuses."""
    if doc["status"] in refused:
        raise Conflict(f"The database {doc['name']} is {doc['status']}: try again later")


def database_operation(
    ctx: SandboxContext, now: float, sn: str, name: str, operation: str, status: str, **target: Any
) -> Doc:
    """Start a task on a database and show ``status`` on it until the task ends."""
    doc = database(ctx, sn, name)
    refused = ("deleting",) if operation.endswith("/delete") else ("creating", "deleting")
    busy_check(doc, *refused)
    task = start_task(ctx, now, sn, operation, name, "Database", database=name, **target)
    ctx.store.put(DATABASE, f"{sn}/{name}", {**doc, "status": status, "taskId": task["id"]})
    return task_view(task, now)


def change_password(ctx: SandboxContext, now: float, sn: str, name: str, body: Doc) -> Doc:
    """Start changing a database's password (the only mutable property)."""
    password = str(params.text(body, "password"))
    check_password(password)
    return database_operation(
        ctx, now, sn, name, "hosting:database/changePassword", "updating", password=password
    )


def delete_database(ctx: SandboxContext, now: float, sn: str, name: str) -> Doc:
    """Start deleting a database; its dumps become orphans when it is gone."""
    return database_operation(ctx, now, sn, name, "hosting:database/delete", "deleting")


def list_databases(ctx: SandboxContext, sn: str, query: dict[str, str]) -> list[str]:
    """Database names, filtered by exact ``mode``, ``name``, ``server``, ``type``, ``user``."""
    service(ctx, sn)
    names = []
    for doc in ctx.store.list(DATABASE):
        view = {"mode": "classic", "server": doc["name"], **doc}
        if doc["service"] == sn and all(
            view[field] == query[field]
            for field in ("mode", "name", "server", "type", "user")
            if field in query
        ):
            names.append(doc["name"])
    return names


def database_view(ctx: SandboxContext, sn: str, name: str) -> Doc:
    """The database as ``GET .../database/{name}`` shows it."""
    doc = database(ctx, sn, name)
    dumps = [
        d
        for d in ctx.store.list(DUMP)
        if d["service"] == sn and d["databaseName"] == name and not d["orphan"]
    ]
    is_sql = doc["type"] in ("mariadb", "mysql")
    return {
        "name": name,
        "user": doc["user"],
        "type": doc["type"],
        "version": doc["version"],
        "versionSupport": "stable",
        "databaseType": SERVICE_TYPES.get(doc["capability"], "included"),
        "databaseServiceDeprecated": False,
        "sqlpersoId": None,
        "mode": "classic",
        "server": name,
        "port": PORTS[doc["type"]],
        "state": "ok",
        "status": doc["status"],
        "quotaSize": {"unit": "MB", "value": doc["quota"]},
        "quotaUsed": {"unit": "MB", "value": USED_MB},
        "dumps": len(dumps),
        "lastCheck": ovh_date(doc["createdAt"]),
        "guiURL": "https://phpmyadmin.hosting.ovh.net/" if is_sql else None,
        "taskId": doc.get("taskId"),
    }
