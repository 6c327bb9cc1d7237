"""Scaleway settings: secret key, region, API URL, from stack config, ``SCW_*``, or the CLI's
profile file (``~/.config/scw/config.yaml``)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..core.config import ENDPOINTS, EndpointSetting, Lookup
from ..core.errors import ConfigError

ENDPOINT = ENDPOINTS["scaleway"] = EndpointSetting("scaleway:apiUrl", "SCW_API_URL")
REGIONS = ("fr-par", "nl-ams", "pl-waw")
DEFAULT_API_URL = "https://api.scaleway.com"
DEFAULT_REGION = "fr-par"
CREDENTIALS_HINT = (
    "check the Scaleway secret key: stack config `scaleway:secretKey`, environment "
    "SCW_SECRET_KEY, or the profile in ~/.config/scw/config.yaml (SCW_CONFIG_PATH)"
)
ENDPOINT_HINT = "not an answer about a Scaleway object: check `scaleway:apiUrl` (or SCW_API_URL)"


@dataclass(frozen=True, repr=False)
class ScalewaySettings:
    """Resolved Scaleway settings."""

    secret_key: str
    api_url: str = DEFAULT_API_URL
    region: str = DEFAULT_REGION
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
    name = Lookup().first("scaleway:profile", "SCW_PROFILE") or data.get("active_profile")
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

    look = Lookup()
    secret = look.first("scaleway:secretKey", "SCW_SECRET_KEY", from_file("secret_key"))
    if not secret:
        raise look.missing("Scaleway secret key")
    resolved_region = region or Lookup().first(
        "scaleway:region", "SCW_DEFAULT_REGION", from_file("default_region")
    )
    return ScalewaySettings(
        secret_key=secret,
        api_url=(
            Lookup().first(ENDPOINT.config_key, ENDPOINT.env_var, from_file("api_url"))
            or DEFAULT_API_URL
        ).rstrip("/"),
        region=resolved_region or DEFAULT_REGION,
        access_key=Lookup().first("scaleway:accessKey", "SCW_ACCESS_KEY", from_file("access_key")),
        project_id=Lookup().first(
            "scaleway:projectId", "SCW_DEFAULT_PROJECT_ID", from_file("default_project_id")
        ),
    )
