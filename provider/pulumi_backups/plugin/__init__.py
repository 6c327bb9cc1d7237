"""The provider plugin ``pulumi-resource-backups``: the same resources, served over gRPC to
every Pulumi language (see README, "The provider plugin")."""
