"""The language data clarity reads, loaded once per language and turned into fast lookup tables.

Every list lives in ``coach/lang/<lang>/clarity_*.json|txt`` (see SOURCES.md there); this module only
indexes it. Phrases are matched on the same word tokens the scorer uses, longest match first.
"""

from __future__ import annotations

import functools
import heapq
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import compress, count
from typing import Any

from .. import lang as _lang
from .._limits import WORDS
from ._text import words

__all__ = ["ACRONYM_WORD", "LANE", "TRIGGERED", "Lexicon", "PhraseIndex", "lexicon"]

#: Issue kinds that can only fire when the text has both words of some trigger pair: the two keys of
#: a phrase (``PhraseIndex.pairs``), or for the other kinds ("be" and a participle, two negatives, a
#: light verb and its noun) two words. ``Lexicon.triggers`` maps a word to bits: kind ``i`` owns
#: ``2 * LANE`` bits from ``2 * LANE * i``; a pair's first word sets the bit of the pair's group (one
#: of ``LANE``, see ``_triggers``) in the lower half, its second word the same bit in the upper half.
#: So with ``hits`` the bits of a text's words, ``hits & hits >> LANE`` has a bit in kind ``i``'s lower
#: half when some pair of the kind is complete (and, rarely, when the first word of one pair and the
#: second of another share a group: the check then finds nothing).
TRIGGERED = ("jargon", "legalese", "hedge", "negative_refusal", "hidden_verb", "passive_voice", "double_negative")
LANE = 64
#: The ``Lexicon.triggers`` bit of glossary acronyms in lower case ("ach"), which lower-case text can flag.
ACRONYM_WORD = 1 << 2 * LANE * len(TRIGGERED)


class PhraseIndex:
    """Phrases (as lower-case word tuples) → payload, found in a token list longest-first, left to right.

    Every phrase has two key words, a rare one (picked so that phrases share it) and another (a
    one-word phrase's word twice): ``pairs`` maps first keys to their second keys. A text can hold a
    match only when it has both keys of some phrase (``may_match``), so most texts skip ``find``.
    """

    def __init__(self, phrases: Iterable[tuple[str, Any]], rarity: Callable[[str], float] | None = None) -> None:
        table: dict[tuple[str, ...], Any] = {}
        for phrase, payload in phrases:
            key = tuple(w.lower for w in words(phrase))
            if key and key not in table:
                table[key] = payload
        self._table = table
        # One-word phrases by word; longer ones by their first two words, with the lengths to try
        # longest first. A match can only start at a word in ``_firsts``.
        pairs: dict[tuple[str, str], set[int]] = {}
        for key in table:
            if len(key) > 1:
                pairs.setdefault(key[:2], set()).add(len(key))
        self._singles = {key[0]: payload for key, payload in table.items() if len(key) == 1 and payload is not None}
        self._pairs = {pair: sorted(sizes, reverse=True) for pair, sizes in pairs.items()}
        self._firsts = frozenset(self._singles) | {pair[0] for pair in pairs}
        phrases = list(table)
        first = _cover(phrases, rarity)
        second = _cover([tuple(w for w in phrase if w != first[k]) or phrase for k, phrase in enumerate(phrases)], rarity)
        pairs: dict[str, set[str]] = {}
        for word, other in zip(first, second, strict=True):
            pairs.setdefault(word, set()).add(other)
        self.pairs = {word: frozenset(others) for word, others in pairs.items()}
        self._first_keys = frozenset(pairs)

    def __len__(self) -> int:
        return len(self._table)

    def may_match(self, present: set[str] | frozenset[str]) -> bool:
        """Whether a text with these words has both key words of some phrase (else ``find`` finds none)."""
        pairs, first = self.pairs, self._first_keys.intersection(present)
        return bool(first) and any(not pairs[word].isdisjoint(present) for word in first)

    def find(self, lows: list[str]) -> list[tuple[int, int, Any]]:
        """Non-overlapping matches ``(first, last, payload)`` over ``lows[first:last]``."""
        out = []
        n = len(lows)
        free = 0  # the first word not inside an earlier match
        singles, pairs, table = self._singles, self._pairs, self._table
        # Only the positions where some phrase can start, picked out in C: most words start none.
        for i in compress(count(), map(self._firsts.__contains__, lows)):
            if i < free:
                continue
            sizes = pairs.get((lows[i], lows[i + 1]), ()) if i + 1 < n else ()
            for size in sizes:
                if i + size <= n:
                    payload = table.get(tuple(lows[i : i + size]))
                    if payload is not None:
                        out.append((i, i + size, payload))
                        free = i + size
                        break
            else:
                payload = singles.get(lows[i])
                if payload is not None:
                    out.append((i, i + 1, payload))
                    free = i + 1
        return out


def _cover(phrases: list[tuple[str, ...]], rarity: Callable[[str], float] | None) -> list[str]:
    """A word of each phrase, chosen so that together they are rare (a set of words covering all phrases).

    A greedy weighted set cover: each step takes the word with the least frequency (``10 ** rarity``)
    per phrase it newly covers, so phrases of common words share one key ("can't" for "I can't
    refund", "we can't help") rather than each bringing its own. Without ``rarity`` all words cost 1.
    """
    holding: dict[str, list[int]] = {}
    for k, phrase in enumerate(phrases):
        for word in dict.fromkeys(phrase):
            holding.setdefault(word, []).append(k)
    cost = {word: 10.0 ** rarity(word) if rarity is not None else 1.0 for word in holding}
    queue = [(cost[word] / len(ks), word) for word, ks in holding.items()]
    heapq.heapify(queue)
    by = [""] * len(phrases)
    left = len(phrases)
    while left:
        ratio, word = heapq.heappop(queue)
        new = [k for k in holding[word] if not by[k]]
        if not new:
            continue
        if cost[word] / len(new) > ratio:  # fewer new phrases than when queued: queue it again
            heapq.heappush(queue, (cost[word] / len(new), word))
            continue
        left -= len(new)
        for k in new:
            by[k] = word
    return by


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Everything the clarity checks look up for one language."""

    lang: str
    frequency: Mapping[str, float]
    abbreviations: frozenset[str]
    syllables: Mapping[str, int]
    chat: Mapping[str, str]
    fillers: frozenset[str]
    jargon: PhraseIndex
    legalese: PhraseIndex
    hedges: PhraseIndex
    light_verbs: PhraseIndex
    refusals: PhraseIndex
    alternatives: PhraseIndex
    jargon_acronyms: Mapping[str, str]
    jargon_acronyms_lower: frozenset[str]
    hidden_pairs: Mapping[str, frozenset[str]]
    hidden_nouns: frozenset[str]
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
    triggers: Mapping[str, int]
    trigger_words: frozenset[str]
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
    rarity = _rarity(lang)
    indexes = {
        "jargon": PhraseIndex(((e["term"], e["plain"]) for e in jargon if e["term"] not in acronyms), rarity),
        "legalese": PhraseIndex(data("clarity_legalese")["phrases"].items(), rarity),
        "hedges": PhraseIndex(data("clarity_hedges")["phrases"].items(), rarity),
        "light_verbs": PhraseIndex(hidden["light_verbs"].items(), rarity),
        "refusals": PhraseIndex(_refusal_phrases(refusals), rarity),
        "alternatives": PhraseIndex(((a, a) for a in refusals["alternatives"]), rarity),
    }
    hidden_pairs = {k: frozenset(v) for k, v in hidden["pairs"].items()}
    hidden_nouns = frozenset().union(*hidden_pairs.values())
    negation_words = frozenset(negation["negators"])
    passive_aux = frozenset(passive["auxiliaries"])
    # "make a payment": a word of the light verb and a noun of its lemma; "the completion of".
    verb_pairs: dict[str, set[str]] = {}
    for surface, lemma in hidden["light_verbs"].items():
        key = min((w.lower for w in words(surface)), key=rarity)
        verb_pairs.setdefault(key, set()).update(hidden_pairs.get(lemma, ()))
    for noun in hidden["of_pattern"]:
        verb_pairs.setdefault(noun, set()).add("of")
    triggers = _triggers(
        {
            "jargon": indexes["jargon"].pairs,
            "legalese": indexes["legalese"].pairs,
            "hedge": indexes["hedges"].pairs,
            "negative_refusal": indexes["refusals"].pairs,
            "hidden_verb": verb_pairs,
            "passive_voice": dict.fromkeys(passive_aux, passive_aux),  # the participle is checked later
            "double_negative": dict.fromkeys(negation_words, negation_words),
        },
        rarity,
    )
    for word in acronyms:
        triggers[word.lower()] = triggers.get(word.lower(), 0) | ACRONYM_WORD
    return Lexicon(
        lang=lang,
        frequency=_frequencies(lang),
        abbreviations=_tokens(lang, "clarity_abbreviations"),
        syllables=data("clarity_syllables")["words"],
        chat=chat["abbreviations"],
        fillers=frozenset(chat["fillers"]),
        **indexes,
        jargon_acronyms=acronyms,
        jargon_acronyms_lower=frozenset(a.lower() for a in acronyms),
        hidden_pairs=hidden_pairs,
        hidden_nouns=hidden_nouns,
        hidden_between=frozenset(hidden["between"]),
        hidden_verbs=hidden["verbs"],
        of_pattern=frozenset(hidden["of_pattern"]),
        passive_aux=passive_aux,
        passive_adverbs=frozenset(passive["adverbs"]),
        participles=frozenset(passive["irregular"]),
        adjectival=frozenset(passive["adjectival"]),
        negators=negation_words,
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
        triggers=triggers,
        trigger_words=frozenset(triggers),
    )


def _triggers(pairs: Mapping[str, Mapping[str, Iterable[str]]], rarity: Callable[[str], float]) -> dict[str, int]:
    """``Lexicon.triggers`` from each ``TRIGGERED`` kind's pairs (first word → second words).

    The most frequent second words get a group each, so a common word ("that", "we") completes only
    its own pairs; the other pairs share the remaining groups by first word.
    """
    own = LANE * 3 // 4  # groups of their own for this many second words
    triggers: dict[str, int] = {}
    for i, kind in enumerate(TRIGGERED):
        seconds = sorted({w for ws in pairs[kind].values() for w in ws}, key=lambda w: (-rarity(w), w))
        rank = {w: r for r, w in enumerate(seconds)}
        for k, (first, ws) in enumerate(sorted(pairs[kind].items())):
            for word in ws:
                group = rank[word] if rank[word] < own else own + k % (LANE - own)
                bit = 1 << 2 * LANE * i + group
                triggers[first] = triggers.get(first, 0) | bit
                triggers[word] = triggers.get(word, 0) | bit << LANE
    return triggers


def _rarity(lang: str) -> Callable[[str], float]:
    """Zipf frequency by word, remembered while the lexicon is built (phrases share many words)."""
    return functools.cache(functools.partial(_zipf, lang))


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
