"""OVHcloud NAS-HA: the layers beneath ``NashaCustomSnapshot`` and ``NashaSnapshotPolicy``.

``client`` (the calls on one partition), ``models`` (its typed objects), ``waiters`` (tasks,
listings, and the recovery of named objects whose answer was lost), one operations module
per resource (``snapshot_operations``, ``policy_operations``), and the look-ups
(``lookup_operations``). The resource modules stay in
``ovh/`` (``nasha_custom_snapshot``, ``nasha_snapshot_policy``): users' state files name
their providers there. The OVHcloud choke point, settings and shared task model are ``ovh/``'s.
"""
