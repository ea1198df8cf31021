"""Stage detection: reassure, listen, confirm, fix and follow-up in the agent's turns.

::

    from coach.stages import StageEngine
    engine = StageEngine("en", config)
    state = engine.start()
    for i, turn in enumerate(transcript.turns):
        engine.observe(state, i, turn, doc)      # findings for agent turns, () otherwise
    outcome = engine.finish(state)               # stages, order findings, hints for missing stages

Three layers, each explainable: cue and counter-cue phrases (``cues``, data in
``coach/lang/<lang>/stages.json``), a linear model over words, character n-grams, cues and context
(``model``, trained by ``training/stages/train.py``), and one detector per stage combining them
(``reassure``, ``listen``, ``confirm``, ``fix``, ``follow_up``; protocol in ``base``).
"""

from __future__ import annotations

from .base import Assessment, Context, Detector, Finding, StageDetector, TurnView
from .engine import DEFAULT_THRESHOLD, CallState, StageEngine, StagesOutcome
from .registry import DETECTORS

__all__ = [
    "DEFAULT_THRESHOLD",
    "DETECTORS",
    "Assessment",
    "CallState",
    "Context",
    "Detector",
    "Finding",
    "StageDetector",
    "StageEngine",
    "StagesOutcome",
    "TurnView",
]
