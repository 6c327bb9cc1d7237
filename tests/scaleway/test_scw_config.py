"""Which account, endpoint and region the Scaleway resources use: config > env > profiles."""

from __future__ import annotations

from pathlib import Path

import pytest

from pulumi_backups.core import ConfigError
from pulumi_backups.core.config import set_stack_config
from pulumi_backups.scaleway.client import rdb_client

SCW_VARS = [
    "SCW_SECRET_KEY", "SCW_ACCESS_KEY", "SCW_DEFAULT_REGION", "SCW_DEFAULT_PROJECT_ID",
    "SCW_API_URL", "SCW_PROFILE",
]  # fmt: skip
PROFILES = """
secret_key: 00000000-0000-0000-0000-00000000000a
api_url: http://default.test/
default_region: pl-waw
active_profile: staging
profiles:
  staging:
    secret_key: 00000000-0000-0000-0000-00000000000b
    api_url: http://staging.test
    default_region: nl-ams
  prod:
    secret_key: 00000000-0000-0000-0000-00000000000c
    default_region: fr-par
"""


@pytest.fixture(autouse=True)
def clean(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for var in SCW_VARS:
        monkeypatch.delenv(var, raising=False)
    path = tmp_path / "config.yaml"
    monkeypatch.setenv("SCW_CONFIG_PATH", str(path))
    set_stack_config({})
    return path


def _key(client: object) -> str:
    return str(client._http.headers["X-Auth-Token"])  # type: ignore[attr-defined]


def test_active_profile_of_the_file(clean: Path) -> None:
    clean.write_text(PROFILES)
    client, region = rdb_client()
    assert region == "nl-ams"
    assert _key(client).endswith("b") and str(client._http.base_url) == "http://staging.test"


def test_profile_chosen_by_environment_then_stack_config(
    clean: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean.write_text(PROFILES)
    monkeypatch.setenv("SCW_PROFILE", "prod")
    client, region = rdb_client()
    assert region == "fr-par" and _key(client).endswith("c")
    assert str(client._http.base_url) == "http://default.test"  # top level, profile has none
    set_stack_config({"scaleway:profile": "default"})
    client, region = rdb_client()
    assert region == "pl-waw" and _key(client).endswith("a")


def test_environment_beats_file_and_stack_config_beats_environment(
    clean: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean.write_text(PROFILES)
    monkeypatch.setenv("SCW_SECRET_KEY", "00000000-0000-0000-0000-0000000000e1")
    monkeypatch.setenv("SCW_DEFAULT_REGION", "pl-waw")
    client, region = rdb_client()
    assert _key(client).endswith("e1") and region == "pl-waw"
    set_stack_config(
        {"scaleway:secretKey": "00000000-0000-0000-0000-0000000000f1", "scaleway:region": "fr-par"}
    )
    client, region = rdb_client()
    assert _key(client).endswith("f1") and region == "fr-par"


def test_argument_region_wins_and_default_is_fr_par(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCW_SECRET_KEY", "00000000-0000-0000-0000-0000000000e1")
    assert rdb_client()[1] == "fr-par"
    monkeypatch.setenv("SCW_DEFAULT_REGION", "nl-ams")
    assert rdb_client("pl-waw")[1] == "pl-waw"


def test_clients_are_shared_per_account() -> None:
    set_stack_config({"scaleway:secretKey": "k1", "scaleway:apiUrl": "http://a.test"})
    first, _ = rdb_client("fr-par")
    assert rdb_client("nl-ams")[0] is first
    set_stack_config({"scaleway:secretKey": "k2", "scaleway:apiUrl": "http://a.test"})
    assert rdb_client()[0] is not first


def test_missing_secret_key_names_every_place(clean: Path) -> None:
    with pytest.raises(ConfigError) as info:
        rdb_client()
    message = str(info.value)
    for place in ("scaleway:secretKey", "SCW_SECRET_KEY", str(clean)):
        assert place in message


def test_unknown_profile_is_a_clear_error(clean: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clean.write_text(PROFILES)
    monkeypatch.setenv("SCW_PROFILE", "nope")
    with pytest.raises(ConfigError, match="profile 'nope' not found"):
        rdb_client()
