"""A process-wide cache of API clients, keyed by the settings they were built from.

Providers are pickled into the state, so they keep no client; the clients live here instead,
one per distinct account/endpoint, shared by the provider host's threads (their connection
pools and, for OVHcloud, the server-time offset are then paid for once per deployment).

:meth:`ClientCache.substitute` is the one test seam of the providers, the same for every API:
while it is open, each API's accessor (``ovh_client()``, ``rdb_client()``, ``vps_client()``)
serves the given client (one pointed at the sandbox or at an ``httpx.MockTransport``, with a
fake clock) without resolving any settings, so providers are tested through their own
``create`` / ``read`` / ... with no credentials in the environment or the stack config.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
C = TypeVar("C")


class ClientCache(Generic[K, C]):
    """Thread-safe ``key -> client`` cache; ``factory`` runs once per key."""

    def __init__(self, factory: Callable[[K], C]) -> None:
        self._factory = factory
        self._clients: dict[K, C] = {}
        self._lock = threading.Lock()
        self._substitute: C | None = None

    def get(self, key: K) -> C:
        with self._lock:
            if self._substitute is not None:
                return self._substitute
            client = self._clients.get(key)
            if client is None:
                client = self._clients[key] = self._factory(key)
            return client

    def substituted(self) -> C | None:
        """The client :meth:`substitute` serves, while one is set; else None."""
        with self._lock:
            return self._substitute

    def serving(self, resolve: Callable[[], K]) -> C:
        """The substitute while one is set (``resolve`` is not called: no settings are read,
        none can be missing), else the client of the settings ``resolve()`` finds."""
        served = self.substituted()
        return served if served is not None else self.get(resolve())

    @contextmanager
    def substitute(self, client: C) -> Iterator[C]:
        """Serve ``client`` for every key until the block ends."""
        with self._lock:
            previous, self._substitute = self._substitute, client
        try:
            yield client
        finally:
            with self._lock:
                self._substitute = previous
