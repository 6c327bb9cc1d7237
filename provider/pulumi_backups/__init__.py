"""pulumi-backups: backups and snapshot schedules as Pulumi dynamic resources.

Every name below is importable from the package root. Modules load on first use, so that
``import pulumi_backups`` stays cheap and a program pays only for the APIs it uses.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .core.errors import BackupsError
    from .ovh.hosting_database import HostingDatabase
    from .ovh.hosting_database_dump import HostingDatabaseDump
    from .ovh.hosting_database_restore import HostingDatabaseRestore
    from .ovh.nasha_custom_snapshot import NashaCustomSnapshot
    from .ovh.nasha_snapshot_policy import NashaSnapshotPolicy
    from .ovh.orphans import get_orphan_dumps
    from .scaleway.rdb_backup import RdbBackup
    from .scaleway.rdb_backup_restore import RdbBackupRestore
    from .vps.vps_backup import VpsBackup
    from .vps.vps_restore import VpsRestore

_EXPORTS = {
    "BackupsError": ".core.errors",
    "HostingDatabase": ".ovh.hosting_database",
    "HostingDatabaseDump": ".ovh.hosting_database_dump",
    "HostingDatabaseRestore": ".ovh.hosting_database_restore",
    "NashaCustomSnapshot": ".ovh.nasha_custom_snapshot",
    "NashaSnapshotPolicy": ".ovh.nasha_snapshot_policy",
    "RdbBackup": ".scaleway.rdb_backup",
    "RdbBackupRestore": ".scaleway.rdb_backup_restore",
    "VpsBackup": ".vps.vps_backup",
    "VpsRestore": ".vps.vps_restore",
    "get_orphan_dumps": ".ovh.orphans",
}

__all__ = [
    "BackupsError",
    "HostingDatabase",
    "HostingDatabaseDump",
    "HostingDatabaseRestore",
    "NashaCustomSnapshot",
    "NashaSnapshotPolicy",
    "RdbBackup",
    "RdbBackupRestore",
    "VpsBackup",
    "VpsRestore",
    "get_orphan_dumps",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
