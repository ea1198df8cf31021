"""Features of an agent turn for the learned stage model: one definition for training and inference.

A turn's features are the sum of

- per word: the word itself (``w=``) and its character n-grams (``c=``, inside ``<word>``), which
  carry chat spellings and typos;
- per turn: word bigrams (``b=``, with ``<s>`` at the start), whether it asks (``q``), its length
  band (``len=``), the rule layer's verdict per stage (``cue=``/``counter=``), and what the customer
  said just before it (``ctx=``: nothing yet, how much, whether they asked, how many of the agent's
  content words they used, ``ov=``), and ``restate`` when the turn has a restatement's shape
  (``restating``) and is mostly the customer's own content words.

Values are counts, so a turn's score is the sum of its words' scores plus its turn features'
scores — which lets inference cache one score vector per distinct word (``model.StageModel``).
``FEATURES_VERSION`` changes whenever any of this changes; a model trained on another version is
refused at load time.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from .._limits import WORDS
from ._text import Words
from .cues import StageCues

__all__ = [
    "FEATURES_VERSION",
    "NOTHING",
    "Heard",
    "content_keys",
    "context_features",
    "counts",
    "restating",
    "stop_words",
    "heard",
    "text_features",
    "turn_features",
    "word_features",
]

#: Version of the feature definition; stored with the model and checked when it loads.
FEATURES_VERSION = 2


class Heard(NamedTuple):
    """What the customer said just before an agent turn (their latest run of turns).

    ``keys`` are its content words (``content_keys``), ``words`` its length, ``question`` whether it
    asked, ``anything`` whether the customer has said anything at all so far in the call.
    """

    keys: frozenset[str] = frozenset()
    words: int = 0
    question: bool = False
    anything: bool = False


#: Before the customer has spoken.
NOTHING = Heard()


@functools.cache
def stop_words(lang: str) -> frozenset[str]:
    """spaCy's stop words for ``lang`` (words that carry no content of their own)."""
    from spacy.util import get_lang_class

    return frozenset(get_lang_class(lang).Defaults.stop_words)


def content_keys(words: Iterable[str], lang: str) -> frozenset[str]:
    """Content words (not stop words, 3+ letters) cut to 5 characters, so "charged" meets "charge"."""
    stop = stop_words(lang)
    return frozenset(w[:5] for w in words if len(w) > 2 and w not in stop)


def heard(words: Words, lang: str) -> Heard:
    """``Heard`` for a customer run whose normalised words are ``words``."""
    return Heard(content_keys(words.words, lang), len(words.words), words.question, bool(words.words))


@functools.lru_cache(maxsize=WORDS)
def word_features(word: str, low: int, high: int) -> tuple[str, ...]:
    """``w=word`` and its character ``low``..``high``-grams inside ``<word>``."""
    padded = f"<{word}>"
    out = [f"w={word}"]
    for n in range(low, high + 1):
        out.extend(f"c={padded[i:i + n]}" for i in range(len(padded) - n + 1))
    return tuple(out)


def _band(n: int) -> int:
    """0 for 0, then 1, 2-3, 4-7, 8-15, ... (log2 bands), capped at 6."""
    return min(n.bit_length(), 6)


def text_features(words: Words, cues: Mapping[str, StageCues]) -> list[str]:
    """The turn features that depend on the turn's words alone (bigrams, length, question, cues)."""
    w = words.words
    out = [f"b={a} {b}" for a, b in zip(("<s>", *w), w, strict=False)]
    out.append(f"len={_band(len(w))}")
    if words.question:
        out.append("q")
    for stage, verdict in cues.items():
        if verdict.strong:
            out.append(f"cue={stage}.strong")
        elif verdict.weak:
            out.append(f"cue={stage}.weak")
        if verdict.counter:
            out.append(f"counter={stage}")
    return out


@functools.cache
def _shape_words(lang: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    from .. import lang as _lang

    data = _lang.data(lang, "stages_norm")
    return frozenset(data["first_person"]), frozenset(data["question_openers"]), frozenset(data["discourse_markers"])


def restating(words: Words, cues: Mapping[str, StageCues], lang: str) -> bool:
    """Whether a turn is shaped like a restatement of the customer's words: nothing in the first
    person (the agent's own action or view), not opening like a question (after "so", "okay"...),
    and no fix cue. Whether it restates *what the customer said* is ``context_features``' part."""
    first_person, openers, markers = _shape_words(lang)
    w = words.words
    if not w or any(x in first_person for x in w):
        return False
    opening = next((x for x in w if x not in markers), None)
    fix = cues.get("fix")
    return opening is not None and opening not in openers and not (fix is not None and fix.strong)


def context_features(keys: frozenset[str], before: Heard, restates: bool = False) -> list[str]:
    """The turn features that depend on what the customer said before (``keys``: the turn's content
    words; ``restates``: the turn has a restatement's shape, see ``restating``)."""
    if not before.anything:
        return ["ctx=none"]
    out = [f"ctx=len{_band(before.words)}"]
    if before.question:
        out.append("ctx=q")
    shared = len(keys & before.keys)
    out.append(f"ov={min(shared, 3)}")
    if keys:
        out.append(f"ovf={min(4 * shared // len(keys), 3)}")
        # Mostly the customer's own content words, given back: a restatement (or an echo).
        if restates and shared >= 2 and 2 * shared >= len(keys) and len(before.keys) >= 3:
            out.append("restate")
    return out


def turn_features(words: Words, cues: Mapping[str, StageCues], before: Heard, lang: str) -> list[str]:
    """The features of a turn that are not sums over its words."""
    keys = content_keys(words.words, lang)
    return text_features(words, cues) + context_features(keys, before, restating(words, cues, lang))


def counts(words: Words, cues: Mapping[str, StageCues], before: Heard, lang: str, ngrams: tuple[int, int]) -> dict[str, float]:
    """All features of a turn with their counts: what the model is trained on."""
    c: Counter[str] = Counter()
    for word in words.words:
        c.update(word_features(word, *ngrams))
    c.update(turn_features(words, cues, before, lang))
    return {k: float(v) for k, v in c.items()}
