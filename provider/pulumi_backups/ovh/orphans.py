"""Recovering the dumps of a deleted web-hosting database.

When a database is deleted, OVHcloud keeps its dumps for 30 days as *orphans*, reachable only
at service level (``GET /hosting/web/{sn}/dump?databaseName=...&orphan=true``). There is no
restore route for them: the documented recovery is to download the latest one (its ``url``)
and import it into a new database. :func:`get_orphan_dumps` lists them, newest first;
:func:`download_dump` fetches one.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from ..core.errors import BackupsError, NotFoundError, TransportError, error_for_status
from .client import OvhClient, ovh_client
from .hosting import Dump, HostingApi, ServiceDump, parse_date

#: Called as ``progress(bytes_done, bytes_total_or_None)`` while a download runs.
Progress = Callable[[int, "int | None"], None]
_OLDEST = datetime.min.replace(tzinfo=timezone.utc)
CHUNK = 64 * 1024


def get_orphan_dumps(
    service_name: str, database_name: str, *, client: OvhClient | None = None
) -> list[ServiceDump]:
    """The dumps left by the deleted database ``database_name`` of ``service_name``, newest
    first (empty when there are none, or no more). Credentials come from the usual places
    (stack config inside a Pulumi program, ``OVH_*`` environment variables, ``ovh.conf``).
    Each dump's ``url`` downloads it without further authentication: keep it secret.
    """
    api = HostingApi(client or ovh_client(), service_name)
    dumps = []
    for dump_id in api.orphan_dump_ids(database_name):
        try:
            dumps.append(api.service_dump(dump_id))
        except NotFoundError:  # expired between the listing and now
            continue
    dumps.sort(key=lambda d: (parse_date(d.creation_date) or _OLDEST, d.id), reverse=True)
    return dumps


def download_dump(
    dump: Dump,
    path: str | os.PathLike[str],
    *,
    progress: Progress | None = None,
    transport: httpx.BaseTransport | None = None,
) -> Path:
    """Download ``dump`` to ``path`` (into it, under the link's file name, when it is a
    directory) and return the file written. The data goes to a ``.part`` file first, renamed
    once complete, so an interrupted download never leaves a file that looks whole.
    """
    if not dump.url:
        raise BackupsError(f"dump {dump.id} has no download link (status {dump.status})")
    target = _target(path, Path(urlsplit(dump.url).path).name or f"dump-{dump.id}.sql.gz")
    call = f"GET {urlsplit(dump.url).path}"  # never the query: it holds the link's signature
    partial = target.with_name(target.name + ".part")
    try:
        with (
            httpx.Client(transport=transport, follow_redirects=True, timeout=60.0) as http,
            http.stream("GET", dump.url) as response,
        ):
            if response.status_code >= 300:
                response.read()
                raise error_for_status(call, response.status_code, response.text[:200])
            _save(response, partial, progress)
    except httpx.HTTPError as err:
        partial.unlink(missing_ok=True)
        raise TransportError(call, type(err).__name__) from err
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(target)
    return target


def _target(path: str | os.PathLike[str], file_name: str) -> Path:
    """The file to write: ``path`` itself, or ``file_name`` in it when it is a folder (an
    existing one, or any path written with a trailing separator). The folder must exist."""
    target = Path(path)
    if target.is_dir():
        return target / file_name
    if os.fspath(path).endswith(("/", os.sep)):
        raise BackupsError(f"no folder {target}: create it first, or give a file name")
    if not target.parent.is_dir():
        raise BackupsError(f"no folder {target.parent} to save {target.name} in: create it first")
    return target


def _save(response: httpx.Response, partial: Path, progress: Progress | None) -> None:
    length = response.headers.get("Content-Length")
    total = int(length) if length and length.isdigit() else None
    done = 0
    with partial.open("wb") as out:
        for chunk in response.iter_bytes(CHUNK):
            out.write(chunk)
            done += len(chunk)
            if progress is not None:
                progress(done, total)
