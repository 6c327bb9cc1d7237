"""pulumi-backups: backups and snapshot schedules as Pulumi dynamic resources.

Every name below is importable from the package root. Modules load on first use, so that
``import pulumi_backups`` stays cheap and a program pays only for the APIs it uses.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .catalog import ERRORS, FUNCTIONS, RESOURCES

if TYPE_CHECKING:  # every name of the catalog, for type checkers (``X as X``: re-exported)
    from .core.errors import BackupsError as BackupsError
    from .lookups import get_hosting_database_dumps_output as get_hosting_database_dumps_output
    from .lookups import get_nasha_custom_snapshots_output as get_nasha_custom_snapshots_output
    from .lookups import (
        get_nasha_snapshot_frequencies_output as get_nasha_snapshot_frequencies_output,
    )
    from .lookups import get_rdb_backups_output as get_rdb_backups_output
    from .lookups import get_vps_backups_output as get_vps_backups_output
    from .ovh.hosting_database import HostingDatabase as HostingDatabase
    from .ovh.hosting_database_dump import HostingDatabaseDump as HostingDatabaseDump
    from .ovh.hosting_database_restore import HostingDatabaseRestore as HostingDatabaseRestore
    from .ovh.lookups import get_hosting_database_dumps as get_hosting_database_dumps
    from .ovh.nasha.lookup_operations import (
        get_nasha_custom_snapshots as get_nasha_custom_snapshots,
    )
    from .ovh.nasha.lookup_operations import (
        get_nasha_snapshot_frequencies as get_nasha_snapshot_frequencies,
    )
    from .ovh.nasha_custom_snapshot import NashaCustomSnapshot as NashaCustomSnapshot
    from .ovh.nasha_snapshot_policy import NashaSnapshotPolicy as NashaSnapshotPolicy
    from .ovh.orphans import get_orphan_dumps as get_orphan_dumps
    from .scaleway.lookups import get_rdb_backups as get_rdb_backups
    from .scaleway.rdb_backup import RdbBackup as RdbBackup
    from .scaleway.rdb_backup_restore import RdbBackupRestore as RdbBackupRestore
    from .vps.lookups import get_vps_backups as get_vps_backups
    from .vps.vps_backup import VpsBackup as VpsBackup
    from .vps.vps_restore import VpsRestore as VpsRestore

_EXPORTS = {**ERRORS, **RESOURCES, **FUNCTIONS}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
