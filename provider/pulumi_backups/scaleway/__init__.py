"""Scaleway Managed Database (RDB) backups: ``RdbBackup`` and ``RdbBackupRestore``."""

from .client import RdbClient, rdb_client
from .rdb_backup import RdbBackup, RdbBackupArgs, RdbBackupProvider
from .rdb_backup_restore import RdbBackupRestore, RdbBackupRestoreArgs, RdbBackupRestoreProvider

__all__ = [
    "RdbBackup",
    "RdbBackupArgs",
    "RdbBackupProvider",
    "RdbBackupRestore",
    "RdbBackupRestoreArgs",
    "RdbBackupRestoreProvider",
    "RdbClient",
    "rdb_client",
]
