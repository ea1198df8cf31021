"""``coach report``: trainer reports (HTML or Markdown) from transcripts or a results store.

::

    coach report call.json -o call.html                        # one call: the per-call report
    coach report calls/ -o team.html --since 2024-05-01        # many calls: the team report
    coach report calls/ -o sam.md --agent Sam --calls sam_calls/   # + a per-call report for each call
    coach report results.sqlite -o sam.html --agent Sam --until 2024-05-31 --redact

One call gives the per-call report, several calls (or a store, or ``--agent``/``--since``/``--until``)
the per-agent or team report; ``--kind`` chooses explicitly. The format is the output's extension
(``.html``/``.htm`` or ``.md``/``.markdown``) unless ``--format`` says otherwise.

Exit status: 0 report written; 1 could not be written (output exists without ``--force``, bad
input, unreadable store, missing extra); 2 bad command line; 3 written, but some inputs failed to
load (each named on standard error).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

__all__ = ["add_report_parser", "report_command"]

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3
_FORMATS = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md"}
_STORE_SUFFIXES = (".sqlite", ".sqlite3", ".db")


def add_report_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``report`` command to ``coach``'s subparsers."""
    p = subparsers.add_parser(
        "report",
        help="trainer reports: per call or per agent/team, as self-contained HTML or Markdown",
        description="Write a trainer report. One call gives the per-call report; several calls, a results "
        "store, --agent, --since or --until give the per-agent (or team) report. Exit status: 0 written, "
        "1 could not write, 2 bad command line, 3 written but some inputs failed.",
    )
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="transcript files, folders (recursive), globs, or one .sqlite results store")
    p.add_argument("-o", "--output", required=True, help="report file: .html or .md")
    p.add_argument("--format", choices=("html", "md"), help="report format (default: from the output's extension)")
    p.add_argument("--kind", choices=("auto", "call", "agent"), default="auto", help="per-call or per-agent/team report (default: auto)")
    p.add_argument("--agent", metavar="NAME", help="only this agent's calls (per-agent report)")
    p.add_argument("--since", metavar="DATE", help="only calls on or after this date (YYYY-MM-DD or ISO 8601)")
    p.add_argument("--until", metavar="DATE", help="only calls on or before this date (inclusive)")
    p.add_argument("--title", help="report title (default: 'Agent NAME' or 'Team')")
    p.add_argument("--calls", metavar="DIR", help="also write a per-call report for each call into DIR and link to them")
    p.add_argument("--redact", action="store_true", help="mask card numbers, e-mail addresses, phone and ID numbers everywhere")
    p.add_argument("--force", action="store_true", help="overwrite existing report files")
    p.add_argument("--input-format", default="auto", help="transcript format (default: detect; see `coach formats`)")
    p.add_argument("--lang", default="en", help="language code (default: en)")
    p.add_argument("--config", help="TOML configuration file (stages, clarity)")
    p.add_argument(
        "--role", action="append", default=[], metavar="NAME=ROLE", help="map a speaker name to agent/customer/bot/system (repeatable)"
    )
    p.set_defaults(func=report_command)
    return p


def _is_store(path: str) -> bool:
    p = Path(path)
    if not p.is_file():
        return False
    if p.suffix.lower() in _STORE_SUFFIXES:
        return True
    with p.open("rb") as f:
        return f.read(16) == b"SQLite format 3\x00"


def _write(path: Path, text: str) -> None:
    """Write beside the target and rename, so a failed run never leaves half a report under its name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _error(message: str) -> int:
    print(f"coach: error: {message}", file=sys.stderr)
    return EXIT_ERROR


def _reports(args: argparse.Namespace, failures: list[str]) -> Iterator[tuple[Any, str, int]]:
    """Each call of the inputs as ``(report, source, index)``, redacted before analysis with ``--redact``;
    an input that fails to load is named in ``failures`` and skipped."""
    from ..analyzer import Coach
    from ..batch import expand
    from ..cli import _roles
    from ..errors import CoachError
    from ..formats import load_all
    from ..redact import redact_text, redact_transcript

    coach = Coach(args.lang, args.config)
    roles = _roles(args.role)
    for spec in args.inputs:
        for path in expand(spec):
            if isinstance(path, Exception):
                failures.append(f"{spec}: {path}")
                continue
            try:
                for index, transcript in enumerate(load_all(path, args.input_format, roles=roles, language=args.lang), start=1):
                    source = str(path)
                    if args.redact:
                        transcript, source = redact_transcript(transcript), redact_text(source)
                    yield coach.analyze(transcript), source, index
            except (CoachError, OSError, ValueError) as exc:  # one bad file never stops the report
                failures.append(f"{path}: {exc}")


def report_command(args: argparse.Namespace) -> int:
    """Run ``coach report``; returns the exit status."""
    from ..errors import CoachError

    out = Path(args.output)
    fmt = args.format or _FORMATS.get(out.suffix.lower())
    if fmt is None:
        print(f"coach report: error: cannot tell the format of {out.name}: name it .html or .md, or pass --format", file=sys.stderr)
        return EXIT_USAGE
    if out.exists() and not args.force:
        return _error(f"{out} exists; use --force to overwrite it")
    from .aggregate import parse_date

    for option, value in (("--since", args.since), ("--until", args.until)):
        try:
            parse_date(value)
        except ValueError:
            print(f"coach report: error: {option} takes a date like 2024-05-31, got {value!r}", file=sys.stderr)
            return EXIT_USAGE
    stores = [i for i in args.inputs if _is_store(i)]
    if stores and len(args.inputs) > 1:
        print("coach report: error: give either one results store or transcripts, not both", file=sys.stderr)
        return EXIT_USAGE
    try:
        if stores:
            return _from_store(args, out, fmt, stores[0])
        return _from_transcripts(args, out, fmt)
    except CoachError as exc:
        return _error(str(exc))


def _from_store(args: argparse.Namespace, out: Path, fmt: str, store: str) -> int:
    from .aggregate import from_store

    if args.kind == "call":
        return _error("a results store holds no transcript text: give the call's transcript file for a per-call report")
    if args.calls:
        return _error("--calls needs transcript inputs (a results store holds no transcript text)")
    agg = from_store(store, agent=args.agent, since=args.since, until=args.until, redact=args.redact, title=args.title, language=args.lang)
    _write(out, _agent_text(agg, fmt, args.redact))
    return EXIT_OK


def _from_transcripts(args: argparse.Namespace, out: Path, fmt: str) -> int:
    from .aggregate import aggregate, summarize

    failures: list[str] = []
    calls = list(_reports(args, failures))
    for failure in failures:
        print(f"coach: skipped {failure}", file=sys.stderr)
    if not calls:
        return _error("no call could be read from the inputs")
    filtered = args.agent or args.since or args.until
    kind = args.kind if args.kind != "auto" else ("call" if len(calls) == 1 and not filtered else "agent")
    if kind == "call":
        if len(calls) > 1:
            return _error(f"the inputs hold {len(calls)} calls; a per-call report takes one (or use --calls DIR)")
        report, source, index = calls[0]
        _write(out, _call_text(report, fmt, source, index, args.redact))
        return EXIT_FAILED if failures else EXIT_OK
    links: dict[int, str] = {}
    if args.calls:
        folder = Path(args.calls)
        for i, (report, source, index) in enumerate(calls):
            summary = summarize(report, source=source, index=index)
            target = folder / f"{summary.anchor}.{fmt}"
            if target.exists() and not args.force:
                return _error(f"{target} exists; use --force to overwrite it")
            _write(target, _call_text(report, fmt, source, index, args.redact))
            # a relative, percent-quoted path: never a scheme, whatever the folder is called
            links[i] = quote(os.path.relpath(target, out.parent).replace(os.sep, "/"), safe="/")
    from dataclasses import replace

    summaries = [
        replace(summarize(report, source=source, index=index), link=links.get(i)) for i, (report, source, index) in enumerate(calls)
    ]
    agg = aggregate(summaries, agent=args.agent, since=args.since, until=args.until, title=args.title, language=args.lang)
    _write(out, _agent_text(agg, fmt, args.redact))
    return EXIT_FAILED if failures else EXIT_OK


def _call_text(report: Any, fmt: str, source: str, index: int, redacted: bool) -> str:
    if fmt == "html":
        from .html import call_html

        return call_html(report, source=source, index=index, redacted=redacted)
    from .markdown import call_markdown

    return call_markdown(report, source=source, index=index, redacted=redacted)


def _agent_text(agg: Any, fmt: str, redacted: bool) -> str:
    if fmt == "html":
        from .html import agent_html

        return agent_html(agg, redacted=redacted)
    from .markdown import agent_markdown

    return agent_markdown(agg, redacted=redacted)
