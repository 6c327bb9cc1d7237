"""A process-wide cache of API clients, keyed by the settings they were built from.

Providers are pickled into the state, so they keep no client; the clients live here instead,
one per distinct account/endpoint, shared by the provider host's threads (their connection
pools and, for OVHcloud, the server-time offset are then paid for once per deployment).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
C = TypeVar("C")


class ClientCache(Generic[K, C]):
    """Thread-safe ``key -> client`` cache; ``factory`` runs once per key."""

    def __init__(self, factory: Callable[[K], C]) -> None:
        self._factory = factory
        self._clients: dict[K, C] = {}
        self._lock = threading.Lock()

    def get(self, key: K) -> C:
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = self._clients[key] = self._factory(key)
            return client
