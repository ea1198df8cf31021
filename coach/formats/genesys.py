"""Genesys Cloud Speech and Text Analytics transcripts (the JSON behind
``GET /api/v2/speechandtextanalytics/conversations/{id}/communications/{id}/transcripturl``).

Documented shape (developer.genesys.cloud, "Transcript URL", transcript schema)::

    {"organizationId": "...", "conversationId": "...", "communicationId": "...", "mediaType": "call",
     "conversationStartTime": 1714658591000, "startTime": 1714658593000,
     "participants": [{"participantPurpose": "internal", "userId": "..."}, ...],
     "transcripts": [{"transcriptId": "...", "language": "en-US", "startTime": 1714658593000,
                      "phrases": [{"text": "...", "startTimeMs": 1714658593120, "duration": {"milliseconds": 1800},
                                   "offset": {"milliseconds": 120}, "participantPurpose": "internal" | "external"
                                   | "acd" | "ivr" | "bot", "words": [...], "alternatives": [...]}]}]}

``startTimeMs`` is epoch milliseconds: times become seconds from the conversation start
(``conversationStartTime``, else ``startTime``, else the first phrase); phrases with only an
``offset`` use it. ``internal`` is the agent, ``external`` the customer; ACD, IVR and bot phrases
are the bot. The agent's user id goes to metadata ``agent_id``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..transcript import Role, Transcript
from ._base import language_of
from ._records import Context, RecordReader

_PURPOSES = {
    "internal": Role.AGENT,
    "agent": Role.AGENT,
    "user": Role.AGENT,
    "external": Role.CUSTOMER,
    "customer": Role.CUSTOMER,
    "acd": Role.BOT,
    "ivr": Role.BOT,
    "bot": Role.BOT,
    "workflow": Role.BOT,
    "voicemail": Role.SYSTEM,
}


def _millis(value: Any, ctx: Context, what: str, turn: int | None = None) -> float | None:
    """Milliseconds from a number or a ``{"milliseconds": n}`` object."""
    if isinstance(value, Mapping):
        value = value.get("milliseconds")
    return ctx.number(value, what, turn)


class _Genesys(RecordReader):
    name = "genesys"
    description = "Genesys Cloud speech & text analytics transcript: transcripts[].phrases[] with participantPurpose"
    shape = 'an object with "transcripts": [{"phrases": [...]}]'
    markers = ('"phrases"',)

    def is_record(self, obj: Any) -> bool:
        if not isinstance(obj, Mapping) or not isinstance(obj.get("transcripts"), list):
            return False
        first = obj["transcripts"][0] if obj["transcripts"] else None
        return first is None or (isinstance(first, Mapping) and isinstance(first.get("phrases"), list))

    def read_record(self, obj: Mapping[str, Any], ctx: Context) -> Transcript:
        transcripts = [ctx.mapping(t, "a transcripts item") for t in obj["transcripts"]]
        origin = _millis(obj.get("conversationStartTime"), ctx, "conversationStartTime")
        if origin is None:
            origin = _millis(obj.get("startTime"), ctx, "startTime")
        builder = ctx.builder()
        turn = 0
        for transcript in transcripts:
            for phrase in ctx.items(transcript.get("phrases"), "phrases"):
                phrase = ctx.mapping(phrase, "a phrase", turn=turn)
                purpose = str(phrase.get("participantPurpose", "")).lower()
                epoch = _millis(phrase.get("startTimeMs"), ctx, "startTimeMs", turn)
                if epoch is not None and origin is None:
                    origin = epoch
                offset = _millis(phrase.get("offset"), ctx, "offset", turn)
                if epoch is not None and origin is not None:
                    start: float | None = (epoch - origin) / 1000
                else:
                    start = None if offset is None else offset / 1000
                duration = _millis(phrase.get("duration"), ctx, "duration", turn)
                end = None if start is None or duration is None else round(start + duration / 1000, 3)
                builder.add(
                    purpose or "<no participantPurpose>",
                    phrase.get("text"),
                    role=_PURPOSES.get(purpose),
                    start=start,
                    end=end,
                )
                turn += 1
        metadata: dict[str, Any] = {
            new: obj[old]
            for old, new in (("communicationId", "communication_id"), ("mediaType", "media_type"))
            if isinstance(obj.get(old), str)
        }
        for participant in ctx.items(obj.get("participants"), "participants"):
            if (
                isinstance(participant, Mapping)
                and participant.get("participantPurpose") == "internal"
                and isinstance(participant.get("userId"), str)
            ):
                metadata.setdefault("agent_id", participant["userId"])
        language = next((t.get("language") for t in transcripts if isinstance(t.get("language"), str)), None)
        if language:
            metadata["language_code"] = language
        conversation = obj.get("conversationId")
        return builder.build(
            conversation if isinstance(conversation, str) and conversation else ctx.default_id,
            metadata,
            language_of(language),
        )


GENESYS = _Genesys()
