"""No client follows a redirect, with any credential: a 3xx from any API is an error naming
where it pointed, and nothing reaches that place (the sandbox records whatever follows a
redirect lie to its other host name: `sandbox.collected()`).

Through both adapters (the provider host under the engine model with program
tests/programs/deadlines, and the plugin over gRPC). Before: python-ovh (requests) followed a
307 on a database's creation, resending the application key, the consumer key, the signature
and the body with its password.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from reliability.inventory import held
from reliability.test_deadlines import KINDS, engine, read_by_another_command
from support import DeploymentError, HostError, ProviderHost
from support.plugin import start_plugin, urn

from pulumi_backups.sandbox import Sandbox
from pulumi_backups.sandbox.settings import HOSTING_SERVICE

PASSWORD = "Redirect0Secret"
COLLECT = "/_sandbox/collect"


def location(sandbox: Sandbox, path: str) -> str:
    """Where the sandbox's redirect lie points for a request to ``path``."""
    port = sandbox.url.rsplit(":", 1)[1]
    return f"http://localhost:{port}{COLLECT}{path}"


def assert_refused(sandbox: Sandbox, message: str, path: str) -> None:
    assert sandbox.collected() == []
    assert f"redirected to {location(sandbox, path)}" in message, message
    assert "not followed" in message
    assert PASSWORD not in message


@pytest.mark.parametrize("status", [307, 308, 302])
def test_a_database_creation_sends_its_password_nowhere_else(
    sandbox: Sandbox, tmp_path: Path, status: int
) -> None:
    run = engine(sandbox, tmp_path, "db")
    run.stack_config[f"{run.project}:password"] = PASSWORD
    before = held(sandbox.objects())["HostingDatabase"]
    sandbox.fault(f"redirect:{status}", KINDS["db"]["create"], count=None)
    with pytest.raises(DeploymentError) as info:
        run.up(skip_preview=True)
    assert_refused(sandbox, info.value.errors["db"], f"/1.0/hosting/web/{HOSTING_SERVICE}/database")
    assert held(sandbox.objects())["HostingDatabase"] == before and run.state == []


@pytest.mark.parametrize("name", list(KINDS))
def test_a_redirected_read_keeps_the_resource(sandbox: Sandbox, tmp_path: Path, name: str) -> None:
    run = engine(sandbox, tmp_path, name)
    run.up()
    id_ = run.resource(name).id
    sandbox.fault("redirect:302", KINDS[name]["read"], count=None)
    with pytest.raises(DeploymentError) as info:
        run.refresh()
    message = info.value.errors[name]
    assert sandbox.collected() == [] and "not followed" in message, message
    assert f"redirected to {location(sandbox, '')}" in message
    assert run.resource(name).id == id_ and id_ in held(sandbox.objects())[KINDS[name]["held"]]
    sandbox.clear_faults()
    run.destroy()


@pytest.fixture
def plugin(sandbox: Sandbox) -> Iterator[ProviderHost]:
    with start_plugin(sandbox) as host:
        yield host


def test_a_plugin_database_creation_sends_its_password_nowhere_else(
    plugin: ProviderHost, sandbox: Sandbox
) -> None:
    spec = KINDS["db"]
    inputs = plugin.check(urn(spec["token"], "db"), {}, {**spec["inputs"], "password": PASSWORD})
    sandbox.fault("redirect:307", spec["create"], count=None)
    with pytest.raises(HostError) as info:
        plugin.create(urn(spec["token"], "db"), inputs.inputs)
    assert sandbox.collected() == [] and "not followed" in str(info.value)
    assert f"redirected to {location(sandbox, '')}" in str(info.value)


@pytest.mark.parametrize("name", ["vpsbackup", "rdbbackup"])
def test_a_plugin_read_redirected_keeps_the_resource(
    plugin: ProviderHost, sandbox: Sandbox, name: str
) -> None:
    spec = KINDS[name]
    inputs = plugin.check(urn(spec["token"], name), {}, spec["inputs"]).inputs
    id_, outputs = plugin.create(urn(spec["token"], name), inputs)
    sandbox.fault("redirect:302", spec["read"], count=None)
    with pytest.raises(HostError) as info:
        read_by_another_command(sandbox, spec["token"], name, id_, outputs, inputs)
    assert sandbox.collected() == [] and "not followed" in str(info.value)
    assert f"redirected to {location(sandbox, '')}" in str(info.value)
    assert id_ in held(sandbox.objects())[spec["held"]]
    sandbox.clear_faults()
    plugin.delete(urn(spec["token"], name), id_, outputs)
