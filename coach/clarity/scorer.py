"""``ClarityScorer``: how plainly a text reads, as a 0–100 score with the issues to fix.

The score is a logistic of a difficulty ``D`` (higher ``D`` = harder)::

    D = W + w_T · T + w_L · L + Σ_kinds weight_k · issues_k · 10 / (words + 2)

- ``W``, word cost: the sum over words of ``w_rarity · clip(5.5 − zipf, 0, 3) + w_rare · [zipf < 4]
  + w_long · max(letters − 4, 0)`` (wordfreq's Zipf scale: 6 = once per thousand words, 3 = once per
  million), divided by the word count plus two, as if two common words were added, so one rare word
  in a one-word turn does not read as a wall of jargon. Names, numbers, acronyms (judged as issues
  instead) and product names from the allow-list cost 0; chat abbreviations count as what they stand
  for; fillers ("um") are not words. Each word's cost is computed once and cached.
- ``T`` and ``L``, sentence length: ``ln(max(n, 6) / 6)`` of the mean and of the longest sentence's
  word count ``n``; unpunctuated lower-case speech is cut into sentences at discourse markers ("okay",
  "so i", "and then").
- Issue penalties: each enabled kind adds its weight per issue per ten words (set by hand).

The five weights ``w`` are fitted on OneStopEnglish (the same news articles at three levels): a
logistic regression, weights kept ≥ 0, on which of two aligned sentences, and which level of an
article, is the simpler one; then scaled so the median OneStopEnglish text keeps the difficulty of the
earlier unit-weighted formula, so the hand-set penalties keep their size. ``D`` is at least 0 and
maps to a score with a log-logistic curve, ``score = 100 / (1 + (D / midpoint) ** shape)``: ``D = 0``
(only common short words, short sentences, no issues) scores 100, the median OneStopEnglish text (the
midpoint) scores 50, and ``shape`` puts the median plain agent turn at 90. Higher is clearer. The
constants live in ``coach/lang/<lang>/clarity_score.json``; ``training/clarity/calibrate.py``
rebuilds them.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping, Sequence
from functools import reduce as _reduce
from itertools import compress, count
from operator import add, mul, not_, or_
from typing import Any

from .._limits import TEXTS, WORDS
from ..config import CLARITY_KINDS, ClarityConfig
from ..report import Clarity, Issue
from . import _checks
from ._checks import Parsed, acronym_key, looks_like_acronym
from ._lexicon import ACRONYM_WORD, LANE, TRIGGERED, Lexicon, PhraseIndex, lexicon
from ._text import Sentence, _new, columns, split_sentences

__all__ = ["ClarityScorer", "call_score", "grade"]

# The per-word parts of the word cost W, in the order of ``_word_parts`` (weights in clarity_score.json).
WORD_PARTS = ("rarity", "rare_words", "long_words")

# Spans no one reads as words: transcript markup ("[noise]", "<unk>"), links and e-mail addresses.
_MASK = re.compile(r"\[[^\]\n]{0,40}\]|<[^>\n]{0,40}>|https?://\S+|www\.\S+|[\w.+-]+@[\w-]+\.[\w.]+")
_INNER_PUNCTUATION = re.compile(r"[,;:—–()\"]")
_DEFAULT_THRESHOLDS = {"long_sentence": 20.0, "uncommon_word": 3.0, "noun_string": 4.0, "wall_of_text": 5.0}
_CACHE_SIZE = TEXTS
_NAME_CUES = frozenset({"mr", "mrs", "ms", "miss", "dr", "sir", "madam", "ma'am"})
_NAME_CUES_AND_IS = _NAME_CUES | {"is"}
_NAME_IS = frozenset({"name", "this"})  # "name is", "this is" before a name
_ORDER = {kind: i for i, kind in enumerate(CLARITY_KINDS)}
_BIT = {kind: ((1 << LANE) - 1) << 2 * LANE * i for i, kind in enumerate(TRIGGERED)}  # a kind's complete pairs
_JARGON, _LEGALESE, _HEDGE, _REFUSAL = _BIT["jargon"], _BIT["legalese"], _BIT["hedge"], _BIT["negative_refusal"]
_HIDDEN_VERB, _PASSIVE, _DOUBLE_NEGATIVE = _BIT["hidden_verb"], _BIT["passive_voice"], _BIT["double_negative"]
_DIGIT = re.compile(r"[0-9]")
_NO_WORDS = Clarity(score=None, grade=None, confidence=0.0, issues=(), words=0)


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group())


class ClarityScorer:
    """Scores texts in one language with one clarity configuration.

    The constructor only stores; language data loads on first use and is cached per process.
    """

    def __init__(self, lang: str = "en", config: ClarityConfig | None = None) -> None:
        self.lang = lang
        self.config = config

    @functools.cached_property
    def _config(self) -> ClarityConfig:
        return self.config if self.config is not None else ClarityConfig()

    @functools.cached_property
    def _lex(self) -> Lexicon:
        return lexicon(self.lang)

    @functools.cached_property
    def _company(self) -> PhraseIndex | None:
        glossary = self._config.glossary
        return PhraseIndex(glossary.items(), self._lex.zipf) if glossary else None

    @functools.cached_property
    def _company_acronyms(self) -> frozenset[str]:
        return frozenset(acronym_key(t) for t in self._config.glossary if looks_like_acronym(t))

    @functools.cached_property
    def _allow(self) -> PhraseIndex | None:
        allow = self._config.allow
        return PhraseIndex(((a, a) for a in allow), self._lex.zipf) if allow else None

    @functools.cached_property
    def _kinds(self) -> dict[str, float | None]:
        """Enabled kinds and their thresholds (``None`` for kinds without one)."""
        out = {}
        for kind in CLARITY_KINDS:
            setting = self._config.kind(kind)
            if setting.enabled:
                threshold = setting.threshold if setting.threshold is not None else _DEFAULT_THRESHOLDS.get(kind)
                out[kind] = threshold
        return out

    @functools.cached_property
    def _plan(self) -> tuple[int, PhraseIndex | None, bool, int | None, float | None, int | None, int | None]:
        """What ``_issues`` runs, worked out once: the ``TRIGGERED`` bits of the enabled kinds, the
        company glossary (when jargon is on), whether acronyms are on, and the thresholds of noun
        strings, uncommon words, long sentences and walls of text (``None`` when off)."""
        kinds = self._kinds

        def limit(kind: str, kind_type: type) -> Any:
            return kind_type(kinds[kind]) if kind in kinds else None

        triggered = sum(bit for kind, bit in _BIT.items() if kind in kinds)
        company = self._company if "jargon" in kinds else None
        thresholds = (limit("noun_string", int), limit("uncommon_word", float), limit("long_sentence", int), limit("wall_of_text", int))
        return (triggered, company, "acronym" in kinds, *thresholds)

    def score(self, text: str, *, known_acronyms: frozenset[str] = frozenset(), doc: Any = None) -> Clarity:
        """The clarity of ``text``: score 0–100 (higher is clearer), grade, confidence and issues.

        ``known_acronyms`` are acronyms explained earlier in the call (see ``expansions``). ``doc``
        is accepted so a caller can pass the spaCy Doc it already made of ``text``; the scorer's own
        regular-expression pass costs less than reading a Doc's tokens, so results are the same with
        and without it. A Doc of another text is a ``ValueError``.
        """
        if doc is not None and doc.text != text:
            raise ValueError("doc is not a Doc of this text")
        key = (text, known_acronyms)
        cached = self._cache.get(key)
        if cached is None:
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()  # cheap, and safe when threads share the scorer
            cached = self._cache[key] = self._score(text, known_acronyms)
        return cached

    @functools.cached_property
    def _cache(self) -> dict[tuple[str, frozenset[str]], Clarity]:
        # Agent turns repeat a lot (greetings, scripted lines); results are immutable, so reuse them.
        return {}

    def _score(self, text: str, known_acronyms: frozenset[str]) -> Clarity:
        parsed = self._parse(text)
        count = len(parsed.texts) - len(parsed.fillers)
        if count <= 0:
            return _NO_WORDS
        issues = self._issues(parsed, known_acronyms)
        difficulty = self._difficulty(parsed, count, issues)
        constants = self._lex.score
        value = to_score(difficulty, constants["scale"])
        confidence = 1.0 - math.exp(-count / constants["confidence_words"])
        return Clarity(value, _grade(value, constants["grades"]), confidence, issues, count)

    def expansions(self, text: str) -> frozenset[str]:
        """Acronyms ``text`` spells out ("Multi-Factor Authentication (MFA)"), upper-cased, so a
        caller can pass them as ``known_acronyms`` for the rest of the call (cached by text)."""
        return _checks.expansions(text)

    # --- internals ---------------------------------------------------------------------------

    def _parse(self, text: str) -> Parsed:
        lex = self._lex
        maybe_masked = "[" in text or "<" in text or "@" in text or "www" in text or "http" in text
        masked = _MASK.sub(_blank, text) if maybe_masked else text
        texts, lows, starts, ends = columns(masked)
        present = set(lows)
        sents = split_sentences(masked, starts, ends, lex.abbreviations)
        if len(lows) >= 2 * lex.speech_min_words and not lex.speech_cues.isdisjoint(present):
            sents = _speech_units(masked, lows, starts, ends, sents, lex)  # else too short or no marker
        parsed = Parsed(masked, texts, lows, starts, ends, present, sents, lex)
        parsed.lower = lower = lows is texts or masked.islower()  # ``columns`` folds no lower-case text
        fillers = lex.fillers
        if not fillers.isdisjoint(present):
            parsed.fillers = {i for i, w in enumerate(lows) if w in fillers}
        if self._allow is not None and self._allow.may_match(present):
            parsed.allowed = {i for a, b, _ in self._allow.find(lows) for i in range(a, b)}
        if not lower:  # words not in lower case (capitalised, or no letter): names, shouting and acronyms read them
            parsed.capitals = capitals = list(compress(count(), map(not_, map(str.islower, texts))))
        if not lower or not _NAME_CUES.isdisjoint(present) or ("is" in present and not _NAME_IS.isdisjoint(present)):
            parsed.names = _names(parsed)  # else no capitalised word, no "mr" and no "name is": no name
        if not lower and sum(map(str.isupper, map(texts.__getitem__, capitals))) >= 2:  # shouting needs 60% of at least 3 words
            letters = [w for w in texts if len(w) > 1 and not w.isdigit()]
            parsed.shouting = len(letters) >= 3 and sum(map(str.isupper, letters)) >= 0.6 * len(letters)
        return parsed

    def _issues(self, p: Parsed, known: frozenset[str]) -> tuple[Issue, ...]:
        triggered, company, acronym, noun_string, uncommon_word, long_sentence, wall_of_text = self._plan
        # A check runs only when the text can hold its issue: trigger words (one lookup per distinct
        # word), a capital or a glossary acronym, enough nouns, a rare word, enough words or sentences.
        lex = p.lex
        hits = _reduce(or_, map(lex.triggers.__getitem__, lex.trigger_words.intersection(p.present)), 0)
        pairs = hits & hits >> LANE & triggered  # the enabled kinds with a complete trigger pair
        found: list[Issue] = []
        if pairs & _JARGON or company is not None:
            found += _checks.jargon(p, company)
        if pairs & _LEGALESE:
            found += _checks.legalese(p)
        if acronym and not p.shouting and (hits & ACRONYM_WORD or not p.lower or not _lower_words(p)):
            found += _checks.acronyms(p, known, self._company_acronyms)  # else lower case without glossary acronyms
        if pairs & _REFUSAL:
            found += _checks.refusals(p)
        if pairs & _DOUBLE_NEGATIVE:
            found += _checks.double_negatives(p)
        if pairs & _HIDDEN_VERB:
            found += _checks.hidden_verbs(p)
        if pairs & _HEDGE:
            found += _checks.hedges(p)
        if pairs & _PASSIVE:
            found += _checks.passive_voice(p)
        if noun_string is not None and _noun_run(p, noun_string):
            found += _checks.noun_strings(p, noun_string)
        if uncommon_word is not None and not self._common.issuperset(p.present):
            found += _checks.uncommon_words(p, uncommon_word, self._common)
        if long_sentence is not None and len(p.texts) > long_sentence:  # else no sentence is longer
            found += _checks.long_sentences(p, long_sentence)
        if wall_of_text is not None and len(p.sentences) > wall_of_text:
            found += _checks.wall_of_text(p, wall_of_text)
        return tuple(sorted(found, key=lambda i: (i.start, i.end, _ORDER[i.kind])) if len(found) > 1 else found)

    def _difficulty(self, p: Parsed, count: int, issues: Sequence[Issue]) -> float:
        words_cost, mean_length, longest = self._measures(p, count)
        weights = self._lex.score["weights"]
        sentence = weights["sentence_length"] * mean_length + weights["longest_sentence"] * longest
        return words_cost + sentence + self._penalty(issues, count)

    def _measures(self, p: Parsed, count: int) -> tuple[float, float, float]:
        """Word cost ``W`` and sentence lengths ``T`` and ``L`` (see the module docstring)."""
        costs = self._costs
        if len(costs) > WORDS:  # bound the cache in very long batch runs
            costs.clear()
        skip = _skipped(p)
        prior = count + self._lex.score["words"]["prior_words"]
        kept = compress(p.texts, map(not_, map(skip.__contains__, range(len(p.texts))))) if skip else p.texts
        try:  # every kept word seen before: add the cached costs in C, in the loop's order
            return (_reduce(add, map(costs.__getitem__, kept), 0.0) / prior, *self._lengths(p))
        except KeyError:
            pass
        total = 0.0
        for i, (text, low) in enumerate(zip(p.texts, p.lows, strict=True)):
            if i not in skip:
                value = costs.get(text)
                if value is None:
                    value = costs[text] = self._word_cost(text, low)
                total += value
        return (total / prior, *self._lengths(p))

    @functools.cached_property
    def _costs(self) -> dict[str, float]:
        return {}

    @functools.cached_property
    def _common(self) -> set[str]:
        """Folded words of texts without an uncommon word: a text made only of them has none either
        (filled by ``_checks.uncommon_words``)."""
        return set()

    def _word_cost(self, text: str, low: str) -> float:
        """One word's share of ``W``: its parts weighted (computed once per word, then cached)."""
        return sum(map(mul, self._part_weights, self._word_parts(text, low)))

    @functools.cached_property
    def _part_weights(self) -> tuple[float, ...]:
        weights = self._lex.score["weights"]
        return tuple(weights[name] for name in WORD_PARTS)

    def _word_parts(self, text: str, low: str) -> tuple[float, ...]:
        """The ``WORD_PARTS`` of one word; all 0 for acronyms (judged as issues) and numbers."""
        lex = self._lex
        if looks_like_acronym(text) or (not low.isalpha() and any(c.isdigit() for c in low)):
            return (0.0,) * len(WORD_PARTS)
        expansion = lex.chat.get(low)
        zipf = min(lex.zipf(w) for w in expansion.lower().split()) if expansion else lex.zipf(low)
        settings = lex.score["words"]
        return (
            min(max(settings["common_zipf"] - zipf, 0.0), settings["span"]),
            float(zipf < settings["rare_zipf"]),
            float(max((len(low) if low.isalpha() else sum(c.isalpha() for c in low)) - settings["short_letters"], 0)),
        )

    def _lengths(self, p: Parsed) -> tuple[float, float]:
        """``T`` and ``L``: log of the mean and of the longest sentence length, fillers left out."""
        floor = self._lex.score["length"]["floor"]
        if p.fillers:
            sizes = [n for n in (sum(1 for i in range(s.first, s.last) if i not in p.fillers) for s in p.sentences) if n]
        elif len(p.sentences) == 1:  # mean and longest are the one length: the same value, once
            s = p.sentences[0]
            value = math.log(max(s.last - s.first, floor) / floor)
            return value, value
        else:
            sizes = [s.last - s.first for s in p.sentences]
        if not sizes:
            return 0.0, 0.0
        return math.log(max(sum(sizes) / len(sizes), floor) / floor), math.log(max(max(sizes), floor) / floor)

    def _penalty(self, issues: Sequence[Issue], count: int) -> float:
        if not issues:
            return 0.0
        weights = self._lex.score["penalties"]
        return sum(weights[i.kind] for i in issues) * 10.0 / (count + 2)


def to_score(difficulty: float, scale: Mapping[str, float]) -> float:
    """0–100 from a difficulty ≥ 0: ``100 / (1 + (D / midpoint) ** shape)`` (log-logistic).

    Difficulty 0 scores 100, the midpoint 50, and twice the midpoint about 30.
    """
    return 100.0 / (1.0 + (max(difficulty, 0.0) / scale["midpoint"]) ** scale["shape"])


def _speech_units(text: str, lows: list[str], starts: list[int], ends: list[int], sents: list[Sentence], lex: Lexicon) -> list[Sentence]:
    """Cut unpunctuated lower-case runs (speech, some chat) at discourse markers."""
    out = []
    least, cues, unigrams, bigrams = lex.speech_min_words, lex.speech_cues, lex.speech_unigrams, lex.speech_bigrams
    for s in sents:
        if s.last - s.first < 2 * least or cues.isdisjoint(lows[s.first + 1 : s.last]):
            out.append(s)  # too short, or no marker to cut at
            continue
        span = text[s.start : s.end]
        if (not span.islower() and any(c.isupper() for c in span)) or _INNER_PUNCTUATION.search(span):
            out.append(s)
            continue
        first, last = s.first, s.last
        # Only a marker cuts: "okay", or the first word of a pair such as "so i".
        for i in compress(range(first + 1, last), map(cues.__contains__, lows[first + 1 : last])):
            if i - first >= least and (lows[i] in unigrams or (i + 1 < last and (lows[i], lows[i + 1]) in bigrams)):
                out.append(_new(Sentence, (first, i, starts[first], ends[i - 1])))
                first = i
        out.append(_new(Sentence, (first, last, starts[first], s.end)))
    return out


def _noun_run(p: Parsed, size: int) -> bool:
    """Whether ``size`` nouns stand in a row (before punctuation, sentence ends and names cut runs)."""
    is_noun = p.lex.nounish.__contains__
    return len(p.lows) >= size and b"\1" * size in bytes(map(is_noun, p.lows))


def _lower_words(p: Parsed) -> bool:
    """Whether every word of a lower-case text is lower case: in ASCII without digits each has a letter."""
    return (p.text.isascii() and not _DIGIT.search(p.text)) or all(map(str.islower, p.texts))


def _skipped(p: Parsed) -> set[int] | tuple[()]:
    """Word positions ``W`` leaves out: fillers (not words) and names and allowed terms (common)."""
    return p.fillers | p.allowed | p.names if (p.fillers or p.allowed or p.names) else ()


def _names(p: Parsed) -> set[int]:
    """Words read as names: capitalised but not sentence-initial, or after "mr", "name is", "this is"."""
    capitalised = set()
    if not p.lower:  # else no word has a capital
        starts = {s.first for s in p.sentences}
        capitalised = {i for i in p.capitals if p.texts[i][0].isupper() and not p.texts[i].isupper() and i not in starts}
    out = set(capitalised)
    if "is" not in p.present and _NAME_CUES.isdisjoint(p.present):
        return out
    lows = p.lows
    for i in compress(count(1), map(_NAME_CUES_AND_IS.__contains__, lows[:-1])):  # the word after a cue
        if i not in capitalised and (lows[i - 1] in _NAME_CUES or (i > 1 and lows[i - 1] == "is" and lows[i - 2] in _NAME_IS)):
            out.add(i)
            if i + 1 < len(lows) and lows[i + 1] not in p.lex.function_words and p.lex.zipf(lows[i + 1]) < 4.5:
                out.add(i + 1)  # a surname after a first name
    return out


def grade(score: float | None, lang: str = "en") -> str | None:
    """The grade word for a 0–100 clarity score ("very clear" … "very unclear"); ``None`` for ``None``."""
    if score is None:
        return None
    return _grade(score, lexicon(lang).score["grades"])


def _grade(score: float, grades: Sequence[tuple[float, str]]) -> str:
    for bound, word in grades:
        if score >= bound:
            return word
    return grades[-1][1]


def call_score(turns: Sequence[Clarity], lang: str = "en") -> tuple[float | None, str | None]:
    """Word-weighted mean score of scored turns and its grade word; ``(None, None)`` if none scored."""
    total = weight = 0.0
    for turn in turns:
        if turn.score is not None and turn.words > 0:
            total += turn.score * turn.words
            weight += turn.words
    if not weight:
        return None, None
    value = total / weight
    return value, grade(value, lang)
