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
    p.add_argument("--redact", action="store_true", help="mask card numbers, e-mails, phone numbers and national IDs")
    p.set_defaults(func=_analyze)

    from .cli_batch import add_score_parser
    from .render.cli import add_report_parser

    add_score_parser(sub)
    add_report_parser(sub)

    p = sub.add_parser("clarity", help="score how plainly a text reads and list what to change")
    p.add_argument("text", help="the text (use - to read standard input)")
    p.add_argument("--lang", default="en", help="language code (default: en)")
    p.add_argument("--config", help="TOML configuration file (clarity glossary, allow-list, kinds)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=_clarity)

    p = sub.add_parser("paraphrase", help="suggest confirming paraphrases of what a customer said")
    p.add_argument("text", help="the customer's words (use - to read standard input)")
    p.add_argument("--lang", default="en", help="language code (default: en)")
    p.add_argument("-n", type=int, default=3, help="how many suggestions (default: 3)")
    p.add_argument("--json", action="store_true", help="print the suggestions as a JSON list")
    p.set_defaults(func=_paraphrase)

    p = sub.add_parser("serve", help="run the HTTP/JSON live-assist service (extra: coach-cx[server])")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    p.add_argument("--lang", default="en", help="language code (default: en)")
    p.add_argument("--config", help="TOML configuration file")
    p.add_argument("--idle-timeout", type=float, default=900.0, help="seconds before an idle session expires (default: 900)")
    p.add_argument("--max-sessions", type=int, default=10_000, help="most open sessions (default: 10000)")
    p.add_argument("--max-body", type=int, default=1_000_000, help="largest request body in bytes (default: 1000000)")
    p.set_defaults(func=_serve)

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
    p.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="KEY=NAME",
        help="CSV: the column holding text/speaker/role/start/end/id (repeatable)",
    )
    p.add_argument("--text-field", help="Harper Valley: transcript (ASR) instead of human_transcript")


def _reader_options(args: argparse.Namespace) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if args.column:
        options["columns"] = dict(_pair(p, "--column", "KEY=NAME") for p in args.column)
    if args.text_field:
        options["text_field"] = args.text_field
    return options


def _pair(text: str, flag: str, shape: str) -> tuple[str, str]:
    key, sep, value = text.rpartition("=")
    if not sep or not key:
        raise SystemExit(f"coach: error: {flag} expects {shape}, got {text!r}")
    return key, value.strip()


def _roles(pairs: list[str]) -> dict[str, str] | None:
    return {name: role.lower() for name, role in (_pair(p, "--role", "NAME=ROLE") for p in pairs)} or None


def _analyze(args: argparse.Namespace) -> int:
    from . import analyze, load

    transcript = load(args.file, args.format, roles=_roles(args.role), **_reader_options(args))
    if args.redact:
        from .redact import redact_transcript

        transcript = redact_transcript(transcript)
    report = analyze(transcript, args.lang, config=args.config)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        from .render.text import summary

        print(summary(report))
    return EXIT_OK


def _text_arg(text: str) -> str:
    return sys.stdin.read() if text == "-" else text


def _clarity(args: argparse.Namespace) -> int:
    from .clarity import clarity

    text = _text_arg(args.text)
    result = clarity(text, args.lang, config=args.config)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return EXIT_OK
    from .render.text import clarity_summary

    print(clarity_summary(text, result))
    return EXIT_OK


def _paraphrase(args: argparse.Namespace) -> int:
    from .paraphrase import paraphrase

    found = paraphrase(_text_arg(args.text), args.lang, n=args.n)
    if args.json:
        print(json.dumps(found, ensure_ascii=False))
    elif not found:
        print("(no problem or request to confirm in this text)")
    else:
        for i, text in enumerate(found, 1):
            print(f"{i}. {text}")
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    from .server import serve

    serve(
        args.host,
        args.port,
        lang=args.lang,
        config=args.config,
        idle_timeout=args.idle_timeout,
        max_sessions=args.max_sessions,
        max_body=args.max_body,
    )
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
