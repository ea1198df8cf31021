"""Google Contact Center AI Insights conversations, in both documented shapes.

Ingest format (CCAI Insights docs, "Conversation data format")::

    {"conversation_info": {"categories": [{"display_name": "..."}]},
     "entries": [{"text": "...", "role": "AGENT" | "CUSTOMER" | "AUTOMATED_AGENT" | "END_USER",
                  "user_id": 1, "start_timestamp_usec": 1000000}]}

``start_timestamp_usec`` is Unix time in microseconds; times become seconds from the first entry.

API ``Conversation`` resource (contactcenterinsights v1, ``Conversation.transcript``)::

    {"name": "projects/p/locations/l/conversations/123", "startTime": "2024-05-02T14:03:11Z",
     "languageCode": "en-US", "agentId": "...", "callMetadata": {"agentChannel": 1, "customerChannel": 2},
     "transcript": {"transcriptSegments": [{"text": "...", "channelTag": 1, "messageTime": "...",
        "segmentParticipant": {"role": "HUMAN_AGENT" | "AUTOMATED_AGENT" | "END_USER", "userId": "..."},
        "words": [{"word": "...", "startOffset": "1.200s", "endOffset": "1.500s"}]}]}}

Segment times come from the words' audio offsets, else from ``messageTime`` relative to ``startTime``
(or to the first message). The client libraries' snake_case spelling is read too. A segment whose role
is unspecified takes its role from ``callMetadata`` channels when its ``channelTag`` matches one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..transcript import Role, Transcript
from ._base import language_of, parse_instant
from ._records import Context, RecordReader, pick

_ROLES = {
    "AGENT": Role.AGENT,
    "HUMAN_AGENT": Role.AGENT,
    "CUSTOMER": Role.CUSTOMER,
    "END_USER": Role.CUSTOMER,
    "AUTOMATED_AGENT": Role.BOT,
}


def _segments(obj: Mapping[str, Any]) -> Any:
    transcript = obj.get("transcript")
    return pick(transcript, "transcriptSegments", "transcript_segments") if isinstance(transcript, Mapping) else None


class _Ccai(RecordReader):
    name = "ccai"
    description = "Google CCAI Insights conversation: ingest {entries: [...]} or API Conversation transcriptSegments"
    shape = 'an object with "entries" ({text, role, ...}) or "transcript": {"transcriptSegments": [...]}'
    markers = ('"entries"', '"transcriptSegments"', '"transcript_segments"')
    wrappers = ("conversations",)

    def is_record(self, obj: Any) -> bool:
        if not isinstance(obj, Mapping):
            return False
        entries = obj.get("entries")
        if isinstance(entries, list):
            return not entries or (isinstance(entries[0], Mapping) and "text" in entries[0] and "role" in entries[0])
        return isinstance(_segments(obj), list)

    def read_record(self, obj: Mapping[str, Any], ctx: Context) -> Transcript:
        if isinstance(obj.get("entries"), list):
            return self._entries(obj, ctx)
        return self._conversation(obj, ctx)

    def _entries(self, obj: Mapping[str, Any], ctx: Context) -> Transcript:
        builder = ctx.builder()
        origin = None
        for i, entry in enumerate(obj["entries"]):
            entry = ctx.mapping(entry, "an entry", turn=i)
            role = str(entry.get("role", "")).upper()
            usec = ctx.number(entry.get("start_timestamp_usec"), "start_timestamp_usec", i)
            if usec is not None and origin is None:
                origin = usec
            start = None if usec is None or origin is None else (usec - origin) / 1_000_000
            builder.add(role, entry.get("text"), role=_ROLES.get(role), start=start)
        info = obj.get("conversation_info")
        metadata: dict[str, Any] = {}
        if isinstance(info, Mapping) and isinstance(info.get("categories"), list):
            metadata["categories"] = [
                c["display_name"] for c in info["categories"] if isinstance(c, Mapping) and "display_name" in c
            ]
        return builder.build(ctx.default_id, metadata)

    def _conversation(self, obj: Mapping[str, Any], ctx: Context) -> Transcript:
        builder = ctx.builder()
        channels = ctx.mapping(pick(obj, "callMetadata", "call_metadata"), "callMetadata")
        by_channel = {
            pick(channels, "agentChannel", "agent_channel"): Role.AGENT,
            pick(channels, "customerChannel", "customer_channel"): Role.CUSTOMER,
        }
        origin = parse_instant(pick(obj, "startTime", "start_time"))
        for i, segment in enumerate(ctx.items(_segments(obj), "transcriptSegments")):
            segment = ctx.mapping(segment, "a transcript segment", turn=i)
            participant = ctx.mapping(
                pick(segment, "segmentParticipant", "segment_participant"), "segmentParticipant", i
            )
            label = str(participant.get("role", "ROLE_UNSPECIFIED")).upper()
            role = _ROLES.get(label)
            if role is None and label == "ROLE_UNSPECIFIED":
                role = by_channel.get(pick(segment, "channelTag", "channel_tag"))
            start, end = self._times(segment, ctx, i)
            if start is None:
                instant = parse_instant(pick(segment, "messageTime", "message_time"))
                if instant is not None:
                    origin = origin or instant
                    start = (instant - origin).total_seconds()
            builder.add(label, segment.get("text"), role=role, start=start, end=end)
        name = obj.get("name")
        metadata = {
            key: obj[src]
            for src, key in (
                ("name", "name"),
                ("agentId", "agent_id"),
                ("agent_id", "agent_id"),
                ("languageCode", "language_code"),
                ("language_code", "language_code"),
            )
            if isinstance(obj.get(src), str)
        }
        language = pick(obj, "languageCode", "language_code")
        conversation_id = name.rsplit("/", 1)[-1] if isinstance(name, str) and name else ctx.default_id
        return builder.build(conversation_id, metadata, language_of(language))

    @staticmethod
    def _times(segment: Mapping[str, Any], ctx: Context, turn: int) -> tuple[float | None, float | None]:
        words = segment.get("words")
        if not isinstance(words, list) or not words or not all(isinstance(w, Mapping) for w in words):
            return None, None
        start = _duration(pick(words[0], "startOffset", "start_offset"), ctx, "startOffset", turn)
        end = _duration(pick(words[-1], "endOffset", "end_offset"), ctx, "endOffset", turn)
        return start, end


def _duration(value: Any, ctx: Context, what: str, turn: int) -> float | None:
    """Seconds from a protobuf Duration: ``"1.200s"`` in REST JSON, ``{"seconds", "nanos"}`` from some clients."""
    if isinstance(value, Mapping):
        seconds = ctx.number(value.get("seconds", 0), what, turn) or 0.0
        return seconds + (ctx.number(value.get("nanos", 0), what, turn) or 0.0) / 1e9
    return ctx.number(value, what, turn)


CCAI = _Ccai()
