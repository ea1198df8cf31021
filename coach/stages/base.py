"""The shared detector protocol: what a stage detector sees, what it returns, and the common verdict.

Every stage module (``reassure``, ``listen``, ``confirm``, ``fix``, ``follow_up``) has a detector
class with a ``stage`` name and ``detect(view, context) -> Assessment``, built by ``make(lang,
config)``. The engine computes a ``TurnView`` once per agent turn (normalised words, the rule
layer's verdict per stage, the model's scores) and hands it to each enabled detector with the
turn's ``Context``. ``verdict`` is the combination every detector starts from:

- the model's calibrated probability (0.5 is its cross-validated threshold);
- raised to the cue's confidence when a strong cue of the stage matched (rules are explainable and
  a QA team's ``add_cues`` must take effect without retraining);
- held at ``counter_cap`` when a counter-cue or veto says the turn is not the stage.

The per-turn types (``Context``, ``TurnView``, ``Assessment``, and ``Words``, ``Heard``,
``StageCues`` elsewhere) are immutable ``NamedTuple``s rather than frozen dataclasses: several are
built for every agent turn, and a NamedTuple is about three times cheaper to construct.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from ..config import Config
from ..report import Evidence
from ._text import Words, normalizer
from .cues import NO_CUES, Hit, StageCues, weights
from .features import Heard

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from ..paraphrase import ConfirmMatch
    from .model import StageModel

__all__ = ["Assessment", "Context", "Detector", "Finding", "StageDetector", "TurnView", "evidence", "hold", "verdict"]


@dataclass(frozen=True, slots=True)
class Finding:
    """A stage found in one agent turn: ``confidence`` in [0, 1] (higher is surer) and why."""

    stage: str
    turn: int
    confidence: float
    evidence: tuple[Evidence, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "turn": self.turn,
            "confidence": self.confidence,
            "evidence": [e.to_dict() for e in self.evidence],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        return cls(
            stage=data["stage"],
            turn=int(data["turn"]),
            confidence=float(data["confidence"]),
            evidence=tuple(Evidence(**e) for e in data["evidence"]),
        )


class Context(NamedTuple):
    """Where an agent turn sits in its call.

    ``index`` is its index in the transcript, ``agent_turn`` how many agent turns came before it,
    ``heard`` what the customer said in their latest run of turns, ``customer_turns`` every customer
    turn so far as ``(index, text)``, ``elapsed`` seconds since the call's first timestamp (``None``
    without timestamps), ``earlier`` the findings of earlier turns.
    """

    index: int
    agent_turn: int
    heard: Heard
    customer_turns: tuple[tuple[int, str], ...] = ()
    elapsed: float | None = None
    earlier: tuple[Finding, ...] = ()


class TurnView(NamedTuple):
    """One agent turn as every detector sees it, computed once: its text and Doc, normalised
    ``words``, the rule layer's verdict per stage (``cues``), the model's ``features``, ``logits``
    and calibrated ``probabilities`` (in the model's stage order)."""

    index: int
    text: str
    doc: Doc | None
    words: Words
    cues: Mapping[str, StageCues]
    features: list[str]
    logits: list[float]
    probabilities: list[float]


class Assessment(NamedTuple):
    """A detector's verdict on one turn for its stage.

    ``rule`` is the rule layer alone (the surviving cue's confidence, 0 without one or when
    countered), ``model`` the model alone (calibrated probability), ``confidence`` the combination
    the engine uses; all in [0, 1], higher meaning the stage is more likely present. ``cue`` and
    ``match`` are what the evidence is built from.
    """

    stage: str
    rule: float
    model: float
    confidence: float
    cue: Hit | None = None
    match: ConfirmMatch | None = None


class Detector(Protocol):
    """A stage detector: reads a ``TurnView`` and its ``Context``, returns an ``Assessment``.
    ``load`` builds what it needs now rather than on its first turn."""

    stage: str

    def detect(self, view: TurnView, context: Context) -> Assessment: ...

    def load(self) -> None: ...


def verdict(stage: str, number: int, view: TurnView, context: Context, cap: float, *, needs_customer: bool) -> Assessment:
    """The combination every detector starts from (module docstring). ``number`` is the stage's
    column in the model; ``needs_customer`` holds the turn at ``cap`` while the customer has said
    nothing yet (there is nothing to reassure about, listen to, confirm or fix)."""
    cues = view.cues.get(stage, NO_CUES)
    p = view.probabilities[number]
    rule = cues.confidence
    confidence = max(p, rule) if cues.strong else p
    if cues.capped or (needs_customer and not context.heard.anything):
        rule, confidence = min(rule, cap), min(confidence, cap)
    return Assessment(stage, rule, p, confidence, cues.best)


def hold(assessment: Assessment, cap: float) -> Assessment:
    """``assessment`` with its rule and combined confidence held at ``cap`` at most."""
    return assessment._replace(rule=min(assessment.rule, cap), confidence=min(assessment.confidence, cap))


def evidence(view: TurnView, assessment: Assessment, model: StageModel, number: int) -> tuple[Evidence, ...]:
    """Why the stage was found: the strong cue (turn, span, phrase), the restated customer turn,
    and the model's strongest features when the model agrees or nothing else explains it."""
    out: list[Evidence] = []
    every = normalizer(view.words.lang).spans(view.text)
    cue = assessment.cue
    if cue is not None and cue.kind == "strong":
        said = " ".join(view.words.words[cue.start : cue.end])
        # Phrase templates are named by their id (what remove_cues takes); say the words they matched.
        reason = f"cue '{said}' (pattern {cue.cue})" if "_" in cue.cue else f"cue '{cue.cue}'"
        out.append(Evidence(view.index, every[cue.start][0], every[cue.end - 1][1], reason))
    if assessment.match is not None:
        m = assessment.match
        out.append(Evidence(view.index, m.start, m.end, m.reason))
    if not out or assessment.model >= 0.5:
        top = model.strongest(view.words, view.features, number)
        spans = [every[i] for _, _, i in top if i is not None]
        start, end = (min(s for s, _ in spans), max(e for _, e in spans)) if spans else (0, len(view.text))
        labels = ", ".join(dict.fromkeys(_describe(label) for label, _, _ in top)) or "the turn as a whole"
        out.append(Evidence(view.index, start, end, f"model {assessment.model:.2f}: {labels}"))
    return tuple(out)


_FEATURE_NAMES = {
    "q": "asks a question",
    "ctx=none": "before the customer said anything",
    "ctx=q": "answers a customer question",
}


def _describe(label: str) -> str:
    """A model feature as a trainer can read it."""
    if label in _FEATURE_NAMES:
        return _FEATURE_NAMES[label]
    kind, _, value = label.partition("=")
    if kind == "b":
        return f"'{value.replace('<s> ', '')}'" if not value.startswith("<s> ") else f"starts with '{value[4:]}'"
    if kind == "ov":
        return f"reuses {value}{'+' if value == '3' else ''} of the customer's words"
    if kind == "ovf":
        return "reuses the customer's words"
    if kind == "cue":
        return f"{value.replace('.', ' ')} cue"
    if kind == "counter":
        return f"{value} counter-cue"
    if kind in ("len", "ctx"):
        return "turn length" if kind == "len" else "what the customer said before"
    return f"'{label}'" if not kind or not value else f"'{value}'"


class StageDetector:
    """The common detector: ``verdict`` for its ``stage``. Stage modules subclass it.

    ``needs_customer`` (true for all but follow_up) holds the stage down until the customer has said
    something. The constructor only stores; the model and language data load on first use.
    """

    stage: str = ""
    needs_customer: bool = True

    def __init__(self, lang: str, config: Config) -> None:
        self.lang = lang
        self.config = config

    @functools.cached_property
    def model(self) -> StageModel:
        from .model import stage_model

        return stage_model()

    @functools.cached_property
    def number(self) -> int:
        """The stage's column in the model."""
        return self.model.stages.index(self.stage)

    @functools.cached_property
    def cap(self) -> float:
        """The most a countered turn keeps (``weights.counter_cap`` in stages.json)."""
        return weights(self.lang)["counter_cap"]

    def load(self) -> None:
        self.number  # noqa: B018 -- loads the model and the stage's column
        self.cap  # noqa: B018

    def detect(self, view: TurnView, context: Context) -> Assessment:
        return verdict(self.stage, self.number, view, context, self.cap, needs_customer=self.needs_customer)
