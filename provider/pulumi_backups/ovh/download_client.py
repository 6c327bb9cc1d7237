"""Downloading a dump through its link (``Dump.url``): plain HTTPS, no OVHcloud signature.

The data goes to a ``.part`` file first, renamed once complete, so an interrupted download
never leaves a file that looks whole.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from ..core.errors import BackupsError, TransportError, error_for_status
from .models import Dump

#: Called as ``progress(bytes_done, bytes_total_or_None)`` while a download runs.
OnBytes = Callable[[int, "int | None"], None]
CHUNK = 64 * 1024


def download_dump(
    dump: Dump,
    path: str | os.PathLike[str],
    *,
    progress: OnBytes | None = None,
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


def _save(response: httpx.Response, partial: Path, progress: OnBytes | None) -> None:
    length = response.headers.get("Content-Length")
    total = int(length) if length and length.isdigit() else None
    done = 0
    with partial.open("wb") as out:
        for chunk in response.iter_bytes(CHUNK):
            out.write(chunk)
            done += len(chunk)
            if progress is not None:
                progress(done, total)
