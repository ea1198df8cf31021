"""Intercom conversations, as the REST API returns them (``GET /conversations/{id}``) or as a list.

Documented shape (developers.intercom.com, "Conversation" and "Conversation Part" models)::

    {"type": "conversation", "id": "123", "created_at": 1714658591, "state": "closed",
     "source": {"type": "conversation", "delivered_as": "customer_initiated", "subject": "",
                "body": "<p>My order never arrived</p>",
                "author": {"type": "user" | "lead" | "contact" | "admin" | "bot", "id": "...", "name": "..."}},
     "conversation_parts": {"type": "conversation_part.list", "total_count": 3,
        "conversation_parts": [{"type": "conversation_part", "id": "...", "part_type": "comment" | "note"
            | "assignment" | "open" | "close" | "snoozed" | ..., "body": "<p>...</p>" | null,
            "created_at": 1714658650, "author": {"type": "admin", "id": "...", "name": "Priya"}}]}}

A list response ``{"type": "conversation.list", "conversations": [...]}`` yields each conversation.
Turns are the source message and the parts that carry a message the other side saw: ``comment``
parts, and ``open`` / ``close`` / ``assignment`` parts that have a body (a reply sent while changing
state). Internal ``note`` parts and bodiless system events are not turns. HTML bodies become plain
text. Times are seconds from the conversation's ``created_at``. Admin names go to metadata ``agent``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..transcript import Role, Transcript
from ._base import strip_html
from ._records import Context, RecordReader, agents_metadata, text_or_none

_AUTHORS = {
    "admin": Role.AGENT,
    "team": Role.AGENT,
    "user": Role.CUSTOMER,
    "lead": Role.CUSTOMER,
    "contact": Role.CUSTOMER,
    "bot": Role.BOT,
}

#: Part types that are a message to the other side even when they also change the conversation's state.
_MESSAGE_PARTS = {"comment"}
_STATE_PARTS_WITH_REPLY = {"open", "close", "assignment"}


class _Intercom(RecordReader):
    name = "intercom"
    description = "Intercom conversation(s): source + conversation_parts; notes and system events skipped"
    shape = 'an object with "conversation_parts" (and "source")'
    markers = ('"conversation_parts"',)
    wrappers = ("conversations",)

    def is_record(self, obj: Any) -> bool:
        return (
            isinstance(obj, Mapping)
            and "conversation_parts" in obj
            and ("source" in obj or obj.get("type") == "conversation")
        )

    def read_record(self, obj: Mapping[str, Any], ctx: Context) -> Transcript:
        origin = ctx.number(obj.get("created_at"), "created_at")
        builder = ctx.builder()
        admins: list[str] = []

        def add(message: Mapping[str, Any], turn: int, when: Any) -> None:
            author = ctx.mapping(message.get("author"), "author", turn)
            kind = str(author.get("type", "")).lower()
            name = text_or_none(author.get("name")) or None
            role = _AUTHORS.get(kind)
            if role is Role.AGENT and name:
                admins.append(name)
            body = message.get("body")
            at = ctx.number(when, "created_at", turn)
            start = None if at is None or origin is None else at - origin
            builder.add(
                name or kind or "<no author>",
                strip_html(body) if isinstance(body, str) else body,
                role=role,
                start=start,
            )

        source = ctx.mapping(obj.get("source"), "source")
        if source:
            add(source, 0, obj.get("created_at"))
        parts = obj["conversation_parts"]
        if isinstance(parts, Mapping):
            parts = parts.get("conversation_parts")
        for i, part in enumerate(ctx.items(parts, "conversation_parts"), 1):
            part = ctx.mapping(part, "a conversation part", turn=i)
            kind = part.get("part_type")
            if kind in _MESSAGE_PARTS or (kind in _STATE_PARTS_WITH_REPLY and part.get("body")):
                add(part, i, part.get("created_at"))
        conversation = obj.get("id")
        metadata: dict[str, Any] = {}
        for key in ("state", "title"):
            if isinstance(obj.get(key), str) and obj[key]:
                metadata[key] = obj[key]
        for key in ("delivered_as", "subject"):
            if isinstance(source.get(key), str) and source[key]:
                metadata[key] = strip_html(source[key]).strip()
        metadata.update(agents_metadata(admins))
        return builder.build(str(conversation) if conversation is not None else ctx.default_id, metadata)


INTERCOM = _Intercom()
