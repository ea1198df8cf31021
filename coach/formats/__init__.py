"""Transcript readers: one module per format family, and detection by content (``format="auto"``).

``load`` returns one ``Transcript``; ``load_all`` streams every conversation of a source (JSONL and
CSV files may hold many). A source is a path, JSON or plain text, bytes, a dict, or a list of
``(speaker, text)`` pairs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..errors import FormatError, TranscriptError
from ..transcript import Role, Transcript
from ._base import Document, Reader, decode
from .abcd import ABCD
from .amazon import CONTACT_LENS, TRANSCRIBE
from .captions import SRT, WEBVTT
from .genesys import GENESYS
from .google import CCAI
from .harper_valley import HARPER_VALLEY
from .intercom import INTERCOM
from .native import JSON, JSONL
from .tabular import CSV
from .text import TEXT
from .twilio import TWILIO
from .zendesk import ZENDESK

__all__ = ["FORMATS", "Document", "Reader", "detect", "load", "load_all"]

#: Every reader by name, in the order ``coach formats`` lists them; detection breaks ties in this order.
FORMATS: Mapping[str, Reader] = MappingProxyType(
    {
        r.name: r
        for r in (
            JSON, JSONL, CONTACT_LENS, TRANSCRIBE, CCAI, GENESYS, TWILIO, INTERCOM, ZENDESK, ABCD, HARPER_VALLEY,
            WEBVTT, SRT, CSV, TEXT,
        )
    }
)

Source = str | os.PathLike | bytes | Mapping | list | tuple


def load(
    source: Source,
    format: str = "auto",
    *,
    roles: Mapping[str, str | Role] | None = None,
    language: str | None = None,
    **options: Any,
) -> Transcript:
    """The one conversation in ``source``; ``TranscriptError`` when there is none or several.

    ``roles`` maps speaker names to roles (``{"Jane Smith": "agent"}``) and wins over the built-in
    aliases; ``language`` overrides the one the source declares. ``options`` go to the format's reader
    (``FORMATS[name].options`` lists them): ``columns={"text": "Body", "speaker": "From"}`` for
    ``csv``, ``text_field="transcript"`` (the ASR text) for ``harper_valley``.
    """
    it = load_all(source, format, roles=roles, language=language, **options)
    first = next(it, None)
    if first is None:
        raise TranscriptError(
            "no conversation found", source=_name(source), hint="the input is empty or has no turns"
        )
    if next(it, None) is not None:
        raise TranscriptError(
            "this source holds several conversations",
            source=_name(source),
            hint="use coach.load_all() (or coach score) to read them all",
        )
    return first


def load_all(
    source: Source,
    format: str = "auto",
    *,
    roles: Mapping[str, str | Role] | None = None,
    language: str | None = None,
    **options: Any,
) -> Iterator[Transcript]:
    """Every conversation in ``source``, streamed in order (arguments as for ``load``)."""
    if isinstance(source, Transcript):
        yield source
        return
    doc = document(source)
    reader = FORMATS.get(format)
    if reader is None:
        if format != "auto":
            raise FormatError(f"unknown format {format!r}", source=doc.source, known=("auto", *FORMATS))
        reader = detect(doc)
    unknown = sorted(set(options) - set(getattr(reader, "options", ())))
    if unknown:
        takes = ", ".join(reader.options) if getattr(reader, "options", ()) else "no options"
        raise TypeError(f"format {reader.name!r} does not take {', '.join(unknown)}= (it takes {takes})")
    count = 0
    for transcript in reader.read(doc, roles, **options):
        count += 1
        if language is not None and transcript.language != language:
            from dataclasses import replace

            transcript = replace(transcript, language=language)
        yield transcript
    if count == 0:
        raise TranscriptError(
            "no conversation found", source=doc.source, hint="the input is empty or has no turns"
        )


def detect(doc: Document) -> Reader:
    """The reader most sure about ``doc``; ``FormatError`` listing the formats when none is."""
    if not doc.head.strip() and not doc._has_obj:
        raise TranscriptError("the input is empty", source=doc.source, hint="pass a transcript with turns")
    scores = sorted(((r.detect(doc), i, r) for i, r in enumerate(FORMATS.values())), key=lambda x: (-x[0], x[1]))
    best_score, _, best = scores[0]
    if best_score <= 0:
        if doc.is_json_like:
            doc.json  # noqa: B018 - a syntax error is the more useful message
        raise FormatError(
            "cannot tell the format of this transcript",
            source=doc.source,
            known=tuple(FORMATS),
        )
    return best


def document(source: Source) -> Document:
    """A ``Document`` for any accepted source."""
    if isinstance(source, Mapping):
        return Document("<dict>", obj=source, has_obj=True)
    if isinstance(source, list | tuple):
        return Document("<list>", obj=list(source), has_obj=True)
    if isinstance(source, bytes | bytearray):
        return Document("<bytes>", text=decode(bytes(source), "<bytes>"))
    if isinstance(source, os.PathLike):
        return _file(Path(source))
    if isinstance(source, str):
        stripped = source.lstrip()
        if "\n" in source or stripped[:1] in ("{", "[") or (":" in source and len(source) > 260):
            return Document("<text>", text=source)
        if not source.strip():
            raise TranscriptError("the input is empty", source="<text>", hint="pass a path or transcript text")
        return _file(Path(source))
    raise TranscriptError(
        f"cannot read a transcript from a {type(source).__name__}",
        hint="pass a path, JSON or plain text, bytes, a dict, or a list of (speaker, text) pairs",
    )


def _file(path: Path) -> Document:
    try:
        exists, is_dir = path.exists(), path.is_dir()
    except OSError as exc:  # e.g. a name too long to be a file: it was meant as text
        raise TranscriptError(
            f"cannot open this as a file ({exc.strerror})", source=_name(str(path)),
            hint="pass transcript text with at least one newline, or a path",
        ) from None
    if not exists:
        raise TranscriptError(
            "no such file", source=str(path), hint="check the path (plain-text transcripts need a newline)"
        )
    if is_dir:
        raise TranscriptError(
            "this is a folder", source=str(path), hint="pass a file, or use `coach score` for folders"
        )
    return Document(str(path), path=path)


def _name(source: Any) -> str:
    if isinstance(source, os.PathLike):
        return str(source)
    if isinstance(source, str) and "\n" not in source and len(source) < 260:
        return source
    return f"<{type(source).__name__}>"
