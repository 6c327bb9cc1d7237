"""`python -m pulumi_backups.sandbox`: serve the emulated APIs on one loopback port.

Prints one `export NAME=value` line per variable pointing the provider at the sandbox
(stdout, flushed: `eval "$(python -m pulumi_backups.sandbox | head -n 12)"` style use
works), then serves until SIGINT/SIGTERM. `--state FILE` keeps state across restarts;
`--scenario NAME` starts from a ready-made situation (:mod:`.scenarios`).
"""

from __future__ import annotations

import argparse
import errno
import shlex
import socket
import sys
import textwrap
from collections.abc import Sequence

from .app import build_app
from .context import SandboxContext
from .handle import bind, environment
from .scenarios import SCENARIOS
from .server import serve_forever
from .settings import SandboxSettings

DEFAULT_PORT = 8765


class _HelpFormatter(argparse.HelpFormatter):
    """Help that never breaks a scenario's or an option's name at its hyphens."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        return textwrap.wrap(" ".join(text.split()), width, break_on_hyphens=False)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    defaults = SandboxSettings()
    parser = argparse.ArgumentParser(
        prog="python -m pulumi_backups.sandbox",
        formatter_class=_HelpFormatter,
        description="Local emulators of the OVHcloud, Scaleway RDB and VPS panel APIs on one "
        "port. Prints the `export` lines that point the provider at it, then serves until "
        "Ctrl-C.",
    )
    add = parser.add_argument
    add("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    add("--port", type=int, default=DEFAULT_PORT, metavar="N",
        help="port to listen on; 0 picks a free one (default: %(default)s)")  # fmt: skip
    add("--state", metavar="FILE", help="SQLite file keeping the state across restarts "
        "(default: in memory, lost on exit)")  # fmt: skip
    add("--task-seconds", type=float, default=defaults.task_seconds, metavar="SECONDS",
        help="how long every server-side operation takes; 0 finishes them at once "
        "(default: %(default)s)")  # fmt: skip
    add("--archive-seconds", type=float, default=defaults.archive_seconds, metavar="SECONDS",
        help="how long after it is done an OVHcloud hosting task answers 404 "
        "(default: %(default)s)")  # fmt: skip
    add("--latency-ms", type=float, default=defaults.latency_ms, metavar="MS",
        help="delay added before every API answer (default: %(default)s)")  # fmt: skip
    add("--error-rate", type=float, default=defaults.error_rate, metavar="SHARE",
        help="share of API requests answered 503, from 0 to 1 (default: %(default)s)")  # fmt: skip
    add("--ratelimit-rate", type=float, default=defaults.ratelimit_rate, metavar="SHARE",
        help="share of API requests answered 429, from 0 to 1 (default: %(default)s)")  # fmt: skip
    add("--seed", type=int, default=None, metavar="N",
        help="seed of the fault draws, for repeatable runs (default: random)")  # fmt: skip
    add("--scenario", action="append", default=[], choices=sorted(SCENARIOS), metavar="NAME",
        help="start with a ready-made situation, on top of the fixed objects; repeat for "
        "several (default: none). " + "; ".join(
            f"{name}: {scenario.summary}" for name, scenario in sorted(SCENARIOS.items())
        ))  # fmt: skip
    return parser.parse_args(argv)


def listen(host: str, port: int) -> socket.socket:
    """The listening socket; a port in use ends the program with a hint instead of a traceback."""
    try:
        return bind(host, port)
    except OSError as err:
        if err.errno != errno.EADDRINUSE:
            raise
        raise SystemExit(
            f"error: port {port} on {host} is already in use: a sandbox may already run there "
            f"(its export lines point at http://{host}:{port}). Pick another port with "
            "--port N, or --port 0 for a free one (with make: make sandbox ARGS='--port 0')."
        ) from None


def describe(names: Sequence[str]) -> None:
    """Say on stderr what each scenario left and the command that tries it."""
    for name in dict.fromkeys(names):
        scenario = SCENARIOS[name]
        sys.stderr.write(f"scenario {name}: {scenario.summary}\n")
        if scenario.try_it:
            sys.stderr.write(f"  try it (with the export lines above): {scenario.try_it}\n")
    sys.stderr.flush()


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
        scenarios=tuple(args.scenario),
    )
    ctx = SandboxContext(settings)
    app = build_app(ctx)
    sock = listen(args.host, args.port)
    host, port = sock.getsockname()[:2]
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    for name, value in environment(f"http://{shown}:{port}").items():
        print(f"export {name}={shlex.quote(value)}")
    sys.stdout.flush()
    describe(args.scenario)
    try:
        serve_forever(app, sock)
    finally:
        ctx.store.close()


if __name__ == "__main__":
    main()
