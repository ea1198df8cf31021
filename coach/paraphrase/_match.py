"""Recognising a confirmation: an agent turn that restates what the customer said, in the agent's
perspective.

For each customer turn, ``prepare`` computes once: its content words as lemma keys (weighted by how
rare the word is, so "refund" counts for more than "thing"), its facts, and its words shifted to the
agent's perspective ("my card" -> "your card"). ``match`` then scores each sentence (and each pair of
adjacent sentences) of the agent turn against each customer turn: content overlap, phrases in the
agent's perspective shared with the shifted customer words, confirming frames ("so you ...", "is that
right?"), penalties for information questions and for announcing an action (that is ``fix``, not
``confirm``). A verbatim echo with the customer's "I/my" left in is parroting.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .._limits import TEXTS, WORDS
from ._core import Analysis, select, states_problem
from ._grammar import rewrite
from ._lexicon import Lexicon
from ._text import Tok, fact_flags, freeze, key, sentences, tokenize
from .perspective import expand, shift

if TYPE_CHECKING:
    from spacy.tokens import Doc

#: Lowest score at which an agent turn counts as restating a customer turn.
THRESHOLD = 0.42
#: How many of the most recent customer turns are compared.
LOOKBACK = 8
# Content weight a restatement needs to cover before recall is full: a confirmation picks the point,
# not every word of a long turn.
_RECALL_CAP = 3.0
_ACTION_STARTS = (
    ("i'll",),
    ("i", "will"),
    ("i've",),
    ("i", "have"),
    ("i", "can"),
    ("let", "me"),
    ("we'll",),
    ("we", "will"),
    ("we've",),
    ("i'm", "going", "to"),
    ("i", "am", "going", "to"),
    ("i'm", "gonna"),
    ("i", "just"),
    ("i", "went", "ahead"),
    ("please",),
)


@dataclass(frozen=True, slots=True)
class Prepared:
    """A customer turn made ready for ``match``; build it once per customer turn with
    ``Paraphraser.prepare`` and pass it instead of the text."""

    text: str
    weights: dict[str, float]
    core_keys: frozenset[str]
    facts: frozenset[str]
    shifted_bigrams: frozenset[tuple[str, str]]
    trigrams: frozenset[tuple[str, str, str]]
    states_problem: bool
    substantive: bool
    request: bool


@dataclass(frozen=True, slots=True)
class ConfirmMatch:
    """An agent turn that restates an earlier customer turn.

    ``turn`` is the customer turn restated; ``score`` (0–1, higher is a clearer restatement);
    ``start``/``end`` the character span of the restatement in the agent's text; ``parroting`` is
    True for a verbatim echo with the customer's I/my left in (not a confirmation); ``reason`` says why.
    """

    turn: int
    score: float
    start: int
    end: int
    parroting: bool
    reason: str


def prepare(text: str, analysis: Analysis, lex: Lexicon) -> Prepared:
    """What ``match`` needs from one customer turn (``analysis`` is ``analyse`` of ``text``)."""
    toks = list(analysis.tokens)
    flags = analysis.fact_mask
    weights: dict[str, float] = {}
    for c in analysis.clauses:
        for k in c.keys:
            # Synonyms share a key; the weightier word counts (not whichever a set yields last,
            # which varies with the process's hash seed).
            ck = _ckey(k, lex)
            weights[ck] = max(weights.get(ck, 0.0), _weight(k))
    facts = frozenset(t.low for t, f in zip(toks, flags, strict=True) if f and t.is_word)
    for f in facts:
        weights[_ckey(key(f, lex), lex)] = 1.5
    core = select(analysis, 2)
    core_keys = frozenset(_ckey(k, lex) for c in core for k in c.keys) or frozenset(weights)
    shifted = [t.low for t in shift(freeze(toks, flags), lex) if t.is_word]
    raw = [t.low for t in toks if t.is_word]
    return Prepared(
        text=text,
        weights=weights,
        core_keys=core_keys,
        facts=facts,
        shifted_bigrams=frozenset(itertools.pairwise(shifted)),
        trigrams=frozenset(zip(raw, raw[1:], raw[2:], strict=False)),
        states_problem=states_problem(analysis),
        # A turn worth restating says something beyond social talk and bare values.
        substantive=any(c.score >= 1.0 and c.keys for c in analysis.clauses),
        request=any(rewrite(list(c.toks), lex, c.question) != list(c.toks) for c in core),
    )


@functools.cache
def _synonyms(lex: Lexicon) -> dict[str, str]:
    """Comparison key -> the key of its synonym group's first word (first group wins)."""
    out: dict[str, str] = {}
    for group in lex.synonym_groups:
        head = key(group[0], lex)
        for w in group:
            out.setdefault(key(w, lex), head)
    return out


def _ckey(k: str, lex: Lexicon) -> str:
    return _synonyms(lex).get(k, k)


@functools.lru_cache(maxsize=WORDS)
def _weight(k: str) -> float:
    """How much a content word says: rarer words more (wordfreq Zipf scale, 1–7)."""
    from wordfreq import zipf_frequency

    z = zipf_frequency(k, "en")
    if z == 0.0:  # a lemma key ("charg") or an unknown word: a middling weight
        return 1.0
    return max(0.3, min(1.5, (7.0 - z) / 3.0))


@dataclass(frozen=True, slots=True)
class _Span:
    start: int
    end: int
    words: tuple[str, ...]
    keys: frozenset[str]
    fact_keys: frozenset[str]
    weight: float
    bigrams: frozenset[tuple[str, str]]
    trigrams: tuple[tuple[str, str, str], ...]
    frame: str | None
    weak_frame: bool
    check: bool
    second_person: bool
    question: bool
    action: bool
    empathy: bool
    reflective: bool


def match(
    agent_text: str, customers: Sequence[tuple[int, Prepared]], lex: Lexicon, doc: Doc | None = None
) -> ConfirmMatch | None:
    """The best restatement of a recent customer turn in ``agent_text``, or None below ``THRESHOLD``."""
    if not customers:
        return None
    if doc is not None and doc.text == agent_text:
        spans = _spans(expand(tokenize(agent_text), lex), lex, doc)
    else:
        spans = _agent_spans(agent_text, lex)
    recent = list(customers)[-LOOKBACK:]
    best: tuple[float, int, _Span, float, bool] | None = None
    for age, (index, cust) in enumerate(reversed(recent)):
        if not cust.substantive:
            continue
        for span in spans:
            scored = _score(span, cust, lex)
            if scored is None:
                continue
            score, overlap, parroting = scored
            score -= 0.04 * age
            # An echo with the customer's I/my is reported (as parroting) even when it is no confirmation.
            if score < THRESHOLD and not (parroting and overlap >= 0.6):
                continue
            if best is None or score > best[0]:
                best = (score, index, span, overlap, parroting)
    if best is None:
        return None
    score, index, span, overlap, parroting = best
    frame = f"with frame '{span.frame}'" if span.frame else ("with a check" if span.check else "without a frame")
    what = "echoes" if parroting else "restates"
    reason = f"{what} turn {index} (overlap {overlap:.2f}) {frame}"
    if parroting:
        reason += "; the customer's I/my are left in (parroting)"
    return ConfirmMatch(index, round(min(max(score, 0.0), 1.0), 4), span.start, span.end, parroting, reason)


def _score(span: _Span, cust: Prepared, lex: Lexicon) -> tuple[float, float, bool] | None:
    """The span's score as a restatement of ``cust`` (higher is clearer), its content overlap, and
    whether it parrots; None when they share no content word that is not a bare value."""
    shared = span.keys & cust.weights.keys()
    framed = span.frame is not None and span.check
    if not shared - span.fact_keys and not framed:
        # Reading back a number or a value alone is not a confirmation; a restatement in other
        # words is recognised only by its frame and its check ("so ... — have I got that right?").
        return None
    got = sum(cust.weights[k] for k in shared)
    core_weight = sum(cust.weights.get(k, 0.0) for k in cust.core_keys)
    recall = min(1.0, got / max(0.5, min(core_weight, _RECALL_CAP)))
    precision = min(1.0, got / span.weight) if span.weight else 0.0
    overlap = 2 * recall * precision / (recall + precision) if recall + precision else 0.0
    phrase = min(1.0, len(span.bigrams & cust.shifted_bigrams) / 2.0)
    framed = span.frame is not None or span.check
    # A bare echo ("your account's been frozen, right?") adds nothing, unless it echoes a request
    # from the agent's side ("check your account balance").
    echo = span.frame is None and not span.keys - cust.weights.keys() and not cust.request
    # A restatement brings back the customer's facts; new ones (a balance, a date) are an answer.
    new_facts = bool(span.fact_keys - cust.weights.keys())
    score = (
        0.45 * overlap
        + (0.25 if span.frame else 0.0)
        + (0.15 if span.check else 0.0)
        + (0.08 if span.weak_frame else 0.0)
        + (0.05 if span.second_person else 0.0)
        + 0.1 * phrase
        - (0.3 if span.question and not framed else 0.0)
        - (0.2 if span.action and not framed else 0.0)
        - (0.2 if span.empathy and not framed else 0.0)
        + (0.17 if span.reflective else 0.0)
        - (0.25 if echo else 0.0)
        - (0.2 if new_facts and not framed else 0.0)
    )
    return score, overlap, _parrots(span, cust, lex)


def _parrots(span: _Span, cust: Prepared, lex: Lexicon) -> bool:
    """A verbatim echo: a first-person word of the customer's inside three words copied from them."""
    copied = [g for g in span.trigrams if g in cust.trigrams]
    return any(w in lex.first_person or w in lex.first_person_plural for g in copied for w in g)


@functools.lru_cache(maxsize=TEXTS)
def _agent_spans(agent_text: str, lex: Lexicon) -> tuple[_Span, ...]:
    """The spans of an agent turn, cached: the confirm detector and the report's confirmation marking
    look at the same turn, and the spans do not depend on the customer turns."""
    return tuple(_spans(expand(tokenize(agent_text), lex), lex, None))


def _spans(toks: list[Tok], lex: Lexicon, doc: Doc | None) -> list[_Span]:
    """Each sentence of the agent turn, and each pair of adjacent sentences."""
    bounds = sentences(toks, doc)
    ranges = list(bounds) + [(a[0], b[1]) for a, b in itertools.pairwise(bounds)]
    flags = fact_flags(toks, lex)
    out = []
    for a, b in ranges:
        span = _span(toks[a:b], flags[a:b], lex)
        if span is not None:
            out.append(span)
    return out


def _span(toks: list[Tok], flags: list[bool], lex: Lexicon) -> _Span | None:
    words = tuple(t.low for t in toks if t.is_word)
    if not words:
        return None
    lead = 0
    while lead < len(words) - 1 and words[lead] in lex.markers and words[lead] not in lex.so_words:
        lead += 1
    first = words[lead]
    nxt = words[lead + 1] if lead + 1 < len(words) else ""
    ends_question = toks[-1].low == "?"
    after = words[lead + 1 : lead + 3]
    asks = (
        # "what do you ...", "how long have you ...": a wh-word with an auxiliary after it; "when she
        # pushes, ..." is a statement.
        (first in lex.wh or first in lex.wh_contracted)
        and (ends_question or first in lex.wh_contracted or any(_is_aux(w, lex) for w in after))
    ) or (_is_aux(first, lex) and (nxt in lex.you_forms or nxt in _ASKED))
    so_frame = (
        first in lex.so_words
        and nxt != ""
        and not (nxt in lex.wh or (_is_aux(nxt, lex) and words[lead + 2 : lead + 3] in (("you",), ("i",), ("it",))))
    )
    found = _find(words, lex.recognise)
    frame = " ".join(found) if found else (f"{first} {nxt} …" if so_frame else None)
    check = (
        _find(words, lex.checks) is not None
        or (len(words) >= 4 and words[-1] in lex.check_words and not asks)
        or (ends_question and words[-1] in lex.check_words)
    )
    frame_words = _frame_words(lex)
    keys: set[str] = set()
    fact_keys: set[str] = set()
    for t, f in zip(toks, flags, strict=True):
        w = t.low
        if f and t.is_word:
            fact_keys.add(_ckey(key(w, lex), lex))
            keys.add(_ckey(key(w, lex), lex))
        elif w.isalpha() and w not in lex.stopwords and w not in frame_words:
            keys.add(_ckey(key(w, lex), lex))
    weight = sum(1.5 if k in fact_keys else _weight(k) for k in keys)
    return _Span(
        start=toks[0].start,
        end=toks[-1].end,
        words=words + (("?",) if ends_question else ()),
        keys=frozenset(keys),
        fact_keys=frozenset(fact_keys),
        weight=weight,
        bigrams=frozenset(itertools.pairwise(words)),
        trigrams=tuple(zip(words, words[1:], words[2:], strict=False)),
        frame=frame,
        weak_frame=_find(words, lex.perspective) is not None,
        check=check,
        second_person=any(w in lex.second_person for w in words),
        question=asks or (ends_question and found is None and not check and not so_frame),
        action=_acts(words, lead, lex),
        empathy=_find(words, lex.empathy) is not None,
        reflective=_reflective(words, lead, asks or ends_question, lex),
    )


def _acts(words: tuple[str, ...], lead: int, lex: Lexicon) -> bool:
    """The agent announcing or reporting their own action ("I'll send ...", "added to your order")."""
    starts = any(words[: len(s)] == s or words[lead : lead + len(s)] == s for s in _ACTION_STARTS)
    return starts or any(w in lex.done for w in words)


def _reflective(words: tuple[str, ...], lead: int, asks: bool, lex: Lexicon) -> bool:
    """A statement about the customer's own situation or feelings ("you've given it a real go",
    "it sounds lonely"), not a question, advice, information or the agent's own action."""
    if asks or len(words) < 4 or _find(words, lex.advice) is not None or any(w in lex.done for w in words):
        return False
    rest = words[lead:]
    return any(rest[: len(p)] == p for p in lex.reflective_leads) or any(w in lex.second_person for w in words)


# Subjects after an auxiliary that make a question ("do you", "is it", "can i").
_ASKED = frozenset({"i", "it", "there", "that", "this", "we", "they", "he", "she", "your", "the", "anything", "anyone"})


def _is_aux(low: str, lex: Lexicon) -> bool:
    return low in lex.be or low in lex.do or low in lex.modal or low in lex.do_negative


def _find(words: tuple[str, ...], phrases: tuple[tuple[str, ...], ...]) -> tuple[str, ...] | None:
    """The first of ``phrases`` (in their order) that occurs anywhere in ``words``."""
    by_first = _by_first_word(phrases)
    best: tuple[int, tuple[str, ...]] | None = None
    for i, w in enumerate(words):
        for k, p in by_first.get(w, ()):
            if (best is None or k < best[0]) and words[i : i + len(p)] == p:
                best = (k, p)
    return best[1] if best else None


_BY_FIRST_WORD: dict[int, tuple[tuple[tuple[str, ...], ...], dict[str, list[tuple[int, tuple[str, ...]]]]]] = {}


def _by_first_word(phrases: tuple[tuple[str, ...], ...]) -> dict[str, list[tuple[int, tuple[str, ...]]]]:
    """Phrases indexed by their first word, with their rank; kept per phrase tuple (the lexicon's
    tuples live for the process, so their identity is the key — hashing them would cost a scan)."""
    entry = _BY_FIRST_WORD.get(id(phrases))
    if entry is None or entry[0] is not phrases:
        index: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
        for k, p in enumerate(phrases):
            index.setdefault(p[0], []).append((k, p))
        entry = _BY_FIRST_WORD[id(phrases)] = (phrases, index)
    return entry[1]


@functools.cache
def _frame_words_for(frames: tuple[tuple[str, ...], ...]) -> frozenset[str]:
    return frozenset(w for f in frames for w in f)


def _frame_words(lex: Lexicon) -> frozenset[str]:
    return _frame_words_for(lex.recognise + lex.checks + lex.perspective + tuple((w,) for w in lex.check_words))
