"""OVHcloud settings: endpoint and credentials, from stack config, ``OVH_*``, or ovh.conf."""

from __future__ import annotations

import configparser
import os
from collections.abc import Callable
from dataclasses import dataclass

from ..core.config import ENDPOINTS, EndpointSetting, Lookup
from ..core.errors import ConfigError

ENDPOINT = ENDPOINTS["ovh"] = EndpointSetting("ovh:endpoint", "OVH_ENDPOINT")
NAMED_ENDPOINTS = (
    "ovh-eu",
    "ovh-ca",
    "ovh-us",
    "kimsufi-eu",
    "kimsufi-ca",
    "soyoustart-eu",
    "soyoustart-ca",
)
CREDENTIALS_HINT = (
    "check the OVHcloud credentials: stack config `ovh:applicationKey`, `ovh:applicationSecret`, "
    "`ovh:consumerKey` (or `ovh:clientId`/`ovh:clientSecret`), environment OVH_APPLICATION_KEY, "
    "OVH_APPLICATION_SECRET, OVH_CONSUMER_KEY, or ovh.conf"
)
"""What a refused credential's error says about where credentials come from."""
ENDPOINT_HINT = (
    "not an answer of the OVHcloud API: check the endpoint, stack config `ovh:endpoint`, "
    "environment OVH_ENDPOINT, or ovh.conf"
)
"""What an answer that cannot come from the API (a proxy's page, a wrong base path) says."""


@dataclass(frozen=True, repr=False)
class OvhSettings:
    """Resolved OVHcloud settings. ``endpoint`` is a python-ovh name or an http(s) URL."""

    endpoint: str
    application_key: str | None = None
    application_secret: str | None = None
    consumer_key: str | None = None
    client_id: str | None = None
    client_secret: str | None = None

    def __repr__(self) -> str:  # never print secrets
        return f"OvhSettings(endpoint={self.endpoint!r})"


def _ovh_files() -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser()
    parser.read(
        ["/etc/ovh.conf", os.path.expanduser("~/.ovh.conf"), os.path.realpath("./ovh.conf")]
    )
    return parser


def _ini_getter(
    parser: configparser.RawConfigParser, section: str, name: str
) -> Callable[[], str | None]:
    return lambda: parser.get(section, name, fallback=None)


OVH_FILES = "ovh.conf (/etc/ovh.conf, ~/.ovh.conf, ./ovh.conf)"


def resolve_ovh() -> OvhSettings:
    """Resolve OVHcloud settings; raises ConfigError naming every place looked at."""
    files = _ovh_files()
    look = Lookup()
    endpoint = look.first(
        ENDPOINT.config_key,
        ENDPOINT.env_var,
        (OVH_FILES, _ini_getter(files, "default", "endpoint")),
    )
    if not endpoint:
        raise look.missing("OVHcloud endpoint")
    if endpoint not in NAMED_ENDPOINTS and not endpoint.startswith(("http://", "https://")):
        raise ConfigError(
            f"OVHcloud endpoint {endpoint!r} is neither one of {', '.join(NAMED_ENDPOINTS)} "
            "nor an http(s) URL"
        )
    values: dict[str, str | None] = {}
    looks: dict[str, Lookup] = {}
    for attr, key in (
        ("application_key", "applicationKey"),
        ("application_secret", "applicationSecret"),
        ("consumer_key", "consumerKey"),
        ("client_id", "clientId"),
        ("client_secret", "clientSecret"),
    ):
        looks[attr] = Lookup()
        values[attr] = looks[attr].first(
            f"ovh:{key}", f"OVH_{attr.upper()}", (OVH_FILES, _ini_getter(files, endpoint, attr))
        )
    if values["client_id"] and values["client_secret"]:
        return OvhSettings(
            endpoint, client_id=values["client_id"], client_secret=values["client_secret"]
        )
    for attr in ("application_key", "application_secret", "consumer_key"):
        if not values[attr]:
            raise looks[attr].missing(
                f"OVHcloud {attr.replace('_', ' ')} (or OAuth2 clientId + clientSecret)"
            )
    return OvhSettings(
        endpoint,
        application_key=values["application_key"],
        application_secret=values["application_secret"],
        consumer_key=values["consumer_key"],
    )
