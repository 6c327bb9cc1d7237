"""Web hosting database dumps: creation, listing, restore, deletion, orphans, download.

Rules:

* ``POST .../dump`` returns a task; the dump id is listed only once the task is done;
* a dump is deleted automatically at its ``deletionDate``: ``KEEP_DAYS`` after creation,
  depending on its type;
* when its database is deleted a dump becomes an orphan, kept ``ORPHAN_DAYS`` more, and is
  reachable only at service level (``/hosting/web/{sn}/dump``, newest first), where it can
  be read and deleted (``GET`` / ``DELETE .../dump/{id}``) but not restored;
* a database created again under the same name (a replacement keeps the user, so the name)
  does not take the orphans over: they stay orphans of the deleted one, listed and kept as
  before, and its own routes show only its own dumps. Assumed, not documented: OVHcloud's
  guide on deleted databases (kept dumps found by ``databaseName`` and ``orphan=true``) says
  nothing of a namesake, and a dump holds the data of the database it was taken of, so the
  safe reading is that nothing links it to the new one;
* ``url`` downloads a gzipped SQL file from the sandbox itself, with no signature (the
  link's ``sign`` is its only protection, as for the real download links).
"""

from __future__ import annotations

import gzip
import secrets

from ..context import SandboxContext
from ..progress import Doc
from . import params
from .exceptions import BadRequest, Conflict, existing, object_not_found
from .hosting_models import database, database_operation, service
from .hosting_tasks import DUMP, start_task, task_view
from .timeline import ovh_date

DUMP_DATES = ("daily.1", "now", "weekly.1")
DATE_ENUM = "hosting.web.database.dump.DateEnum"
KEEP_DAYS = {"now": 30, "daily.1": 7, "weekly.1": 30}
ORPHAN_DAYS = 30
DUMP_ID_BASE = 1_000_000  # real dump ids are 7-8 digits
DAY = 86_400.0


def create_dump(ctx: SandboxContext, now: float, sn: str, name: str, body: Doc) -> Doc:
    """Start a dump of ``name`` (``date``: ``now`` or an automatic backup)."""
    date = params.choice(body, "date", DUMP_DATES, DATE_ENUM)
    params.boolean(body, "sendEmail", True)
    return database_operation(ctx, now, sn, name, "hosting:dump/create", "dumping", type=date)


def restore_database(ctx: SandboxContext, now: float, sn: str, name: str, body: Doc) -> Doc:
    """Start restoring ``name`` from an automatic backup, without a dump id."""
    date = params.choice(body, "date", DUMP_DATES, DATE_ENUM)
    params.boolean(body, "sendEmail", True)
    return database_operation(
        ctx, now, sn, name, "hosting:database/restore", "restoring", type=date
    )


def new_dump(
    ctx: SandboxContext, sn: str, name: str, dump_type: str, at: float, task_id: int
) -> Doc:
    """Store a finished dump of ``name`` created at ``at``."""
    dump_id = DUMP_ID_BASE + ctx.store.next_id(DUMP)
    doc = {
        "id": dump_id,
        "service": sn,
        "databaseName": name,
        "type": dump_type,
        "status": "created",
        "creationAt": at,
        "deletionAt": at + KEEP_DAYS[dump_type] * DAY,
        "taskId": task_id,
        "orphan": False,
        "sign": secrets.token_urlsafe(24),
    }
    ctx.store.put(DUMP, f"{sn}/{dump_id}", doc)
    return doc


def orphan_dumps(ctx: SandboxContext, sn: str, name: str, at: float) -> None:
    """Keep the dumps of a database deleted at ``at`` for ``ORPHAN_DAYS``. Orphans of an
    earlier database of that name keep their own date: only the live dumps change."""
    for doc in ctx.store.list(DUMP):
        if doc["service"] == sn and doc["databaseName"] == name and not doc["orphan"]:
            doc.update(orphan=True, deletionAt=at + ORPHAN_DAYS * DAY)
            ctx.store.put(DUMP, f"{sn}/{doc['id']}", doc)


def expire_dumps(ctx: SandboxContext, now: float) -> None:
    """Delete the dumps whose deletion date has passed."""
    for doc in ctx.store.list(DUMP):
        if float(doc["deletionAt"]) <= now:
            ctx.store.delete(DUMP, f"{doc['service']}/{doc['id']}")


def service_dump(ctx: SandboxContext, sn: str, dump_id: str) -> Doc:
    """Any dump of the service, orphan or not (404 when unknown)."""
    service(ctx, sn)
    return existing(
        ctx.store.get(DUMP, f"{sn}/{dump_id}") if dump_id.isdigit() else None, "id", dump_id
    )


def database_dump(ctx: SandboxContext, sn: str, name: str, dump_id: str) -> Doc:
    """A dump of the existing database ``name`` (404 when unknown, of another database, or
    left by a deleted database of that name: see the module's rules)."""
    database(ctx, sn, name)
    doc = service_dump(ctx, sn, dump_id)
    if doc["databaseName"] != name or doc["orphan"]:
        raise object_not_found("id", dump_id)
    return doc


def dump_view(doc: Doc, base_url: str, *, service_level: bool = False) -> Doc:
    """The dump as the API shows it; ``base_url`` is the API root the client called."""
    view: Doc = {
        "id": doc["id"],
        "creationDate": ovh_date(doc["creationAt"]),
        "deletionDate": ovh_date(doc["deletionAt"]),
        "status": doc["status"],
        "taskId": doc["taskId"],
        "type": doc["type"],
        "url": f"{base_url}/_download/dump/{doc['id']}.sql.gz?sign={doc['sign']}",
    }
    if service_level:
        view.update(databaseName=doc["databaseName"], orphan=doc["orphan"])
    return view


def _matches(doc: Doc, query: dict[str, str]) -> bool:
    if "type" in query and doc["type"] != query["type"]:
        return False
    return params.in_range(float(doc["creationAt"]), query, "creationDate") and params.in_range(
        float(doc["deletionAt"]), query, "deletionDate"
    )


def list_dumps(ctx: SandboxContext, sn: str, name: str, query: dict[str, str]) -> list[int]:
    """Ids of the finished dumps of ``name``, oldest first, filtered like the real API."""
    database(ctx, sn, name)
    params.choice(query, "type", DUMP_DATES, DATE_ENUM, mandatory=False)
    return [
        doc["id"]
        for doc in ctx.store.list(DUMP)
        if doc["service"] == sn
        and doc["databaseName"] == name
        and not doc["orphan"]
        and _matches(doc, query)
    ]


def list_service_dumps(ctx: SandboxContext, sn: str, query: dict[str, str]) -> list[int]:
    """Ids of the service's dumps (``databaseName``, ``orphan`` filters), newest first."""
    service(ctx, sn)
    orphan = params.query_flag(query, "orphan")
    name = query.get("databaseName")
    found = [
        doc
        for doc in ctx.store.list(DUMP)
        if doc["service"] == sn
        and (name is None or doc["databaseName"] == name)
        and (orphan is None or doc["orphan"] == orphan)
        and _matches(doc, query)
    ]
    found.sort(key=lambda doc: (float(doc["creationAt"]), doc["id"]), reverse=True)
    return [doc["id"] for doc in found]


def delete_dump(ctx: SandboxContext, now: float, doc: Doc) -> Doc:
    """Start deleting a dump; it shows ``deleting`` until the task ends."""
    if doc["status"] == "deleting":
        raise Conflict(f"The dump {doc['id']} is already being deleted")
    sn = doc["service"]
    task = start_task(ctx, now, sn, "hosting:dump/delete", str(doc["id"]), "Dump", dump=doc["id"])
    ctx.store.put(DUMP, f"{sn}/{doc['id']}", {**doc, "status": "deleting"})
    return task_view(task, now)


def restore_dump(ctx: SandboxContext, now: float, sn: str, name: str, dump_id: str) -> Doc:
    """Start restoring a dump into its database."""
    doc = database_dump(ctx, sn, name, dump_id)
    if doc["status"] != "created":
        raise BadRequest(f"The dump {dump_id} cannot be restored while {doc['status']}")
    return database_operation(
        ctx, now, sn, name, "hosting:dump/restore", "restoring", dump=doc["id"]
    )


def download(ctx: SandboxContext, dump_id: str, sign: str) -> tuple[str, bytes]:
    """The file name and gzipped SQL content of a dump (404 unless ``sign`` matches)."""
    found = [d for d in ctx.store.list(DUMP) if str(d["id"]) == dump_id]
    if not found or not secrets.compare_digest(found[0]["sign"], sign):
        raise object_not_found("id", dump_id)
    doc = found[0]
    sql = (
        f"-- Dump {doc['id']} of {doc['databaseName']} ({doc['type']})\n"
        f"-- Created {ovh_date(doc['creationAt'])}\n"
        "CREATE TABLE IF NOT EXISTS sandbox (id INT PRIMARY KEY, note VARCHAR(64));\n"
        "INSERT INTO sandbox VALUES (1, 'sandbox dump');\n"
    )
    name = f"{doc['databaseName']}.{doc['id']}.sql.gz"
    return name, gzip.compress(sql.encode("utf-8"), mtime=0)
