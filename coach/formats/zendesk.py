"""Zendesk Chat (Zopim) chat history, as the Chat REST API returns it (``GET /api/v2/chats/{id}``) or as a list.

Documented shape (Zendesk Chat REST API, "Chats"; chat log event types of the Chat SDKs)::

    {"id": "1410.12345.abcd", "type": "chat", "timestamp": "2024-05-02T14:03:11Z",
     "visitor": {"name": "...", "email": "..."}, "agent_names": ["Priya"], "agent_ids": ["123"],
     "department_name": "...", "tags": [...],
     "history": [{"type": "chat.msg" | "chat.memberjoin" | "chat.memberleave" | "chat.rating" | ...,
                  "name": "Priya", "nick": "agent:123" | "visitor" | "agent:trigger" | "agent:system",
                  "msg": "...", "timestamp": "2024-05-02T14:03:15Z"}]}

A list response ``{"chats": [...]}`` yields each chat. Only ``chat.msg`` events are turns (joins,
leaves, ratings, file uploads are not). ``agent:trigger`` messages are automated (bot),
``agent:system`` ones system notices. Timestamps (ISO strings, or epoch milliseconds in older
exports) become seconds from the chat's ``timestamp`` or its first event. ``agent_names`` go to
metadata ``agent``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..transcript import Role, Transcript
from ._base import parse_instant
from ._records import Context, RecordReader, agents_metadata, text_or_none

_SPECIAL_NICKS = {"visitor": Role.CUSTOMER, "agent:trigger": Role.BOT, "agent:system": Role.SYSTEM}


def _instant(value: Any) -> dt.datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        # Older exports give epoch milliseconds; anything that large cannot be seconds.
        seconds = value / 1000 if value > 1e11 else value
        try:
            return dt.datetime.fromtimestamp(seconds, dt.UTC)
        except (OverflowError, OSError, ValueError):
            return None
    return parse_instant(value)


def _role(nick: str) -> Role | None:
    if nick in _SPECIAL_NICKS:
        return _SPECIAL_NICKS[nick]
    return Role.AGENT if nick.startswith("agent:") else None


class _Zendesk(RecordReader):
    name = "zendesk"
    description = "Zendesk Chat history: {history: [{type: chat.msg, nick, name, msg, timestamp}]}"
    shape = 'an object with "history": [{"type": "chat.msg", "nick", "msg", ...}]'
    markers = ('"history"',)
    wrappers = ("chats",)

    def is_record(self, obj: Any) -> bool:
        if not isinstance(obj, Mapping) or not isinstance(obj.get("history"), list):
            return False
        first = obj["history"][0] if obj["history"] else None
        return first is None or (isinstance(first, Mapping) and str(first.get("type", "")).startswith("chat."))

    def read_record(self, obj: Mapping[str, Any], ctx: Context) -> Transcript:
        history = [ctx.mapping(e, "a history event", turn=i) for i, e in enumerate(obj["history"])]
        origin = _instant(obj.get("timestamp"))
        if origin is None:
            origin = next((t for t in (_instant(e.get("timestamp")) for e in history) if t is not None), None)
        builder = ctx.builder()
        for event in history:
            if event.get("type") != "chat.msg":
                continue
            nick = str(event.get("nick", ""))
            at = _instant(event.get("timestamp"))
            start = None if at is None or origin is None else (at - origin).total_seconds()
            name = text_or_none(event.get("name"))
            builder.add(name or nick or "<no nick>", event.get("msg"), role=_role(nick), start=start)
        metadata: dict[str, Any] = {
            key: obj[key] for key in ("type", "department_name") if isinstance(obj.get(key), str) and obj[key]
        }
        if isinstance(obj.get("tags"), list):
            metadata["tags"] = [t for t in obj["tags"] if isinstance(t, str)]
        names = obj.get("agent_names")
        if isinstance(names, list):
            metadata.update(agents_metadata([n for n in names if isinstance(n, str)]))
        chat = obj.get("id")
        return builder.build(str(chat) if isinstance(chat, str | int) and chat != "" else ctx.default_id, metadata)


ZENDESK = _Zendesk()
