"""Normalised words of a turn: what stage cues and model features are matched on.

Chat and voice say the same thing differently ("I'm sorry, pls tell me more" / "im sorry uh please
tell me more"). Both become ``i am sorry please tell me more``: lower case, contractions expanded,
chat spellings and common typos mapped, fillers and ``[noise]``-style tags dropped, punctuation
ignored. The rules are data: ``coach/lang/<lang>/stages_norm.json``.

Words are cut with one regular expression rather than read from the spaCy ``Doc``: every turn is
normalised, and walking ``Token`` objects costs several times more. Character spans (for evidence)
are worked out only when asked for, by the same procedure.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from .. import lang as _lang
from .._limits import WORDS

__all__ = ["Normalizer", "Words", "normalizer"]

# A word: letters/digits joined by apostrophes (underscores are blanked first, so ``\w`` is a letter
# or digit). Hyphenated words count as their parts ("follow-up" = "follow up"); "joins" in the data
# re-merges the few that must stay one word ("mm-hmm"). Bracketed tags ("[noise]", "<unk>") are
# dropped: in a text that has any, ``_TAGGED`` matches them with an empty group 1.
_WORDS = re.compile(r"\w+(?:['’]\w+)*")
_TAGGED = re.compile(r"(\w+(?:['’]\w+)*)|\[[^\]\n]{0,40}\]|<[^>\n]{0,40}>")
_MEMO_SIZE = WORDS


class Words(NamedTuple):
    """A turn's normalised ``words``, whether it asks (a ``?``), and the ``text`` and language they
    came from (``normalizer(lang).spans(text)`` gives each word's character span)."""

    words: tuple[str, ...]
    question: bool
    text: str = ""
    lang: str = "en"



class Normalizer:
    """Turns a text into ``Words``; one per language (``normalizer(lang)``)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    @functools.cached_property
    def _tables(self):
        data = _lang.data(self.lang, "stages_norm")
        joins = {tuple(k.split()): v for k, v in data["joins"].items()}
        firsts = frozenset(a for a, _ in joins)
        return joins, firsts

    @functools.cached_property
    def _memo(self) -> dict[str, tuple[str, ...]]:
        return {}

    def _parts(self, word: str) -> tuple[str, ...]:
        """What one word becomes: ``()`` for a filler, the mapped words, or the contraction's words."""
        parts = self._memo.get(word)
        if parts is None:
            data = _lang.data(self.lang, "stages_norm")
            mapping = data["words"]
            if word in data["fillers"]:
                parts = ()
            elif word in mapping:
                parts = tuple(mapping[word].split())
            elif "'" in word or "’" in word:
                parts = _contraction(word.replace("’", "'"), mapping, data["suffixes"], data["negation"])
            else:
                parts = (word,)
            if len(self._memo) >= _MEMO_SIZE:
                self._memo.clear()
            self._memo[word] = parts
        return parts

    def __call__(self, text: str) -> Words:
        joins, firsts = self._tables
        memo, parts = self._memo, self._parts
        flat = _cut(text)
        if firsts.isdisjoint(flat):
            # No two-word join possible (nearly every turn): each word maps on its own.
            words = [w for t in flat for w in (memo.get(t) or parts(t))]
            return Words(tuple(words), "?" in text, text, self.lang)
        words = []
        i, n = 0, len(flat)
        while i < n:
            word = flat[i]
            if word in firsts and i + 1 < n and (word, flat[i + 1]) in joins:
                words.append(joins[word, flat[i + 1]])
                i += 2
                continue
            words.extend(parts(word))
            i += 1
        return Words(tuple(words), "?" in text, text, self.lang)

    @functools.lru_cache(maxsize=1024)  # noqa: B019 -- one Normalizer per language, kept for the process
    def spans(self, text: str) -> tuple[tuple[int, int], ...]:
        """The character span each normalised word of ``text`` came from (a mapped word's parts share
        it), word for word as ``__call__`` produces them (a test checks the two agree)."""
        joins, firsts = self._tables
        flat: list[str] = []
        where: list[tuple[int, int]] = []
        for m in _TAGGED.finditer(_lowered(text)):
            if m.group(1):
                flat.append(m.group(1))
                where.append(m.span(1))
        spans: list[tuple[int, int]] = []
        i, n = 0, len(flat)
        while i < n:
            word = flat[i]
            if word in firsts and i + 1 < n and (word, flat[i + 1]) in joins:
                spans.append((where[i][0], where[i + 1][1]))
                i += 2
                continue
            spans.extend([where[i]] * len(self._parts(word)))
            i += 1
        return tuple(spans)

    def phrase(self, text: str) -> tuple[str, ...]:
        """The normalised words of a cue phrase, exactly as a turn saying it would give them."""
        return self(text).words


def _lowered(text: str) -> str:
    """``text`` in lower case with underscores blanked (same length, so spans carry over)."""
    low = text.lower()
    return low.replace("_", " ") if "_" in low else low


def _cut(text: str) -> list[str]:
    """The words of ``text`` (see ``_WORDS``), before mapping."""
    low = _lowered(text)
    if "[" in low or "<" in low:
        return [t for t in _TAGGED.findall(low) if t]
    return _WORDS.findall(low)


def _contraction(word: str, mapping, suffixes, negation: str) -> tuple[str, ...]:
    """A contraction as its words: "we'll" → we will, "didn't" → did not (exceptions are in ``mapping``)."""
    if word in mapping:
        return tuple(mapping[word].split())
    base, _, suffix = word.rpartition("'")
    if suffix == "t" and base.endswith("n"):
        stem = base[:-1]
        return (*mapping.get(stem, stem).split(), negation)
    return (*mapping.get(base, base).split(), *suffixes.get(suffix, suffix).split())


@functools.cache
def normalizer(lang: str) -> Normalizer:
    """The shared ``Normalizer`` of ``lang``."""
    return Normalizer(lang)
