"""Plain-text transcripts: one turn per ``Speaker: text`` line.

::

    Call with Harbor Bank, 3 March
    [00:00:00] Agent: Good afternoon, you're speaking with Priya.
    00:00:04 Customer: I was charged twice for the same purchase.
    It's $84.20 both times.                      <- continuation: appended to the turn above
    (1:02) Agent: Let me check that for you.
    Customer [00:01:10]: Thanks.                 <- the time may follow the speaker too

Times (``[hh:mm:ss]``, ``hh:mm:ss``, ``(m:ss)``, with optional fractions) may come before or after
the speaker. A line is a new turn when its label carries a time, is a ``roles=`` name, is an agent or customer
alias, or labels at least two lines of the file; any other line continues the turn above (so a lone
"Note: ..." inside a turn stays text). Lines before the first turn are kept as metadata ``header``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

from ..errors import TranscriptError
from ..transcript import Role, Transcript, resolve_role, role_override
from ._base import Document, TurnBuilder, parse_timestamp

_STAMP = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
_STAMPED = rf"(?:\[{_STAMP}\]|\({_STAMP}\)|{_STAMP})"
#: A speaker label: starts with a letter, at most 40 characters, no commas or colons.
_LABEL = r"[^\W\d_][\w .'’&/()#+-]{0,39}?"
_TURN = re.compile(
    rf"^\s*(?:(?P<pre>{_STAMPED})\s*[-–]?\s*)?(?P<label>{_LABEL})\s*(?P<post>{_STAMPED})?\s*[:：]\s*(?P<text>.*)$"
)


def _seconds(stamp: str | None) -> float | None:
    return None if stamp is None else parse_timestamp(stamp.strip("[]()"))


def _candidates(lines: list[str]) -> list[re.Match[str] | None]:
    return [_TURN.match(line) if line.strip() else None for line in lines]


def _is_turn(match: re.Match[str] | None, counts: Counter[str], roles: Mapping[str, str | Role] | None) -> bool:
    if match is None:
        return False
    label = match["label"].strip()
    if len(label.split()) > 5:
        return False
    if match["pre"] or match["post"] or counts[label] >= 2 or role_override(label, roles) is not None:
        return True
    # "Note:" or "Event:" once inside a turn is text; a lone label counts only when it names a person's role.
    return resolve_role(label) in (Role.AGENT, Role.CUSTOMER)


class _Text:
    name = "text"
    description = 'plain text, one "Speaker: text" turn per line, optional [hh:mm:ss] times, continuation lines'
    extensions = (".txt", ".text", ".md")
    options: tuple[str, ...] = ()

    def detect(self, doc: Document) -> float:
        if doc.sample is not None:  # valid JSON is never this format
            return 0.0
        lines = [line for line in doc.head.splitlines() if line.strip()][:200]
        if not lines:
            return 0.0
        matches = _candidates(lines)
        counts = Counter(m["label"].strip() for m in matches if m)
        turns = sum(_is_turn(m, counts, None) for m in matches)
        if turns == 0:
            return 0.0
        share = turns / len(lines)
        return 0.6 if share >= 0.6 else 0.5 if share >= 0.3 else 0.2

    def read(self, doc: Document, roles: Mapping[str, str | Role] | None, **options: Any) -> Iterator[Transcript]:
        lines = doc.text.splitlines()
        matches = _candidates(lines)
        counts = Counter(m["label"].strip() for m in matches if m)
        builder = TurnBuilder(doc.source, roles)
        header: list[str] = []
        current: tuple[str, list[str], float | None] | None = None
        for line, match in zip(lines, matches, strict=True):
            if _is_turn(match, counts, roles):
                assert match is not None
                if current:
                    builder.add(current[0], "\n".join(current[1]), start=current[2])
                current = (match["label"].strip(), [match["text"]], _seconds(match["pre"] or match["post"]))
            elif not line.strip():
                continue
            elif current:
                current[1].append(line)
            else:
                header.append(line.strip())
        if current:
            builder.add(current[0], "\n".join(current[1]), start=current[2])
        if current is None:
            raise TranscriptError(
                'no "Speaker: text" line found',
                source=doc.source,
                hint='start each turn with its speaker, e.g. "Agent: Hello" (or pass format=)',
            )
        yield builder.build(doc.stem, {"header": "\n".join(header)} if header else {})


TEXT = _Text()
