"""Words, sentences and syllables, found with compiled regular expressions (cheaper than a tokenizer).

The clarity scorer reads these instead of spaCy tokens so its results are the same whether or not a
caller shares a Doc, and so a turn costs less than tokenizing it.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from itertools import accumulate, repeat
from operator import add, itemgetter
from typing import NamedTuple

__all__ = ["Sentence", "Word", "as_words", "columns", "sentences", "split_sentences", "syllables", "words"]

# A word: letters/digits joined by apostrophes or hyphens ("can't", "snow-white", "24/7" is two),
# or a dotted abbreviation ("U.S.", "e.g."), or a "&" acronym ("T&C", "AT&T"). That is
# ``(?:[^\W\d_]\.){2,}|[^\W_]+(?:[&'’\-][^\W_]+)*``, written to start with one character class (so
# the engine skips to the next letter or digit at once) and without backtracking (possessive).
_WORD = re.compile(r"[^\W_](?:(?<=[^\W\d_])\.(?:[^\W\d_]\.)++|[^\W_]*+(?:[&'’\-][^\W_]++)*+)")
_WORD_ASCII = re.compile(_WORD.pattern, re.ASCII)  # the same on ASCII text, and faster
# Words without dots separated by single spaces (most transcribed speech): letter-or-digit runs, each
# after a single joiner or space. On such a text ``str.split(" ")`` gives exactly ``_WORD``'s words.
_SPACED = re.compile(r"[^\W_]++(?:[&'’\- ][^\W_]++)*+")
_SPACED_ASCII = re.compile(r"[0-9A-Za-z]++(?:[&'\- ][0-9A-Za-z]++)*+")  # the same on ASCII text, and faster
# Sentence ends: terminal punctuation (with closing quotes/brackets) before whitespace, or a line break.
# (That is ``[.!?…]+[\"'”’)\]]*(?=\s|$)|\n\s*``, written to start with one character class, so the
# engine skips to the next candidate at once.)
_BOUNDARY = re.compile(r"[.!?…\n](?:(?<=[.!?…])[.!?…]*[\"'”’)\]]*(?=\s|$)|(?<=\n)\s*)")
_MAY_END = re.compile(r"[.!?…\n]")
_LETTERS = re.compile(r"[^a-z]")
_GROUPS = re.compile(r"[aeiouy]+")
_VOWELS = "aeiouy"
# Vowel runs read as two syllables (each alternative names examples and the common exceptions).
_TWO = re.compile(
    r"(?<![ctsgxln])(?<!sh)i[ao](?!u?s$)"  # via, radio, period; not nation, social, religion, million
    r"|(?<=[ct])ia(?=te|ti)"  # associate, appreciation
    r"|(?<![qg])u[ao]"  # actual, usual, duo; not equal, language
    r"|iu"  # medium, stadium
    r"|(?<![ct])ie(?=t|r$|rs$|st$|nt|nce)|(?<=[ct])ie(?=t|r$|rs$|st$)"  # quiet, client; not ancient
    r"|(?<=..)ea$|eal(?=i[tsz])|^crea(?!m)|^reac(?!h)"  # idea, reality, create, react
    r"|eo(?!ple|ne|us|n$)"  # video, geography; not people, someone, gorgeous
    r"|(?<![bgq])ui(?=d|n)"  # fluid, ruin, genuine
    r"|ue(?=l|n)"  # fuel, influence
    r"|[aeiou]y[aeiou](?!d?s?$)|(?<=[^aeiouy])y[aeiou]"  # player, royal, anyone
    r"|[aeiouy]i(?=ngs?$)"  # being, going, saying
)
# A silent "e" inside a word before a suffix or a second word: lovely, statement, useful, therefore.
_INNER_SILENT_E = re.compile(
    r"(?:(?<=[aeiouy][^aeiouy])|(?<=[aeiouy][^aeiouy][^aeiouy]))"
    r"e(?=(?:ly|ment|ful|ness|less|ty|where|thing|body|times?|day|book|fore)(?:s|ly)?$)"
)
_EXTRA = re.compile(r"[^aeiouy]isms?$|[^aeiouy]ire[ds]?$")  # tourism, fire


_new = tuple.__new__  # builds a named tuple in C, without the Python-level ``__new__``


class Word(NamedTuple):
    """A word of the text: ``text`` as written, ``lower`` folded (’ → '), and its span ``[start, end)``."""

    text: str
    lower: str
    start: int
    end: int


class Sentence(NamedTuple):
    """A sentence as a slice ``words[first:last]`` of the text's words, with its character span."""

    first: int
    last: int
    start: int
    end: int

    @property
    def size(self) -> int:
        return self.last - self.first


def words(text: str) -> list[Word]:
    """The words of ``text`` in order (punctuation, emoji and symbols are not words)."""
    return as_words(*columns(text))


def as_words(texts: list[str], lows: list[str], starts: list[int], ends: list[int]) -> list[Word]:
    """``Word``s from the parallel lists of ``columns`` (built in C, without a Python call per word)."""
    return list(map(_new, repeat(Word), zip(texts, lows, starts, ends, strict=True)))


def columns(text: str) -> tuple[list[str], list[str], list[int], list[int]]:
    """The words of ``text`` as parallel lists: as written, folded (lower case, ’ → '), starts, ends.

    Built with ``map`` so the per-word work stays in C: this is the scorer's hottest loop. For
    lower-case text ``lows`` is ``texts`` (the same list: neither is changed later).
    """
    is_ascii = text.isascii()
    # Such text ends in a letter or digit and has no comma or full stop: written text skips the attempt.
    if text[-1:].isalnum() and "," not in text and "." not in text and (_SPACED_ASCII if is_ascii else _SPACED).fullmatch(text):
        texts = text.split(" ")
        starts = list(accumulate(map(add, map(len, texts), repeat(1)), initial=0))
        starts.pop()
        ends = list(map(add, starts, map(len, texts)))
    else:
        found = list((_WORD_ASCII if is_ascii else _WORD).finditer(text))
        texts, starts, ends = list(map(re.Match.group, found)), list(map(re.Match.start, found)), list(map(re.Match.end, found))
    if text.islower():  # no capital letter, and lower-case letters fold to themselves
        lows = texts
    elif "Σ" in text and len(text.lower()) == len(text):
        # Capital sigma is the one letter that lower-cases by context (final "ς"): fold the text, cut it.
        lows = list(map(text.lower().__getitem__, map(slice, starts, ends)))
    else:
        lows = list(map(str.lower, texts))
    if "’" in text:
        lows = [w.replace("’", "'") for w in lows]
    return texts, lows, starts, ends


def sentences(text: str, tokens: list[Word], abbreviations: frozenset[str]) -> list[Sentence]:
    """Sentences over ``tokens``: split after terminal punctuation or at line breaks.

    A period after a known abbreviation ("Mr.", "approx.") does not end a sentence.
    """
    return split_sentences(text, list(map(itemgetter(2), tokens)), list(map(itemgetter(3), tokens)), abbreviations)


def split_sentences(text: str, starts: list[int], ends: list[int], abbreviations: frozenset[str]) -> list[Sentence]:
    """``sentences`` over words given by their ``starts`` and ``ends`` (as ``columns`` gives them)."""
    if not starts:
        return []
    cuts = []
    if _MAY_END.search(text):
        for m in _BOUNDARY.finditer(text):
            if m.group() == ".":
                before = text[max(0, m.start() - 12) : m.start()].split()
                if before and before[-1].lower().lstrip("(\"'") + "." in abbreviations:
                    continue
            cuts.append(m.end())
    if not cuts:
        return [_new(Sentence, (0, len(starts), starts[0], ends[-1]))]
    out: list[Sentence] = []
    i = 0
    for cut in [*cuts, len(text) + 1]:
        j = bisect_left(starts, cut, i)  # the first word at or after the cut
        if j > i:
            out.append(_new(Sentence, (i, j, starts[i], ends[j - 1])))
            i = j
    return out


def syllables(word: str, exceptions: dict[str, int] | None = None) -> int:
    """Syllables in an English word by rule (vowel groups, silent endings, split vowel pairs).

    About 97% agree with CMUdict on the 5,000 most frequent English words before ``exceptions``
    (a word → count table for the frequent words the rules get wrong). A number counts 1; a word
    with neither letters nor digits counts 0.
    """
    w = _LETTERS.sub("", word.lower())
    if not w:
        return 1 if any(c.isdigit() for c in word) else 0
    if exceptions and w in exceptions:
        return exceptions[w]
    w = w.replace("qu", "q")
    if w.startswith("y"):
        w = "j" + w[1:]
    n = len(_GROUPS.findall(w))
    if n > 1:
        if w.endswith("e") and w[-2] not in _VOWELS and not (w[-2] in "lr" and w[-3] not in _VOWELS):
            n -= 1  # make, time; not table, centre
        elif w.endswith(("es", "ed")) and len(w) > 3 and w[-3] not in _VOWELS:
            stem = w[:-2]
            if w[-1] == "s":  # makes, rules; not boxes, places, tables
                n -= not (stem.endswith(("s", "x", "z", "c", "g", "ch", "sh")) or (stem[-1] in "lr" and stem[-2] not in _VOWELS))
            else:  # jumped, called; not wanted, needed
                n -= not stem.endswith(("t", "d"))
        if w.endswith("gue"):
            n -= 1  # league, tongue
    n -= len(_INNER_SILENT_E.findall(w))
    n += len(_TWO.findall(w))
    n += bool(_EXTRA.search(w))
    if w.endswith("ically"):
        n -= 1  # basically: ba-sic-ly
    return max(1, n)
