"""VPS panel settings: API URL and Bearer token, from stack config or ``VPS_*``."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.config import ENDPOINTS, EndpointSetting, Lookup

ENDPOINT = ENDPOINTS["vps"] = EndpointSetting("vps:apiUrl", "VPS_API_URL")
DEFAULT_API_URL = "https://admin.vps.org"
CREDENTIALS_HINT = "check the VPS panel API token (stack config `vps:apiToken` or VPS_API_TOKEN)"
ENDPOINT_HINT = "not an answer of the VPS panel API: check `vps:apiUrl` (or VPS_API_URL)"


@dataclass(frozen=True, repr=False)
class VpsSettings:
    """Resolved VPS panel settings."""

    api_url: str
    api_token: str

    def __repr__(self) -> str:
        return f"VpsSettings(api_url={self.api_url!r})"


def resolve_vps() -> VpsSettings:
    """Resolve the VPS panel's URL (default https://admin.vps.org) and Bearer token."""
    look = Lookup()
    token = look.first("vps:apiToken", "VPS_API_TOKEN")
    if not token:
        raise look.missing("VPS panel API token")
    url = Lookup().first(ENDPOINT.config_key, ENDPOINT.env_var) or DEFAULT_API_URL
    return VpsSettings(api_url=url.rstrip("/"), api_token=token)
