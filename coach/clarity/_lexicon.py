"""The language data clarity reads, loaded once per language and turned into fast lookup tables.

Every list lives in ``coach/lang/<lang>/clarity_*.json|txt`` (see SOURCES.md there); this module only
indexes it. Phrases are matched on the same word tokens the scorer uses, longest match first.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import compress, count, pairwise
from typing import Any

from .. import lang as _lang
from .._limits import WORDS
from ._text import words

__all__ = ["Lexicon", "PhraseGroup", "PhraseIndex", "lexicon"]


class PhraseIndex:
    """Phrases (as lower-case word tuples) → payload, found in a token list longest-first, left to right."""

    def __init__(self, phrases: Iterable[tuple[str, Any]]) -> None:
        table: dict[tuple[str, ...], Any] = {}
        sizes: dict[str, set[int]] = {}
        for phrase, payload in phrases:
            key = tuple(w.lower for w in words(phrase))
            if key and key not in table:
                table[key] = payload
                sizes.setdefault(key[0], set()).add(len(key))
        self._table = table
        # Per first word, the phrase lengths to try, longest first: a few dict lookups per word.
        self._sizes = {w: sorted(n, reverse=True) for w, n in sizes.items()}

    def __len__(self) -> int:
        return len(self._table)

    def find(self, lows: list[str]) -> list[tuple[int, int, Any]]:
        """Non-overlapping matches ``(first, last, payload)`` over ``lows[first:last]``."""
        out = []
        i, n = 0, len(lows)
        sizes, table = self._sizes, self._table
        while i < n:
            for size in sizes.get(lows[i], ()):
                if i + size <= n:
                    payload = table.get(tuple(lows[i : i + size]))
                    if payload is not None:
                        out.append((i, i + size, payload))
                        i += size
                        break
            else:
                i += 1
        return out


class PhraseGroup:
    """Named ``PhraseIndex``es searched in one pass; each gives the matches its own ``find`` would."""

    def __init__(self, indexes: Mapping[str, PhraseIndex]) -> None:
        self._names = tuple(indexes)
        # One-word phrases by word, longer ones by their first two words (with the lengths to try,
        # longest first): a match can only start where one of these keys is.
        singles: dict[str, list[tuple[int, Any]]] = {}
        pairs: dict[tuple[str, str], dict[int, set[int]]] = {}
        for k, index in enumerate(indexes.values()):
            for key, payload in index._table.items():
                if len(key) == 1:
                    singles.setdefault(key[0], []).append((k, payload))
                else:
                    pairs.setdefault(key[:2], {}).setdefault(k, set()).add(len(key))
        tables = [index._table for index in indexes.values()]
        self._singles = singles
        self._pairs = {pair: [(k, sorted(n, reverse=True), tables[k]) for k, n in by_index.items()] for pair, by_index in pairs.items()}

    def find(self, lows: list[str]) -> dict[str, Sequence[tuple[int, int, Any]]]:
        singles, pairs = self._singles, self._pairs
        # Only the positions where some phrase can start, picked out in C: most words start none.
        starts = set(compress(count(), map(singles.__contains__, lows)))
        starts.update(compress(count(), map(pairs.__contains__, pairwise(lows))))
        if not starts:
            return dict.fromkeys(self._names, ())
        found: list[list[tuple[int, int, Any]]] = [[] for _ in self._names]
        free_from = [0] * len(self._names)
        n = len(lows)
        for i in sorted(starts):
            for k, sizes, table in pairs.get(tuple(lows[i : i + 2]), ()):
                if i >= free_from[k]:
                    for size in sizes:
                        if i + size <= n:
                            payload = table.get(tuple(lows[i : i + size]))
                            if payload is not None:
                                found[k].append((i, i + size, payload))
                                free_from[k] = i + size
                                break
            for k, payload in singles.get(lows[i], ()):
                if i >= free_from[k]:  # no longer phrase of this index matched here
                    found[k].append((i, i + 1, payload))
                    free_from[k] = i + 1
        return dict(zip(self._names, found, strict=True))


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Everything the clarity checks look up for one language."""

    lang: str
    frequency: Mapping[str, float]
    abbreviations: frozenset[str]
    syllables: Mapping[str, int]
    chat: Mapping[str, str]
    fillers: frozenset[str]
    phrases: PhraseGroup
    jargon_acronyms: Mapping[str, str]
    jargon_acronyms_lower: frozenset[str]
    hidden_pairs: Mapping[str, frozenset[str]]
    hidden_between: frozenset[str]
    hidden_verbs: Mapping[str, str]
    of_pattern: frozenset[str]
    passive_aux: frozenset[str]
    passive_adverbs: frozenset[str]
    participles: frozenset[str]
    adjectival: frozenset[str]
    negators: frozenset[str]
    second_negators: frozenset[str]
    after_not: frozenset[str]
    negation_window: int
    clause_breaks: frozenset[str]
    not_second: frozenset[str]
    prefixed: frozenset[str]
    un_exceptions: frozenset[str]
    acronym_allow: frozenset[str]
    function_words: frozenset[str]
    nouns: frozenset[str]
    noun_verbs: frozenset[str]
    nounish: frozenset[str]
    speech_unigrams: frozenset[str]
    speech_bigrams: frozenset[tuple[str, str]]
    speech_cues: frozenset[str]
    speech_min_words: int
    score: Mapping[str, Any]
    _zipf_cache: dict[str, float] = field(default_factory=dict, compare=False, repr=False)

    def zipf(self, word: str) -> float:
        """Zipf frequency of a lower-case word (log10 per billion words; 0 when unknown)."""
        cache = self._zipf_cache
        value = cache.get(word)
        if value is None:
            if len(cache) > WORDS:  # bound the cache in very long batch runs
                cache.clear()
            value = cache[word] = _zipf(self.lang, word)
        return value

    def zipfs(self, words: list[str]) -> list[float]:
        """``zipf`` of each word: one lookup pass in C when every word was seen before."""
        values = list(map(self._zipf_cache.get, words))
        if None in values:
            values = [self.zipf(w) if v is None else v for v, w in zip(values, words, strict=True)]
        return values


def _tokens(lang: str, name: str) -> frozenset[str]:
    return frozenset(w for line in _lang.lines(lang, name) for w in line.split())


@functools.cache
def _frequencies(lang: str) -> dict[str, float]:
    import wordfreq

    return wordfreq.get_frequency_dict(lang, wordlist="best")


def _zipf(lang: str, word: str) -> float:
    freq = _frequencies(lang).get(word)
    if freq is not None:
        return math.log10(freq) + 9.0
    # Hyphenated words, numbers and the like: wordfreq tokenizes and combines the parts.
    import wordfreq

    return wordfreq.zipf_frequency(word, lang)


@functools.cache
def lexicon(lang: str) -> Lexicon:
    """The clarity lexicon of ``lang``, built on first use and cached per process."""
    data = functools.partial(_lang.data, lang)
    jargon = data("clarity_jargon")["terms"]
    acronyms = {e["term"]: e["plain"] for e in jargon if _is_acronym(e["term"])}
    hidden = data("clarity_hidden_verbs")
    passive = data("clarity_passive")
    negation = data("clarity_negation")
    refusals = data("clarity_refusals")
    chat = data("clarity_chat")
    speech = data("clarity_speech")
    function_words = _tokens(lang, "clarity_function_words")
    nouns, noun_verbs = _tokens(lang, "clarity_nouns"), _tokens(lang, "clarity_noun_verbs")
    bigrams = frozenset(tuple(b.split()) for b in speech["bigrams"])
    return Lexicon(
        lang=lang,
        frequency=_frequencies(lang),
        abbreviations=_tokens(lang, "clarity_abbreviations"),
        syllables=data("clarity_syllables")["words"],
        chat=chat["abbreviations"],
        fillers=frozenset(chat["fillers"]),
        phrases=PhraseGroup(
            {
                "jargon": PhraseIndex((e["term"], e["plain"]) for e in jargon if e["term"] not in acronyms),
                "legalese": PhraseIndex(data("clarity_legalese")["phrases"].items()),
                "hedges": PhraseIndex(data("clarity_hedges")["phrases"].items()),
                "light_verbs": PhraseIndex(hidden["light_verbs"].items()),
                "refusals": PhraseIndex(_refusal_phrases(refusals)),
                "alternatives": PhraseIndex((a, a) for a in refusals["alternatives"]),
            }
        ),
        jargon_acronyms=acronyms,
        jargon_acronyms_lower=frozenset(a.lower() for a in acronyms),
        hidden_pairs={k: frozenset(v) for k, v in hidden["pairs"].items()},
        hidden_between=frozenset(hidden["between"]),
        hidden_verbs=hidden["verbs"],
        of_pattern=frozenset(hidden["of_pattern"]),
        passive_aux=frozenset(passive["auxiliaries"]),
        passive_adverbs=frozenset(passive["adverbs"]),
        participles=frozenset(passive["irregular"]),
        adjectival=frozenset(passive["adjectival"]),
        negators=frozenset(negation["negators"]),
        second_negators=frozenset(negation["second"]),
        after_not=frozenset(negation["after_not"]),
        negation_window=int(negation["window"]),
        clause_breaks=frozenset(negation["clause_breaks"]),
        not_second=frozenset(negation["not_second"]),
        prefixed=frozenset(negation["prefixed"]),
        un_exceptions=frozenset(negation["un_exceptions"]),
        acronym_allow=frozenset(w.upper() for w in _tokens(lang, "clarity_acronyms_allow")),
        function_words=function_words,
        nouns=nouns,
        noun_verbs=noun_verbs,
        nounish=(nouns | noun_verbs) - function_words,
        speech_unigrams=frozenset(speech["unigrams"]),
        speech_bigrams=bigrams,
        speech_cues=frozenset(speech["unigrams"]) | {b[0] for b in bigrams},
        speech_min_words=int(speech["min_words"]),
        score=data("clarity_score"),
    )


def _is_acronym(term: str) -> bool:
    letters = [c for c in term if c.isalpha()]
    return len(letters) >= 2 and sum(c.isupper() for c in letters) >= 2 and " " not in term


def _refusal_phrases(data: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    for phrase in data["phrases"]:
        yield phrase, phrase
    for negative in data["negatives"]:
        # "i'm unable to" already has its subject; "can't" needs one in front.
        starts = [""] if "'" in negative.split()[0] and negative.split()[0] not in {"can't", "won't", "don't"} else [
            s + " " for s in data["subjects"]
        ]
        for start in starts:
            for action in data["actions"]:
                phrase = f"{start}{negative} {action}"
                yield phrase, phrase
