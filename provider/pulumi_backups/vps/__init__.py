"""VPS panel resources: manual server backups and restores (httpx, Bearer token)."""

from .vps_backup import VpsBackup, VpsBackupArgs, VpsBackupProvider
from .vps_restore import VpsRestore, VpsRestoreArgs, VpsRestoreProvider

__all__ = [
    "VpsBackup",
    "VpsBackupArgs",
    "VpsBackupProvider",
    "VpsRestore",
    "VpsRestoreArgs",
    "VpsRestoreProvider",
]
