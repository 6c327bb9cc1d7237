"""Fixtures of the contract tests: the published descriptions and a recording sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from contract.ovh_spec import OvhSpec
from contract.recorder import Exchange, RecordingSandbox
from contract.scaleway_spec import ScalewaySpec

SPECS = Path(__file__).resolve().parents[1] / "fixtures" / "specs"
OVH_PREFIX = "/1.0"
#: OVHcloud routes outside the two descriptions, called by python-ovh itself.
OVH_OTHER = {"/auth/time"}


@pytest.fixture(scope="session")
def ovh_specs() -> dict[str, OvhSpec]:
    """The OVHcloud descriptions by the path prefix they serve."""
    return {
        "/hosting/web": OvhSpec(SPECS / "hosting_web.json"),
        "/dedicated/nasha": OvhSpec(SPECS / "dedicated_nasha.json"),
    }


@pytest.fixture(scope="session")
def scaleway_spec() -> ScalewaySpec:
    return ScalewaySpec(SPECS / "scaleway.rdb.v1.Api.yml")


@pytest.fixture(scope="session")
def recording_server() -> Iterator[RecordingSandbox]:
    server = RecordingSandbox()
    yield server
    server.handle.stop()
    server.stop()


@pytest.fixture
def recording(recording_server: RecordingSandbox) -> RecordingSandbox:
    """The recording sandbox, reset, with an empty record and no answer patch."""
    recording_server.handle.reset()
    recording_server.recorder.answer_patch = None
    recording_server.recorder.take()
    return recording_server


def ovh_problems(exchanges: list[Exchange], specs: dict[str, OvhSpec]) -> list[str]:
    """What in the OVHcloud exchanges differs from the descriptions (requests always,
    answers when 2xx)."""
    problems = []
    for ex in exchanges:
        path = ex.path.removeprefix(OVH_PREFIX)
        if ex.api != "ovh" or path in OVH_OTHER:
            continue
        spec = next((s for prefix, s in specs.items() if path.startswith(prefix)), None)
        op = spec.operation(ex.method, path) if spec else None
        if spec is None or op is None:
            problems.append(f"{ex.method} {path}: no such operation")
            continue
        problems += spec.check_request(op, path, ex.query, ex.body)
        if 200 <= ex.status < 300:
            problems += spec.check_answer(op, ex.answer)
    return problems


def scaleway_problems(exchanges: list[Exchange], spec: ScalewaySpec) -> list[str]:
    """What in the Scaleway exchanges differs from the RDB description."""
    problems = []
    for ex in exchanges:
        if ex.api != "scaleway":
            continue
        found = spec.operation(ex.method, ex.path)
        if found is None:
            problems.append(f"{ex.method} {ex.path}: no such operation")
            continue
        template, op = found
        problems += spec.check_request(template, op, ex.path, ex.query, ex.body)
        if 200 <= ex.status < 300:
            problems += spec.check_answer(op, ex.status, ex.answer)
    return problems
