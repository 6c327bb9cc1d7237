"""Serving an ASGI app with uvicorn on an already bound socket, in a thread or in the
foreground. Binding first means the port is known (and connections queue) before serving.
"""

from __future__ import annotations

import socket
import threading
from types import FrameType

import uvicorn
from starlette.types import ASGIApp


def _config(app: ASGIApp) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="off",
        http="h11",
        loop="asyncio",
        server_header=False,
        date_header=False,  # the fault layer stamps Date on the sandbox clock
        timeout_graceful_shutdown=2,  # a connection a `silent` lie holds must not hold a stop
    )


class _Server(uvicorn.Server):
    """uvicorn server that reports the end of its startup through an event."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        try:
            await super().startup(sockets=sockets)
        finally:
            self.ready.set()


class ThreadedServer:
    """uvicorn in a daemon thread; `start()` returns once it accepts connections."""

    def __init__(self, app: ASGIApp, sock: socket.socket) -> None:
        self._sock = sock
        self._server = _Server(_config(app))
        self._thread = threading.Thread(target=self._run, name="sandbox-server", daemon=True)

    def _run(self) -> None:
        try:
            self._server.run(sockets=[self._sock])
        finally:
            self._server.ready.set()

    def start(self, timeout: float = 30.0) -> None:
        """Start serving; RuntimeError if the server did not come up."""
        self._thread.start()
        if not self._server.ready.wait(timeout) or not self._server.started:
            raise RuntimeError("the sandbox server did not start")

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the server to finish and wait for its thread; closes the socket."""
        self._server.should_exit = True
        self._thread.join(timeout)
        self._sock.close()


class _ForegroundServer(uvicorn.Server):
    """uvicorn server for the CLI: SIGINT/SIGTERM end it cleanly (exit status 0)."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        # uvicorn re-raises captured signals after shutdown, which would kill the process
        # before the caller closes the state file; stopping is the whole point here
        captured = getattr(self, "_captured_signals", None)
        if isinstance(captured, list):
            captured.clear()


def serve_forever(app: ASGIApp, sock: socket.socket) -> None:
    """Serve in the foreground until SIGINT/SIGTERM (uvicorn installs the handlers)."""
    _ForegroundServer(_config(app)).run(sockets=[sock])
