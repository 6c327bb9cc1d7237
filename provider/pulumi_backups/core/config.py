"""The lookup behind every API's settings: stack config, then environment, then vendor files.

The provider host calls ``configure()`` once with the whole stack config; providers hand it to
:func:`set_stack_config`, which keeps it at module level (never on the provider object, which is
pickled into the state file). Each API package resolves its own settings per call from it
(``ovh/settings.py``, ``scaleway/settings.py``, ``vps/settings.py``) through :class:`Lookup`,
so a credential is read when needed and never serialized.

First found wins, as the README documents for each API.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pulumi.runtime.config import get_config

from .errors import ConfigError

_lock = threading.Lock()
_stack_config: Mapping[str, Any] = {}


def set_stack_config(values: Mapping[str, Any]) -> None:
    """Replace the stack config seen by every resolution in this process."""
    global _stack_config
    with _lock:
        _stack_config = {k: v for k, v in values.items() if v is not None}


def program_config(key: str) -> Any:
    """``key`` of the stack config as a running Pulumi program sees it.

    Code that runs in the program rather than in the provider host (``get_orphan_dumps``)
    gets no ``configure()`` call: the program's own config is its stack config.
    """
    return get_config(key)


@dataclass(frozen=True)
class EndpointSetting:
    """Where an API's endpoint is set: a stack config key and an environment variable."""

    config_key: str
    env_var: str

    def configured(self) -> str | None:
        """The endpoint given in the stack config or the environment; None when neither sets
        one (the vendor's real API)."""
        return Lookup().first(self.config_key, self.env_var)


ENDPOINTS: dict[str, EndpointSetting] = {}
"""Each API's endpoint setting, by API name; every API package registers its own."""


def configured_endpoint(api: str) -> str | None:
    """The endpoint ``api`` (a key of :data:`ENDPOINTS`) is given in the stack config or the
    environment; None when neither sets one."""
    return ENDPOINTS[api].configured()


@dataclass
class Lookup:
    """One setting looked up in order; ``places`` records where, for error messages."""

    places: list[str] = field(default_factory=list)

    def first(
        self,
        config_key: str | None,
        env_var: str | None,
        file: tuple[str, Callable[[], str | None]] | None = None,
    ) -> str | None:
        if config_key:
            self.places.append(f"stack config `{config_key}`")
            value = _stack_config.get(config_key)
            if value in (None, ""):
                value = program_config(config_key)
            if value not in (None, ""):
                return str(value)
        if env_var:
            self.places.append(f"environment variable {env_var}")
            value = os.environ.get(env_var)
            if value:
                return value
        if file:
            where, read = file
            self.places.append(where)
            value = read()
            if value:
                return value
        return None

    def missing(self, what: str) -> ConfigError:
        return ConfigError(f"no {what} found; looked in: " + ", ".join(self.places))
