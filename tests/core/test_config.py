"""Credential resolution: stack config > environment > vendor file; clear errors; no leaks."""

from __future__ import annotations

from pathlib import Path

import pytest

from pulumi_backups.core import ConfigError
from pulumi_backups.core.config import set_stack_config
from pulumi_backups.ovh.settings import resolve_ovh
from pulumi_backups.scaleway.settings import resolve_scaleway
from pulumi_backups.vps.settings import resolve_vps

VARS = [
    "OVH_ENDPOINT",
    "OVH_APPLICATION_KEY",
    "OVH_APPLICATION_SECRET",
    "OVH_CONSUMER_KEY",
    "OVH_CLIENT_ID",
    "OVH_CLIENT_SECRET",
    "SCW_SECRET_KEY",
    "SCW_ACCESS_KEY",
    "SCW_DEFAULT_REGION",
    "SCW_DEFAULT_PROJECT_ID",
    "SCW_API_URL",
    "SCW_PROFILE",
    "SCW_CONFIG_PATH",
    "VPS_API_URL",
    "VPS_API_TOKEN",
]


@pytest.fixture(autouse=True)
def clean(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("SCW_CONFIG_PATH", str(tmp_path / "scw.yaml"))
    monkeypatch.chdir(tmp_path)
    set_stack_config({})


def test_ovh_stack_config_wins_over_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OVH_ENDPOINT", "ovh-ca")
    monkeypatch.setenv("OVH_APPLICATION_KEY", "env-ak")
    monkeypatch.setenv("OVH_APPLICATION_SECRET", "env-as")
    monkeypatch.setenv("OVH_CONSUMER_KEY", "env-ck")
    set_stack_config({"ovh:endpoint": "http://127.0.0.1:9/1.0", "ovh:applicationKey": "cfg-ak"})
    settings = resolve_ovh()
    assert settings.endpoint == "http://127.0.0.1:9/1.0"
    assert settings.application_key == "cfg-ak"
    assert settings.application_secret == "env-as"
    assert "env-as" not in repr(settings)


def test_ovh_conf_file_is_the_last_resort(tmp_path: Path) -> None:
    (tmp_path / "ovh.conf").write_text(
        "[default]\nendpoint=ovh-eu\n[ovh-eu]\napplication_key=f-ak\n"
        "application_secret=f-as\nconsumer_key=f-ck\n"
    )
    settings = resolve_ovh()
    assert (settings.endpoint, settings.application_key, settings.consumer_key) == (
        "ovh-eu",
        "f-ak",
        "f-ck",
    )


def test_ovh_oauth2_client_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    set_stack_config({"ovh:endpoint": "ovh-eu", "ovh:clientId": "id", "ovh:clientSecret": "secret"})
    settings = resolve_ovh()
    assert settings.client_id == "id" and settings.application_key is None


def test_ovh_missing_secret_names_every_place(monkeypatch: pytest.MonkeyPatch) -> None:
    set_stack_config({"ovh:endpoint": "ovh-eu", "ovh:applicationKey": "ak"})
    with pytest.raises(ConfigError) as info:
        resolve_ovh()
    message = str(info.value)
    assert "ovh:applicationSecret" in message
    assert "OVH_APPLICATION_SECRET" in message
    assert "ovh.conf" in message


def test_ovh_endpoint_must_be_a_name_or_url() -> None:
    set_stack_config({"ovh:endpoint": "mars-1"})
    with pytest.raises(ConfigError, match="mars-1"):
        resolve_ovh()


def test_scaleway_profile_file_and_region_precedence(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "scw.yaml").write_text(
        "secret_key: file-secret\ndefault_region: nl-ams\nactive_profile: prod\n"
        "profiles:\n  prod:\n    secret_key: prod-secret\n    default_region: pl-waw\n"
    )
    settings = resolve_scaleway()
    assert (settings.secret_key, settings.region) == ("prod-secret", "pl-waw")
    assert settings.api_url == "https://api.scaleway.com"
    monkeypatch.setenv("SCW_DEFAULT_REGION", "nl-ams")
    assert resolve_scaleway().region == "nl-ams"
    assert resolve_scaleway(region="fr-par").region == "fr-par"
    set_stack_config({"scaleway:secretKey": "cfg", "scaleway:profile": "default"})
    assert resolve_scaleway().secret_key == "cfg"


def test_scaleway_defaults_and_missing_key() -> None:
    with pytest.raises(ConfigError) as info:
        resolve_scaleway()
    assert "scaleway:secretKey" in str(info.value) and "SCW_SECRET_KEY" in str(info.value)
    set_stack_config({"scaleway:secretKey": "k"})
    assert resolve_scaleway().region == "fr-par"
    set_stack_config({})


def test_vps_default_url_and_missing_token(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match=r"vps:apiToken.*VPS_API_TOKEN"):
        resolve_vps()
    monkeypatch.setenv("VPS_API_TOKEN", "t")
    assert resolve_vps().api_url == "https://admin.vps.org"
    set_stack_config({"vps:apiUrl": "http://127.0.0.1:1/"})
    assert resolve_vps().api_url == "http://127.0.0.1:1"
