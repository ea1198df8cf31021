"""The ``coach`` command: thin wrappers over library functions. The library never prints; this does."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from .errors import CoachError

__all__ = ["main"]

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.func(args) or EXIT_OK
    except CoachError as exc:
        print(f"coach: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # `coach ... | head`
        return EXIT_OK
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(prog="coach", description="Coach customer-service agents on five stages.")
    parser.add_argument("--version", action="version", version=f"coach {__version__}")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    p = sub.add_parser("analyze", help="analyse one call and print a summary (or the report as JSON)")
    p.add_argument("file", help="transcript file (any supported format)")
    _input_options(p)
    p.add_argument("--json", action="store_true", help="print Report.to_dict() as JSON")
    p.set_defaults(func=_analyze)

    p = sub.add_parser("formats", help="list the transcript formats coach reads")
    p.set_defaults(func=_formats)

    p = sub.add_parser("info", help="versions, languages, formats and models")
    p.set_defaults(func=_info)
    return parser


def _input_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", default="auto", help="input format (default: detect; see `coach formats`)")
    p.add_argument("--lang", default="en", help="language code (default: en)")
    p.add_argument("--config", help="TOML configuration file (stages, clarity)")
    p.add_argument(
        "--role",
        action="append",
        default=[],
        metavar="NAME=ROLE",
        help="map a speaker name to agent/customer/bot/system (repeatable)",
    )


def _roles(pairs: list[str]) -> dict[str, str] | None:
    roles = {}
    for pair in pairs:
        name, sep, role = pair.rpartition("=")
        if not sep or not name:
            raise SystemExit(f"coach: error: --role expects NAME=ROLE, got {pair!r}")
        roles[name] = role.strip().lower()
    return roles or None


def _analyze(args: argparse.Namespace) -> int:
    from . import analyze

    report = analyze(args.file, args.lang, format=args.format, roles=_roles(args.role), config=args.config)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        from .render.text import summary

        print(summary(report))
    return EXIT_OK


def _formats(args: argparse.Namespace) -> int:
    from .formats import FORMATS

    width = max(len(n) for n in FORMATS)
    for name, reader in FORMATS.items():
        exts = " ".join(reader.extensions)
        print(f"{name:<{width}}  {reader.description}" + (f"  [{exts}]" if exts else ""))
    return EXIT_OK


def _info(args: argparse.Namespace) -> int:
    import platform

    from . import __version__, lang
    from .formats import FORMATS

    rows: list[tuple[str, Any]] = [
        ("coach", __version__),
        ("python", platform.python_version()),
        ("languages", ", ".join(lang.available())),
        ("formats", ", ".join(FORMATS)),
    ]
    for dist in ("spacy", "scikit-learn", "numpy", "joblib"):
        rows.append((dist, _dist_version(dist)))
    for key, value in rows:
        print(f"{key:<14} {value}")
    return EXIT_OK


def _dist_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"
