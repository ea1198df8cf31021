"""What an analysis returns: the ``Report`` and the result types it is made of.

All are frozen and JSON-safe through ``to_dict``. Character spans (``start``, ``end``) index the
text of ``transcript.turns[turn]``; turn indices index ``transcript.turns``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ._frozen import picklable
from .transcript import Transcript

__all__ = [
    "STAGES",
    "CallClarity",
    "Clarity",
    "Evidence",
    "Hint",
    "Issue",
    "OrderFinding",
    "Paraphrase",
    "Report",
    "RoleStats",
    "StageResult",
    "Stats",
    "TurnClarity",
]

#: The five stages in framework order.
STAGES: tuple[str, ...] = ("reassure", "listen", "confirm", "fix", "follow_up")


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a finding was made: the turn, the character span in its text, and the reason."""

    turn: int
    start: int
    end: int
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return _flat(self)


@dataclass(frozen=True, slots=True)
class StageResult:
    """One stage over a whole call. ``confidence`` (0–1) is that of the strongest turn, or of absence."""

    stage: str
    present: bool
    turns: tuple[int, ...] = ()
    confidence: float = 0.0
    evidence: tuple[Evidence, ...] = ()
    enabled: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "present": self.present,
            "turns": list(self.turns),
            "confidence": round(self.confidence, 4),
            "evidence": [e.to_dict() for e in self.evidence],
            "enabled": self.enabled,
        }


@dataclass(frozen=True, slots=True)
class OrderFinding:
    """A stage done out of order (``kind`` e.g. ``fix_before_confirm``), with the turns involved."""

    kind: str
    message: str
    turns: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message, "turns": list(self.turns)}


@dataclass(frozen=True, slots=True)
class Hint:
    """Coaching advice: what to say or do, with an example fitted to this call where there is one.

    ``turn`` is where the advice applies (for a missing stage: the point in the call it was due).
    """

    kind: str
    message: str
    example: str | None = None
    turn: int | None = None
    stage: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return _flat(self)


@dataclass(frozen=True, slots=True)
class Issue:
    """A clarity problem in a text: ``kind``, the span ``[start, end)``, what is wrong, and a plainer alternative."""

    kind: str
    start: int
    end: int
    message: str
    suggestion: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return _flat(self)


@dataclass(frozen=True, slots=True)
class Clarity:
    """How plainly a text reads: ``score`` 0–100, higher is clearer (``None`` for a text with no words).

    ``confidence`` (0–1) is lower for very short texts, where any score says less.
    """

    score: float | None
    grade: str | None
    confidence: float
    issues: tuple[Issue, ...] = ()
    words: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": None if self.score is None else round(self.score, 1),
            "grade": self.grade,
            "confidence": round(self.confidence, 3),
            "words": self.words,
            "issues": [i.to_dict() for i in self.issues],
        }


@dataclass(frozen=True, slots=True)
class TurnClarity(Clarity):
    """The clarity of one agent turn; ``index`` is the turn's index in the transcript."""

    index: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, **Clarity.to_dict(self)}


@dataclass(frozen=True, slots=True)
class CallClarity:
    """Clarity of the agent over a call: word-weighted mean of the turn scores (``None`` if the agent said nothing)."""

    score: float | None
    grade: str | None
    turns: tuple[TurnClarity, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": None if self.score is None else round(self.score, 1),
            "grade": self.grade,
            "turns": [t.to_dict() for t in self.turns],
        }


@dataclass(frozen=True, slots=True)
class Paraphrase:
    """A confirming paraphrase of what the customer said in ``source_turn``.

    ``confirmed_by`` is the agent turn that later confirmed that content, or ``None`` when the
    agent never did (a missed moment).
    """

    text: str
    source_turn: int
    score: float = 0.0
    confirmed_by: int | None = None
    alternatives: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "source_turn": self.source_turn,
            "score": round(self.score, 4),
            "confirmed_by": self.confirmed_by,
            "alternatives": list(self.alternatives),
        }


@dataclass(frozen=True, slots=True)
class RoleStats:
    """What one role contributed: turns, words, and talk time in seconds (``None`` without timestamps)."""

    turns: int = 0
    words: int = 0
    talk_time: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return _flat(self)


@dataclass(frozen=True, slots=True)
class Stats:
    """Conversation statistics.

    ``duration`` is seconds from the first turn's start to the last turn's end (``None`` without
    timestamps). ``longest_customer_monologue`` counts the words of the longest run of consecutive
    customer turns; ``longest_customer_monologue_turns`` gives that run's first and last turn.
    """

    turns: int
    words: int
    roles: Mapping[str, RoleStats]
    duration: float | None
    longest_customer_monologue: int
    longest_customer_monologue_turns: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "turns": self.turns,
            "words": self.words,
            "roles": {k: v.to_dict() for k, v in self.roles.items()},
            "duration": self.duration,
            "longest_customer_monologue": self.longest_customer_monologue,
            "longest_customer_monologue_turns": list(self.longest_customer_monologue_turns),
        }


def _flat(obj: Any) -> dict[str, Any]:
    """A dataclass whose fields are all plain values as a dict (``asdict`` deep-copies, slowly)."""
    return {name: getattr(obj, name) for name in obj.__slots__}


@picklable
@dataclass(frozen=True, slots=True)
class Report:
    """Everything coach found in one call. ``stages`` is in framework order; ``missing`` too."""

    transcript: Transcript
    stats: Stats
    stages: Mapping[str, StageResult] = field(default_factory=dict)
    order: tuple[OrderFinding, ...] = ()
    hints: tuple[Hint, ...] = ()
    clarity: CallClarity = field(default_factory=lambda: CallClarity(None, None))
    paraphrases: tuple[Paraphrase, ...] = ()
    language: str = "en"
    version: str = ""

    @property
    def id(self) -> str:
        return self.transcript.id

    @property
    def missing(self) -> tuple[str, ...]:
        """Enabled stages absent from the call, in framework order."""
        return tuple(s for s, r in self.stages.items() if r.enabled and not r.present)

    def to_dict(self, *, transcript: bool = False) -> dict[str, Any]:
        """A JSON-safe dict; ``transcript=True`` includes the turns."""
        out: dict[str, Any] = {
            "id": self.id,
            "language": self.language,
            "coach_version": self.version,
            "metadata": dict(self.transcript.metadata),
            "stages": {k: v.to_dict() for k, v in self.stages.items()},
            "missing": list(self.missing),
            "order": [o.to_dict() for o in self.order],
            "hints": [h.to_dict() for h in self.hints],
            "clarity": self.clarity.to_dict(),
            "paraphrases": [p.to_dict() for p in self.paraphrases],
            "stats": self.stats.to_dict(),
        }
        if transcript:
            out["transcript"] = self.transcript.to_dict()
        return out
