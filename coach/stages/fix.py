"""``fix``: the agent states or performs a concrete solution built on what was heard — done ("I've
refunded the second charge"), dated ("your new card will arrive in 5 to 7 business days"), or the
information the customer asked for ("the branch hours are nine to five").

Not a fix: announcing a look ("let me check", "we'll look into it", "one moment"), a hand-off
without a dated outcome ("I'll escalate this"), a refusal ("we can't accept the return"), an offer
put as a question ("would you like a refund?"). Those are counter-cues.
"""

from __future__ import annotations

from ..config import Config
from .base import StageDetector

__all__ = ["FixDetector", "make"]


class FixDetector(StageDetector):
    stage = "fix"


def make(lang: str, config: Config) -> FixDetector:
    return FixDetector(lang, config)
