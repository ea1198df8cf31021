"""``listen``: the agent lets the customer explain or vent, invites more and acknowledges it
("take your time — what happened when you plugged it in?", "tell me more", "mm-hm, I understand").

Not listening: questions that only collect data — account numbers, identity checks (name, date of
birth, PIN, last four digits), "which card?" — and the opening formula "how can I help you today".
Those are counter-cues, so a turn that is only data collection stays below the threshold even when
it is phrased as an open question.
"""

from __future__ import annotations

from ..config import Config
from .base import StageDetector

__all__ = ["ListenDetector", "make"]


class ListenDetector(StageDetector):
    stage = "listen"


def make(lang: str, config: Config) -> ListenDetector:
    return ListenDetector(lang, config)
