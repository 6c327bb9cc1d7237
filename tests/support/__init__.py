"""Test support.

- :mod:`.engine`: the engine harness, a model of the Pulumi engine driving the SDK's real
  dynamic provider host (`Engine` runs `preview` / `up` / `refresh` / `destroy`;
  `ProviderHost` is the host process alone, for tests that want single calls); its names are
  re-exported here, so that tests import them from `support`.
- :mod:`.plugin`: the provider plugin, spawned as the engine does; :mod:`.sandboxed`: engines
  whose providers talk to the test run's sandbox.
- :mod:`.ovh`, :mod:`.scaleway`, :mod:`.vps`: each API of the sandbox on a fake clock, as
  the unit tests reach it; :mod:`.fakes`: clocks and network guards shared by all.
"""

from .engine import (
    UNKNOWN,
    CheckFailed,
    Checkpoint,
    CheckResponse,
    DeploymentError,
    DeploymentStopped,
    DiffResponse,
    Engine,
    EngineKilled,
    Goal,
    HostError,
    PendingOperation,
    Program,
    ProtectedError,
    ProviderHost,
    ReadResponse,
    ResourceState,
    RunResult,
    Step,
    StepError,
    StepFailed,
    from_struct,
    is_secret,
    load_checkpoint,
    load_state,
    reveal,
    run_program,
    save_checkpoint,
    save_state,
    secret,
    to_struct,
)
from .sandboxed import sandbox_engine

__all__ = [
    "UNKNOWN",
    "CheckFailed",
    "CheckResponse",
    "Checkpoint",
    "DeploymentError",
    "DeploymentStopped",
    "DiffResponse",
    "Engine",
    "EngineKilled",
    "Goal",
    "HostError",
    "PendingOperation",
    "Program",
    "ProtectedError",
    "ProviderHost",
    "ReadResponse",
    "ResourceState",
    "RunResult",
    "Step",
    "StepError",
    "StepFailed",
    "from_struct",
    "is_secret",
    "load_checkpoint",
    "load_state",
    "reveal",
    "run_program",
    "sandbox_engine",
    "save_checkpoint",
    "save_state",
    "secret",
    "to_struct",
]
