"""OVHcloud API v1 emulator: web hosting databases and dumps, NAS-HA snapshots.

Served under ``/1.0`` (and ``/v1``) by the sandbox app, as :data:`API`. Requests are signed
exactly as python-ovh signs them (:mod:`.auth`); errors have the real shapes
(:mod:`.exceptions`); every change is a task whose progress follows the sandbox clock
(:mod:`.timeline`) and whose effect lands when it ends (:mod:`.settle`).

Layout (moto's): ``*_models.py`` hold state and rules, ``*_responses.py`` the routes,
``http.py`` the one choke point every route goes through.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from ..context import SandboxContext
from ..emulated import EmulatedApi
from ..settings import HOSTING_SERVICE, NASHA_SERVICE
from . import hosting_responses, hosting_tasks, http, nasha_models, nasha_responses
from .settle import OPERATIONS, settle

HOSTING_LOGIN = "sandbox"
NASHA_PARTITION = "backups"
DEFAULT_SNAPSHOT_TYPE = "day-1"


def routes(ctx: SandboxContext) -> list[BaseRoute]:
    """Every OVHcloud route, relative to ``/1.0``."""
    return hosting_responses.routes(ctx) + nasha_responses.routes(ctx)


def seed(ctx: SandboxContext) -> None:
    """The fixed objects: one hosting service (no database), one NAS-HA with one partition."""
    _seed_hosting(ctx)
    _seed_nasha(ctx)


def _seed_hosting(ctx: SandboxContext) -> None:
    ctx.store.put(
        hosting_tasks.SERVICE,
        HOSTING_SERVICE,
        {
            "serviceName": HOSTING_SERVICE,
            "displayName": HOSTING_SERVICE,
            "primaryLogin": HOSTING_LOGIN,
            "cluster": "cluster000",
            "clusterIp": "127.0.0.1",
            "home": f"/homez.000/{HOSTING_LOGIN}",
            "datacenter": "gra",
            "offer": "perso2014",
            "operatingSystem": "linux",
            "state": "active",
            "hasCdn": False,
            "hasHostedSsl": False,
            # the other fields hosting.web.ServiceWithIAM declares non-null
            "availableBoostOffer": [],
            "multipleSSL": False,
            "phpVersions": [],
            "quotaSize": {"unit": "GB", "value": 100},
            "resourceType": "shared",
            "serviceManagementAccess": {
                "ftp": {"port": 21, "url": "ftp.cluster000.hosting.ovh.net"},
                "http": {"port": 80, "url": "cluster000.hosting.ovh.net"},
                "ssh": {"port": 22, "url": "ssh.cluster000.hosting.ovh.net"},
            },
            "updates": [],
        },
    )


def _seed_nasha(ctx: SandboxContext) -> None:
    ctx.store.put(
        nasha_models.SERVICE,
        NASHA_SERVICE,
        {
            "serviceName": NASHA_SERVICE,
            "customName": "sandbox backups",
            "datacenter": "rbx",
            "ip": "10.0.0.10",
            "diskType": "hdd",
            "monitored": False,
            "canCreatePartition": True,
            "zpoolSize": 1200,
            "zpoolCapacity": 1,
        },
    )
    ctx.store.put(
        nasha_models.PARTITION,
        f"{NASHA_SERVICE}/{NASHA_PARTITION}",
        {
            "service": NASHA_SERVICE,
            "partitionName": NASHA_PARTITION,
            "partitionDescription": "sandbox backups",
            "protocol": "NFS",
            "size": 100,
            "capacity": 1,
            "snapshots": {DEFAULT_SNAPSHOT_TYPE: "active"},
            "custom": {},
        },
    )


API = EmulatedApi(
    name="ovh",
    prefixes=("/1.0", "/v1"),  # the API answers under both
    routes=routes,
    seed=seed,
    operations=OPERATIONS,
    settle=settle,
    error=http.standard_response,
    request_id_header="X-OVH-QUERYID",
    new_request_id=http.query_id,
)
"""The OVHcloud API as the sandbox serves it."""
