"""pulumi-backups: backups and snapshot schedules as Pulumi dynamic resources."""

__all__: list[str] = []
