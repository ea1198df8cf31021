"""Amazon Connect Contact Lens output files and Amazon Transcribe Call Analytics output.

Contact Lens (Amazon Connect admin guide, "Example Contact Lens output files"; API type
``connect-contact-lens Transcript``)::

    {"Version": "1.1.0", "Channel": "VOICE" | "CHAT", "JobStatus": "COMPLETED", "LanguageCode": "en-US",
     "CustomerMetadata": {"ContactId": "...", "InstanceId": "..."},
     "Participants": [{"ParticipantId": "<uuid or AGENT>", "ParticipantRole": "AGENT" | "CUSTOMER" | "SYSTEM"
                       | "CUSTOM_BOT" | "SUPERVISOR", "DisplayName": "..."(chat)}],
     "Transcript": [{"Id": "...", "ParticipantId": "...", "Content": "...",
                     "BeginOffsetMillis": 0, "EndOffsetMillis": 1800,            # voice
                     "AbsoluteTime": "2024-05-02T14:03:11.204Z", "Type": "MESSAGE" | "EVENT",
                     "ContentType": "text/plain"}]}                               # chat

Older voice files use ``ParticipantId`` "AGENT"/"CUSTOMER" directly. Chat ``EVENT`` items (joined,
left, typing) are not turns. Voice times are the offsets; chat times are ``AbsoluteTime`` relative to
the first message. The agent's ``DisplayName`` (chat) goes to metadata ``agent``.

Transcribe Call Analytics (Amazon Transcribe developer guide, "Call Analytics output")::

    {"JobName": "...", "JobStatus": "COMPLETED", "LanguageCode": "en-US", "AccountId": "...",
     "Transcript": [{"Id": "...", "ParticipantRole": "AGENT" | "CUSTOMER", "Content": "...",
                     "BeginOffsetMillis": 0, "EndOffsetMillis": 1800, "Sentiment": "NEUTRAL", ...}],
     "Categories": {...}, "ConversationCharacteristics": {...}}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..transcript import Role, Transcript
from ._base import language_of, parse_instant
from ._records import Context, RecordReader, agents_metadata, text_or_none

#: Amazon's participant roles. A supervisor who barges in speaks for the company, so counts as agent.
_ROLES = {
    "AGENT": Role.AGENT,
    "SUPERVISOR": Role.AGENT,
    "CUSTOMER": Role.CUSTOMER,
    "SYSTEM": Role.SYSTEM,
    "CUSTOM_BOT": Role.BOT,
}


def _first_item(obj: Mapping[str, Any]) -> Any:
    items = obj.get("Transcript")
    return items[0] if isinstance(items, list) and items else None


def _offsets(item: Mapping[str, Any], ctx: Context, turn: int) -> tuple[float | None, float | None]:
    begin = ctx.number(item.get("BeginOffsetMillis"), "BeginOffsetMillis", turn)
    end = ctx.number(item.get("EndOffsetMillis"), "EndOffsetMillis", turn)
    return (None if begin is None else begin / 1000, None if end is None else end / 1000)


_META_KEYS = {
    "Channel": "channel",
    "LanguageCode": "language_code",
    "Version": "version",
    "JobName": "job_name",
    "JobStatus": "job_status",
}


def _metadata(obj: Mapping[str, Any]) -> dict[str, Any]:
    return {new: obj[old] for old, new in _META_KEYS.items() if isinstance(obj.get(old), str)}


class _ContactLens(RecordReader):
    name = "contact_lens"
    description = "Amazon Connect Contact Lens analysis output (voice or chat): Participants + Transcript"
    shape = 'an object with "Participants" and "Transcript" items that have "ParticipantId"'
    markers = ('"ParticipantId"',)

    def is_record(self, obj: Any) -> bool:
        if not isinstance(obj, Mapping) or not isinstance(obj.get("Transcript"), list):
            return False
        first = _first_item(obj)
        if first is None:
            return isinstance(obj.get("Participants"), list)
        return isinstance(first, Mapping) and "ParticipantId" in first

    def read_record(self, obj: Mapping[str, Any], ctx: Context) -> Transcript:
        participants: dict[str, Mapping[str, Any]] = {}
        for i, p in enumerate(ctx.items(obj.get("Participants"), "Participants")):
            p = ctx.mapping(p, f"Participants[{i}]")
            if "ParticipantId" in p:
                participants[str(p["ParticipantId"])] = p
        builder = ctx.builder()
        origin = None
        agents: list[str] = []
        for i, item in enumerate(ctx.items(obj["Transcript"], "Transcript")):
            item = ctx.mapping(item, "a Transcript item", turn=i)
            if item.get("Type", "MESSAGE") != "MESSAGE":
                continue
            pid = str(item.get("ParticipantId", ""))
            participant = participants.get(pid, {})
            role_name = str(participant.get("ParticipantRole", pid)).upper()
            name = text_or_none(participant.get("DisplayName"))
            start, end = _offsets(item, ctx, i)
            instant = parse_instant(item.get("AbsoluteTime"))
            if start is None and instant is not None:
                origin = origin or instant
                start = (instant - origin).total_seconds()
            if _ROLES.get(role_name) is Role.AGENT and name:
                agents.append(name)
            builder.add(name or role_name, item.get("Content"), role=_ROLES.get(role_name), start=start, end=end)
        meta = obj.get("CustomerMetadata")
        contact = meta.get("ContactId") if isinstance(meta, Mapping) else None
        metadata = {
            **_metadata(obj),
            **agents_metadata(agents),
        }
        return builder.build(
            contact if isinstance(contact, str) else ctx.default_id, metadata, language_of(obj.get("LanguageCode"))
        )


class _Transcribe(RecordReader):
    name = "transcribe"
    description = "Amazon Transcribe Call Analytics output: Transcript items with ParticipantRole"
    shape = 'an object with "Transcript" items that have "ParticipantRole" and "Content"'
    markers = ('"ParticipantRole"',)

    def is_record(self, obj: Any) -> bool:
        if not isinstance(obj, Mapping) or not isinstance(obj.get("Transcript"), list):
            return False
        first = _first_item(obj)
        if first is None:
            return "JobStatus" in obj or "JobName" in obj
        return isinstance(first, Mapping) and "ParticipantRole" in first and "ParticipantId" not in first

    def read_record(self, obj: Mapping[str, Any], ctx: Context) -> Transcript:
        builder = ctx.builder()
        for i, item in enumerate(ctx.items(obj["Transcript"], "Transcript")):
            item = ctx.mapping(item, "a Transcript item", turn=i)
            role_name = str(item.get("ParticipantRole", "")).upper()
            start, end = _offsets(item, ctx, i)
            builder.add(role_name, item.get("Content"), role=_ROLES.get(role_name), start=start, end=end)
        job = obj.get("JobName")
        metadata = _metadata(obj)
        return builder.build(
            job if isinstance(job, str) and job else ctx.default_id, metadata, language_of(obj.get("LanguageCode"))
        )


CONTACT_LENS = _ContactLens()
TRANSCRIBE = _Transcribe()
