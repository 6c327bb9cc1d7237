"""What the package offers, one row each: a name and the module under ``pulumi_backups``
that defines it. The package root exports these names; the provider plugin serves each
resource by its type token (``plugin.kinds``); a resource's module holds its ``XArgs``,
``XProvider`` and ``X``. A new resource is one row here (and its line in the root's typing
block, which editors and type checkers read)."""

from __future__ import annotations

from typing import Final

RESOURCES: Final = {
    "HostingDatabase": "ovh.hosting_database",
    "HostingDatabaseDump": "ovh.hosting_database_dump",
    "HostingDatabaseRestore": "ovh.hosting_database_restore",
    "NashaSnapshotPolicy": "ovh.nasha_snapshot_policy",
    "NashaCustomSnapshot": "ovh.nasha_custom_snapshot",
    "VpsBackup": "vps.vps_backup",
    "VpsRestore": "vps.vps_restore",
    "RdbBackup": "scaleway.rdb_backup",
    "RdbBackupRestore": "scaleway.rdb_backup_restore",
}
"""Resource class name -> its module, in the order of the package schema."""

LOOKUPS: Final = {
    "get_hosting_database_dumps": "ovh.lookups",
    "get_nasha_custom_snapshots": "ovh.nasha.lookup_operations",
    "get_nasha_snapshot_frequencies": "ovh.nasha.lookup_operations",
    "get_vps_backups": "vps.lookups",
    "get_rdb_backups": "scaleway.lookups",
}
"""Look-ups (what exists, newest first) -> their module, in the order of the package schema.
Each has an ``_output`` form in ``lookups`` (the Pulumi side: the look-ups' own modules are
free of it), and is served by the plugin as an invoke
(``backups:<api>:getX``), its inputs the module's ``GetXArgs``, its answer its return type."""

FUNCTIONS: Final = {
    "get_orphan_dumps": "ovh.orphans",
    **LOOKUPS,
    **{f"{name}_output": "lookups" for name in LOOKUPS},
}
"""Function name -> its module."""

ERRORS: Final = {"BackupsError": "core.errors"}
"""The error every failure of the package is an instance of -> its module."""
