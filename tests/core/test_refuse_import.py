"""The `import_` resource option on a dynamic resource: refused as it is declared, saying why
and what to do, instead of the SDK's `KeyError: '__provider'` once the engine reads it."""

from __future__ import annotations

import pulumi
import pytest

from pulumi_backups.core.errors import BackupsError
from pulumi_backups.plugin.kinds import KINDS, Kind


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.name)
def test_the_import_option_is_refused_with_the_plugins_command(kind: Kind) -> None:
    required = {k: "x" for k, field in kind.args.model_fields.items() if field.is_required()}
    opts = pulumi.ResourceOptions(import_="some/id")
    with pytest.raises(BackupsError) as refused:
        kind.resource("taken", **required, opts=opts)
    message = str(refused.value)
    assert message.startswith(f"{kind.name} 'taken': the import_ option cannot work")
    assert message.endswith(f"pulumi import {kind.token} taken some/id")
