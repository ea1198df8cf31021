"""What every reader shares: the decoded ``Document``, text cleaning, timestamps and turn building."""

from __future__ import annotations

import codecs
import datetime as dt
import functools
import gzip
import html
import io
import itertools
import json
import math
import re
import unicodedata
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any, Protocol

from ..errors import TranscriptError
from ..transcript import Role, Transcript, Turn, resolve_role, role_override, unresolved_roles

__all__ = [
    "Document",
    "Reader",
    "TurnBuilder",
    "clean_text",
    "language_of",
    "parse_instant",
    "parse_timestamp",
    "strip_html",
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


GZIP_MAGIC = b"\x1f\x8b"


def _gunzip_error(source: str) -> TranscriptError:
    return TranscriptError(
        "this gzip file is damaged or truncated",
        source=source,
        hint="re-create the file, or pass the uncompressed transcript",
    )


def decode(raw: bytes, source: str) -> str:
    """Text from bytes (gzip-compressed or not), with a clear error for binary data and for bytes that are not UTF-8."""
    if raw.startswith(GZIP_MAGIC):
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error):
            raise _gunzip_error(source) from None
    encoding, skip = sniff_encoding(raw[:HEAD_BYTES])
    check_not_binary(raw[:HEAD_BYTES], encoding, source)
    try:
        return raw[skip:].decode(encoding)
    except UnicodeDecodeError as exc:
        raise _decode_error(raw, exc, source, encoding) from None


#: C0 control bytes other than tab, line feed, vertical tab, form feed and carriage return: rare in text.
_CONTROL_BYTES = bytes(b for b in range(32) if b < 9 or b > 13)


def check_not_binary(head: bytes, encoding: str, source: str) -> None:
    if encoding != "utf-8" or not head:
        return
    sample = head[:4096]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if b"\x00" in sample or controls > max(8, len(sample) // 20):
        raise TranscriptError(
            "this looks like a binary file, not a transcript",
            source=source,
            hint="pass a text transcript (JSON, JSONL, CSV, TXT, VTT, SRT), plain or gzip-compressed",
        )


def _decode_error(
    raw: bytes, exc: UnicodeDecodeError, source: str, encoding: str, first_line: int = 1
) -> TranscriptError:
    line = raw.count(b"\n", 0, exc.start) + first_line
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
    if text.isprintable():
        # The common case, checked in C: no controls, format characters, tabs, newlines or odd spaces.
        if "  " in text:
            text = _SPACES.sub(" ", text)
        return unicodedata.normalize("NFC", text).strip()
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
        return float(value) if math.isfinite(value) else None
    value = value.strip().rstrip("s")
    match = _STAMP.match(value)
    if match:
        h = int(match["h"] or 0)
        frac = float("0." + match["f"]) if match["f"] else 0.0
        return h * 3600 + int(match["m"]) * 60 + int(match["s"]) + frac
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) else None


def parse_instant(value: Any) -> dt.datetime | None:
    """A point in time from an ISO 8601 string (``2024-03-14T10:02:11Z``); naive times are taken as UTC."""
    if not isinstance(value, str) or len(value) < 10 or not value[:4].isdigit():
        return None
    try:
        instant = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return instant if instant.tzinfo else instant.replace(tzinfo=dt.UTC)


def language_of(code: Any, default: str = "en") -> str:
    """coach's language code from a source's locale: ``"en-US"`` → ``"en"``."""
    if not isinstance(code, str) or not code.strip():
        return default
    return re.split(r"[-_]", code.strip(), maxsplit=1)[0].lower() or default


_BLOCK_END = re.compile(r"<\s*(?:br\s*/?|/p|/div|/li|/h\d|/tr)\s*>", re.IGNORECASE)
_TAG = re.compile(r"<[^<>]*>")


def strip_html(text: str) -> str:
    """Plain text from an HTML message body: block ends become line breaks, tags go, entities are decoded."""
    return html.unescape(_TAG.sub("", _BLOCK_END.sub("\n", text)))


class Document:
    """One input as readers see it: a name, its decoded text and, lazily, its parsed JSON.

    Files are read lazily (gzip-compressed files transparently): ``head`` is the first 64 KiB (for
    detection), ``text`` the whole file, ``iter_lines()`` streams it line by line without loading it whole.
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
        """The file's extension, lower-case, looking through a ``.gz`` (``calls.jsonl.gz`` → ``.jsonl``)."""
        if self.path is None:
            return ""
        suffixes = [s.lower() for s in self.path.suffixes]
        if suffixes and suffixes[-1] == ".gz":
            suffixes.pop()
        return suffixes[-1] if suffixes else ""

    @property
    def stem(self) -> str:
        """The file name without its extensions: the default conversation id."""
        if self.path is None:
            return "conversation"
        name = self.path.name.removesuffix(".gz").removesuffix(".GZ")
        return Path(name).stem or "conversation"

    @functools.cached_property
    def _compressed(self) -> bool:
        assert self.path is not None
        with self.path.open("rb") as fh:
            return fh.read(2) == GZIP_MAGIC

    def _open(self) -> IO[bytes]:
        assert self.path is not None
        return gzip.open(self.path, "rb") if self._compressed else self.path.open("rb")

    @functools.cached_property
    def _raw_head(self) -> bytes:
        return self._read(HEAD_BYTES + 4)

    def _read(self, size: int = -1) -> bytes:
        try:
            with self._open() as fh:
                return fh.read(size)
        except (EOFError, zlib.error, gzip.BadGzipFile):
            raise _gunzip_error(self.source) from None

    @functools.cached_property
    def _encoding(self) -> tuple[str, int]:
        head = self._raw_head[:HEAD_BYTES]
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
        return self._raw_head[skip:].decode(encoding, errors="ignore")

    @property
    def _head_truncated(self) -> bool:
        """Whether the document goes on past ``head``."""
        if self._text is not None:
            return len(self._text) > HEAD_BYTES
        return self.path is not None and len(self._raw_head) > HEAD_BYTES

    @property
    def text(self) -> str:
        if self._text is None:
            if self.path is None:
                self._text = json.dumps(self._obj)
            else:
                self._text = decode(self._read(), self.source)
        return self._text

    def iter_lines(self, *, keepends: bool = False) -> Iterator[tuple[int, str]]:
        """``(line_number, line)`` pairs (1-based), streamed from files; line ends stripped unless ``keepends``."""
        if self._text is not None or self.path is None:
            for number, line in enumerate(io.StringIO(self.text, newline=""), 1):
                yield number, line if keepends else line.rstrip("\r\n")
            return
        encoding, skip = self._encoding
        try:
            with self._open() as raw:
                raw.read(skip)
                if encoding == "utf-8":
                    # Byte lines decoded one by one: an encoding error names its exact line and column.
                    for number, data in enumerate(raw, 1):
                        try:
                            line = data.decode("utf-8")
                        except UnicodeDecodeError as exc:
                            raise _decode_error(data, exc, self.source, encoding, first_line=number) from None
                        yield number, line if keepends else line.rstrip("\r\n")
                    return
                number = 0
                try:
                    for number, line in enumerate(codecs.getreader(encoding)(raw), 1):
                        yield number, line if keepends else line.rstrip("\r\n")
                except UnicodeDecodeError:
                    raise TranscriptError(
                        f"bytes that are not valid {encoding}",
                        source=self.source,
                        line=number + 1,
                        hint="save the file as UTF-8 (UTF-16 with a byte-order mark is accepted too)",
                    ) from None
        except (EOFError, zlib.error, gzip.BadGzipFile):
            raise _gunzip_error(self.source) from None

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

    @functools.cached_property
    def json_lines(self) -> bool:
        """True when the document is JSON Lines (one JSON value per line) rather than one JSON value.

        Decided from the head alone, so a large JSONL file is never parsed whole to find out.
        """
        if self._has_obj or not self.is_json_like:
            return False
        lines = [line for line in self.head.splitlines() if line.strip()][:2]
        if len(lines) < 2 and self._head_truncated:
            # A first line longer than the head (a long call on one line): read on to the second line.
            lines = [line for _, line in itertools.islice((x for x in self.iter_lines() if x[1].strip()), 2)]
        if len(lines) < 2 or lines[1].lstrip()[:1] not in ("{", "["):
            return False
        try:
            json.loads(lines[0])
        except (ValueError, RecursionError):
            return False
        return True

    @functools.cached_property
    def sample(self) -> Any:
        """The first JSON value (the document, or its first line when it is JSONL); ``None`` when not JSON."""
        if self._has_obj:
            return self._obj
        if not self.is_json_like:
            return None
        try:
            if self.json_lines:
                first = next(line for _, line in self.iter_lines() if line.strip())
                return parse_json(first, self.source)
            return self.json
        except TranscriptError:
            return None

    def json_values(self) -> Iterator[tuple[int | None, Any]]:
        """``(line, value)`` for each JSON value: one (line ``None``) for a JSON document, one per line for JSONL."""
        if not self.json_lines:
            yield None, self.json
            return
        for number, line in self.iter_lines():
            if line.strip():
                yield number, parse_json(line, self.source, line_offset=number - 1)


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
    except ValueError as exc:  # e.g. an integer longer than Python's digit limit
        raise TranscriptError(
            f"invalid JSON: {exc}", source=source, line=line_offset + 1 if line_offset else None,
            hint="fix the JSON value",
        ) from None


class Reader(Protocol):
    """A format: a name, how sure it is that a document is in it, and how to read it."""

    name: str
    description: str
    extensions: tuple[str, ...]
    #: keyword options ``read`` accepts (``coach.load(..., format=name, **options)``)
    options: tuple[str, ...]

    def detect(self, doc: Document) -> float:
        """0 (surely not) … 1 (surely this format). Must be cheap: look at ``doc.head`` or ``doc.sample``."""
        ...

    def read(self, doc: Document, roles: Mapping[str, str | Role] | None, **options: Any) -> Iterator[Transcript]:
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
        self._said: dict[str, list[str]] = {}  # what each unknown speaker said, for the error's hint
        self._roles_seen: dict[tuple[str, Role | str | None], Role | None] = {}

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
        key = (label, role)
        if key in self._roles_seen:
            resolved = self._roles_seen[key]
        else:
            # a user override for this label wins over the role a structured format states
            resolved = role_override(label, self.roles)
            if resolved is None:
                resolved = Role(role) if role is not None else resolve_role(label, self.roles)
            self._roles_seen[key] = resolved
        if resolved is None:
            self.unknown.append(label or "<no speaker>")
            self._said.setdefault(label or "<no speaker>", []).append(cleaned)
            return
        self.turns.append(
            Turn(resolved, cleaned, speaker=name if name is not None else speaker, start=start, end=end)
        )

    def build(self, id: str, metadata: Mapping[str, Any] | None = None, language: str = "en") -> Transcript:
        if self.unknown:
            raise unresolved_roles(self.unknown, self.source, self._said)
        return Transcript(id=id, turns=tuple(self.turns), metadata=dict(metadata or {}), language=language)
