"""coach's native format, as JSON (one call, or a list of calls) and JSONL (one call per line).

::

    {"id": "call-042", "turns": [{"speaker": "agent", "text": "Hi, this is Sam.", "start": 0.0, "end": 1.8},
                                 {"speaker": "customer", "text": "My router keeps dropping."}]}

Each turn names its ``speaker`` (a role alias or a name mapped with ``roles=``) and/or its
``role``; ``start``/``end`` are optional seconds. Unknown top-level keys become metadata.
A list of ``[speaker, text]`` pairs is accepted too.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

from ..errors import TranscriptError
from ..transcript import Role, Transcript
from ._base import Document, TurnBuilder, parse_json, parse_timestamp

_RESERVED = {"id", "turns", "metadata", "language", "lang"}


def is_native(obj: Any) -> bool:
    return isinstance(obj, Mapping) and isinstance(obj.get("turns"), list)


def _is_pairs(obj: Any) -> bool:
    return (
        isinstance(obj, list)
        and bool(obj)
        and all(isinstance(p, list | tuple) and len(p) == 2 and all(isinstance(x, str) for x in p) for p in obj[:20])
    )


def from_native(
    obj: Any, source: str, roles: Mapping[str, str | Role] | None, default_id: str, line: int | None = None
) -> Transcript:
    if _is_pairs(obj):
        obj = {"id": default_id, "turns": [{"speaker": s, "text": t} for s, t in obj]}
    if not is_native(obj):
        found = sorted(obj)[:8] if isinstance(obj, Mapping) else type(obj).__name__
        raise TranscriptError(
            f"expected an object with a \"turns\" list, found {found}",
            source=source,
            line=line,
            hint='native transcripts look like {"id": "call-1", "turns": [{"speaker": "agent", "text": "..."}]}',
        )
    builder = TurnBuilder(source, roles)
    for i, turn in enumerate(obj["turns"]):
        if not isinstance(turn, Mapping):
            raise TranscriptError(
                f"a turn must be an object, got {type(turn).__name__}",
                source=source,
                line=line,
                turn=i,
                hint='write turns as {"speaker": "agent", "text": "..."}',
            )
        speaker = turn.get("speaker", turn.get("name"))
        role = turn.get("role")
        if speaker is None and role is None:
            raise TranscriptError(
                'a turn has neither "speaker" nor "role"', source=source, line=line, turn=i,
                hint='add "speaker": "agent" or "customer"',
            )
        if role is not None:
            try:
                role = Role(str(role).lower())
            except ValueError:
                speaker, role = (speaker or str(role)), None
        builder.add(
            None if speaker is None else str(speaker),
            turn.get("text"),
            role=role,
            start=_seconds(turn.get("start"), source, line, i),
            end=_seconds(turn.get("end"), source, line, i),
        )
    metadata = {k: v for k, v in obj.items() if k not in _RESERVED}
    if isinstance(obj.get("metadata"), Mapping):
        metadata.update(obj["metadata"])
    language = obj.get("language", obj.get("lang", "en"))
    return builder.build(str(obj.get("id", default_id)), metadata, language if isinstance(language, str) else "en")


def _seconds(value: Any, source: str, line: int | None, turn: int) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if (type(value) is float or type(value) is int) and math.isfinite(value):  # the common case
        return float(value)
    seconds = parse_timestamp(value) if isinstance(value, str | int | float) else None
    if seconds is None:
        raise TranscriptError(
            f"time {value!r} is not a number of seconds", source=source, line=line, turn=turn,
            hint='write times as seconds (12.5) or "00:00:12.5"',
        )
    return seconds


class _Json:
    name = "json"
    description = "coach native JSON: one call {id, turns: [{speaker, text, start, end}]} or a list of calls"
    extensions = (".json",)

    options: tuple[str, ...] = ()

    def detect(self, doc: Document) -> float:
        if not doc.is_json_like or doc.json_lines:
            return 0.0
        head = doc.head.lstrip()
        if not doc._has_obj and '"turns"' not in head and not head.startswith("[["):
            return 0.0
        obj = doc.json
        if is_native(obj) or _is_pairs(obj):
            return 0.9
        if isinstance(obj, list) and obj and all(is_native(o) for o in obj[:20]):
            return 0.85
        return 0.0

    def read(self, doc: Document, roles: Mapping[str, str | Role] | None, **options: Any) -> Iterator[Transcript]:
        obj = doc.json
        if isinstance(obj, list) and obj and not _is_pairs(obj):
            for i, item in enumerate(obj):
                yield from_native(item, doc.source, roles, f"{doc.stem}-{i + 1}")
        else:
            yield from_native(obj, doc.source, roles, doc.stem)


class _Jsonl:
    name = "jsonl"
    description = "coach native JSON Lines: one call per line, streamed"
    extensions = (".jsonl", ".ndjson")
    options: tuple[str, ...] = ()

    def detect(self, doc: Document) -> float:
        if doc._has_obj:
            return 0.0
        first = next((line for line in doc.head.splitlines() if line.strip()), "").strip()
        # (a first line longer than the head is cut off there: ``json_lines`` then reads on)
        if first.startswith("{") and '"turns"' in first and (first.endswith("}") or doc.json_lines):
            return 0.95
        if doc.suffix in self.extensions and first.startswith("{"):
            return 0.6
        return 0.0

    def read(self, doc: Document, roles: Mapping[str, str | Role] | None, **options: Any) -> Iterator[Transcript]:
        for number, line in doc.iter_lines():
            if not line.strip():
                continue
            obj = parse_json(line, doc.source, line_offset=number - 1)
            yield from_native(obj, doc.source, roles, f"{doc.stem}-{number}", line=number)


JSON = _Json()
JSONL = _Jsonl()
