"""``StageEngine``: stage detection over a call, turn by turn.

::

    engine = StageEngine("en", config)          # only stores
    state = engine.start()                      # per-call state, plain data
    for i, turn in enumerate(transcript.turns):
        findings = engine.observe(state, i, turn, doc)   # () for customer, bot and system turns
    outcome = engine.finish(state)              # StagesOutcome(stages, order, hints); state untouched

Batch analysis is the live path fed every turn, so both give the same results. ``state.to_dict()``
and ``StageEngine.state_from_dict`` round-trip, so a stateless server can keep a live call between
turns. Only agent turns are ever assessed; the same input gives the same output.

Voice transcribers cut sentences at pauses ("alright your password reset link" / "has been sent to
your phone"). When an agent segment ends on a word no sentence ends on, or the next one starts like
a continuation (lists in ``stages_norm.json``), the two are also assessed joined; a stage the joined
sentence shows is found in both segments — so ``observe`` may return a finding for the previous
agent turn along with the current one.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from .. import lang as _lang
from .._limits import TEXTS
from ..config import DEFAULT, Config
from ..errors import CoachError
from ..report import STAGES, Evidence, Hint, OrderFinding, StageResult
from ..transcript import Role, Turn
from . import coaching
from ._text import Words, normalizer
from .base import Assessment, Context, Detector, Finding, TurnView, evidence
from .cues import StageCues, cue_matcher
from .features import Heard, content_keys, context_features, restating, text_features
from .model import stage_model
from .registry import DETECTORS

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["DEFAULT_THRESHOLD", "PROBLEM_WORDS", "CallState", "StageEngine", "StagesOutcome"]

#: A stage's threshold unless the configuration sets one: the model's confidence is calibrated so
#: that 0.5 is the threshold cross-validation chose.
DEFAULT_THRESHOLD = 0.5
#: Content words a customer turn needs to count as stating the problem (greetings and "yes" have fewer).
PROBLEM_WORDS = 3
_MEMO_SIZE = TEXTS


@dataclass(frozen=True, slots=True)
class StagesOutcome:
    """Stage detection over a call: ``stages`` (framework order), ``order`` findings, ``hints`` for missing stages."""

    stages: Mapping[str, StageResult]
    order: tuple[OrderFinding, ...]
    hints: tuple[Hint, ...]

    @property
    def missing(self) -> tuple[str, ...]:
        """Enabled stages absent from the call, in framework order."""
        return tuple(s for s, r in self.stages.items() if r.enabled and not r.present)


@dataclass
class CallState:
    """Per-call state, plain data. ``to_dict``/``StageEngine.state_from_dict`` round-trip it.

    ``seen`` counts the turns observed; ``customer`` holds every customer turn as ``[index, text]``;
    ``spoke`` whether the customer has said anything; ``heard_*`` describe their latest run of turns
    (``run_open`` while it goes on); ``previous`` is the last agent segment ``[index, text]`` while
    no customer words followed it; ``problem`` is the first customer turn that states the problem
    and ``due`` the first agent turn after it; ``findings`` are every finding so far; ``best`` the
    highest confidence each stage reached, found or not, and in which turn; ``texts`` the text of
    each agent turn with a finding.
    """

    seen: int = 0
    agent_turns: int = 0
    last_agent: int | None = None
    first_time: float | None = None
    customer: list[tuple[int, str]] = field(default_factory=list)
    spoke: bool = False
    run_open: bool = False
    heard_keys: frozenset[str] = frozenset()
    heard_words: int = 0
    heard_question: bool = False
    previous: list[Any] | None = None
    problem: int | None = None
    due: int | None = None
    findings: list[Finding] = field(default_factory=list)
    best: dict[str, list[Any]] = field(default_factory=dict)
    texts: dict[int, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe copy."""
        return {
            "seen": self.seen,
            "agent_turns": self.agent_turns,
            "last_agent": self.last_agent,
            "first_time": self.first_time,
            "customer": [list(c) for c in self.customer],
            "spoke": self.spoke,
            "run_open": self.run_open,
            "heard_keys": sorted(self.heard_keys),
            "heard_words": self.heard_words,
            "heard_question": self.heard_question,
            "previous": None if self.previous is None else list(self.previous),
            "problem": self.problem,
            "due": self.due,
            "findings": [f.to_dict() for f in self.findings],
            "best": {k: list(v) for k, v in self.best.items()},
            "texts": {str(k): v for k, v in self.texts.items()},
        }


class _Text(NamedTuple):
    """What a turn's text alone determines (memoised per text): words, cues, features, logit part."""

    words: Words
    cues: Mapping[str, StageCues]
    features: list[str]
    keys: frozenset[str]
    restates: bool
    partial: list[float]


class StageEngine:
    """Detects the five stages in a call. The constructor only stores; data and the model load on first use."""

    def __init__(self, lang: str = "en", config: Config = DEFAULT) -> None:
        self.lang = lang
        self.config = config

    # -- pieces built on first use ----------------------------------------------------------------

    @functools.cached_property
    def _config(self) -> Config:
        return Config.load(self.config)

    @functools.cached_property
    def detectors(self) -> tuple[Detector, ...]:
        """The enabled stages' detectors, in framework order."""
        _lang.require(self.lang)
        return tuple(DETECTORS[s](self.lang, self._config) for s in STAGES if self._config.stage(s).enabled)

    @functools.cached_property
    def thresholds(self) -> dict[str, float]:
        """Per stage, the confidence a turn needs (the configuration's, else ``DEFAULT_THRESHOLD``)."""
        out = {}
        for stage in STAGES:
            t = self._config.stage(stage).threshold
            out[stage] = DEFAULT_THRESHOLD if t is None else t
        return out

    @functools.cached_property
    def _parts(self):
        model = stage_model()
        numbers = {s: model.stages.index(s) for s in STAGES}
        data = _lang.data(self.lang, "stages_norm")
        joints = frozenset(data["dangling_ends"]), frozenset(data["continuing_starts"])
        return normalizer(self.lang), cue_matcher(self.lang, self._config), model, numbers, joints

    @functools.cached_property
    def _memo(self) -> dict[str, _Text]:
        return {}

    def _text(self, text: str) -> _Text:
        entry = self._memo.get(text)
        if entry is None:
            norm, cues_of, model, _, _ = self._parts
            words = norm(text)
            cues = cues_of(words)
            features = text_features(words, cues)
            keys = content_keys(words.words, self.lang)
            restates = restating(words, cues, self.lang)
            entry = _Text(words, cues, features, keys, restates, model.partial(words, features))
            if len(self._memo) >= _MEMO_SIZE:
                self._memo.clear()
            self._memo[text] = entry
        return entry

    def load(self) -> StageEngine:
        """Build everything now — language data, cue matchers, the model — instead of on the first
        turn, so a bad configuration (``ConfigError``) or model (``ModelError``) fails at once."""
        norm, matcher, model, _, _ = self._parts
        matcher(norm("warm up"))
        model.word_vector("warm")
        for detector in self.detectors:
            detector.load()
        return self

    # -- the per-call API -------------------------------------------------------------------------

    def start(self) -> CallState:
        """State for a new call."""
        return CallState()

    @staticmethod
    def state_from_dict(data: Mapping[str, Any]) -> CallState:
        """The ``CallState`` that ``to_dict`` described."""
        try:
            return CallState(
                seen=int(data["seen"]),
                agent_turns=int(data["agent_turns"]),
                last_agent=data["last_agent"],
                first_time=data["first_time"],
                customer=[(int(i), str(t)) for i, t in data["customer"]],
                spoke=bool(data["spoke"]),
                run_open=bool(data["run_open"]),
                heard_keys=frozenset(data["heard_keys"]),
                heard_words=int(data["heard_words"]),
                heard_question=bool(data["heard_question"]),
                previous=None if data["previous"] is None else [int(data["previous"][0]), str(data["previous"][1])],
                problem=data["problem"],
                due=data["due"],
                findings=[Finding.from_dict(f) for f in data["findings"]],
                best={k: [float(v[0]), int(v[1])] for k, v in data["best"].items()},
                texts={int(k): str(v) for k, v in data["texts"].items()},
            )
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise CoachError(f"not a stage-detection state ({exc!r}); pass what CallState.to_dict() returned") from exc

    def observe(self, state: CallState, index: int, turn: Turn, doc: Doc | None = None) -> tuple[Finding, ...]:
        """Feed turn ``index`` (every turn, in order). Returns the stages found — always ``()`` for
        customer, bot and system turns, which only update what the engine knows of the call."""
        return self._step(state, index, turn, doc)[0]

    def assess(self, state: CallState, index: int, turn: Turn, doc: Doc | None = None) -> tuple[tuple[int, Assessment], ...]:
        """Like ``observe`` (and updating ``state`` the same way), but returns every enabled stage's
        ``Assessment`` — rule layer, model and combination side by side — as ``(turn, assessment)``
        pairs, for evaluation. A sentence split over two segments is assessed for both."""
        return self._step(state, index, turn, doc)[1]

    def finish(self, state: CallState, *, hints: bool = True) -> StagesOutcome:
        """The call's results so far (any time; ``state`` is not changed). ``hints=False`` leaves out
        the hints for missing stages, the costliest part (it paraphrases the customer's problem)."""
        by_stage: dict[str, list[Finding]] = {}
        for f in sorted(state.findings, key=lambda f: f.turn):
            by_stage.setdefault(f.stage, []).append(f)
        stages: dict[str, StageResult] = {}
        for stage in STAGES:
            if not self._config.stage(stage).enabled:
                stages[stage] = StageResult(stage, present=False, enabled=False)
                continue
            found = by_stage.get(stage, [])
            if found:
                stages[stage] = StageResult(
                    stage,
                    present=True,
                    turns=tuple(f.turn for f in found),
                    confidence=max(f.confidence for f in found),
                    evidence=tuple(e for f in found for e in f.evidence),
                )
            else:
                # Confidence of absence: how far the likeliest turn stayed from being this stage.
                top = state.best.get(stage, [0.0, None])[0]
                stages[stage] = StageResult(stage, present=False, confidence=round(1.0 - top, 4))
        first = {s: r.turns[0] for s, r in stages.items() if r.present}
        fixes = stages["fix"].turns
        facts = coaching.CallFacts(
            first=first,
            problem=state.problem,
            problem_text=next((t for i, t in state.customer if i == state.problem), ""),
            due=state.due,
            fix=fixes[-1] if fixes else None,
            fix_text=" ".join(state.texts.get(i, "") for i in fixes),
            last_agent=state.last_agent,
        )
        missing = tuple(s for s, r in stages.items() if r.enabled and not r.present)
        return StagesOutcome(
            stages=MappingProxyType(stages),
            order=coaching.order(facts, self.lang),
            hints=coaching.hints(missing, facts, self.lang) if hints else (),
        )

    # -- one turn ---------------------------------------------------------------------------------

    def _step(self, state: CallState, index: int, turn: Turn, doc: Doc | None):
        if index != state.seen:
            raise CoachError(f"turn {index} observed out of order: the engine expected turn {state.seen}")
        state.seen = index + 1
        if state.first_time is None and turn.start is not None:
            state.first_time = turn.start
        if turn.role is Role.CUSTOMER:
            self._hear(state, index, turn.text)
            return (), ()
        if turn.role is not Role.AGENT:
            return (), ()
        entry = self._text(turn.text)
        if not entry.words.words:
            # A noise-only agent segment ("[noise]") is not a turn the customer heard.
            return (), ()
        heard = Heard(state.heard_keys, state.heard_words, state.heard_question, state.spoke)
        elapsed = None if turn.start is None or state.first_time is None else turn.start - state.first_time
        context = Context(index, state.agent_turns, heard, tuple(state.customer), elapsed, tuple(state.findings))
        previous = state.previous
        state.agent_turns += 1
        state.last_agent = index
        state.run_open = False
        state.previous = [index, turn.text]
        if state.problem is not None and state.due is None:
            state.due = index

        found: list[Finding] = []
        assessed: list[tuple[int, Assessment]] = []
        view = self._view(index, turn.text, doc, entry, heard)
        self._judge(state, view, context, ((index, turn.text, 0),), found, assessed)
        if previous is not None and self._continues(previous[1], entry.words):
            joined_text = f"{previous[1]} {turn.text}"
            joined = self._view(index, joined_text, None, self._text(joined_text), heard)
            targets = ((previous[0], previous[1], 0), (index, turn.text, len(previous[1]) + 1))
            self._judge(state, joined, context, targets, found, assessed)
        if found:
            state.findings.extend(found)
            for f in found:
                state.texts[f.turn] = turn.text if f.turn == index else previous[1]
        return tuple(found), tuple(assessed)

    def _view(self, index: int, text: str, doc: Doc | None, entry: _Text, heard: Heard) -> TurnView:
        model = self._parts[2]
        features = context_features(entry.keys, heard, entry.restates)
        logits = model.add(entry.partial, features)
        return TurnView(index, text, doc, entry.words, entry.cues, entry.features + features, logits, model.probabilities(logits))

    def _judge(
        self,
        state: CallState,
        view: TurnView,
        context: Context,
        targets: tuple[tuple[int, str, int], ...],
        found: list[Finding],
        assessed: list[tuple[int, Assessment]],
    ) -> None:
        """Run every detector on ``view``; track each stage's best confidence and add a finding, over
        the threshold, for each ``(turn, text, offset in the view's text)`` target that lacks one.
        Two targets are the two segments of a split sentence."""
        thresholds, best = self.thresholds, state.best
        joined = len(targets) > 1
        if joined:
            had = {(f.stage, f.turn) for f in state.findings} | {(f.stage, f.turn) for f in found}
        for detector in self.detectors:
            a = detector.detect(view, context)
            stage, confidence = a.stage, a.confidence
            for target, text, shift in targets:
                assessed.append((target, a))
                top = best.get(stage)
                if top is None or confidence > top[0]:
                    best[stage] = [confidence, target]
                if confidence < thresholds[stage] or (joined and (stage, target) in had):
                    continue
                proof = evidence(view, a, self._parts[2], self._parts[3][stage])
                if joined:
                    other = targets[1][0] if target == targets[0][0] else targets[0][0]
                    proof = tuple(_within(e, target, text, shift, other) for e in proof)
                found.append(Finding(stage, target, round(confidence, 4), proof))

    def _continues(self, before: str, words: Words) -> bool:
        """Whether this agent segment goes on with the sentence the previous one left open."""
        dangling, starts = self._parts[4]
        last = self._text(before).words.words
        w = words.words
        return bool(last) and (last[-1] in dangling or w[0] in starts or " ".join(w[:2]) in starts)

    @functools.cached_property
    def _heard_memo(self) -> dict[str, tuple[int, frozenset[str]]]:
        return {}

    def _hear(self, state: CallState, index: int, text: str) -> None:
        heard = self._heard_memo.get(text)
        if heard is None:
            words = self._parts[0](text).words
            heard = (len(words), content_keys(words, self.lang))
            if len(self._heard_memo) >= _MEMO_SIZE:
                self._heard_memo.clear()
            self._heard_memo[text] = heard
        count, keys = heard
        state.customer.append((index, text))
        if not count:
            return
        state.previous = None
        if not state.run_open:
            state.heard_keys = frozenset()
            state.heard_words = 0
            state.heard_question = False
            state.run_open = True
        state.heard_keys = state.heard_keys | keys
        state.heard_words += count
        state.heard_question = state.heard_question or "?" in text
        state.spoke = True
        if state.problem is None and len(keys) >= PROBLEM_WORDS:
            state.problem = index


def _within(e: Evidence, target: int, text: str, shift: int, other: int | None) -> Evidence:
    """Evidence found in two joined segments, as a span of segment ``target`` (which starts at
    ``shift`` in the joined text)."""
    start, end = e.start - shift, e.end - shift
    if end <= 0 or start >= len(text):
        return Evidence(target, 0, len(text), f"one sentence with turn {other}: {e.reason}")
    return Evidence(target, max(start, 0), min(end, len(text)), e.reason)
