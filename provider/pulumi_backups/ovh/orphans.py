"""Recovering the dumps of a deleted web-hosting database.

When a database is deleted, OVHcloud keeps its dumps for 30 days as *orphans*, reachable only
at service level (``GET /hosting/web/{sn}/dump?databaseName=...&orphan=true``, each at
``/hosting/web/{sn}/dump/{id}``), also when a database of the same name is created again
(the explanation the other modules refer to). There is no
restore route for them: the documented recovery is to download the latest one (its ``url``)
and import it into a new database. :func:`get_orphan_dumps` lists them, newest first;
:func:`download_dump` fetches one.
"""

from __future__ import annotations

from datetime import datetime, timezone

from ..core.errors import NotFoundError
from ..core.fields import answer_datetime
from .client import ovh_client
from .download_client import OnBytes as OnBytes
from .download_client import download_dump as download_dump
from .hosting_client import HostingApi
from .models import ServiceDump

_OLDEST = datetime.min.replace(tzinfo=timezone.utc)


def get_orphan_dumps(service_name: str, database_name: str) -> list[ServiceDump]:
    """The dumps left by the deleted database ``database_name`` of ``service_name``, newest
    first (empty when there are none, or no more). Credentials come from the usual places
    (stack config inside a Pulumi program, ``OVH_*`` environment variables, ``ovh.conf``).
    Each dump's ``url`` downloads it without further authentication: keep it secret. An
    answer about another dump, or a dump of another database, is an ApiError.
    """
    api = HostingApi(ovh_client(), service_name)
    dumps = []
    for dump_id in api.orphan_dump_ids(database_name):
        try:
            dumps.append(api.service_dump(dump_id, database_name))
        except NotFoundError:  # expired between the listing and now
            continue
    dumps.sort(key=lambda d: (answer_datetime(d.creation_date) or _OLDEST, d.id), reverse=True)
    return dumps
