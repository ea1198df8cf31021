"""``reassure``: the agent tells the customer, early, that they are heard and that the agent will see
it through — empathy plus ownership ("I'm sorry that happened — I'll make sure we sort this out").

Not reassurance: an apology that refuses ("sorry, but that's our policy" is a veto), one for the
agent's own hearing or the wait ("sorry, I didn't catch that", "sorry for the wait" are counter-cues),
and the opening formula ("how can I help you"). Said before the customer has spoken, it has nothing
to reassure about. Whether it came early enough is an order finding (``coaching.order``).
"""

from __future__ import annotations

from ..config import Config
from .base import StageDetector

__all__ = ["ReassureDetector", "make"]


class ReassureDetector(StageDetector):
    stage = "reassure"


def make(lang: str, config: Config) -> ReassureDetector:
    return ReassureDetector(lang, config)
