"""A VPS backup taken under management with the `import_` resource option, which the dynamic
resources cannot honour (README: use `adopt=True`, or the provider plugin)."""

import pulumi

from pulumi_backups import VpsBackup

config = pulumi.Config()
VpsBackup(
    "imported",
    server_id=config.require_int("server"),
    description="made before an import",
    opts=pulumi.ResourceOptions(import_=config.require("backup")),
)
