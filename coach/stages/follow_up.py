"""``follow_up``: the agent commits to contact the customer again later — days to two weeks — to make
sure the fix worked ("I'll call you next Tuesday to check the router is holding up").

Not a follow-up: anything that leaves the next contact to the customer ("call us back if it happens
again", "feel free to reach out"), "follow the link", "anything else?", closings, surveys, and a
call-back within minutes. Those are counter-cues. Unlike the other stages it needs nothing from the
customer first; whether it came after the fix is an order finding (``coaching.order``).
"""

from __future__ import annotations

from ..config import Config
from .base import StageDetector

__all__ = ["FollowUpDetector", "make"]


class FollowUpDetector(StageDetector):
    stage = "follow_up"
    needs_customer = False


def make(lang: str, config: Config) -> FollowUpDetector:
    return FollowUpDetector(lang, config)
