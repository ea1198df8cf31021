"""Tokens with character offsets, sentences and clauses, a rule lemmatizer and fact detection.

A regex tokenizer keeps contractions whole ("I'm", "didn't") so the perspective map can swap them as
one word, and keeps numbers, amounts, times and IDs whole ("$1,234.56", "3:30pm", "n76f34") so they
survive verbatim.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .._limits import WORDS
from ._lexicon import Lexicon

if TYPE_CHECKING:
    from spacy.tokens import Doc

_TOKEN = re.compile(
    r"""
    \[[a-z]+\] | <unk>                               # transcription markers
    | [\w.+-]+@[\w-]+(?:\.[\w-]+)+                   # e-mail
    | https?://\S+ | www\.\S+                         # link
    | [\w-]+(?:\.[\w-]+)*\.(?i:com|net|org|io|co|uk|de|gov|edu|app|ca|au)\b   # domain (NETFLIX.COM)
    | (?:[A-Za-z]\.){2,}                             # a.m., p.m., u.s.
    | [$€£]?\d(?:[\d,.:/-]*\d)?(?:%|[A-Za-z]+\d*)*   # numbers, amounts, times, ids starting with a digit
    | \w+(?:['’`]\w+)*(?:-\w+)*                      # words, contractions, hyphenated words, ids
    | ['’]\w+                                        # 'cause
    | \S                                             # punctuation
    """,
    re.VERBOSE,
)
_QUOTES = {'"', "“", "”", "«", "»"}
_SINGLE_QUOTES = {"'", "‘", "’"}
_QUOTE_CHARS = frozenset(_QUOTES | _SINGLE_QUOTES)
SENTENCE_END = frozenset({".", "!", "?", ";", "…"})
_ABBREVIATIONS = frozenset(
    {"mr", "mrs", "ms", "dr", "st", "jr", "sr", "no", "vs", "etc", "approx", "apt", "ave", "inc", "ltd"}
)


@dataclass(frozen=True, slots=True)
class Tok:
    """One token. ``start``/``end`` index the source text (-1 for words the agent's sentence adds);
    ``space`` says whether whitespace came before it; ``fixed`` tokens are never perspective-shifted
    (quoted text, and words already in the agent's perspective)."""

    text: str
    low: str
    start: int
    end: int
    space: bool
    fixed: bool = False

    @property
    def is_word(self) -> bool:
        return self.low[:1].isalnum() or self.low[:1] in "$€£'[<"

    # Changed copies, built directly: ``dataclasses.replace`` costs twice as much, and tokens are
    # copied for every fact frozen and every word shifted.
    def as_fixed(self) -> Tok:
        """Marked ``fixed``."""
        return Tok(self.text, self.low, self.start, self.end, self.space, True)

    def spaced(self) -> Tok:
        """With a space before it."""
        return Tok(self.text, self.low, self.start, self.end, True, self.fixed)

    def spelled(self, text: str, low: str) -> Tok:
        """The same token with other words (``text`` as written, ``low`` in lower case)."""
        return Tok(text, low, self.start, self.end, self.space, self.fixed)


def word(text: str, space: bool = True) -> Tok:
    """A token the agent's sentence adds (not from the customer's text, never shifted)."""
    return Tok(text, text.lower(), -1, -1, space, fixed=True)


def tokenize(text: str) -> list[Tok]:
    """The tokens of ``text``; words inside double quotes (or paired single quotes) are ``fixed``."""
    toks: list[Tok] = []
    prev_end = 0
    for m in _TOKEN.finditer(text):
        s = m.group()
        start, end = m.span()
        low = s.lower()
        if "’" in low or "`" in low:
            low = low.replace("’", "'").replace("`", "'")
        toks.append(Tok(s, low, start, end, start > prev_end))
        prev_end = end
    # Nothing to mark in a turn without a quote mark or an apostrophe.
    return toks if _QUOTE_CHARS.isdisjoint(text) else _mark_quotes(toks)


def _mark_quotes(toks: list[Tok]) -> list[Tok]:
    """A quote closes with a mark of its own kind (double or single), so the other kind inside it
    ("I said 'no' twice") is part of the quote."""
    out = list(toks)
    open_at: int | None = None
    open_double = False
    for i, t in enumerate(toks):
        is_double = t.text in _QUOTES
        if not is_double and t.text not in _SINGLE_QUOTES:
            continue
        if open_at is None:
            # A lone single quote opens a quote only at a word start (not an apostrophe after a word).
            if is_double or (i + 1 < len(toks) and not toks[i + 1].space):
                open_at, open_double = i, is_double
        elif is_double == open_double:
            for j in range(open_at, i + 1):
                out[j] = out[j].as_fixed()
            open_at = None
    return out


def freeze(toks: list[Tok], flags: list[bool] | tuple[bool, ...]) -> list[Tok]:
    """``toks`` with the fact tokens (``flags`` from ``fact_flags``) marked ``fixed``, so that neither
    the request rewrite nor the perspective shift touches them ("12 am I was" -> "12 am you were")."""
    return [t.as_fixed() if f and not t.fixed else t for t, f in zip(toks, flags, strict=True)]


def render(toks: list[Tok]) -> str:
    """Tokens joined back into text with their original spacing."""
    parts: list[str] = []
    for i, t in enumerate(toks):
        if i and t.space:
            parts.append(" ")
        parts.append(t.text)
    return "".join(parts)


def sentences(toks: list[Tok], doc: Doc | None = None) -> list[tuple[int, int]]:
    """Token ranges ``[i, j)`` of sentences: from ``doc.sents`` when a spaCy Doc of the same text is
    given (the analyzer tokenizes each turn once), else split at ``. ! ? ;`` and line breaks."""
    if not toks:
        return []
    cuts: set[int] = set()
    if doc is not None:
        starts = {s.start_char for s in doc.sents}
        cuts = {i for i, t in enumerate(toks) if i and t.start in starts}
    else:
        for i, t in enumerate(toks[:-1]):
            if t.low in SENTENCE_END and not (t.low == "." and i and toks[i - 1].low in _ABBREVIATIONS):
                # A sentence that ends inside a quote (it says "Declined." Then ...) ends after the quote.
                closes = t.fixed and toks[i + 1].text in _QUOTES | _SINGLE_QUOTES and toks[i + 1].fixed
                cuts.add(i + 2 if closes else i + 1)
    # Never inside quoted text: a clause holding half a quote would lose its closing mark, and the
    # quoted words would read as the customer's own.
    cuts = {i for i in cuts if i < len(toks) and not (toks[i - 1].fixed and toks[i].fixed)}
    bounds = [0, *sorted(cuts), len(toks)]
    return [(a, b) for a, b in itertools.pairwise(bounds) if b > a]


def lemma(low: str, lex: Lexicon) -> str:
    """A best-effort lemma of a lower-case word: the lemma table first, then suffix rules.

    Unknown stems may lose a final ``e`` ("charged" -> "charg"); ``key`` strips it everywhere so
    the forms of one word still meet. Remembered per word: every clause asks for the lemmas of its words.
    """
    lem = lex.lemmas.get(low)
    return _remember(lex.lemmas, low, _lemma(low, lex)) if lem is None else lem


def _remember(cache: dict[str, str], word: str, value: str) -> str:
    """``value`` stored for ``word``; a full cache forgets everything (a batch worker meets an
    endless stream of order numbers, names and typos)."""
    if len(cache) >= WORDS:
        cache.clear()
    cache[word] = value
    return value


def _lemma(low: str, lex: Lexicon) -> str:
    if low.endswith(("'s", "’s")):
        low = low[:-2]
    if low in lex.verb_lemma:
        return lex.verb_lemma[low]
    if low in lex.noun_lemma:
        return lex.noun_lemma[low]
    if low in lex.no_strip or len(low) <= 3 or not low.isalpha():
        return low
    if low.endswith("ies") and len(low) > 4:
        return low[:-3] + "y"
    if low.endswith("ied") and len(low) > 4:
        return low[:-3] + "y"
    for suffix in ("ing", "ed"):
        if low.endswith(suffix) and len(low) - len(suffix) >= 3:
            stem = low[: -len(suffix)]
            if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "lsz":
                stem = stem[:-1]
            if stem + "e" in lex.verbs:
                return stem + "e"
            return stem
    if low.endswith(("sses", "shes", "ches", "xes", "zes")):
        return low[:-2]
    if low.endswith("s") and not low.endswith(("ss", "us", "is")):
        return low[:-1]
    return low


def key(low: str, lex: Lexicon) -> str:
    """The comparison key of a word: its lemma without a final ``e`` (so charge/charged/charging meet)."""
    k = lex.keys.get(low)
    if k is None:
        lem = lemma(low, lex)
        k = _remember(lex.keys, low, lem[:-1] if len(lem) > 3 and lem.endswith("e") else lem)
    return k


def fact_flags(toks: list[Tok], lex: Lexicon) -> list[bool]:
    """For each token, whether it carries a fact to keep verbatim: anything with a digit, e-mail or
    link, quoted text, spelled-out numbers, months, weekdays, times and money words. Ambiguous words
    ("may", "am", "oh") count only next to a number."""
    out: list[bool] = []
    numberish: list[bool] = []
    for t in toks:
        low = t.low
        if low.isalpha():  # most tokens: no digit, "@", "-" or "www." to look for
            out.append((t.fixed and t.start >= 0) or low in lex.sure_facts or low.startswith("http"))
            numberish.append(low in lex.sure_numbers)
            continue
        digit = any(map(str.isdigit, low))
        out.append(
            digit
            or (t.fixed and t.start >= 0 and t.is_word)
            or "@" in low
            or low.startswith(("http", "www."))
            or low in lex.sure_facts
            # Hyphenated numbers: "fifty-seven", "twenty-first".
            or ("-" in low and low not in lex.fact_ambiguous and all(p in lex.fact_words for p in low.split("-")))
        )
        numberish.append(digit or low in lex.sure_numbers)
    # Left to right, so a run like "four thirty p m" is taken whole.
    for i, t in enumerate(toks):
        if not out[i] and t.low in lex.fact_ambiguous:
            before = i > 0 and (numberish[i - 1] or out[i - 1])
            out[i] = before or (t.low not in lex.fact_after_number and i + 1 < len(toks) and numberish[i + 1])
    return out
