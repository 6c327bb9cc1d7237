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

from . import engine
from .engine import *  # noqa: F403  # the harness's names, listed once: engine.__all__
from .sandboxed import sandbox_engine

__all__ = [*engine.__all__, "sandbox_engine"]
