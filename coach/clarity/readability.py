"""The classic readability formulas, computed with coach's own word, sentence and syllable counts.

They were made for passages of 100+ words and say little about a one-sentence turn; coach keeps them
for comparison (``benchmarks/clarity_eval.py``) and for users who need them. Nothing is downloaded:
syllables come from the rules in ``coach.clarity._text`` plus a CMUdict exception table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ._lexicon import lexicon
from ._text import sentences, syllables, words

__all__ = ["flesch_kincaid_grade", "flesch_reading_ease", "smog_index"]


@dataclass(frozen=True, slots=True)
class _Counts:
    words: int
    sentences: int
    syllables: int
    polysyllables: int


def _counts(text: str, lang: str) -> _Counts | None:
    lex = lexicon(lang)
    tokens = words(text)
    if not tokens:
        return None
    per_word = [syllables(t.lower, lex.syllables) for t in tokens]
    return _Counts(
        words=len(tokens),
        sentences=len(sentences(text, tokens, lex.abbreviations)),
        syllables=sum(per_word),
        polysyllables=sum(1 for n in per_word if n >= 3),
    )


def flesch_reading_ease(text: str, lang: str = "en") -> float | None:
    """Flesch Reading Ease (1948): 206.835 − 1.015·words/sentence − 84.6·syllables/word.

    Higher is easier (60–70 is plain English; below 30 is very hard). ``None`` for a text with no words.
    """
    c = _counts(text, lang)
    if c is None:
        return None
    return 206.835 - 1.015 * c.words / c.sentences - 84.6 * c.syllables / c.words


def flesch_kincaid_grade(text: str, lang: str = "en") -> float | None:
    """Flesch–Kincaid grade level (1975): 0.39·words/sentence + 11.8·syllables/word − 15.59.

    The US school grade needed to read the text: lower is easier. ``None`` for a text with no words.
    """
    c = _counts(text, lang)
    if c is None:
        return None
    return 0.39 * c.words / c.sentences + 11.8 * c.syllables / c.words - 15.59


def smog_index(text: str, lang: str = "en") -> float | None:
    """SMOG grade (McLaughlin 1969): 1.043·√(polysyllables · 30 / sentences) + 3.1291.

    Polysyllables are words of three or more syllables; lower is easier. Made for 30+ sentences; on
    shorter texts the count is scaled to 30 sentences as the formula prescribes. ``None`` without words.
    """
    c = _counts(text, lang)
    if c is None:
        return None
    return 1.043 * math.sqrt(c.polysyllables * 30 / c.sentences) + 3.1291
