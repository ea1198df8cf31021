"""Twilio Conversational Intelligence transcripts: the Transcript Sentences list, with the Transcript's
channel participants when the file has them.

Documented shapes (twilio.com/docs/conversational-intelligence/api: "Transcript Sentence
Subresource", "Transcript Resource")::

    GET /v2/Transcripts/{sid}/Sentences ->
        {"sentences": [{"media_channel": 1, "sentence_index": 0, "start_time": "0.08", "end_time": "2.4",
                        "transcript": "...", "sid": "GX...", "confidence": "0.93", "words": [...]}],
         "meta": {...}}
    GET /v2/Transcripts/{sid} ->
        {"sid": "GT...", "language_code": "en-US",
         "channel": {"media_properties": {...},
                     "participants": [{"channel_participant": 1, "role": "Agent", "full_name": "...",
                                       "user_id": "...", "media_participant_id": "+1..."}]}}

A file may hold the sentences list alone, a transcript object with its ``sentences``, or
``{"transcript": {...}, "sentences": [...]}``. Each sentence's channel is matched to the participant
whose ``channel_participant`` equals it; the participant's ``role`` (resolved like any speaker
label) gives the role and ``full_name`` the speaker. Without participants, Twilio's documented
default applies: channel 1 is the agent, channel 2 the customer (Voice Intelligence best practices,
dual-channel recordings). Map channels yourself with ``roles={"channel 2": "agent"}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..transcript import Role, Transcript, resolve_role
from ._base import language_of
from ._records import Context, RecordReader, agents_metadata, text_or_none

#: Twilio's default for dual-channel recordings: channel 1 is the agent, channel 2 the customer.
_DEFAULT_CHANNELS = {1: Role.AGENT, 2: Role.CUSTOMER}


def _channel(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


class _Twilio(RecordReader):
    name = "twilio"
    description = "Twilio Conversational Intelligence transcript sentences (+ channel participants)"
    shape = 'an object with "sentences": [{"media_channel", "sentence_index", "transcript", ...}]'
    markers = ('"sentences"',)
    wrappers = ("transcripts",)

    def is_record(self, obj: Any) -> bool:
        if not isinstance(obj, Mapping) or not isinstance(obj.get("sentences"), list):
            return False
        first = obj["sentences"][0] if obj["sentences"] else None
        return first is None or (
            isinstance(first, Mapping)
            and "transcript" in first
            and any(k in first for k in ("media_channel", "channel", "sentence_index"))
        )

    def read_record(self, obj: Mapping[str, Any], ctx: Context) -> Transcript:
        resource = obj.get("transcript") if isinstance(obj.get("transcript"), Mapping) else obj
        channel = ctx.mapping(resource.get("channel"), "channel")
        participants: dict[int, Mapping[str, Any]] = {}
        for i, p in enumerate(ctx.items(channel.get("participants"), "channel.participants")):
            p = ctx.mapping(p, f"channel.participants[{i}]")
            number = _channel(p.get("channel_participant"))
            if number is not None:
                participants[number] = p
        sentences = [ctx.mapping(s, "a sentence", turn=i) for i, s in enumerate(obj["sentences"])]
        order = sorted(range(len(sentences)), key=lambda i: (_index(sentences[i].get("sentence_index"), i), i))
        builder = ctx.builder()
        agents: list[str] = []
        for i in order:
            sentence = sentences[i]
            number = _channel(sentence.get("media_channel", sentence.get("channel")))
            participant = participants.get(number, {}) if number is not None else {}
            role_name = text_or_none(participant.get("role"))
            name = text_or_none(participant.get("full_name"))
            role = resolve_role(role_name, ctx.roles) if role_name else None
            if role is None and not participant and number is not None:
                role = _DEFAULT_CHANNELS.get(number)
            if role is Role.AGENT and name:
                agents.append(name)
            builder.add(
                name or role_name or f"channel {number}",
                sentence.get("transcript"),
                role=role,
                start=ctx.number(sentence.get("start_time"), "start_time", i),
                end=ctx.number(sentence.get("end_time"), "end_time", i),
            )
        sid = resource.get("sid")
        metadata: dict[str, Any] = {
            key: resource[key] for key in ("service_sid", "language_code") if isinstance(resource.get(key), str)
        }
        metadata.update(agents_metadata(agents))
        return builder.build(
            sid if isinstance(sid, str) and sid else ctx.default_id,
            metadata,
            language_of(resource.get("language_code")),
        )


def _index(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


TWILIO = _Twilio()
