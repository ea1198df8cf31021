"""``Coach``: analysis of whole calls and live sessions, which are the same thing.

``Coach.analyze`` feeds every turn of a transcript to a live ``Session`` and asks it for the
report, so batch and live results can never disagree (DESIGN.md, principle 2). Each turn is
processed once, when it arrives: stage detection, clarity of agent turns, paraphrase suggestions
for customer turns that state a problem, and recognition of agent turns that confirm them.
"""

from __future__ import annotations

import functools
import gc
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from . import lang as _lang
from .config import Config
from .formats import Source, load
from .formats._base import clean_text
from .report import (
    CallClarity,
    Clarity,
    Hint,
    Paraphrase,
    Report,
    RoleStats,
    Stats,
    TurnClarity,
)
from .transcript import Role, Transcript, Turn, resolve_role, role_override, unresolved_roles

__all__ = ["Coach", "Session", "TurnResult"]

#: Seconds a customer may wait for the agent's answer before the live session says so.
SLOW_ANSWER = 10.0
#: At most this many hints per turn, most important first.
MAX_HINTS = 3


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
    def settings(self) -> Config:
        """The configuration, parsed and checked."""
        return Config.load(self.config)

    @functools.cached_property
    def stages(self):
        from .stages import StageEngine

        return StageEngine(self.lang, self.settings)

    @functools.cached_property
    def clarity_scorer(self):
        from .clarity import ClarityScorer

        return ClarityScorer(self.lang, self.settings.clarity)

    @functools.cached_property
    def paraphraser(self):
        from .paraphrase import Paraphraser

        return Paraphraser(self.lang)

    def warm_up(self, *, freeze: bool = False) -> Coach:
        """Load every model and language table now, by analysing a two-turn call, so the first real
        turn does not pay for it; returns the Coach.

        ``freeze=True`` then calls ``gc.freeze()``: what is loaded so far (about 200,000 long-lived
        objects) leaves the cyclic garbage collector's view, so its full collections, which otherwise
        walk all of it and pause the process for 100–200 ms, stay under a millisecond. For processes
        that serve turns with a latency target (``coach serve`` does it); it affects
        the whole process, so it is off by default.
        """
        turns = (
            Turn(Role.CUSTOMER, "My card was charged twice."),
            Turn(Role.AGENT, "I'm sorry about that. So you were charged twice, right? I've refunded the second charge."),
        )
        self.analyze(Transcript("warm-up", turns, language=self.lang))
        if freeze:
            gc.collect()
            gc.freeze()
        return self

    def analyze(
        self,
        source: Transcript | Source,
        *,
        format: str = "auto",
        roles: Mapping[str, str | Role] | None = None,
        **options: Any,
    ) -> Report:
        """The Report for one call (a Transcript, or anything ``coach.load`` reads; ``options`` go to its reader)."""
        transcript = source if isinstance(source, Transcript) else load(source, format, roles=roles, **options)
        session = self.live(id=transcript.id, metadata=transcript.metadata)
        session.transcript_language = transcript.language
        for turn in transcript.turns:
            session.add_turn(turn)
        return session.report()

    def live(self, *, id: str = "live", metadata: Mapping[str, Any] | None = None) -> Session:
        """A new live session: feed it turns with ``add``, ask for ``report()`` at any time."""
        return Session(self, id=id, metadata=metadata or {})

    def clarity(self, text: str) -> Clarity:
        """How plainly ``text`` reads, with its issues (see ``coach.clarity``)."""
        return self.clarity_scorer.score(clean_text(text))

    def paraphrase(self, text: str, n: int = 3) -> list[str]:
        """Up to ``n`` confirming paraphrases of a customer's words, best first."""
        return [s.text for s in self.paraphraser.suggest(clean_text(text), n)]


@dataclass(frozen=True, slots=True)
class TurnResult:
    """What one added turn produced, for agent assist.

    ``stages`` lists the stages this turn showed; ``clarity`` is set for agent turns; ``paraphrase``
    for a customer turn that states a problem; ``hints`` says what to say or do next (at most three,
    most important first). ``final`` is false for a preview of a partial speech-recognition result,
    which changes nothing in the session.
    """

    index: int
    turn: Turn
    stages: tuple[str, ...] = ()
    clarity: TurnClarity | None = None
    paraphrase: Paraphrase | None = None
    hints: tuple[Hint, ...] = ()
    final: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "final": self.final,
            "turn": self.turn.to_dict(),
            "stages": list(self.stages),
            "clarity": None if self.clarity is None else self.clarity.to_dict(),
            "paraphrase": None if self.paraphrase is None else self.paraphrase.to_dict(),
            "hints": [h.to_dict() for h in self.hints],
        }


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
        self._stage_state = coach.stages.start()
        self._clarity: list[TurnClarity] = []
        self._acronyms: set[str] = set()
        self._suggestions: dict[int, Paraphrase] = {}
        self._confirmed: dict[int, int] = {}
        self._prepared: list[tuple[int, Any]] = []
        self._hinted: set[str] = set()
        self._present: set[str] = set()

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
        final: bool = True,
        roles: Mapping[str, str | Role] | None = None,
    ) -> TurnResult:
        """Add what ``speaker`` said; ``speaker`` is a role or a label (``roles`` maps names to roles).

        With ``final=False`` the text is a partial speech-recognition result: the session returns a
        preview (clarity, paraphrase) and keeps nothing, so the final text is counted once.
        """
        if isinstance(speaker, Role):
            role, name = speaker, None
        else:
            role = role_override(speaker, roles) or resolve_role(speaker)
            name = speaker
            if role is None:
                raise unresolved_roles([speaker], f"<live session {self.id}>")
        turn = Turn(role, clean_text(text), speaker=name, start=start, end=end)
        if not final:
            return self._preview(turn)
        return self.add_turn(turn)

    def add_turn(self, turn: Turn) -> TurnResult:
        """Add a ``Turn`` as it is (the batch path)."""
        coach = self.coach
        index = len(self._turns)
        self._turns.append(turn)
        # No spaCy Doc per turn: each part reads the text its own way (stage words, clarity words,
        # paraphrase tokens), and a Doc nobody reads cost a fifth of the analysis.
        findings = coach.stages.observe(self._stage_state, index, turn)
        self._present.update(f.stage for f in findings)
        clarity = paraphrase = None
        if turn.role is Role.AGENT:
            clarity = self._score(index, turn.text)
            self._clarity.append(clarity)
            self._acronyms |= coach.clarity_scorer.expansions(turn.text)
            if any(f.stage == "confirm" for f in findings):
                # only a turn the confirm stage accepted can confirm a customer's problem
                self._mark_confirmation(index, turn.text)
        elif turn.role is Role.CUSTOMER:
            paraphrase = self._suggest(index, turn.text)
            if paraphrase is not None:
                self._suggestions[index] = paraphrase
                self._prepared.append((index, coach.paraphraser.prepare(turn.text)))
        stages = tuple(f.stage for f in findings)
        return TurnResult(index, turn, stages, clarity, paraphrase, self._live_hints(index, turn, clarity, paraphrase))

    def _score(self, index: int, text: str) -> TurnClarity:
        c = self.coach.clarity_scorer.score(text, known_acronyms=frozenset(self._acronyms))
        return TurnClarity(c.score, c.grade, c.confidence, c.issues, c.words, index=index)

    def _suggest(self, index: int, text: str) -> Paraphrase | None:
        # The paraphraser analyses the turn once for checking, suggesting and preparing it (cached by text).
        paraphraser = self.coach.paraphraser
        if not paraphraser.states_problem(text):
            return None
        found = paraphraser.suggest(text, 3, variant=len(self._suggestions))
        if not found:
            return None
        best = found[0]
        return Paraphrase(best.text, index, best.score, None, tuple(s.text for s in found[1:]))

    def _mark_confirmation(self, index: int, text: str) -> None:
        if not self._prepared:
            return
        match = self.coach.paraphraser.match(text, self._prepared)
        if match is not None and not match.parroting and match.turn not in self._confirmed:
            self._confirmed[match.turn] = index

    def _preview(self, turn: Turn) -> TurnResult:
        index = len(self._turns)
        clarity = paraphrase = None
        if turn.role is Role.AGENT:
            clarity = self._score(index, turn.text)
        elif turn.role is Role.CUSTOMER:
            paraphrase = self._suggest(index, turn.text)
        return TurnResult(index, turn, (), clarity, paraphrase, (), final=False)

    def _live_hints(
        self, index: int, turn: Turn, clarity: TurnClarity | None, paraphrase: Paraphrase | None
    ) -> tuple[Hint, ...]:
        """What the agent should say or do next, most important first, none repeated once acted on."""
        present = self._present
        hints: list[Hint] = []

        def once(kind: str, hint: Hint) -> None:
            if kind not in self._hinted:
                self._hinted.add(kind)
                hints.append(hint)

        if paraphrase is not None:
            # every problem the customer states is a new moment to confirm
            hints.append(
                Hint("confirm_now", "Customer has explained the problem — confirm it", paraphrase.text, index, "confirm")
            )
            if "reassure" not in present:
                once(
                    "reassure_now",
                    Hint(
                        "reassure_now",
                        "No reassurance yet — say you're sorry it happened and that you'll see it through",
                        "I'm sorry about that — I'll make sure we get this sorted for you.",
                        index,
                        "reassure",
                    ),
                )
        if turn.role is Role.AGENT:
            previous = self._turns[index - 1] if index else None
            if (
                previous is not None
                and previous.role is Role.CUSTOMER
                and previous.end is not None
                and turn.start is not None
                and turn.start - previous.end >= SLOW_ANSWER
            ):
                waited = turn.start - previous.end
                hints.append(Hint("slow_answer", f"Customer waited {waited:.0f} s for an answer", None, index))
            if "fix" in present and "follow_up" not in present and self.coach.settings.stage("follow_up").enabled:
                once(
                    "follow_up_now",
                    Hint(
                        "follow_up_now",
                        "You fixed it — offer a follow-up to check it worked",
                        "I'll call you in a couple of days to make sure everything is working.",
                        index,
                        "follow_up",
                    ),
                )
            if clarity is not None:
                for issue in clarity.issues:
                    if issue.suggestion:
                        word = turn.text[issue.start : issue.end]
                        hints.append(Hint(f"clarity_{issue.kind}", f"'{word}' → '{issue.suggestion}'", None, index))
                        break
        return tuple(hints[:MAX_HINTS])

    def report(self) -> Report:
        """The report for the turns so far; equal to ``Coach.analyze`` on the same turns."""
        transcript = self.transcript
        outcome = self.coach.stages.finish(self._stage_state)
        score, grade = _call_clarity(self._clarity)
        paraphrases = tuple(
            sorted(
                (replace(p, confirmed_by=self._confirmed.get(i)) for i, p in self._suggestions.items()),
                key=lambda p: (-p.score, p.source_turn),
            )
        )
        return Report(
            transcript=transcript,
            stats=statistics(transcript),
            stages=outcome.stages,
            order=outcome.order,
            hints=outcome.hints,
            clarity=CallClarity(score, grade, tuple(self._clarity)),
            paraphrases=paraphrases,
            language=self.language,
            version=_version(),
        )

    def to_dict(self) -> dict[str, Any]:
        """The session as JSON-safe data, for services that keep sessions in their own store."""
        return {
            "coach_version": _version(),
            "id": self.id,
            "language": self.language,
            "transcript_language": self.transcript_language,
            "metadata": dict(self.metadata),
            "turns": [t.to_dict() for t in self._turns],
        }

    @classmethod
    def from_dict(cls, coach: Coach, data: Mapping[str, Any]) -> Session:
        """A session rebuilt from ``to_dict`` output: the turns are replayed, so the state is exact."""
        from .errors import TranscriptError

        try:
            session = cls(coach, id=str(data["id"]), metadata=dict(data.get("metadata", {})))
            session.transcript_language = data.get("transcript_language", session.language)
            turns = [Turn.from_dict(t) for t in data["turns"]]
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise TranscriptError(
                f"not a session state ({exc!r})", source="<session state>", hint="pass Session.to_dict() output"
            ) from None
        for turn in turns:
            session.add_turn(turn)
        return session


def _call_clarity(turns: list[TurnClarity]) -> tuple[float | None, str | None]:
    from .clarity import call_score

    return call_score(turns)


# A chunk between spaces counts from its first letter or digit (``[^\W_]`` is ``str.isalnum``) to
# its end; a chunk without one never matches. Linear: nothing is tried twice.
_COUNTED = re.compile(r"[^\W_]\S*")


def word_count(text: str) -> int:
    """Words as people count them: the chunks between spaces that hold a letter or digit (one pass
    in C; no tokenizer needed)."""
    return len(_COUNTED.findall(text))


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
