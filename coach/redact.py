"""Redaction: mask personal data in transcripts before anything is analysed, stored or rendered.

::

    from coach.redact import redact_text, redact_transcript
    redact_text("Card 4111 1111 1111 1111, mail ann@example.com")
    # 'Card [CARD], mail [EMAIL]'

What is masked, each by a fixed token (so a reader still sees *that* something was said):

==========  ==========================================================================================
``[EMAIL]`` e-mail addresses
``[CARD]``  payment card numbers: 13–19 digits, optionally grouped by spaces or dashes, that pass
            the Luhn check (so order numbers and dates of that length stay readable)
``[ID]``    national identity numbers: US Social Security numbers (``123-45-6789``, ``123 45 6789``),
            UK National Insurance numbers (``QQ 12 34 56 C``), Canadian Social Insurance numbers
            (``046 454 286``, ``046-454-286``, Luhn-checked)
``[PHONE]`` phone numbers: an international number (``+44 20 7946 0958``) or 10–15 digits written
            in groups (``(555) 123-4567``, ``020 7946 0958``, ``555.123.4567``)
==========  ==========================================================================================

Numbers spoken as words ("four one one one …"), postal addresses and names are *not* masked: redaction
is pattern-based and errs on the side of the patterns above. ``redact_transcript`` masks the turn texts,
speaker names, the call id and every string in the metadata. ``redact_report`` does the same to a
finished ``Report`` and moves every character span (evidence, clarity issues) onto the masked text.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from .report import CallClarity, Evidence, Hint, Issue, OrderFinding, Report
from .transcript import Transcript

__all__ = ["MASKS", "redact_report", "redact_text", "redact_transcript"]

#: The token each kind of personal data is replaced by.
MASKS = {"email": "[EMAIL]", "card": "[CARD]", "id": "[ID]", "phone": "[PHONE]"}

# Digits glued to letters, other digits or a dash/dot before them belong to something else (an id,
# a version, a UUID), so every numeric pattern is fenced by these look-arounds.
_BEFORE = r"(?<![\w.+\-/])"
_AFTER = r"(?![\w\-/]|[.,]\d)"

_EMAIL = re.compile(r"(?<![\w.+\-])[\w.+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}\b")
_CARD = re.compile(_BEFORE + r"\d(?:[ \-]?\d){12,18}" + _AFTER)
_SSN = re.compile(_BEFORE + r"\d{3}([ \-])\d{2}\1\d{4}" + _AFTER)
_SIN = re.compile(_BEFORE + r"\d{3}([ \-])\d{3}\1\d{3}" + _AFTER)
_NINO = re.compile(r"\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b")
_PHONE = re.compile(
    r"(?<![\w+\-/])(?:"
    r"\+\d{1,3}(?:[ .\-]?\(?\d{1,4}\)?){2,6}"  # international: +CC then groups
    r"|\(\d{2,5}\)[ .\-]?\d{2,4}(?:[ .\-]?\d{2,4}){1,3}"  # (area) groups
    r"|\d{2,5}(?:[ .\-]\d{2,4}){2,4}"  # grouped digits
    r"|\d{10,11}"  # one run: a national number written without spaces
    r")" + _AFTER
)


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def luhn_valid(digits: str) -> bool:
    """True when the digit string passes the Luhn checksum (payment cards, Canadian SINs)."""
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return bool(digits) and total % 10 == 0


def _is_card(match: re.Match[str]) -> bool:
    digits = _digits(match.group())
    return 13 <= len(digits) <= 19 and len(set(digits)) > 1 and luhn_valid(digits)


def _is_sin(match: re.Match[str]) -> bool:
    return luhn_valid(_digits(match.group()))


_DOTTED_PHONE = re.compile(r"(?:\+\d{1,3}[ .])?\(?\d{3}\)?\.\d{3}\.\d{4}")


def _is_phone(match: re.Match[str]) -> bool:
    text = match.group()
    if "." in text and not _DOTTED_PHONE.fullmatch(text):
        return False  # dotted groups are IP addresses and version numbers, unless shaped 555.123.4567
    return 10 <= len(_digits(text)) <= 15


def _is_ssn(match: re.Match[str]) -> bool:
    area, group, serial = _digits(match.group())[:3], _digits(match.group())[3:5], _digits(match.group())[5:]
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


# Most specific first: an e-mail's digits are never a phone number, a card is never a phone number.
_RULES: tuple[tuple[str, re.Pattern[str], Callable[[re.Match[str]], bool] | None], ...] = (
    ("email", _EMAIL, None),
    ("card", _CARD, _is_card),
    ("id", _SSN, _is_ssn),
    ("id", _SIN, _is_sin),
    ("id", _NINO, None),
    ("phone", _PHONE, _is_phone),
)


@dataclass(frozen=True, slots=True)
class _Edits:
    """The masked text and the replaced spans ``(old_start, old_end, new_start, new_end)``."""

    text: str
    spans: tuple[tuple[int, int, int, int], ...]

    def position(self, offset: int, *, end: bool = False) -> int:
        """Where ``offset`` of the original text lands in the masked text; an offset inside a
        masked span snaps to the mask's start (or, for an ``end``, its end) so spans stay whole."""
        i = bisect.bisect_right([s[0] for s in self.spans], offset) - 1
        if i < 0:
            return offset
        old_start, old_end, new_start, new_end = self.spans[i]
        if offset >= old_end:
            return offset - old_end + new_end
        if offset == old_start:
            return new_start
        return new_end if end else new_start


def _edits(text: str) -> _Edits:
    found: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern, check in _RULES:
        for m in pattern.finditer(text):
            if check is not None and not check(m):
                continue
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            found.append((m.start(), m.end(), MASKS[kind]))
            taken.append((m.start(), m.end()))
    if not found:
        return _Edits(text, ())
    found.sort()
    parts: list[str] = []
    spans: list[tuple[int, int, int, int]] = []
    last = length = 0
    for start, end, mask in found:
        parts.append(text[last:start])
        length += start - last
        parts.append(mask)
        spans.append((start, end, length, length + len(mask)))
        length += len(mask)
        last = end
    parts.append(text[last:])
    return _Edits("".join(parts), tuple(spans))


def redact_text(text: str) -> str:
    """``text`` with e-mail addresses, card numbers, national ids and phone numbers masked (see ``MASKS``)."""
    return _edits(text).text


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict) or hasattr(value, "items"):
        return {k: _redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_value(v) for v in value]
    return value


def redact_transcript(transcript: Transcript) -> Transcript:
    """A copy of ``transcript`` with personal data masked in its id, turn texts, speaker names and metadata."""
    turns = tuple(
        replace(t, text=redact_text(t.text), speaker=None if t.speaker is None else redact_text(t.speaker))
        for t in transcript.turns
    )
    return replace(
        transcript, id=redact_text(transcript.id), turns=turns, metadata=_redact_value(dict(transcript.metadata))
    )


def _optional(text: str | None) -> str | None:
    return None if text is None else redact_text(text)


def redact_report(report: Report) -> Report:
    """A copy of ``report`` whose transcript is redacted (``redact_transcript``), with every span moved
    onto the masked text and every free text (reasons, messages, hints, paraphrases) masked too.

    Prefer redacting the transcript before analysis; this is for reports that already exist.
    """
    edits = [_edits(t.text) for t in report.transcript.turns]

    def span(turn: int, start: int, end: int) -> tuple[int, int]:
        if not 0 <= turn < len(edits):
            return start, end
        e = edits[turn]
        return e.position(start), e.position(end, end=True)

    def evidence(ev: Evidence) -> Evidence:
        start, end = span(ev.turn, ev.start, ev.end)
        return Evidence(ev.turn, start, end, redact_text(ev.reason))

    def issue(turn: int, i: Issue) -> Issue:
        start, end = span(turn, i.start, i.end)
        return Issue(i.kind, start, end, redact_text(i.message), _optional(i.suggestion))

    stages = {
        name: replace(r, evidence=tuple(evidence(e) for e in r.evidence)) for name, r in report.stages.items()
    }
    clarity = CallClarity(
        report.clarity.score,
        report.clarity.grade,
        tuple(replace(t, issues=tuple(issue(t.index, i) for i in t.issues)) for t in report.clarity.turns),
    )
    return replace(
        report,
        transcript=redact_transcript(report.transcript),
        stages=stages,
        order=tuple(OrderFinding(o.kind, redact_text(o.message), o.turns) for o in report.order),
        hints=tuple(Hint(h.kind, redact_text(h.message), _optional(h.example), h.turn, h.stage) for h in report.hints),
        clarity=clarity,
        paraphrases=tuple(
            replace(p, text=redact_text(p.text), alternatives=tuple(redact_text(a) for a in p.alternatives))
            for p in report.paraphrases
        ),
    )

