"""Test support: drive the SDK's real dynamic provider host the way the Pulumi engine does.

`Engine` runs `preview` / `up` / `refresh` / `destroy` for a program and a state file;
`ProviderHost` is the host process alone, for tests that want single calls.
"""

from .engine import Engine
from .host import CheckResponse, DiffResponse, HostError, ProviderHost, ReadResponse
from .results import (
    CheckFailed,
    DeploymentError,
    DeploymentStopped,
    EngineKilled,
    ProtectedError,
    RunResult,
    Step,
    StepError,
    StepFailed,
)
from .sandboxed import sandbox_engine
from .state import Checkpoint, PendingOperation, ResourceState, load_checkpoint, load_state
from .values import UNKNOWN, is_secret, reveal, secret

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
    "HostError",
    "PendingOperation",
    "ProtectedError",
    "ProviderHost",
    "ReadResponse",
    "ResourceState",
    "RunResult",
    "Step",
    "StepError",
    "StepFailed",
    "is_secret",
    "load_checkpoint",
    "load_state",
    "reveal",
    "sandbox_engine",
    "secret",
]
