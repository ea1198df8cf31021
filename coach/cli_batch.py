"""``coach score``: score many calls into a CSV/JSONL/Parquet file and/or a SQLite results store.

::

    coach score calls/ exports/*.jsonl -o scores.csv --db results.sqlite --jobs 4
    zcat calls.jsonl.gz | coach score - -o scores.parquet

Exit status:

==  =========================================================================================
0   every call was scored
1   the run could not be done: output exists (use --force), unwritable output or store,
    bad configuration, missing extra (pyarrow, dask)
2   bad command line
3   some inputs failed: their rows carry the error, every other call was scored (with
    --strict: the run stopped at the first failure)
130 interrupted (Ctrl-C); rows scored so far are kept, and the store resumes from them
==  =========================================================================================

A progress line (calls, calls/s, ETA) goes to standard error when it is a terminal; otherwise
nothing is printed except, when some calls failed, a one-line count.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from typing import Any, TextIO

from .render._view import duration

__all__ = ["EXIT_FAILED", "add_score_parser", "score_command"]

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3


def add_score_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``score`` command to ``coach``'s subparsers."""
    from .batch import CHUNK_SIZE, MAX_CALL_BYTES
    from .cli import _input_options

    p = subparsers.add_parser(
        "score",
        help="score many calls: one row per call, errors as rows (CSV, JSONL, Parquet, SQLite)",
        description="Score every call of the inputs, in parallel, in input order. Exit status: 0 all scored, "
        "1 could not run, 2 bad command line, 3 some inputs failed (their rows say why).",
    )
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="files, folders (recursive), globs, or - for JSONL on stdin")
    p.add_argument("-o", "--output", help="output file: .csv, .jsonl or .parquet (- for JSONL on stdout)")
    p.add_argument("--db", metavar="PATH", help="SQLite results store: resumes, keeps history (see docs/store.md)")
    p.add_argument("-j", "--jobs", type=int, default=None, help="worker processes (default: all cores; -1 too)")
    p.add_argument("--rescore", action="store_true", help="score calls again even when the store has them")
    p.add_argument("--strict", action="store_true", help="stop at the first input that fails")
    p.add_argument("--force", action="store_true", help="overwrite the output file if it exists")
    p.add_argument("--scheduler", metavar="ADDRESS", help="run on a Dask cluster (tcp://host:8786); extra coach-cx[dask]")
    p.add_argument("--chunk-size", type=int, default=CHUNK_SIZE, help=f"calls per chunk and transaction (default: {CHUNK_SIZE})")
    p.add_argument(
        "--max-call-mb",
        type=float,
        default=MAX_CALL_BYTES / 1e6,
        help=f"larger calls become error rows (default: {MAX_CALL_BYTES / 1e6:g})",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress line, even on a terminal")
    _input_options(p)
    p.set_defaults(func=score_command)
    return p


def score_command(args: argparse.Namespace) -> int:
    """Run ``coach score``; returns the exit status."""
    from .batch import input_bytes, score
    from .cli import _reader_options, _roles
    from .outputs import open_output, output_format

    if not args.output and not args.db:
        return _fail("give an output file (-o OUT) and/or a results store (--db PATH)", EXIT_USAGE)
    if args.output:
        try:
            output_format(args.output)
        except ValueError as exc:
            return _fail(str(exc), EXIT_USAGE)
    if args.max_call_mb <= 0 or args.chunk_size < 1 or args.jobs == 0:
        return _fail("--max-call-mb, --chunk-size and --jobs must be positive", EXIT_USAGE)
    show = sys.stderr.isatty() and not args.no_progress
    progress = _Progress(input_bytes(args.inputs), sys.stderr) if show else None

    def chunk_done(nbytes: int, ncalls: int) -> None:
        if args.output == "-":  # a pipe is block-buffered: a live feed's rows must not wait for more
            sys.stdout.flush()
        if progress:
            progress(nbytes, ncalls)

    rows = score(
        args.inputs,
        jobs=args.jobs,
        lang=args.lang,
        format=args.format,
        roles=_roles(args.role),
        config=args.config,
        store=args.db,
        rescore=args.rescore,
        chunk_size=args.chunk_size,
        max_call_bytes=int(args.max_call_mb * 1e6),
        scheduler=args.scheduler,
        progress=chunk_done,
        **_reader_options(args),
    )
    total = failed = 0
    first_error = None
    try:
        with open_output(args.output, force=args.force) if args.output else _NoOutput() as out:
            for row in rows:
                out.write(row)
                total += 1
                if row["error"] is not None:
                    failed += 1
                    first_error = first_error or f"{row['source']} #{row['index']}: {row['error']}"
                    if args.strict:
                        break
    except (OSError, ImportError, sqlite3.Error) as exc:
        return _fail(str(exc), EXIT_ERROR)
    finally:
        rows.close()
        if progress:
            progress.close()
    if args.strict and failed:
        return _fail(f"stopped at the first failure (--strict): {first_error}", EXIT_FAILED)
    if failed:
        print(f"coach score: {failed} of {total} calls failed; first: {first_error}", file=sys.stderr)
        return EXIT_FAILED
    if show:
        print(f"coach score: {total} calls scored", file=sys.stderr)
    return EXIT_OK


def _fail(message: str, status: int) -> int:
    print(f"coach score: error: {message}", file=sys.stderr)
    return status


class _NoOutput:
    def __enter__(self) -> _NoOutput:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def write(self, row: Any) -> None:
        return None


class _Progress:
    """A one-line progress display: share of input bytes done, calls, calls/s and ETA."""

    WIDTH = 24

    def __init__(self, total_bytes: int | None, stream: TextIO) -> None:
        self.total = total_bytes or None
        self.stream = stream
        self.bytes = self.calls = 0
        self.start = self.last = time.monotonic()

    def __call__(self, nbytes: int, ncalls: int) -> None:
        self.bytes += nbytes
        self.calls += ncalls
        now = time.monotonic()
        if now - self.last >= 0.1:
            self.last = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        elapsed = max(now - self.start, 1e-9)
        rate = self.calls / elapsed
        text = f"{self.calls:,} calls  {rate:,.1f} calls/s"
        if self.total:
            done = min(self.bytes / self.total, 1.0)
            filled = int(done * self.WIDTH)
            eta = elapsed * (1 - done) / done if done > 0 else None
            bar = "#" * filled + "." * (self.WIDTH - filled)
            text = f"[{bar}] {done:6.1%}  {text}  ETA {duration(eta)}"
        self.stream.write("\r" + text + "\x1b[K")
        self.stream.flush()

    def close(self) -> None:
        self._draw(time.monotonic())
        self.stream.write("\n")
        self.stream.flush()
