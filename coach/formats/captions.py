"""Caption files: WebVTT and SRT, with the speaker in a voice tag or a prefix.

WebVTT (W3C "WebVTT: The Web Video Text Tracks Format")::

    WEBVTT optional title
    <header lines until a blank line>

    NOTE comments, STYLE and REGION blocks are skipped

    cue-1                                             <- optional cue identifier
    00:00.000 --> 00:04.200 align:start position:10%  <- hours optional; cue settings ignored
    <v.loud Jane Smith>Hello, <b>this</b> is Jane&nbsp;speaking.</v>
    <v Customer>Hi<00:00:03.500> Jane.                 <- several voices in one cue are separate turns

Voice tags (``<v Name>``, with classes ``<v.a.b Name>``; ``</v>`` optional) name the speaker; other
tags (``<b>``, ``<i>``, ``<c.x>``, ``<lang>``, inner timestamps) are removed and HTML entities decoded.

SRT (SubRip)::

    1
    00:00:00,500 --> 00:00:04,000
    AGENT: Hello, you're through to Brightwater Energy.

Both take a speaker prefix on a cue line when there is no voice tag: ``Name: text`` (any name),
``[Name] text`` and ``Name - text`` (names that resolve to a role, so "[music]" or "Well - I" stay
text). A cue line with a new prefix starts a new turn; other lines of a cue are joined with spaces
(captions wrap lines for width, not meaning). A cue without any speaker continues the speaker of the
cue before it, as captions do. Each turn takes its cue's start and end.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping
from typing import Any

from ..errors import TranscriptError
from ..transcript import Role, Transcript, resolve_role
from ._base import Document, TurnBuilder, parse_timestamp

_TIME = r"(?:\d+:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
_TIMING = re.compile(rf"^\s*(?P<start>{_TIME})\s*-->\s*(?P<end>{_TIME})(?:\s+.*)?$")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?(?:\s+(?P<name>[^>]*))?>", re.IGNORECASE)
_TAG = re.compile(r"<[^<>]*>|\{\\[^{}]*\}")  # HTML-like tags and SRT's {\an8} position codes
_LABEL = r"[^\W\d_][\w .'’&/()#+-]{0,39}?"
_COLON = re.compile(rf"^(?P<label>{_LABEL})\s*:\s*(?P<text>.*)$")
_BRACKET = re.compile(r"^\[(?P<label>[^\[\]]{1,40})\]\s*(?P<text>.*)$")
_DASH = re.compile(rf"^(?P<label>{_LABEL})\s+[-–—]\s+(?P<text>.*)$")


def _prefix(line: str, roles: Mapping[str, str | Role] | None) -> tuple[str, str] | None:
    """``(speaker, rest)`` when the line starts with a speaker prefix."""
    match = _COLON.match(line)
    if match and len(match["label"].split()) <= 5:
        return match["label"].strip(), match["text"]
    for pattern in (_BRACKET, _DASH):
        match = pattern.match(line)
        if match and resolve_role(match["label"], roles) is not None:
            return match["label"].strip(), match["text"]
    return None


def _plain(text: str) -> str:
    return html.unescape(_TAG.sub("", text))


def cue_turns(
    payload: list[str], previous: str | None, roles: Mapping[str, str | Role] | None
) -> list[tuple[str | None, str]]:
    """The ``(speaker, text)`` utterances of one cue, in order; ``previous`` is the speaker before it."""
    text = "\n".join(payload)
    pieces: list[tuple[str | None, str]] = []
    voices = list(_VOICE.finditer(text))
    if voices:
        if voices[0].start() > 0:
            pieces.append((None, text[: voices[0].start()]))
        for i, voice in enumerate(voices):
            end = voices[i + 1].start() if i + 1 < len(voices) else len(text)
            pieces.append(((voice["name"] or "").strip() or None, text[voice.end() : end]))
    else:
        pieces.append((None, text))
    turns: list[tuple[str | None, list[str]]] = []
    for voice, chunk in pieces:
        speaker = voice
        lines: list[str] = []
        for raw in _plain(chunk).split("\n"):
            line = raw.strip()
            if not line:
                continue
            prefix = None if voice else _prefix(line, roles)
            if prefix:
                if lines:
                    turns.append((speaker, lines))
                speaker, lines = prefix[0], [prefix[1]]
            else:
                lines.append(line)
        if lines:
            turns.append((speaker, lines))
    out: list[tuple[str | None, str]] = []
    for speaker, lines in turns:
        speaker = speaker or previous
        out.append((speaker, " ".join(lines)))
        previous = speaker
    return out


def _blocks(doc: Document) -> Iterator[tuple[int, list[str]]]:
    """``(first_line_number, lines)`` for each blank-line separated block."""
    block: list[str] = []
    first = 0
    for number, line in doc.iter_lines():
        if line.strip():
            if not block:
                first = number
            block.append(line.lstrip("\ufeff"))
        elif block:
            yield first, block
            block = []
    if block:
        yield first, block


class _Captions:
    name: str
    description: str
    extensions: tuple[str, ...]
    options: tuple[str, ...] = ()
    example: str

    def _cue(self, first: int, block: list[str], source: str) -> tuple[float | None, float | None, list[str]] | None:
        """The cue's times and payload, ``None`` for a block that is not a cue."""
        raise NotImplementedError

    def read(self, doc: Document, roles: Mapping[str, str | Role] | None, **options: Any) -> Iterator[Transcript]:
        builder = TurnBuilder(doc.source, roles)
        previous: str | None = None
        for first, block in _blocks(doc):
            cue = self._cue(first, block, doc.source)
            if cue is None:
                continue
            start, end, payload = cue
            for speaker, text in cue_turns(payload, previous, roles):
                builder.add(speaker if speaker is not None else "<no speaker>", text, start=start, end=end)
                previous = speaker
        yield builder.build(doc.stem)

    def _timing(self, first: int, block: list[str], source: str) -> tuple[int, re.Match[str]]:
        for i, line in enumerate(block[:2]):
            match = _TIMING.match(line)
            if match:
                return i, match
        raise TranscriptError(
            f"expected a cue timing line, got {block[0][:60]!r}",
            source=source,
            line=first,
            hint=f"each cue needs a line like {self.example!r}; separate cues with a blank line",
        )


class _WebVtt(_Captions):
    name = "webvtt"
    description = "WebVTT captions with <v Name> voice tags (or Name: prefixes)"
    extensions = (".vtt", ".webvtt")
    example = "00:00:01.000 --> 00:00:04.000"

    def detect(self, doc: Document) -> float:
        return 1.0 if doc.head.lstrip("\ufeff \t\r\n").startswith("WEBVTT") else 0.0

    def read(self, doc: Document, roles: Mapping[str, str | Role] | None, **options: Any) -> Iterator[Transcript]:
        if not doc.head.lstrip("\ufeff \t\r\n").startswith("WEBVTT"):
            raise TranscriptError(
                'a WebVTT file starts with "WEBVTT"', source=doc.source, line=1, hint="add the WEBVTT header line"
            )
        yield from super().read(doc, roles, **options)

    def _cue(self, first: int, block: list[str], source: str) -> tuple[float | None, float | None, list[str]] | None:
        head = block[0].strip()
        if head.startswith("WEBVTT") or re.match(r"^(NOTE|STYLE|REGION)(\s|$)", head):
            return None
        i, match = self._timing(first, block, source)
        return parse_timestamp(match["start"]), parse_timestamp(match["end"]), block[i + 1 :]


class _Srt(_Captions):
    name = "srt"
    description = "SRT (SubRip) subtitles with speaker prefixes (AGENT: / Agent - / [Customer])"
    extensions = (".srt",)
    example = "00:00:01,000 --> 00:00:04,000"

    def detect(self, doc: Document) -> float:
        lines = [line.strip().lstrip("\ufeff") for line in doc.head.splitlines() if line.strip()][:2]
        if len(lines) == 2 and lines[0].isdigit() and _TIMING.match(lines[1]):
            return 0.95
        if doc.suffix in self.extensions and any(_TIMING.match(line) for line in doc.head.splitlines()[:20]):
            return 0.8
        return 0.0

    def _cue(self, first: int, block: list[str], source: str) -> tuple[float | None, float | None, list[str]] | None:
        i, match = self._timing(first, block, source)
        return parse_timestamp(match["start"]), parse_timestamp(match["end"]), block[i + 1 :]


WEBVTT = _WebVtt()
SRT = _Srt()
