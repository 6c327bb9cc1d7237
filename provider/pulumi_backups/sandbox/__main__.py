"""`python -m pulumi_backups.sandbox`: serve the emulated APIs on one loopback port.

Prints one `export NAME=value` line per variable pointing the provider at the sandbox
(stdout, flushed: `eval "$(python -m pulumi_backups.sandbox | head -n 11)"` style use
works), then serves until SIGINT/SIGTERM. `--state FILE` keeps state across restarts.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Sequence

from .app import build_app
from .context import SandboxContext
from .handle import bind, environment
from .server import serve_forever
from .settings import SandboxSettings

DEFAULT_PORT = 8765


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m pulumi_backups.sandbox",
        description="Local emulators of the OVHcloud, Scaleway RDB and VPS panel APIs.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0: free)"
    )
    parser.add_argument("--state", metavar="FILE", help="SQLite file keeping state")
    parser.add_argument(
        "--task-seconds", type=float, default=2.0, help="duration of every operation"
    )
    parser.add_argument("--archive-seconds", type=float, default=60.0)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--error-rate", type=float, default=0.0, help="share of 503 answers")
    parser.add_argument("--ratelimit-rate", type=float, default=0.0, help="share of 429 answers")
    parser.add_argument("--seed", type=int, default=None, help="seed of the fault generator")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    """Print the export lines, then serve until interrupted."""
    args = parse_args(argv)
    settings = SandboxSettings(
        task_seconds=args.task_seconds,
        archive_seconds=args.archive_seconds,
        state_path=args.state,
        latency_ms=args.latency_ms,
        error_rate=args.error_rate,
        ratelimit_rate=args.ratelimit_rate,
        seed=args.seed,
    )
    ctx = SandboxContext(settings)
    app = build_app(ctx)
    sock = bind(args.host, args.port)
    host, port = sock.getsockname()[:2]
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    for name, value in environment(f"http://{shown}:{port}").items():
        print(f"export {name}={shlex.quote(value)}")
    sys.stdout.flush()
    try:
        serve_forever(app, sock)
    finally:
        ctx.store.close()


if __name__ == "__main__":
    main()
