"""The engine harness: a model of the Pulumi engine that drives the SDK's real dynamic
provider host the way the engine does.

`Engine` (:mod:`.commands`) runs `preview` / `up` / `refresh` / `destroy` for a program and
a state file, through a :mod:`.deployment` per command (its steps in :mod:`.scheduling`,
:mod:`.replacement`, :mod:`.refresh`) and a :mod:`.session` of provider hosts (:mod:`.host`,
the host process alone for tests that want single calls). :mod:`.program` runs the program
in-process, :mod:`.state` keeps the checkpoint, :mod:`.values` the property values in wire
form, :mod:`.results` what a command reports. Tests import these names from `support`.
"""

from .commands import Engine, ProgramLike
from .host import CheckResponse, DiffResponse, HostError, ProviderHost, ReadResponse
from .program import Goal, Program, run_program
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
from .state import (
    Checkpoint,
    PendingOperation,
    ResourceState,
    load_checkpoint,
    load_state,
    save_checkpoint,
    save_state,
)
from .values import UNKNOWN, from_struct, is_secret, reveal, secret, to_struct

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
    "ProgramLike",
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
    "save_checkpoint",
    "save_state",
    "secret",
    "to_struct",
]
