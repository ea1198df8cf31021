"""``confirm``: the agent restates the problem briefly in their own words and checks it ("So you
booked a large suite but were given a medium room — is that right?").

Not a confirmation: repeating the customer's words with their "I/my" left in ("I was charged
twice?" — parroting), a yes/no question that adds nothing, reading back an account number or
another value (counter-cues).

On top of the common verdict, a turn the cues and model find likely enough (confidence at least the
``gate`` that cross-validation chose, stored with the model) is compared with the recent customer
turns by ``coach.paraphrase.Paraphraser.match``: parroting holds it below the threshold; a
restatement raises it to the match's score and becomes evidence ("restates turn 4"); with
``unmatched = "hold"`` a turn that restates nothing is held too. The paraphraser runs only on those
turns because it costs far more than the rest of stage detection.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from ..config import Config
from .base import Assessment, Context, StageDetector, TurnView, hold

if TYPE_CHECKING:
    from ..paraphrase import Paraphraser

__all__ = ["ConfirmDetector", "make"]

#: The customer turns compared with an agent turn: the most recent ones (a confirmation restates
#: what was just said; each turn compared costs a paraphraser analysis).
LOOKBACK = 2


class ConfirmDetector(StageDetector):
    stage = "confirm"

    @functools.cached_property
    def policy(self) -> dict[str, Any]:
        """``gate`` and ``unmatched`` as cross-validation chose them (the model's sidecar)."""
        return dict(self.model.meta["confirm"])

    @functools.cached_property
    def paraphraser(self) -> Paraphraser:
        from ..paraphrase import Paraphraser

        return Paraphraser(self.lang)

    def load(self) -> None:
        super().load()
        self.policy  # noqa: B018

    def detect(self, view: TurnView, context: Context) -> Assessment:
        assessment = super().detect(view, context)
        if assessment.confidence < self.policy["gate"] or not context.customer_turns:
            return assessment
        recent = [(i, self.paraphraser.prepare(text)) for i, text in context.customer_turns[-LOOKBACK:]]
        match = self.paraphraser.match(view.text, recent, doc=view.doc)
        return settle(assessment, match, self.cap, self.policy["unmatched"])


def settle(assessment: Assessment, match: Any, cap: float, unmatched: str) -> Assessment:
    """The assessment once the paraphraser has spoken (``match`` may be ``None``)."""
    if match is None:
        return hold(assessment, cap) if unmatched == "hold" else assessment
    if match.parroting:
        return hold(assessment._replace(match=match), cap)
    return assessment._replace(match=match, confidence=max(assessment.confidence, match.score))


def make(lang: str, config: Config) -> ConfirmDetector:
    return ConfirmDetector(lang, config)
