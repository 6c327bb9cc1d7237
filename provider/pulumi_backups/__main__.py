"""Command line: ``python -m pulumi_backups <command>`` (also installed as ``pulumi-backups``).

``orphan-dumps --service S --database D [--download PATH]`` lists the dumps that a deleted
web-hosting database left behind (newest first) and can download the latest one. OVHcloud
credentials come from the ``OVH_*`` environment variables or ``ovh.conf``.

Exit status: 0 on success, 1 on an error or when there is nothing to download, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

from .core.errors import BackupsError
from .ovh.models import Dump
from .ovh.orphans import download_dump, get_orphan_dumps


class ProgressLine:
    """One self-rewriting stderr line (only on a terminal; elsewhere, the final line only)."""

    def __init__(self, label: str, stream: TextIO) -> None:
        self.label = label
        self.stream = stream
        self.live = stream.isatty()
        self.text = ""

    def __call__(self, done: int, total: int | None) -> None:
        if total:
            size, unit = _unit(total)
            shown = f"{_amount(done, size)}/{_amount(total, size)} {unit}"
            self.text = f"{self.label}: {100 * done // total:3d}% {shown}"
        else:
            size, unit = _unit(done)
            self.text = f"{self.label}: {_amount(done, size)} {unit}"
        if self.live:
            self.stream.write("\r" + self.text)
            self.stream.flush()

    def finish(self) -> None:
        if self.text:
            self.stream.write(("\r" if self.live else "") + self.text + "\n")
            self.stream.flush()


_UNITS = (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024))


def _unit(size: int) -> tuple[int, str]:
    """The divisor and name of the largest unit ``size`` fills at least once (bytes below)."""
    return next(((scale, name) for name, scale in _UNITS if size >= scale), (1, "B"))


def _amount(count: int, scale: int) -> str:
    return str(count) if scale == 1 else f"{count / scale:.1f}"


def _row(dump: Dump) -> str:
    return f"{dump.id}\t{dump.creation_date or '-'}\t{dump.deletion_date or '-'}\t{dump.status}"


def orphan_dumps(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """List the orphan dumps; with ``--download``, fetch the newest one."""
    dumps = get_orphan_dumps(args.service, args.database)
    if not dumps:
        err.write(
            f"no dump left by {args.database} on {args.service} (they are kept 30 days after "
            "the database's deletion)\n"
        )
        return 1 if args.download else 0
    out.write("id\tcreation_date\tdeletion_date\tstatus\n")
    for dump in dumps:
        out.write(_row(dump) + "\n")
    if args.download:
        progress = ProgressLine(f"dump {dumps[0].id}", err)
        path = download_dump(dumps[0], args.download, progress=progress)
        progress.finish()
        err.write(f"saved dump {dumps[0].id} to {path}\n")
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="pulumi-backups", description="pulumi-backups command line tools."
    )
    commands = root.add_subparsers(dest="command", required=True)
    orphans = commands.add_parser(
        "orphan-dumps",
        help="list (and download) the dumps of a deleted web-hosting database",
        description="Dumps of a deleted OVHcloud web-hosting database, newest first. They are "
        "kept 30 days; import the downloaded file into a new database to recover.",
    )
    orphans.add_argument("--service", required=True, help="e.g. x.cluster000.hosting.ovh.net")
    orphans.add_argument("--database", required=True, help="e.g. xapp.mysql.db")
    orphans.add_argument("--download", metavar="PATH", help="save the newest dump there")
    orphans.set_defaults(run=orphan_dumps)
    return root


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    args = parser().parse_args(argv)
    out, err = out or sys.stdout, err or sys.stderr
    try:
        status: int = args.run(args, out, err)
    except BackupsError as error:
        err.write(f"error: {error}\n")
        return 1
    return status


if __name__ == "__main__":
    sys.exit(main())
