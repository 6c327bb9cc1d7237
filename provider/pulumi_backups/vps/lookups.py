"""Look-up of the backups a VPS panel keeps of a server, newest first
(:func:`get_vps_backups`, its ``_output`` form in :mod:`pulumi_backups.lookups`; the plugin
serves it as ``backups:vps:getVpsBackups``).

The panel documents no detail route: the listing is the whole truth, and it counts only when
complete and consistent (:mod:`.listings`: every page of one count, no entry twice, each of
the server and type asked for, read again while it shifts). One that cannot be read so is an
error, never an empty list.
"""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

from ..core.fields import IntegerId
from ..core.lookups import Freshness, freshness, newest_first
from .client import vps_client
from .models import BACKUP_DONE, Backup

BACKUP_TYPES = ("manual", "automatic")
"""The types the panel's listing filters on."""


class GetVpsBackupsArgs(BaseModel):
    """Inputs of :func:`get_vps_backups`."""

    server_id: IntegerId = Field(description="Id of the server, e.g. 12345.")
    backup_type: str | None = Field(
        default=None, description="`manual` or `automatic` backups only; default: both."
    )

    @field_validator("backup_type")
    @classmethod
    def _known_type(cls, value: str | None) -> str | None:
        if value not in (None, *BACKUP_TYPES):
            raise ValueError(f"must be one of {', '.join(BACKUP_TYPES)}")
        return value


class VpsBackups(Freshness):
    """The backups of a VPS, newest first, with the newest completed one's date and age."""

    server_id: int = Field(description="The server.")
    backup_type: str | None = Field(default=None, description="The type listed (null: both).")
    backups: list[Backup] = Field(description="The backups, newest first.")


def get_vps_backups(server_id: int, backup_type: str | None = None) -> VpsBackups:
    """The backups of ``server_id`` (``manual`` or ``automatic`` ones only, when given), newest
    first; the newest usable one is the newest ``completed``. Credentials come from stack
    config (``vps:apiUrl``, ``vps:apiToken``) or ``VPS_API_URL`` / ``VPS_API_TOKEN``."""
    args = GetVpsBackupsArgs.model_validate({"server_id": server_id, "backup_type": backup_type})
    client = vps_client()
    listed = client.list_backups(args.server_id, args.backup_type)
    backups = newest_first(listed, lambda b: b.created_at, lambda b: b.id)
    usable = [b.created_at for b in backups if b.status == BACKUP_DONE]
    return VpsBackups(**args.model_dump(), backups=backups, **freshness(usable, client.clock))
