"""Secrets: no credential, password or download URL in clear in the state or the host's output.

One lifecycle of every resource kind (tests/programs/secrets_all) through the real provider
host against the sandbox: create, change both database passwords, refresh, a password change
that fails, destroy. After every command the state file, what the provider host printed and
the errors are searched for every password used, every sandbox credential and every download
URL handed out; the state must mark them secret, and each resource's serialized provider must
be a small reference holding no credential.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from support import DeploymentError, Engine, RunResult, is_secret, reveal

from pulumi_backups.sandbox import CREDENTIALS, Sandbox

PROGRAM = Path(__file__).resolve().parents[1] / "programs" / "secrets_all"
CREDENTIAL_KEYS = [
    "ovh:applicationKey",
    "ovh:applicationSecret",
    "ovh:consumerKey",
    "scaleway:accessKey",
    "scaleway:secretKey",
    "vps:apiToken",
]
PASSWORDS = ["S3cretFirst1", "Pla1nFirst22", "S3cretSecond3", "Pla1nSecond44", "Fa1ledChange5"]
#: Outputs that must be held as secrets, per resource.
SECRET_OUTPUTS = {
    "db": "password",
    "dbplain": "password",
    "dump": "url",
    "rdbbackup": "download_url",
}


class Watch:
    """Everything that must never appear in clear, and where it was looked for."""

    def __init__(self, run: Engine) -> None:
        self.run = run
        self.needles = set(PASSWORDS) | set(CREDENTIALS.values())
        self.urls: set[str] = set()

    def collect_urls(self) -> None:
        """Remember every download URL the stack holds now (they may be renewed)."""
        for res in self.run.state:
            for key in ("url", "download_url"):
                value = res.plain_outputs().get(key)
                if value:
                    self.urls.add(str(value))

    def leaks(self, text: str) -> list[str]:
        return sorted(n for n in self.needles | self.urls if n in text)

    def check(self, result: RunResult | None = None, error: str = "") -> None:
        self.collect_urls()
        document = json.loads(self.run.state_path.read_text())
        # The engine keeps the stack config as the default provider's inputs: plain config
        # values are in clear there (as in the stack's settings file), secret ones sealed.
        provider = json.dumps(document.pop("default_provider", {}))
        assert self.leaks(json.dumps(document)) == []
        plain = {v for k, v in self.run.stack_config.items() if k not in self.run.secret_keys}
        assert [n for n in self.leaks(provider) if n not in plain] == []
        output = result.host_output if result is not None else self.run.host_output
        assert self.leaks(output) == []
        assert self.leaks(error) == []


def engine(sandbox: Sandbox, tmp_path: Path, secret: str, plain: str) -> Engine:
    config = {
        **sandbox.stack_config(),
        "secrets-all:password": secret,
        "secrets-all:plain_password": plain,
    }
    return Engine(
        PROGRAM,
        tmp_path / "state.json",
        config,
        env={"SCW_CONFIG_PATH": str(tmp_path / "absent.yaml")},
        secret_keys=[*CREDENTIAL_KEYS, "secrets-all:password"],
    )


def assert_marked_secret(run: Engine, result: RunResult) -> None:
    for name, key in SECRET_OUTPUTS.items():
        res = run.resource(name)
        assert key in res.additional_secret_outputs, name  # registered by the class
        assert is_secret(res.outputs[key]) and reveal(res.outputs[key]), name
    for name in ("db", "dbplain"):  # the input too, even when given as a plain string
        assert is_secret(run.resource(name).inputs["password"]), name
    for export in ("db_password", "dbplain_password", "dump_url", "download_url"):
        assert is_secret(result.outputs[export]), export


def assert_providers_are_small_references(run: Engine) -> None:
    for res in run.state:
        for props in (res.inputs, res.outputs):
            raw = base64.b64decode(reveal(props["__provider"]))
            assert len(raw) < 200, res.name
            assert res.type.split(":")[-1].encode() + b"Provider" in raw, res.name
            assert [c for c in CREDENTIALS.values() if c.encode() in raw] == [], res.name


def test_a_full_lifecycle_keeps_every_secret_out_of_state_and_output(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    run = engine(sandbox, tmp_path, PASSWORDS[0], PASSWORDS[1])
    watch = Watch(run)
    result = run.up()
    assert len(result.ops) == 10 and set(result.ops.values()) == {"create"}
    assert {"url", "download_url"} <= {
        k for res in run.state for k, v in res.plain_outputs().items() if v
    }
    watch.check(result)
    assert_marked_secret(run, result)
    assert_providers_are_small_references(run)

    run.stack_config["secrets-all:password"] = PASSWORDS[2]
    run.stack_config["secrets-all:plain_password"] = PASSWORDS[3]
    result = run.up()
    assert result.op("db") == "update" and result.op("dbplain") == "update"
    watch.check(result)
    assert_marked_secret(run, result)
    assert reveal(run.resource("dbplain").outputs["password"]) == PASSWORDS[3]

    watch.check(run.refresh())
    assert_marked_secret(run, result)

    sandbox.script("hosting:database/changePassword", "fail")
    run.stack_config["secrets-all:password"] = PASSWORDS[4]
    with pytest.raises(DeploymentError) as failed:
        run.up()
    assert "changePassword" in failed.value.errors["db"]
    watch.check(failed.value.result, str(failed.value))

    destroyed = run.destroy()
    assert "nothing to delete" in destroyed.host_output  # the host did speak: it was searched
    watch.check(destroyed)
    assert run.state == []
    assert len(watch.urls) >= 2
