"""Credentials: wrong or missing ones give one clear error per resource, and no retry storm.

Each case runs `up` of tests/programs/secrets_all (only the resources of one API) through the
real provider host against the sandbox. Nothing is read from the developer's own setup: the
OVH_* / SCW_* / VPS_* variables are removed, HOME and SCW_CONFIG_PATH point into a temporary
directory, and the program (hence the host, whose `./ovh.conf` is looked up) runs from a copy
of the project in a temporary directory.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from support import DeploymentError, Engine, RunResult

from pulumi_backups.sandbox import CREDENTIALS, Sandbox

PROGRAM = Path(__file__).resolve().parents[1] / "programs" / "secrets_all"
OVH_KEYS = ("ovh:applicationKey", "ovh:applicationSecret", "ovh:consumerKey")
WRONG = {
    "ovh:applicationSecret": "wrong-application-secret",
    "scaleway:secretKey": "99999999-8888-7777-6666-555555555555",
    "vps:apiToken": "wrong-vps-token",
}
#: How each resource of the program names itself in errors.
NAMED = {
    "db": "HostingDatabase of user sandboxsec on sandbox.cluster000.hosting.ovh.net",
    "dbplain": "HostingDatabase of user sandboxpln on sandbox.cluster000.hosting.ovh.net",
    "schedule": "NashaSnapshotPolicy zpool-000000/backups",
    "snapshot": "NashaCustomSnapshot zpool-000000/backups/secrets",
    "vpsbackup": "VpsBackup on server 12345",
    "rdbbackup": "RdbBackup of app on instance 11111111-1111-1111-1111-111111111111",
}
OVH_FILES = ("ovh.conf", "/etc/ovh.conf", "~/.ovh.conf", "./ovh.conf")
SCW_FILE = "{home}/.config/scw/config.yaml"


@dataclass(frozen=True)
class Case:
    id: str
    apis: list[str]
    drop: tuple[str, ...] = ()
    change: dict[str, str] = field(default_factory=dict)
    says: tuple[str, ...] = ()  # every error names all of these ({home}: the temporary HOME)

    @property
    def wrong(self) -> bool:
        return bool(self.change)


OVH = ["hosting", "nasha"]
CASES = [
    Case("ovh-wrong-secret", OVH, change={"ovh:applicationSecret": WRONG["ovh:applicationSecret"]},
         says=("HTTP 400", "[INVALID_SIGNATURE]", "Invalid signature")),
    Case("ovh-missing-consumer-key", OVH, drop=("ovh:consumerKey",),
         says=("no OVHcloud consumer key", "stack config `ovh:consumerKey`",
               "environment variable OVH_CONSUMER_KEY", *OVH_FILES)),
    Case("ovh-no-credentials", OVH, drop=OVH_KEYS,
         says=("no OVHcloud application key", "stack config `ovh:applicationKey`",
               "environment variable OVH_APPLICATION_KEY", *OVH_FILES)),
    Case("scaleway-wrong-secret-key", ["scaleway"],
         change={"scaleway:secretKey": WRONG["scaleway:secretKey"]},
         says=("POST /rdb/v1/regions/fr-par/backups", "HTTP 401", "[denied_authentication]")),
    Case("scaleway-missing-secret-key", ["scaleway"], drop=("scaleway:secretKey",),
         says=("no Scaleway secret key", "stack config `scaleway:secretKey`",
               "environment variable SCW_SECRET_KEY", f"Scaleway config file {SCW_FILE}")),
    Case("vps-wrong-token", ["vps"], change={"vps:apiToken": WRONG["vps:apiToken"]},
         says=("GET /api/v1/backups/", "HTTP 401", "Invalid token.")),  # before the POST
    Case("vps-missing-token", ["vps"], drop=("vps:apiToken",),
         says=("no VPS panel API token", "stack config `vps:apiToken`",
               "environment variable VPS_API_TOKEN")),
]  # fmt: skip

#: A wrong credential must also say where credentials come from.
HINTS = [
    pytest.param(
        "ovh-wrong-secret",
        ("ovh:applicationSecret", "OVH_APPLICATION_SECRET", "ovh.conf"),
        id="ovh",
    ),
    pytest.param(
        "scaleway-wrong-secret-key",
        ("scaleway:secretKey", "SCW_SECRET_KEY"),
        id="scaleway",
    ),
    pytest.param("vps-wrong-token", ("vps:apiToken", "VPS_API_TOKEN"), id="vps"),
]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty HOME; no credential variable left in the environment the host inherits."""
    if Path("/etc/ovh.conf").exists():
        pytest.skip("/etc/ovh.conf would answer for the missing OVHcloud credentials")
    for name in list(os.environ):
        if name.startswith(("OVH_", "SCW_", "VPS_")):
            monkeypatch.delenv(name)
    path = tmp_path / "home"
    path.mkdir()
    return path


def engine(sandbox: Sandbox, home: Path, case: Case) -> Engine:
    project = home.parent / "project"
    shutil.copytree(PROGRAM, project)
    config: dict[str, Any] = {k: v for k, v in sandbox.stack_config().items() if k not in case.drop}
    config.update(case.change)
    config["secrets-all:apis"] = case.apis
    env = {"HOME": str(home), "SCW_CONFIG_PATH": SCW_FILE.format(home=home)}
    return Engine(project, home.parent / "state.json", config, env, secret_keys=list(WRONG))


def failed_up(run: Engine) -> RunResult:
    with pytest.raises(DeploymentError) as failed:
        run.up()
    return failed.value.result


def authenticated_requests(sandbox: Sandbox) -> int:
    return sum(n for route, n in sandbox.counters().items() if not route.endswith("/auth/time"))


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_one_clear_error_per_resource(sandbox: Sandbox, home: Path, case: Case) -> None:
    run = engine(sandbox, home, case)
    sandbox.clear_counters()
    result = failed_up(run)
    attempted = [s.name for s in result.steps if "Create" in s.calls]
    assert attempted and set(result.errors) == set(attempted)
    for name, message in result.errors.items():
        last = message.strip().splitlines()[-1]
        assert message.count("ResourceError:") == 1, message  # one error, not a retry log
        assert last.startswith(f"pulumi_backups.core.errors.ResourceError: {NAMED[name]}: create")
        for words in case.says:
            assert words.format(home=home) in last, (words, last)
    for secret in WRONG.values():
        assert secret not in result.host_output and secret not in str(result.errors)
    # a missing credential sends nothing; a wrong one is refused once per resource, not retried
    assert authenticated_requests(sandbox) == (len(attempted) if case.wrong else 0)
    assert run.state == []


@pytest.mark.parametrize(("case_id", "places"), HINTS)
def test_a_wrong_credential_says_where_credentials_come_from(
    sandbox: Sandbox, home: Path, case_id: str, places: tuple[str, ...]
) -> None:
    case = next(case for case in CASES if case.id == case_id)
    result = failed_up(engine(sandbox, home, case))
    for message in result.errors.values():
        last = message.strip().splitlines()[-1]
        assert [p for p in places if p not in last] == [], last


def test_credentials_are_looked_up_in_the_temporary_home(sandbox: Sandbox, home: Path) -> None:
    """The control of the cases above: the home they search is the temporary one."""
    endpoint = sandbox.stack_config()["ovh:endpoint"]
    (home / ".ovh.conf").write_text(
        f"[default]\nendpoint={endpoint}\n\n[{endpoint}]\n"
        f"consumer_key={CREDENTIALS['OVH_CONSUMER_KEY']}\n"
    )
    case = Case("ovh-consumer-key-from-home", ["nasha"], drop=("ovh:consumerKey",))
    result = engine(sandbox, home, case).up()
    assert result.ops == {"schedule": "create", "snapshot": "create"}
