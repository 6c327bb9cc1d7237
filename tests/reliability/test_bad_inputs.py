"""Bad inputs: every one is refused by `check`, on the right property, without a request.

The corpus below covers every resource: wrong enums, malformed ids and dates, out-of-range
quotas, a user without the hosting login, too many snapshot frequencies, an RDB expiry
removed, a restore given both a dump and a date, a protected database replaced. Each case is
run (1) against its provider's `check` directly, with every socket connection refused and
counted, and (2) for one case per resource, through the real provider host in a preview
against the sandbox, whose request counters must stay empty.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi.runtime import rpc
from support import Engine, to_struct
from support.fakes import Connections

from pulumi_backups.core.provider import BaseProvider
from pulumi_backups.ovh.hosting_database import HostingDatabaseProvider
from pulumi_backups.ovh.hosting_database_dump import HostingDatabaseDumpProvider
from pulumi_backups.ovh.hosting_database_restore import HostingDatabaseRestoreProvider
from pulumi_backups.ovh.nasha_custom_snapshot import NashaCustomSnapshotProvider
from pulumi_backups.ovh.nasha_snapshot_policy import NashaSnapshotPolicyProvider
from pulumi_backups.sandbox import Sandbox
from pulumi_backups.scaleway.rdb_backup import RdbBackupProvider
from pulumi_backups.scaleway.rdb_backup_restore import RdbBackupRestoreProvider
from pulumi_backups.vps.vps_backup import VpsBackupProvider
from pulumi_backups.vps.vps_restore import VpsRestoreProvider

SN = "sandbox.cluster000.hosting.ovh.net"
INSTANCE = "11111111-1111-1111-1111-111111111111"
BACKUP = "22222222-3333-4444-5555-666666666666"

HD = {"service_name": SN, "user": "sandboxapp", "type": "mysql", "capability": "sqlPerso"}
DUMP = {"service_name": SN, "database_name": "sandboxapp.mysql.db"}
RESTORE = {**DUMP, "dump_id": 7}
POLICY = {"service_name": "zpool-000000", "partition_name": "backups", "frequencies": ["day-1"]}
SNAP = {"service_name": "zpool-000000", "partition_name": "backups", "name": "nightly"}
VPS = {"server_id": 12345, "description": "before deploy"}
VPSR = {"server_id": 12345, "backup_id": 501}
RDB = {"instance_id": INSTANCE, "database_name": "app"}
RDBR = {"backup_id": f"fr-par/{BACKUP}", "instance_id": INSTANCE}

BASES: dict[type[BaseProvider[Any]], dict[str, Any]] = {
    HostingDatabaseProvider: HD,
    HostingDatabaseDumpProvider: DUMP,
    HostingDatabaseRestoreProvider: RESTORE,
    NashaSnapshotPolicyProvider: POLICY,
    NashaCustomSnapshotProvider: SNAP,
    VpsBackupProvider: VPS,
    VpsRestoreProvider: VPSR,
    RdbBackupProvider: RDB,
    RdbBackupRestoreProvider: RDBR,
}


@dataclass(frozen=True)
class Case:
    """One bad input: `change` applied to the resource's valid base inputs (`drop` removed)."""

    id: str
    provider: type[BaseProvider[Any]]
    change: dict[str, Any]
    prop: str
    fragment: str
    olds: dict[str, Any] = field(default_factory=dict)
    drop: tuple[str, ...] = ()
    bug: str | None = None

    @property
    def news(self) -> dict[str, Any]:
        base = {k: v for k, v in BASES[self.provider].items() if k not in self.drop}
        return {**base, **self.change}


def c(
    id_: str,
    provider: type[BaseProvider[Any]],
    change: dict[str, Any],
    prop: str,
    fragment: str,
    **extra: Any,
) -> Case:
    """A corpus entry (short name: the table below stays one line per case)."""
    return Case(id_, provider, change, prop, fragment, **extra)


PROTECTED = {**HD, "deletion_protection": True, "adopt": False}
FIVE = ["hour-1", "hour-6", "day-1", "day-2", "day-3"]
_HD, _DU, _HR = HostingDatabaseProvider, HostingDatabaseDumpProvider, HostingDatabaseRestoreProvider
_NP, _NC = NashaSnapshotPolicyProvider, NashaCustomSnapshotProvider
_VB, _VR, _RB, _RR = (
    VpsBackupProvider,
    VpsRestoreProvider,
    RdbBackupProvider,
    RdbBackupRestoreProvider,
)

# fmt: off
CORPUS = [
    # HostingDatabase
    c("db-type-enum", _HD, {"type": "oracle"}, "type", "'mysql'"),
    c("db-capability-enum", _HD, {"capability": "sqlMega"}, "capability", "sqlPerso"),
    c("db-user-without-login", _HD, {"user": "otherapp"}, "user", "hosting login 'sandbox'"),
    c("db-user-too-long", _HD, {"user": "sandbox1234567"}, "user", "at most 6"),
    c("db-user-upper-case", _HD, {"user": "SandboxApp"}, "user", "lower case"),
    c("db-user-empty", _HD, {"user": ""}, "user", "lower case"),
    c("db-missing-user", _HD, {}, "user", "Field required", drop=("user",)),
    c("db-quota-out-of-range", _HD, {"capability": "extraSqlPerso", "quota": 300}, "quota", "1024"),
    c("db-quota-negative", _HD, {"capability": "extraSqlPerso", "quota": -1}, "quota", "25"),
    c("db-quota-wrong-offer", _HD, {"quota": 100}, "quota", "only be chosen with extraSqlPerso"),
    c("db-version-malformed", _HD, {"version": "latest"}, "version", "pattern"),
    c("db-password-short", _HD, {"password": "sh0rt"}, "password", "8 to 30"),
    c("db-password-long", _HD, {"password": "a1" * 16}, "password", "8 to 30"),
    c("db-password-no-digit", _HD, {"password": "lettersonly"}, "password", "letters and digits"),
    c("db-service-name-path", _HD, {"service_name": "a/b"}, "service_name", "pattern"),
    c("db-unknown-argument", _HD, {"usr": "x"}, "usr", "not permitted"),
    c("db-protection-not-bool", _HD, {"deletion_protection": "maybe"}, "deletion_protection",
      "must be a boolean"),
    c("db-timeout-negative", _HD, {"timeouts": {"create": -1}}, "timeouts.create", "than 0"),
    c("db-timeout-typo", _HD, {"timeouts": {"craete": 5}}, "timeouts.craete", "not permitted"),
    c("db-protection-no", _HD, {"deletion_protection": "no"}, "deletion_protection",
      "must be a boolean"),
    c("db-protection-zero", _HD, {"deletion_protection": 0}, "deletion_protection",
      "must be a boolean"),
    c("db-adopt-text", _HD, {"adopt": "false"}, "adopt", "must be a boolean"),
    c("db-timeout-boolean", _HD, {"timeouts": {"create": True}}, "timeouts.create",
      "not a boolean"),
    c("db-service-name-newline", _HD, {"service_name": f"{SN}\n"}, "service_name",
      "control characters"),
    c("db-protected-replace", _HD, {"type": "mariadb"}, "type", "deletion_protection is on",
      olds=PROTECTED),
    c("db-protected-replace-unprotecting-at-once", _HD,
      {"user": "sandboxv2", "deletion_protection": False}, "user", "deletion_protection is on",
      olds=PROTECTED),
    # HostingDatabaseDump
    c("dump-date-enum", _DU, {"date": "yesterday"}, "date", "'daily.1'"),
    c("dump-database-path", _DU, {"database_name": "../sandboxapp"}, "database_name", "pattern"),
    c("dump-database-empty", _DU, {"database_name": ""}, "database_name", "pattern"),
    c("dump-send-email-not-bool", _DU, {"send_email": "yes please"}, "send_email", "boolean"),
    c("dump-timeout-zero", _DU, {"timeouts": {"create": 0}}, "timeouts.create", "than 0"),
    c("dump-send-email-one", _DU, {"send_email": 1}, "send_email", "must be a boolean"),
    c("dump-timeout-words", _DU, {"timeouts": {"create": "30s"}}, "timeouts.create",
      "number of seconds"),
    c("dump-database-too-long", _DU, {"database_name": "d" * 256}, "database_name",
      "at most 255 characters"),
    # HostingDatabaseRestore
    c("restore-dump-and-date", _HR, {"date": "daily.1"}, "dump_id", "exactly one"),
    c("restore-neither", _HR, {}, "dump_id", "exactly one", drop=("dump_id",)),
    c("restore-dump-id-zero", _HR, {"dump_id": 0}, "dump_id", "greater than 0"),
    c("restore-dump-id-text", _HR, {"dump_id": "latest"}, "dump_id", "must be an integer id"),
    c("restore-dump-id-fraction", _HR, {"dump_id": 7.5}, "dump_id", "must be an integer id"),
    c("restore-dump-id-boolean", _HR, {"dump_id": True}, "dump_id", "integer"),
    c("restore-date-enum", _HR, {"date": "monthly.1"}, "date", "'weekly.1'", drop=("dump_id",)),
    c("restore-dump-id-newline", _HR, {"dump_id": "7\n"}, "dump_id", "digits 0-9 only"),
    c("restore-timeout-exponent", _HR, {"timeouts": {"update": "1e3"}}, "timeouts.update",
      "number of seconds"),
    # NashaSnapshotPolicy
    c("policy-frequency-enum", _NP, {"frequencies": ["week-1"]}, "frequencies.0", "'hour-1'"),
    c("policy-too-many", _NP, {"frequencies": FIVE}, "frequencies", "at most 4"),
    c("policy-duplicate", _NP, {"frequencies": ["day-1", "day-1"]}, "frequencies",
      "more than once"),
    c("policy-not-a-list", _NP, {"frequencies": "day-1"}, "frequencies", "valid list"),
    c("policy-missing-frequencies", _NP, {}, "frequencies", "Field required",
      drop=("frequencies",)),
    c("policy-partition-path", _NP, {"partition_name": "a/b"}, "partition_name", "without '/'"),
    c("policy-service-empty", _NP, {"service_name": ""}, "service_name", "non-empty"),
    c("policy-partition-dot-dot", _NP, {"partition_name": ".."}, "partition_name",
      "a path step"),
    c("policy-service-dot", _NP, {"service_name": "."}, "service_name", "a path step"),
    c("policy-partition-dash", _NP, {"partition_name": "-rf"}, "partition_name",
      "must not start with '-'"),
    c("policy-partition-newline", _NP, {"partition_name": "backups\n"}, "partition_name",
      "control characters"),
    # NashaCustomSnapshot
    c("snapshot-name-space", _NC, {"name": "my snapshot"}, "name", "ZFS snapshot name"),
    c("snapshot-name-path", _NC, {"name": "a/b"}, "name", "ZFS snapshot name"),
    c("snapshot-expiration-words", _NC, {"expiration": "tomorrow"}, "expiration", "ISO 8601"),
    c("snapshot-expiration-dmy", _NC, {"expiration": "31/12/2026"}, "expiration", "ISO 8601"),
    c("snapshot-expiration-past", _NC, {"expiration": "2001-01-01"}, "expiration",
      "in the past"),
    c("snapshot-expiration-month", _NC, {"expiration": "2026-13-01"}, "expiration",
      "month must be in 1..12"),
    c("snapshot-expiration-hour", _NC, {"expiration": "2026-12-31T25:00:00Z"}, "expiration",
      "hour must be in 0..23"),
    c("snapshot-partition-empty", _NC, {"partition_name": ""}, "partition_name", "non-empty"),
    c("snapshot-name-dot-dot", _NC, {"name": ".."}, "name", "a path step"),
    c("snapshot-name-dash", _NC, {"name": "-nightly"}, "name", "must not start with '-'"),
    c("snapshot-timeout-infinite", _NC, {"timeouts": {"delete": float("inf")}},
      "timeouts.delete", "finite"),
    # VpsBackup
    c("vps-server-id-text", _VB, {"server_id": "web-server-01"}, "server_id", "integer id"),
    c("vps-server-id-zero", _VB, {"server_id": 0}, "server_id", "greater than 0"),
    c("vps-server-id-negative", _VB, {"server_id": -5}, "server_id", "greater than 0"),
    c("vps-server-id-fraction", _VB, {"server_id": 12.5}, "server_id", "not 12.5"),
    c("vps-server-id-boolean", _VB, {"server_id": True}, "server_id", "not a boolean"),
    c("vps-description-not-text", _VB, {"description": 123}, "description", "valid string"),
    c("vps-missing-server", _VB, {}, "server_id", "Field required", drop=("server_id",)),
    c("vps-server-id-newline", _VB, {"server_id": "12345\n"}, "server_id", "digits 0-9 only"),
    c("vps-server-id-arabic-digits", _VB, {"server_id": "\u0661\u0662\u0663"}, "server_id",
      "digits 0-9 only"),
    c("vps-server-id-plus", _VB, {"server_id": "+12345"}, "server_id", "digits 0-9 only"),
    c("vps-description-too-long", _VB, {"description": "d" * 256}, "description",
      "at most 255 characters"),
    c("vps-timeout-nan", _VB, {"timeouts": {"create": float("nan")}}, "timeouts.create",
      "finite"),
    # VpsRestore
    c("vps-restore-backup-id-text", _VR, {"backup_id": "latest"}, "backup_id", "integer id"),
    c("vps-restore-backup-id-path", _VR, {"backup_id": "12345/501"}, "backup_id", "integer id"),
    c("vps-restore-missing-backup", _VR, {}, "backup_id", "Field required", drop=("backup_id",)),
    c("vps-restore-server-id-path", _VR, {"server_id": "12345/1"}, "server_id", "integer id"),
    c("vps-restore-backup-id-arabic-digits", _VR, {"backup_id": "\u0665\u0660\u0661"},
      "backup_id", "digits 0-9 only"),
    # RdbBackup
    c("rdb-instance-malformed", _RB, {"instance_id": "not-a-uuid"}, "instance_id", "UUID"),
    c("rdb-instance-upper-case", _RB, {"instance_id": INSTANCE.replace("1", "A")}, "instance_id",
      "UUID"),
    c("rdb-region-enum", _RB, {"region": "us-east-1"}, "region", "fr-par, nl-ams, pl-waw"),
    c("rdb-expiry-date-only", _RB, {"expires_at": "2030-01-31"}, "expires_at", "RFC 3339"),
    c("rdb-expiry-no-offset", _RB, {"expires_at": "2030-01-31T00:00:00"}, "expires_at",
      "UTC offset"),
    c("rdb-expiry-no-such-day", _RB, {"expires_at": "2030-02-30T00:00:00Z"}, "expires_at",
      "RFC 3339"),
    c("rdb-expiry-removed", _RB, {}, "expires_at", "cannot be removed once set",
      olds={**RDB, "expires_at": "2031-01-31T00:00:00Z", "export": False}),
    c("rdb-database-empty", _RB, {"database_name": ""}, "database_name", "at least 1"),
    c("rdb-name-empty", _RB, {"name": ""}, "name", "non-empty"),
    c("rdb-export-not-bool", _RB, {"export": "sometimes"}, "export", "must be a boolean"),
    c("rdb-export-one", _RB, {"export": 1}, "export", "must be a boolean"),
    c("rdb-instance-newline", _RB, {"instance_id": f"{INSTANCE}\n"}, "instance_id",
      "control characters"),
    c("rdb-database-dot-dot", _RB, {"database_name": ".."}, "database_name", "a path step"),
    c("rdb-database-dash", _RB, {"database_name": "-app"}, "database_name",
      "must not start with '-'"),
    c("rdb-name-dash", _RB, {"name": "--all"}, "name", "must not start with '-'"),
    c("rdb-name-huge", _RB, {"name": "n" * 1_000_000}, "name", "at most 255 characters"),
    c("rdb-expiry-past", _RB, {"expires_at": "2001-01-31T00:00:00Z"}, "expires_at",
      "in the past"),
    c("rdb-expiry-past-on-update", _RB, {"expires_at": "2001-01-31T00:00:00Z"}, "expires_at",
      "in the past", olds={**RDB, "expires_at": "2031-01-31T00:00:00Z", "export": False}),
    # RdbBackupRestore
    c("rdb-restore-backup-malformed", _RR, {"backup_id": "fr-par/not-a-uuid"}, "backup_id",
      "UUID"),
    c("rdb-restore-backup-region", _RR, {"backup_id": f"xx-yyy/{BACKUP}"}, "backup_id",
      "fr-par, nl-ams, pl-waw"),
    c("rdb-restore-backup-parts", _RR, {"backup_id": f"a/b/{BACKUP}"}, "backup_id",
      "region/uuid"),
    c("rdb-restore-instance", _RR, {"instance_id": "x"}, "instance_id", "UUID"),
    c("rdb-restore-database-dot", _RR, {"database_name": "."}, "database_name", "a path step"),
    c("rdb-restore-region-contradiction", _RR, {"region": "nl-ams"}, "region",
      "contradicts backup_id's region 'fr-par'"),
    c("rdb-restore-region-enum", _RR, {"backup_id": BACKUP, "region": "mars"}, "region",
      "fr-par, nl-ams, pl-waw"),
]
# fmt: on

#: One case per resource, run through the real provider host (and the one with prior state).
THROUGH_HOST = [
    "db-user-without-login",
    "dump-date-enum",
    "restore-dump-and-date",
    "policy-too-many",
    "snapshot-expiration-month",
    "vps-server-id-text",
    "vps-restore-backup-id-text",
    "rdb-expiry-no-offset",
    "rdb-expiry-past",
    "rdb-restore-backup-region",
]


def params(cases: list[Case]) -> list[Any]:
    marks = {
        case.id: [pytest.mark.xfail(strict=True, reason=case.bug)] for case in cases if case.bug
    }
    return [pytest.param(case, id=case.id, marks=marks.get(case.id, [])) for case in cases]


def as_engine_sends(props: dict[str, Any]) -> dict[str, Any]:
    """Through protobuf, as the engine sends them and the host reads them: numbers become
    floats (infinity and NaN included), None goes."""
    return dict(rpc.deserialize_properties(to_struct(props)))


def test_the_corpus_is_large_and_covers_every_resource() -> None:
    assert len(CORPUS) >= 40
    assert len({case.id for case in CORPUS}) == len(CORPUS)
    assert {case.provider for case in CORPUS} == set(BASES)
    assert {case.provider for case in CORPUS if case.id in THROUGH_HOST} == set(BASES)


@pytest.mark.parametrize("provider", list(BASES), ids=lambda p: p.__name__)
def test_the_base_inputs_are_valid(provider: type[BaseProvider[Any]]) -> None:
    """So that each case fails for its own change alone."""
    result = provider().check({}, {"__provider": "p", **as_engine_sends(BASES[provider])})
    assert result.failures == []


@pytest.mark.parametrize("case", params(CORPUS))
def test_check_refuses_on_the_right_property_without_a_request(
    case: Case, no_network: Connections
) -> None:
    olds = {"__provider": "p", **as_engine_sends(case.olds)} if case.olds else {}
    news = {"__provider": "p", **as_engine_sends(case.news)}
    result = case.provider().check(olds, news)
    found = {f.property: f.reason for f in result.failures or []}
    assert no_network.attempts == []
    assert list(found) == [case.prop], found
    assert case.fragment in found[case.prop]
    assert not found[case.prop].startswith("Value error"), "pydantic's prefix says nothing"
    assert len(found[case.prop]) < 300  # never the whole input back
    if case.prop == "password":  # a secret is never echoed back
        assert str(case.change["password"]) not in found[case.prop]


# -- through the real provider host -----------------------------------------------------------


def resource_class(provider: type[BaseProvider[Any]]) -> type[pulumi.dynamic.Resource]:
    module = importlib.import_module(provider.__module__)
    cls: type[pulumi.dynamic.Resource] = getattr(module, provider.__name__[: -len("Provider")])
    return cls


def program(case: Case) -> Callable[[], None]:
    def run() -> None:
        resource_class(case.provider)("subject", **case.news)

    return run


@pytest.mark.parametrize("case", params([c for c in CORPUS if c.id in THROUGH_HOST]))
def test_preview_through_the_provider_host_refuses_without_a_request(
    case: Case, sandbox: Sandbox, tmp_path: Path
) -> None:
    run = Engine(program(case), tmp_path / "state.json", sandbox.stack_config())
    sandbox.clear_counters()
    plan = run.preview()
    assert sandbox.counters() == {}
    step = plan.step("subject")
    assert [prop for prop, _ in step.failures] == [case.prop]
    assert case.fragment in step.failures[0][1]
    assert plan.calls_for("subject") == ["Check"]


def test_removing_an_rdb_expiry_is_refused_by_the_preview_of_a_deployed_stack(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    inputs = {**RDB, "expires_at": "2031-01-31T00:00:00Z"}
    run = Engine(
        lambda: resource_class(RdbBackupProvider)("subject", **inputs),
        tmp_path / "state.json",
        sandbox.stack_config(),
        env={"SCW_CONFIG_PATH": str(tmp_path / "absent.yaml")},
    )
    run.up()
    del inputs["expires_at"]
    sandbox.clear_counters()
    plan = run.preview()
    assert sandbox.counters() == {}
    step = plan.step("subject")
    assert [prop for prop, _ in step.failures] == ["expires_at"]
    assert "cannot be removed once set" in step.failures[0][1]
    run.destroy()


def test_a_huge_input_is_never_echoed_back_through_the_provider_host(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """Megabytes in, a few hundred bytes of failures out (the engine's gRPC channel carries
    4 MB): the value is measured, not quoted; an unknown key is cut; failures are counted."""
    huge = "x" * 1_000_000
    inputs = {**VPS, "description": huge}
    run = Engine(
        lambda: resource_class(VpsBackupProvider)("subject", **inputs),
        tmp_path / "state.json",
        sandbox.stack_config(),
    )
    sandbox.clear_counters()
    plan = run.preview()
    assert sandbox.counters() == {}
    failures = plan.step("subject").failures
    assert failures == [("description", "must be at most 255 characters (got 1000000)")]


def test_many_or_huge_failures_stay_small(no_network: Connections) -> None:
    huge = "k" * 1_000_000
    news = {**POLICY, "frequencies": ["week-1"] * 100_000, huge: 1}
    result = NashaSnapshotPolicyProvider().check({}, as_engine_sends(news))
    failures = result.failures or []
    assert 2 <= len(failures) <= 10
    assert sum(len(f.property) + len(f.reason) for f in failures) < 2_000
    assert "more failures" in failures[-1].reason
    assert no_network.attempts == []
