"""What every reader shares: the decoded ``Document``, text cleaning, timestamps and turn building."""

from __future__ import annotations

import codecs
import functools
import io
import json
import re
import unicodedata
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

from ..errors import TranscriptError
from ..transcript import Role, Transcript, Turn, resolve_role, role_override, unresolved_roles

__all__ = [
    "Document",
    "Reader",
    "TurnBuilder",
    "clean_text",
    "parse_timestamp",
]

#: Bytes read from a file to detect its format and encoding.
HEAD_BYTES = 64 * 1024

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def sniff_encoding(head: bytes) -> tuple[str, int]:
    """The encoding of a byte string and the length of its BOM (UTF-8 when there is no sign)."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name, len(bom)
    # UTF-16 without a BOM: every other byte of ASCII text is NUL.
    sample = head[:4096]
    if len(sample) >= 4:
        even_nul = sample[0::2].count(0) / max(1, len(sample[0::2]))
        odd_nul = sample[1::2].count(0) / max(1, len(sample[1::2]))
        if odd_nul > 0.4 and even_nul < 0.05:
            return "utf-16-le", 0
        if even_nul > 0.4 and odd_nul < 0.05:
            return "utf-16-be", 0
    return "utf-8", 0


def decode(raw: bytes, source: str) -> str:
    """Text from bytes, with a clear error for binary data and for bytes that are not UTF-8."""
    encoding, skip = sniff_encoding(raw[:HEAD_BYTES])
    check_not_binary(raw[:HEAD_BYTES], encoding, source)
    try:
        return raw[skip:].decode(encoding)
    except UnicodeDecodeError as exc:
        raise _decode_error(raw, exc, source, encoding) from None


def check_not_binary(head: bytes, encoding: str, source: str) -> None:
    if encoding != "utf-8" or not head:
        return
    controls = sum(1 for b in head[:4096] if b < 9 or 13 < b < 32)
    if b"\x00" in head[:4096] or controls > max(8, len(head[:4096]) // 20):
        raise TranscriptError(
            "this looks like a binary file, not a transcript",
            source=source,
            hint="pass a text transcript (JSON, JSONL, CSV, TXT, VTT, SRT); compressed files must be unpacked first",
        )


def _decode_error(raw: bytes, exc: UnicodeDecodeError, source: str, encoding: str) -> TranscriptError:
    line = raw.count(b"\n", 0, exc.start) + 1
    column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
    return TranscriptError(
        f"bytes that are not valid {encoding} ({raw[exc.start:exc.start + 4]!r})",
        source=source,
        line=line,
        column=column,
        hint="save the file as UTF-8 (UTF-16 with a byte-order mark is accepted too)",
    )


# Zero-width and direction-control characters carry no words; C0/C1 controls other than
# tab and newline are noise from exports. Both are removed from turn text.
_INVISIBLE = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]"
)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


def clean_text(text: str) -> str:
    """Turn text as coach analyses it: NFC, no invisible characters, single spaces, trimmed lines."""
    text = unicodedata.normalize("NFC", _INVISIBLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n")))
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return text.strip()


_STAMP = re.compile(
    r"^\s*(?:(?P<h>\d+):)?(?P<m>\d{1,2}):(?P<s>\d{1,2})(?:[.,](?P<f>\d+))?\s*$"
)


def parse_timestamp(value: str | float | int | None) -> float | None:
    """Seconds from ``"01:02:03.5"``, ``"02:03,500"``, ``"62.5"``, ``62`` — ``None`` when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return float(value)
    value = value.strip().rstrip("s")
    match = _STAMP.match(value)
    if match:
        h = int(match["h"] or 0)
        frac = float("0." + match["f"]) if match["f"] else 0.0
        return h * 3600 + int(match["m"]) * 60 + int(match["s"]) + frac
    try:
        return float(value)
    except ValueError:
        return None


class Document:
    """One input as readers see it: a name, its decoded text and, lazily, its parsed JSON.

    Files are read lazily: ``head`` is the first 64 KiB (for detection), ``text`` the whole file,
    ``iter_lines()`` streams it line by line without loading it whole.
    """

    def __init__(
        self,
        source: str,
        *,
        path: Path | None = None,
        text: str | None = None,
        obj: Any = None,
        has_obj: bool = False,
    ) -> None:
        self.source = source
        self.path = path
        self._text = text
        self._obj = obj
        self._has_obj = has_obj

    @property
    def suffix(self) -> str:
        return self.path.suffix.lower() if self.path else ""

    @functools.cached_property
    def _encoding(self) -> tuple[str, int]:
        assert self.path is not None
        with self.path.open("rb") as fh:
            head = fh.read(HEAD_BYTES)
        encoding, skip = sniff_encoding(head)
        check_not_binary(head, encoding, self.source)
        return encoding, skip

    @functools.cached_property
    def head(self) -> str:
        """The start of the text (at most 64 KiB), for detection."""
        if self._text is not None:
            return self._text[:HEAD_BYTES]
        if self.path is None:
            return ""
        encoding, skip = self._encoding
        with self.path.open("rb") as fh:
            raw = fh.read(HEAD_BYTES + 4)[skip:]
        return raw.decode(encoding, errors="ignore")

    @property
    def text(self) -> str:
        if self._text is None:
            if self.path is None:
                self._text = json.dumps(self._obj)
            else:
                self._text = decode(self.path.read_bytes(), self.source)
        return self._text

    def iter_lines(self) -> Iterator[tuple[int, str]]:
        """``(line_number, line)`` pairs (1-based, newline stripped), streamed from files."""
        if self._text is not None or self.path is None:
            for number, line in enumerate(io.StringIO(self.text), 1):
                yield number, line.rstrip("\r\n")
            return
        encoding, skip = self._encoding
        with self.path.open("rb") as raw:
            raw.read(skip)
            reader = codecs.getreader(encoding)(raw)
            number = 0
            try:
                for number, line in enumerate(reader, 1):
                    yield number, line.rstrip("\r\n")
            except UnicodeDecodeError as exc:
                raise TranscriptError(
                    f"bytes that are not valid {encoding}",
                    source=self.source,
                    line=number + 1,
                    hint="save the file as UTF-8 (UTF-16 with a byte-order mark is accepted too)",
                ) from exc

    @property
    def is_json_like(self) -> bool:
        if self._has_obj:
            return True
        head = self.head.lstrip()
        return head[:1] in ("{", "[")

    @property
    def json(self) -> Any:
        """The parsed JSON document; a ``TranscriptError`` with line and column when it is not JSON."""
        if not self._has_obj:
            self._obj = parse_json(self.text, self.source)
            self._has_obj = True
        return self._obj


def parse_json(text: str, source: str, line_offset: int = 0) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise TranscriptError(
            f"invalid JSON: {exc.msg}",
            source=source,
            line=exc.lineno + line_offset,
            column=exc.colno,
            hint="fix the JSON syntax at that position",
        ) from None
    except RecursionError:
        raise TranscriptError(
            "JSON nested too deeply", source=source, hint="a transcript is at most a few levels deep"
        ) from None


class Reader(Protocol):
    """A format: a name, how sure it is that a document is in it, and how to read it."""

    name: str
    description: str
    extensions: tuple[str, ...]

    def detect(self, doc: Document) -> float:
        """0 (surely not) … 1 (surely this format). Must be cheap: look at ``doc.head`` or ``doc.json``."""
        ...

    def read(self, doc: Document, roles: Mapping[str, str | Role] | None) -> Iterator[Transcript]:
        """The conversations in the document, in order."""
        ...


class TurnBuilder:
    """Collects turns for one transcript, resolving speaker labels, and reports every unknown label at once.

    ``add`` takes the speaker label (or an explicit ``role``) and the raw text; empty text is dropped
    (nothing was said), text is cleaned with ``clean_text``.
    """

    def __init__(self, source: str, roles: Mapping[str, str | Role] | None = None) -> None:
        self.source = source
        self.roles = roles
        self.turns: list[Turn] = []
        self.unknown: list[str] = []

    def add(
        self,
        speaker: str | None,
        text: Any,
        *,
        role: Role | str | None = None,
        start: float | None = None,
        end: float | None = None,
        name: str | None = None,
    ) -> None:
        if not isinstance(text, str):
            if text is None:
                return
            raise TranscriptError(
                f"turn text must be a string, got {type(text).__name__}",
                source=self.source,
                turn=len(self.turns),
                hint='each turn needs "text": "what was said"',
            )
        cleaned = clean_text(text)
        if not cleaned:
            return
        label = speaker if speaker is not None else (str(role) if role else "")
        # a user override for this label wins over the role a structured format states
        resolved = role_override(label, self.roles)
        if resolved is None:
            resolved = Role(role) if role is not None else resolve_role(label, self.roles)
        if resolved is None:
            self.unknown.append(label or "<no speaker>")
            return
        self.turns.append(
            Turn(resolved, cleaned, speaker=name if name is not None else speaker, start=start, end=end)
        )

    def build(self, id: str, metadata: Mapping[str, Any] | None = None, language: str = "en") -> Transcript:
        if self.unknown:
            raise unresolved_roles(self.unknown, self.source)
        return Transcript(id=id, turns=tuple(self.turns), metadata=dict(metadata or {}), language=language)
