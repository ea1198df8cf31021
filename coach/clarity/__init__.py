"""Plain-language clarity: a 0–100 score per text (higher is clearer) and the issues to fix.

::

    from coach.clarity import clarity
    c = clarity("Pursuant to our T&Cs, the ACH reversal is N/A.")
    round(c.score), c.grade     # (22, 'very unclear')
    [(i.kind, i.suggestion) for i in c.issues]
    # [('legalese', 'under'), ('legalese', 'terms'), ('acronym', 'bank transfer (ACH)'), ('jargon', 'undo')]

The score blends word rarity (wordfreq) and sentence length, minus penalties for each issue
(jargon, unexplained acronyms, passive voice, hidden verbs, noun strings, legalese and filler,
hedges, double negatives, refusals without an alternative, long sentences, walls of text). See
``coach.clarity.scorer`` for the formula. Everything is local: nothing is downloaded.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from ..config import Config
from ..report import Clarity
from .readability import flesch_kincaid_grade, flesch_reading_ease, smog_index
from .scorer import ClarityScorer, call_score, grade

__all__ = [
    "ClarityScorer",
    "call_score",
    "clarity",
    "flesch_kincaid_grade",
    "flesch_reading_ease",
    "grade",
    "smog_index",
]


def clarity(text: str, lang: str = "en", config: Config | Mapping[str, Any] | str | os.PathLike | None = None) -> Clarity:
    """How plainly ``text`` reads: ``score`` 0–100 (higher is clearer), ``grade``, ``confidence``
    (lower for very short texts) and ``issues`` (kind, span, message, plainer alternative).

    ``config`` is a ``coach.Config``, a dict or a TOML path; its ``[clarity]`` table sets the company
    glossary, the allow-list and per-kind switches and thresholds.
    """
    return _scorer(lang, Config.load(config)).score(text)


_SCORERS: dict[tuple[str, str], ClarityScorer] = {}


def _scorer(lang: str, config: Config) -> ClarityScorer:
    # One scorer per (language, configuration) so matchers are built once per process.
    key = (lang, config.fingerprint)
    scorer = _SCORERS.get(key)
    if scorer is None:
        if len(_SCORERS) >= 32:
            _SCORERS.clear()
        scorer = _SCORERS[key] = ClarityScorer(lang, config.clarity)
    return scorer
