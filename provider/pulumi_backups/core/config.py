"""Credential and endpoint resolution: stack config, then environment, then vendor files.

The provider host calls ``configure()`` once with the whole stack config; providers hand it to
:func:`set_stack_config`, which keeps it at module level (never on the provider object, which is
pickled into the state file). Each API's settings are resolved per call from it, so a
credential is read when needed and never serialized.

First found wins, exactly as documented in the README:

============  ==========================  ====================  ===============================
API           stack config                environment           file
============  ==========================  ====================  ===============================
OVHcloud      ``ovh:applicationKey`` ...  ``OVH_*``             ``ovh.conf`` (python-ovh path)
Scaleway      ``scaleway:secretKey`` ...  ``SCW_*``             ``~/.config/scw/config.yaml``
VPS panel     ``vps:apiUrl``/``apiToken`` ``VPS_*``             (none)
============  ==========================  ====================  ===============================
"""

from __future__ import annotations

import configparser
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pulumi.runtime.config import get_config

from .errors import ConfigError

_lock = threading.Lock()
_stack_config: Mapping[str, Any] = {}

OVH_NAMED_ENDPOINTS = (
    "ovh-eu",
    "ovh-ca",
    "ovh-us",
    "kimsufi-eu",
    "kimsufi-ca",
    "soyoustart-eu",
    "soyoustart-ca",
)
SCALEWAY_REGIONS = ("fr-par", "nl-ams", "pl-waw")
DEFAULT_SCALEWAY_API_URL = "https://api.scaleway.com"
DEFAULT_SCALEWAY_REGION = "fr-par"
DEFAULT_VPS_API_URL = "https://admin.vps.org"

# What a refused credential's error says about where credentials come from.
OVH_CREDENTIALS_HINT = (
    "check the OVHcloud credentials: stack config `ovh:applicationKey`, `ovh:applicationSecret`, "
    "`ovh:consumerKey` (or `ovh:clientId`/`ovh:clientSecret`), environment OVH_APPLICATION_KEY, "
    "OVH_APPLICATION_SECRET, OVH_CONSUMER_KEY, or ovh.conf"
)
SCALEWAY_CREDENTIALS_HINT = (
    "check the Scaleway secret key: stack config `scaleway:secretKey`, environment "
    "SCW_SECRET_KEY, or the profile in ~/.config/scw/config.yaml (SCW_CONFIG_PATH)"
)
VPS_CREDENTIALS_HINT = (
    "check the VPS panel API token (stack config `vps:apiToken` or VPS_API_TOKEN)"
)
# What an answer that cannot come from the API (a proxy's page, a wrong base path) says.
OVH_ENDPOINT_HINT = (
    "not an answer of the OVHcloud API: check the endpoint, stack config `ovh:endpoint`, "
    "environment OVH_ENDPOINT, or ovh.conf"
)
SCALEWAY_ENDPOINT_HINT = (
    "not an answer about a Scaleway object: check `scaleway:apiUrl` (or SCW_API_URL)"
)
VPS_ENDPOINT_HINT = "not an answer of the VPS panel API: check `vps:apiUrl` (or VPS_API_URL)"


def set_stack_config(values: Mapping[str, Any]) -> None:
    """Replace the stack config seen by every resolution in this process."""
    global _stack_config
    with _lock:
        _stack_config = {k: v for k, v in values.items() if v is not None}


def _program_config(key: str) -> Any:
    """``key`` of the stack config as a running Pulumi program sees it.

    Code that runs in the program rather than in the provider host (``get_orphan_dumps``)
    gets no ``configure()`` call: the program's own config is its stack config.
    """
    return get_config(key)


_ENDPOINT_SETTINGS = {
    "ovh": ("ovh:endpoint", "OVH_ENDPOINT"),
    "scaleway": ("scaleway:apiUrl", "SCW_API_URL"),
    "vps": ("vps:apiUrl", "VPS_API_URL"),
}


def configured_endpoint(api: str) -> str | None:
    """The endpoint ``api`` ("ovh", "scaleway", "vps") is given in the stack config or the
    environment; None when neither sets one (the vendor's real API)."""
    config_key, env_var = _ENDPOINT_SETTINGS[api]
    return _Lookup().first(config_key, env_var)


@dataclass
class _Lookup:
    """One setting looked up in order; ``places`` records where, for error messages."""

    places: list[str] = field(default_factory=list)

    def first(
        self,
        config_key: str | None,
        env_var: str | None,
        file: tuple[str, Callable[[], str | None]] | None = None,
    ) -> str | None:
        if config_key:
            self.places.append(f"stack config `{config_key}`")
            value = _stack_config.get(config_key)
            if value in (None, ""):
                value = _program_config(config_key)
            if value not in (None, ""):
                return str(value)
        if env_var:
            self.places.append(f"environment variable {env_var}")
            value = os.environ.get(env_var)
            if value:
                return value
        if file:
            where, read = file
            self.places.append(where)
            value = read()
            if value:
                return value
        return None

    def missing(self, what: str) -> ConfigError:
        return ConfigError(f"no {what} found; looked in: " + ", ".join(self.places))


# --- OVHcloud ------------------------------------------------------------------------------


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
    look = _Lookup()
    endpoint = look.first(
        *_ENDPOINT_SETTINGS["ovh"], (OVH_FILES, _ini_getter(files, "default", "endpoint"))
    )
    if not endpoint:
        raise look.missing("OVHcloud endpoint")
    if endpoint not in OVH_NAMED_ENDPOINTS and not endpoint.startswith(("http://", "https://")):
        raise ConfigError(
            f"OVHcloud endpoint {endpoint!r} is neither one of {', '.join(OVH_NAMED_ENDPOINTS)} "
            "nor an http(s) URL"
        )
    values: dict[str, str | None] = {}
    looks: dict[str, _Lookup] = {}
    for attr, key in (
        ("application_key", "applicationKey"),
        ("application_secret", "applicationSecret"),
        ("consumer_key", "consumerKey"),
        ("client_id", "clientId"),
        ("client_secret", "clientSecret"),
    ):
        looks[attr] = _Lookup()
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


# --- Scaleway ------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class ScalewaySettings:
    """Resolved Scaleway settings."""

    secret_key: str
    api_url: str = DEFAULT_SCALEWAY_API_URL
    region: str = DEFAULT_SCALEWAY_REGION
    access_key: str | None = None
    project_id: str | None = None

    def __repr__(self) -> str:
        return f"ScalewaySettings(api_url={self.api_url!r}, region={self.region!r})"


def scaleway_config_path() -> Path:
    """Where the Scaleway CLI keeps its profiles (``SCW_CONFIG_PATH`` overrides)."""
    custom = os.environ.get("SCW_CONFIG_PATH")
    if custom:
        return Path(custom).expanduser()
    return Path("~/.config/scw/config.yaml").expanduser()


def _scaleway_profile() -> dict[str, Any]:
    path = scaleway_config_path()
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except FileNotFoundError:
        return {}
    except (OSError, yaml.YAMLError) as err:
        raise ConfigError(f"cannot read Scaleway config file {path}: {err}") from err
    if not isinstance(data, dict):
        return {}
    name = _Lookup().first("scaleway:profile", "SCW_PROFILE") or data.get("active_profile")
    profile = dict(data)
    if name and name != "default":
        profiles = data.get("profiles") or {}
        if name not in profiles:
            raise ConfigError(f"Scaleway profile {name!r} not found in {path}")
        profile.update({k: v for k, v in (profiles[name] or {}).items() if v})
    return profile


def resolve_scaleway(region: str | None = None) -> ScalewaySettings:
    """Resolve Scaleway settings; ``region`` (a resource argument) wins over every source."""
    profile = _scaleway_profile()
    where = f"Scaleway config file {scaleway_config_path()}"

    def from_file(key: str) -> tuple[str, Callable[[], str | None]]:
        return where, lambda: profile.get(key)

    look = _Lookup()
    secret = look.first("scaleway:secretKey", "SCW_SECRET_KEY", from_file("secret_key"))
    if not secret:
        raise look.missing("Scaleway secret key")
    resolved_region = region or _Lookup().first(
        "scaleway:region", "SCW_DEFAULT_REGION", from_file("default_region")
    )
    return ScalewaySettings(
        secret_key=secret,
        api_url=(
            _Lookup().first(*_ENDPOINT_SETTINGS["scaleway"], from_file("api_url"))
            or DEFAULT_SCALEWAY_API_URL
        ).rstrip("/"),
        region=resolved_region or DEFAULT_SCALEWAY_REGION,
        access_key=_Lookup().first("scaleway:accessKey", "SCW_ACCESS_KEY", from_file("access_key")),
        project_id=_Lookup().first(
            "scaleway:projectId", "SCW_DEFAULT_PROJECT_ID", from_file("default_project_id")
        ),
    )


def default_scaleway_region() -> str:
    """The region used when a resource names none (config, environment, profile, fr-par)."""
    profile = _scaleway_profile()
    return (
        _Lookup().first(
            "scaleway:region",
            "SCW_DEFAULT_REGION",
            ("scaleway profile", lambda: profile.get("default_region")),
        )
        or DEFAULT_SCALEWAY_REGION
    )


# --- VPS panel -----------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class VpsSettings:
    """Resolved VPS panel settings."""

    api_url: str
    api_token: str

    def __repr__(self) -> str:
        return f"VpsSettings(api_url={self.api_url!r})"


def resolve_vps() -> VpsSettings:
    """Resolve the VPS panel's URL (default https://admin.vps.org) and Bearer token."""
    look = _Lookup()
    token = look.first("vps:apiToken", "VPS_API_TOKEN")
    if not token:
        raise look.missing("VPS panel API token")
    url = _Lookup().first(*_ENDPOINT_SETTINGS["vps"]) or DEFAULT_VPS_API_URL
    return VpsSettings(api_url=url.rstrip("/"), api_token=token)
