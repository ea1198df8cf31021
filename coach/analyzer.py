"""``Coach``: analysis of whole calls and live sessions, which are the same thing.

``Coach.analyze`` feeds every turn of a transcript to a live ``Session`` and asks it for the
report, so batch and live results can never disagree (DESIGN.md, principle 2).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import lang as _lang
from .config import Config
from .formats import Source, load
from .report import Report, RoleStats, Stats
from .transcript import Role, Transcript, Turn, resolve_role, role_override

__all__ = ["Coach", "Session", "TurnResult"]


def _version() -> str:
    from . import __version__

    return __version__


class Coach:
    """Analyses calls in one language with one configuration. The constructor only stores them;
    language data and models load on first use and are cached per process."""

    def __init__(self, lang: str = "en", config: Config | Mapping[str, Any] | str | None = None) -> None:
        self.lang = lang
        self.config = config

    @functools.cached_property
    def _config(self) -> Config:
        return Config.load(self.config)

    def analyze(
        self,
        source: Transcript | Source,
        *,
        format: str = "auto",
        roles: Mapping[str, str | Role] | None = None,
    ) -> Report:
        """The Report for one call (a Transcript, or anything ``coach.load`` reads)."""
        transcript = source if isinstance(source, Transcript) else load(source, format, roles=roles)
        session = self.live(id=transcript.id, metadata=transcript.metadata)
        session.transcript_language = transcript.language
        for turn in transcript.turns:
            session.add_turn(turn)
        return session.report()

    def live(self, *, id: str = "live", metadata: Mapping[str, Any] | None = None) -> Session:
        """A new live session: feed it turns with ``add``, ask for ``report()`` at any time."""
        return Session(self, id=id, metadata=metadata or {})


@dataclass(frozen=True, slots=True)
class TurnResult:
    """What one added turn produced. ``index`` is the turn's index in the session's transcript."""

    index: int
    turn: Turn

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "turn": self.turn.to_dict()}


class Session:
    """A call in progress. ``add`` one turn at a time; ``report()`` equals ``Coach.analyze`` on the same turns."""

    def __init__(self, coach: Coach, *, id: str, metadata: Mapping[str, Any]) -> None:
        self.coach = coach
        self.language = _lang.require(coach.lang)
        self.id = id
        self.metadata = dict(metadata)
        #: The language the source declared (kept in the report's transcript); analysis uses ``language``.
        self.transcript_language = self.language
        self._turns: list[Turn] = []

    @property
    def transcript(self) -> Transcript:
        return Transcript(self.id, tuple(self._turns), self.metadata, self.transcript_language)

    def add(
        self,
        speaker: str | Role,
        text: str,
        start: float | None = None,
        end: float | None = None,
        *,
        roles: Mapping[str, str | Role] | None = None,
    ) -> TurnResult:
        """Add what ``speaker`` said; ``speaker`` is a role or a label (``roles`` maps names to roles)."""
        from .formats._base import clean_text
        from .transcript import unresolved_roles

        if isinstance(speaker, Role):
            role, name = speaker, None
        else:
            role = role_override(speaker, roles) or resolve_role(speaker)
            name = speaker
            if role is None:
                raise unresolved_roles([speaker], f"<live session {self.id}>")
        return self.add_turn(Turn(role, clean_text(text), speaker=name, start=start, end=end))

    def add_turn(self, turn: Turn) -> TurnResult:
        index = len(self._turns)
        self._turns.append(turn)
        return TurnResult(index, turn)

    def report(self) -> Report:
        transcript = self.transcript
        return Report(
            transcript=transcript,
            stats=statistics(transcript),
            language=self.language,
            version=_version(),
        )


def word_count(text: str) -> int:
    """Words as people count them: runs of letters or digits (fast; no tokenizer needed)."""
    return sum(1 for w in text.split() if any(c.isalnum() for c in w))


def statistics(transcript: Transcript) -> Stats:
    """Turns and words per role, talk time when timestamps exist, and the longest customer monologue."""
    per_role: dict[str, list[float]] = {}
    timed = True
    run_words, run_start = 0, None
    best_words, best_run = 0, ()
    total_words = 0
    for i, turn in enumerate(transcript.turns):
        words = word_count(turn.text)
        total_words += words
        entry = per_role.setdefault(turn.role.value, [0, 0, 0.0])
        entry[0] += 1
        entry[1] += words
        if turn.start is not None and turn.end is not None and turn.end >= turn.start:
            entry[2] += turn.end - turn.start
        else:
            timed = False
        if turn.role is Role.CUSTOMER:
            if run_start is None:
                run_start, run_words = i, 0
            run_words += words
            if run_words > best_words:
                best_words, best_run = run_words, (run_start, i)
        else:
            run_start = None
    starts = [t.start for t in transcript.turns if t.start is not None]
    ends = [t.end if t.end is not None else t.start for t in transcript.turns if t.start is not None]
    duration = round(max(ends) - min(starts), 3) if starts else None
    roles = {
        role: RoleStats(int(n), int(w), round(secs, 3) if timed and transcript.turns else None)
        for role, (n, w, secs) in per_role.items()
    }
    return Stats(
        turns=len(transcript.turns),
        words=total_words,
        roles=roles,
        duration=duration,
        longest_customer_monologue=best_words,
        longest_customer_monologue_turns=best_run,
    )
