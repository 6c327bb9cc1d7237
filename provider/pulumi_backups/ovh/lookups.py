"""Look-ups of what a web-hosting database keeps: its dumps, newest first
(:func:`get_hosting_database_dumps`; its ``_output`` form, for inputs that are Pulumi
outputs, is in :mod:`pulumi_backups.lookups`; the plugin serves it as
``backups:ovh:getHostingDatabaseDumps``). No Pulumi here: both adapters call it.

The dump ids are read until two listings in a row agree (:func:`.waiters.consistent`); each
dump is then read on its own route, where a not-found means it expired in between (proof it
is gone). A database that does not exist is an error, not an empty list.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, Field

from ..core.lookups import Freshness, freshness, newest_first
from .client import ovh_client
from .hosting_client import HostingApi
from .models import DATABASE_NAME, SERVICE_NAME, Dump
from .waiters import consistent

USABLE_DUMP = "created"
"""A dump's status once it can be downloaded and restored."""


class GetHostingDatabaseDumpsArgs(BaseModel):
    """Inputs of :func:`get_hosting_database_dumps`."""

    service_name: str = Field(
        pattern=SERVICE_NAME,
        description="Web hosting service, e.g. `xxxxx.cluster000.hosting.ovh.net`.",
    )
    database_name: str = Field(
        pattern=DATABASE_NAME,
        description="Database whose dumps to list, e.g. `sandboxapp.mysql.db`.",
    )


class HostingDatabaseDumps(Freshness):
    """The dumps of a web-hosting database, newest first; each ``url`` downloads it unsigned
    (a secret)."""

    secrets: ClassVar[frozenset[str]] = frozenset({"url"})

    service_name: str = Field(description="Web hosting service.")
    database_name: str = Field(description="The database.")
    dumps: list[Dump] = Field(description="The dumps, newest first.")


def get_hosting_database_dumps(service_name: str, database_name: str) -> HostingDatabaseDumps:
    """The dumps of ``database_name`` on ``service_name``, newest first, with the date and age
    of the newest usable one (status ``created``). Credentials come from the usual places
    (stack config inside a Pulumi program, ``OVH_*`` environment variables, ``ovh.conf``).
    A listing that keeps changing, an answer about another dump, or a database that does not
    exist is an error."""
    args = GetHostingDatabaseDumpsArgs(service_name=service_name, database_name=database_name)
    api = HostingApi(ovh_client(), args.service_name)
    what = f"the dumps of {args.database_name} on {args.service_name}"
    ids = consistent(lambda: api.dump_ids(args.database_name), what)
    found = (api.find_dump(args.database_name, dump_id) for dump_id in ids)
    dumps = newest_first(
        (d for d in found if d is not None), lambda d: d.creation_date, lambda d: d.id
    )
    usable = [d.creation_date for d in dumps if d.status == USABLE_DUMP]
    return HostingDatabaseDumps(**args.model_dump(), dumps=dumps, **freshness(usable, api.clock))
