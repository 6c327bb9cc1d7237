"""The ``_output`` forms in a program: inputs that are outputs of other resources (known at
``up``, unknown in a preview), the look-up's typed answer as an Output."""

from __future__ import annotations

from pathlib import Path

import pulumi
from support import Engine

from pulumi_backups import (
    VpsBackup,
    get_hosting_database_dumps_output,
    get_nasha_custom_snapshots_output,
    get_nasha_snapshot_frequencies_output,
    get_rdb_backups_output,
    get_vps_backups_output,
)
from pulumi_backups.sandbox import Sandbox
from pulumi_backups.sandbox.scenarios import LIVE_DATABASE, SCENARIOS
from pulumi_backups.sandbox.settings import (
    HOSTING_SERVICE,
    NASHA_SERVICE,
    RDB_INSTANCE_ID,
    VPS_SERVER_ID,
)


def program() -> None:
    backup = VpsBackup("made", server_id=VPS_SERVER_ID, description="looked up")
    server = backup.id.apply(lambda id_: int(id_.split("/")[0]))
    listed = get_vps_backups_output(server, "manual")
    pulumi.export("vps", listed.apply(lambda r: [b.description for b in r.backups]))
    pulumi.export("vps_newest", listed.apply(lambda r: r.newest_created_at is not None))
    pulumi.export(
        "rdb", get_rdb_backups_output(instance_id=RDB_INSTANCE_ID).apply(lambda r: r.region)
    )
    nas = get_nasha_snapshot_frequencies_output(NASHA_SERVICE, "backups")
    pulumi.export("nas", nas.apply(lambda r: r.frequencies))
    snaps = get_nasha_custom_snapshots_output(NASHA_SERVICE, "backups")
    pulumi.export("snapshots", snaps.apply(lambda r: len(r.snapshots)))
    service = pulumi.Output.from_input(HOSTING_SERVICE)
    dumps = get_hosting_database_dumps_output(service, LIVE_DATABASE)
    pulumi.export("dumps", dumps.apply(lambda r: len(r.dumps)))


def test_output_forms_take_outputs_and_answer_typed_outputs(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    assert sandbox.context is not None
    SCENARIOS["live-database"].play(sandbox.context)
    engine = Engine(program, tmp_path / "state.json", sandbox.stack_config())
    plan = engine.preview()
    assert plan.ok, plan.program_error
    result = engine.up()
    assert result.ok, result.program_error
    assert result.outputs["vps"] == ["looked up"] and result.outputs["vps_newest"] is True
    assert result.outputs["rdb"] == "fr-par"
    assert result.outputs["nas"] == ["day-1"] and result.outputs["snapshots"] == 0
    assert result.outputs["dumps"] == 1
    engine.destroy()
