"""Harper Valley Bank (Gridspace-Stanford) calls as segment lists.

Shape (``../shared/data/harper_valley/calls.jsonl.gz``, one call per line; from the corpus'
``data/transcript/<sid>.json``)::

    {"id": "0002f70f7386445b",
     "segments": [{"index": 1, "speaker_role": "agent" | "caller", "start_ms": 1669, "duration_ms": 2670,
                   "human_transcript": "hello this is harper valley national bank",
                   "transcript": "hello mr harper valley national bank", "emotion": [0.02, 0.31, 0.66]}]}

Segments are ordered by ``index`` (``start_ms`` is not monotone: the two channels overlap). The text
is the corrected ``human_transcript``; pass ``text_field="transcript"`` for the ASR output. A segment
whose text is only noise tokens (``[noise]``, ``[laughter]``, ``<unk>``...) is dropped; noise tokens
inside speech are kept as the transcribers wrote them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..errors import TranscriptError
from ..transcript import Transcript
from ._records import Context, RecordReader

TEXT_FIELDS = ("human_transcript", "transcript")

_NOISE_ONLY = re.compile(r"^(?:\s*(?:\[[^\[\]]*\]|<unk>))+\s*$", re.IGNORECASE)


class _HarperValley(RecordReader):
    name = "harper_valley"
    description = "Harper Valley Bank segment lists: {id, segments: [{index, speaker_role, start_ms, ...}]}"
    shape = 'an object with "segments": [{"index", "speaker_role", "start_ms", "duration_ms", ...}]'
    markers = ('"speaker_role"',)
    options = ("text_field",)

    def is_record(self, obj: Any) -> bool:
        if not isinstance(obj, Mapping) or not isinstance(obj.get("segments"), list):
            return False
        first = obj["segments"][0] if obj["segments"] else None
        return first is None or (isinstance(first, Mapping) and "speaker_role" in first)

    def settings(self, options: Mapping[str, Any], source: str) -> Mapping[str, Any]:
        text_field = options.get("text_field", TEXT_FIELDS[0])
        if text_field not in TEXT_FIELDS:
            raise TranscriptError(
                f"text_field={text_field!r} is not a Harper Valley text field",
                source=source,
                hint="use one of: " + ", ".join(TEXT_FIELDS),
            )
        return {"text_field": text_field}

    def read_record(self, obj: Mapping[str, Any], ctx: Context) -> Transcript:
        field = ctx.options["text_field"]
        segments = [ctx.mapping(s, "a segment", turn=i) for i, s in enumerate(obj["segments"])]
        order = sorted(range(len(segments)), key=lambda i: (_index(segments[i].get("index"), i), i))
        builder = ctx.builder()
        for i in order:
            segment = segments[i]
            text = segment.get(field)
            if isinstance(text, str) and _NOISE_ONLY.match(text):
                continue
            start = ctx.number(segment.get("start_ms"), "start_ms", i)
            duration = ctx.number(segment.get("duration_ms"), "duration_ms", i)
            speaker = segment.get("speaker_role")
            builder.add(
                speaker if isinstance(speaker, str) else "<no speaker_role>",
                text,
                start=None if start is None else start / 1000,
                end=None if start is None or duration is None else (start + duration) / 1000,
            )
        call = obj.get("id")
        metadata = {"text_field": field}
        return builder.build(str(call) if isinstance(call, str | int) else ctx.default_id, metadata)


def _index(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


HARPER_VALLEY = _HarperValley()
