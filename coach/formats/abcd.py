"""ABCD (Action-Based Conversations Dataset, ASAPP) dialogues.

Documented shape (github.com/asappresearch/abcd, ``data/abcd_sample.json`` and ``abcd_v1.1.json``)::

    {"convo_id": 3592, "scenario": {"personal": {...}, "order": {...}, "flow": "...", "subflow": "..."},
     "original": [["agent", "Hi!"], ["customer", "..."], ["action", "Account has been pulled up for ..."]],
     "delexed": [{"speaker": "agent", "text": "...", "turn_count": 1, "targets": [...], ...}]}

A file holds one dialogue, a list of them, or the full corpus ``{"train": [...], "dev": [...],
"test": [...]}`` (the split is kept as metadata ``split``). ``action`` lines (agent button clicks the
system logged) are kept as system turns. ``delexed`` repeats ``original`` with slots masked and is
not kept; the other top-level keys (``scenario``) become metadata.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..transcript import Transcript
from ._records import Context, RecordReader

_DROPPED = {"original", "delexed", "convo_id"}


class _Abcd(RecordReader):
    name = "abcd"
    description = "ABCD dialogues: {convo_id, original: [[speaker, text], ...]}, one, a list, or train/dev/test"
    shape = 'an object with "original": [[speaker, text], ...]'
    markers = ('"original"',)
    wrappers = ("train", "dev", "test")
    wrapper_is_split = True

    def is_record(self, obj: Any) -> bool:
        if not isinstance(obj, Mapping) or not isinstance(obj.get("original"), list):
            return False
        first = obj["original"][0] if obj["original"] else None
        return first is None or (isinstance(first, list) and len(first) == 2)

    def read_record(self, obj: Mapping[str, Any], ctx: Context) -> Transcript:
        builder = ctx.builder()
        for i, pair in enumerate(obj["original"]):
            if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)):
                raise ctx.error(
                    f"expected a [speaker, text] pair, got {pair!r:.60}",
                    turn=i,
                    hint='ABCD lines look like ["agent", "How can I help?"]',
                )
            builder.add(pair[0], pair[1])
        convo = obj.get("convo_id")
        metadata = {k: v for k, v in obj.items() if k not in _DROPPED}
        return builder.build(str(convo) if isinstance(convo, str | int) else ctx.default_id, metadata)


ABCD = _Abcd()
