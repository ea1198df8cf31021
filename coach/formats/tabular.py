"""CSV / TSV exports with one row per utterance.

::

    conversation_id,timestamp,sender,message
    web-88231,2026-03-14T10:02:11Z,visitor,"hi, i returned a jacket 3 weeks ago"
    web-88231,2026-03-14T10:02:40Z,agent,Order number?

Columns are found by name (case and punctuation ignored):

- ``text``: text, utterance, message, transcript, content, body, msg, sentence, ...
- ``speaker``: speaker, name, sender, from, author, participant, ...  (a name or a role)
- ``role``: role, speaker_role, participant_role, sender_type, author_type, ...  (when both a role and
  a name column exist, the role column says who is who and the name column names the speaker)
- ``start`` / ``end``: start, start_time, begin, timestamp, time, created_at, offset, ... / end, end_time, ...
  Seconds, ``hh:mm:ss(.fff)``, or ISO 8601 date-times (made relative to the conversation's first);
  a ``_ms`` / ``_usec`` suffix on the column name gives the unit.
- ``id``: conversation_id, call_id, chat_id, session_id, contact_id, ticket_id, convo_id, ...

``columns={"text": "Body", "speaker": "From"}`` names columns the defaults miss. A file with several
conversation ids yields one transcript per id; rows of one conversation must be together (the file is
streamed). Other columns whose value is the same on every row of a conversation become its metadata
(an ``agent`` / ``agent_name`` column becomes metadata ``agent``). The delimiter (comma, tab,
semicolon, pipe) is the one that makes the header's columns recognisable.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Mapping
from typing import Any

from ..errors import TranscriptError
from ..transcript import Role, Transcript, resolve_role
from ._base import Document, TurnBuilder, parse_instant, parse_timestamp

COLUMN_KEYS = ("text", "speaker", "role", "start", "end", "id")

_ALIASES: dict[str, tuple[str, ...]] = {
    "text": (
        "text",
        "utterance",
        "message",
        "transcript",
        "content",
        "body",
        "msg",
        "sentence",
        "utterance_text",
        "message_text",
        "message_body",
        "turn_text",
        "comment",
        "line",
    ),
    "speaker": (
        "speaker",
        "speaker_name",
        "name",
        "sender",
        "sender_name",
        "from",
        "author",
        "author_name",
        "participant",
        "participant_name",
        "user",
        "who",
        "party",
        "speaker_label",
    ),
    "role": (
        "role",
        "speaker_role",
        "participant_role",
        "sender_type",
        "author_type",
        "speaker_type",
        "participant_type",
        "sender_role",
        "party_role",
        "user_type",
    ),
    "start": (
        "start",
        "start_time",
        "begin",
        "begin_time",
        "start_seconds",
        "start_sec",
        "start_s",
        "start_ms",
        "start_offset",
        "offset",
        "begin_offset_millis",
        "timestamp",
        "time",
        "created_at",
        "sent_at",
        "datetime",
        "date_time",
        "time_stamp",
    ),
    "end": (
        "end",
        "end_time",
        "stop",
        "stop_time",
        "end_seconds",
        "end_sec",
        "end_s",
        "end_ms",
        "end_offset",
        "end_offset_millis",
    ),
    "id": (
        "conversation_id",
        "conversation",
        "call_id",
        "chat_id",
        "session_id",
        "contact_id",
        "ticket_id",
        "dialog_id",
        "dialogue_id",
        "transcript_id",
        "convo_id",
        "case_id",
        "interaction_id",
        "thread_id",
    ),
}
_DELIMITERS = (",", "\t", ";", "|")
_AGENT_COLUMNS = ("agent", "agent_name")


def _fold(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")


def _scale(column: str) -> float:
    folded = _fold(column)
    if folded.endswith(("_ms", "_msec", "millis", "_milliseconds")):
        return 1e-3
    if folded.endswith(("_usec", "_us", "_micros", "_microseconds")):
        return 1e-6
    return 1.0


def find_columns(header: list[str], columns: Mapping[str, str] | None, source: str) -> dict[str, int]:
    """Column index for each key found: the caller's ``columns`` first, then the known names."""
    found: dict[str, int] = {}
    folded = [_fold(h) for h in header]
    for key, name in (columns or {}).items():
        if key not in COLUMN_KEYS:
            raise TranscriptError(
                f"columns[{key!r}]: unknown key", source=source, hint="keys are: " + ", ".join(COLUMN_KEYS)
            )
        if name in header:
            found[key] = header.index(name)
        elif _fold(name) in folded:
            found[key] = folded.index(_fold(name))
        else:
            raise TranscriptError(
                f"columns[{key!r}] = {name!r} is not a column; found columns {header}",
                source=source,
                line=1,
                hint="use one of the header's column names",
            )
    for key, aliases in _ALIASES.items():
        if key in found:
            continue
        for alias in aliases:
            if alias in folded and folded.index(alias) not in found.values():
                found[key] = folded.index(alias)
                break
    return found


def _header(line: str) -> tuple[str, list[str]]:
    """The delimiter under which the first line names the most known columns, and the header cells."""
    best: tuple[int, int, str, list[str]] = (-1, -1, ",", [])
    for delimiter in _DELIMITERS:
        cells = next(csv.reader([line], delimiter=delimiter), [])
        known = len(find_columns(cells, None, ""))
        best = max(best, (known, len(cells), delimiter, cells), key=lambda b: (b[0], b[1]))
    return best[2], best[3]


class _Conversation:
    """The rows of one conversation so far."""

    def __init__(self, key: str | None, source: str, roles: Mapping[str, str | Role] | None) -> None:
        self.key = key
        self.builder = TurnBuilder(source, roles)
        self.origin: Any = None
        self.constant: dict[int, str | None] = {}


class _Csv:
    name = "csv"
    description = "CSV/TSV, one row per utterance; columns found by name or given with columns={...}"
    extensions = (".csv", ".tsv", ".tab")
    options = ("columns",)

    def detect(self, doc: Document) -> float:
        if doc.sample is not None:  # valid JSON is never this format
            return 0.0
        first = next((line for line in doc.head.splitlines() if line.strip()), "")
        _, header = _header(first)
        found = find_columns(header, None, doc.source)
        if "text" in found and ("speaker" in found or "role" in found):
            return 0.9
        if doc.suffix in self.extensions:
            return 0.5 if "text" in found else 0.4
        return 0.0

    def read(
        self, doc: Document, roles: Mapping[str, str | Role] | None, *, columns: Mapping[str, str] | None = None
    ) -> Iterator[Transcript]:
        if columns is not None and not isinstance(columns, Mapping):
            raise TranscriptError("columns= must be a mapping like {'text': 'Body'}", source=doc.source)
        position = [0]  # the physical line the csv reader has reached, for error messages

        def stream() -> Iterator[str]:
            for number, text in doc.iter_lines(keepends=True):
                position[0] = number
                yield text

        lines = stream()
        first = next((line for line in lines if line.strip()), None)
        if first is None:
            return
        delimiter, header = _header(first.rstrip("\r\n"))
        index = find_columns(header, columns, doc.source)
        if "text" not in index:
            raise TranscriptError(
                f"CSV without a text column: found columns {header}",
                source=doc.source,
                line=1,
                hint="name it with columns={'text': '<column>'} (CLI: --column text=<column>)",
            )
        if "speaker" not in index and "role" not in index:
            raise TranscriptError(
                f"CSV without a speaker or role column: found columns {header}",
                source=doc.source,
                line=1,
                hint="name it with columns={'speaker': '<column>'} (CLI: --column speaker=<column>)",
            )
        rows = csv.reader(lines, delimiter=delimiter)
        used = set(index.values())
        current: _Conversation | None = None
        seen: set[str | None] = set()
        for row in rows:
            line = position[0]
            if not any(cell.strip() for cell in row):
                continue
            cell = _cells(row, len(header))
            key = cell[index["id"]] if "id" in index else None
            if current is None or key != current.key:
                if current is not None:
                    yield self._build(current, header, used, doc)
                if key in seen:
                    raise TranscriptError(
                        f"rows of conversation {key!r} are not together",
                        source=doc.source,
                        line=line,
                        hint="sort the file by conversation id (the CSV is streamed, one conversation at a time)",
                    )
                seen.add(key)
                current = _Conversation(key, doc.source, roles)
            self._row(current, cell, index, header, doc.source, line)
            for i, value in enumerate(cell):
                if i not in used:
                    kept = current.constant.get(i, value)
                    current.constant[i] = value if kept == value else None
        if current is not None:
            yield self._build(current, header, used, doc)

    def _row(
        self, conv: _Conversation, cell: list[str], index: dict[str, int], header: list[str], source: str, line: int
    ) -> None:
        speaker = cell[index["speaker"]].strip() if "speaker" in index else ""
        role_value = cell[index["role"]].strip() if "role" in index else ""
        role = resolve_role(role_value, conv.builder.roles) if role_value else None
        times = []
        for key in ("start", "end"):
            value = cell[index[key]].strip() if key in index else ""
            times.append(self._time(conv, value, header[index[key]] if key in index else "", source, line))
        conv.builder.add(
            speaker or role_value or "<no speaker>", cell[index["text"]], role=role, start=times[0], end=times[1]
        )

    @staticmethod
    def _time(conv: _Conversation, value: str, column: str, source: str, line: int) -> float | None:
        if not value:
            return None
        seconds = parse_timestamp(value)
        if seconds is not None:
            return seconds * _scale(column)
        instant = parse_instant(value)
        if instant is None:
            raise TranscriptError(
                f"{column} {value!r} is not a time",
                source=source,
                line=line,
                hint="write seconds (12.5), hh:mm:ss, or an ISO 8601 date-time",
            )
        if conv.origin is None:
            conv.origin = instant
        return (instant - conv.origin).total_seconds()

    @staticmethod
    def _build(conv: _Conversation, header: list[str], used: set[int], doc: Document) -> Transcript:
        metadata: dict[str, Any] = {}
        for i, value in conv.constant.items():
            if value:
                name = _fold(header[i]) if i < len(header) else f"column_{i + 1}"
                metadata["agent" if name in _AGENT_COLUMNS else name] = value
        return conv.builder.build(conv.key or doc.stem, metadata)


def _cells(row: list[str], width: int) -> list[str]:
    return row + [""] * (width - len(row)) if len(row) < width else row


CSV = _Csv()
