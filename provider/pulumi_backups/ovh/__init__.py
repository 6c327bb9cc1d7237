"""OVHcloud resources: web-hosting databases, dumps and restores; NAS-HA snapshots."""
