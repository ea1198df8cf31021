"""Choosing what a customer turn is about: its clauses, cleaned, scored, and the core picked.

A turn is cut into clauses (sentences, then before "can you", "I'd like", "but I" ...); fillers,
greetings, names and call lead-ins are dropped; each clause is scored for stating a problem or a
request; the best one or two, plus any clause that carries a fact (number, amount, date, ID), make
the core. Venting that says nothing else is left out unless there is nothing else.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

from ._grammar import rewrite
from ._lexicon import Lexicon
from ._text import SENTENCE_END, Tok, fact_flags, freeze, key, lemma, render, sentences, tokenize
from .perspective import expand, shift

#: Most words a core may have when it can be shortened without losing a fact.
MAX_WORDS = 30
#: Lowest clause score that counts as stating a problem or a request.
MIN_SCORE = 2.0
#: Lowest score of a second clause joined to the core (the context of the main problem).
SECOND_SCORE = 1.5
_GREETINGS = frozenset({"hi", "hello", "hey", "hiya", "hai"})
_CONTRASTS = frozenset({"but", "though", "although", "however", "yet", "still"})
_CONJUNCTIONS = frozenset({"and", "but", "so", "because", "since", "although", "though", "cause", "plus", "also"})
_CLAUSE_SUBJECTS = frozenset(
    {
        "my",
        "our",
        "it",
        "it's",
        "its",
        "the",
        "they",
        "they're",
        "this",
        "there",
        "there's",
        "that",
        "you",
        "your",
        "he",
        "she",
        "we",
    }
)
_REQUEST_STARTS = (
    ("can", "you"),
    ("could", "you"),
    ("would", "you"),
    ("will", "you"),
    ("can", "u"),
    ("could", "u"),
    ("can", "i"),
    ("could", "i"),
    ("i'd", "like"),
    ("id", "like"),
    ("i", "would"),
    ("i", "want"),
    ("i", "need"),
    ("i'm", "trying"),
    ("im", "trying"),
    ("i", "was"),
    ("is", "there"),
    ("please",),
    ("how", "do"),
    ("how", "can"),
    ("when", "will"),
    ("why", "is"),
    ("why", "did"),
    ("what", "is"),
    ("where", "is"),
)
# As lists, to compare with a slice of the tokens' words.
_REQUEST_STARTS_BY_WORD = {w: [list(s) for s in _REQUEST_STARTS if s[0] == w] for w in {s[0] for s in _REQUEST_STARTS}}


@dataclass(frozen=True, slots=True)
class Clause:
    """One cleaned customer clause: its tokens (customer perspective), which of them are facts, its
    score (higher states a problem or request more clearly), and what it is."""

    toks: tuple[Tok, ...]
    flags: tuple[bool, ...]
    score: float
    facts: int
    venting: bool
    question: bool
    keys: frozenset[str]
    position: int


@dataclass(frozen=True, slots=True)
class Analysis:
    """A customer turn taken apart: every kept clause, and the tokens the facts came from."""

    clauses: tuple[Clause, ...]
    tokens: tuple[Tok, ...]
    fact_mask: tuple[bool, ...]


def analyse(text: str, lex: Lexicon, doc=None) -> Analysis:
    """The clauses of a customer turn worth considering (social talk and names removed)."""
    toks = [t for t in expand(tokenize(text), lex) if t.low not in lex.asr]
    flags = fact_flags(toks, lex)
    keep = [True] * len(toks)
    _drop_repairs(toks, flags, keep, lex)
    toks = [t for t, k in zip(toks, keep, strict=True) if k]
    flags = [f for f, k in zip(flags, keep, strict=True) if k]
    clauses: list[Clause] = []
    for a, b in sentences(toks, doc if doc is not None and doc.text == text else None):
        for lo, hi in _clause_bounds(toks, flags, a, b, lex):
            cleaned = _clean(toks[lo:hi], flags[lo:hi], lex)
            if cleaned is None:
                continue
            clause = _score(*cleaned, lex, len(clauses))
            if clause is not None:
                clauses.append(clause)
    return Analysis(tuple(clauses), tuple(toks), tuple(flags))


def states_problem(analysis: Analysis) -> bool:
    """Whether any clause states a problem or a request (score at least ``MIN_SCORE``)."""
    return any(c.score >= MIN_SCORE and not c.venting for c in analysis.clauses)


def select(analysis: Analysis, most: int = 2) -> list[Clause]:
    """The core clauses in the customer's order: the ``most`` best problem/request clauses, near-repeats
    dropped, plus every other clause that carries a fact (never lose a number or an ID); the best
    venting clause when no problem or request is stated."""
    ranked = sorted(
        (c for c in analysis.clauses if c.score >= SECOND_SCORE and not c.venting),
        key=lambda c: (-c.score, c.position),
    )
    chosen: list[Clause] = []
    if ranked and ranked[0].score >= MIN_SCORE:
        for c in ranked:
            if len(chosen) < most and not any(_repeats(c, other) for other in chosen):
                chosen.append(c)
    if chosen:
        chosen += [c for c in analysis.clauses if c.facts and c not in chosen]
    else:
        venting = sorted((c for c in analysis.clauses if c.venting), key=lambda c: (-c.score, c.position))
        chosen = venting[:1]
    return sorted(_fit(chosen), key=lambda c: c.position)


def _repeats(c: Clause, other: Clause) -> bool:
    """Whether ``c`` says again what ``other`` said (venting repeated in other words)."""
    if c.facts or not c.keys:
        return False
    return len(c.keys & other.keys) / len(c.keys) >= 0.6


def _fit(chosen: list[Clause]) -> list[Clause]:
    """Drop the weakest fact-free clauses until the core has at most ``MAX_WORDS`` words."""
    out = list(chosen)
    while len(out) > 1 and sum(_words(c.toks) for c in out) > MAX_WORDS:
        droppable = [c for c in out if not c.facts]
        if not droppable:
            break
        out.remove(min(droppable, key=lambda c: (c.score, -c.position)))
    return out


def _words(toks) -> int:
    return sum(1 for t in toks if t.is_word)


def agent_tokens(clauses: list[Clause], lex: Lexicon, said: dict[int, list[Tok]] | None = None) -> list[Tok]:
    """The chosen clauses as the agent would say them: requests and questions turned into
    statements, perspective shifted, joined with "and", without closing punctuation.

    ``said`` keeps each clause as said, by position, for other calls on the same analysis (the
    best clause is in every core suggested)."""
    said = {} if said is None else said
    parts: list[list[Tok]] = []
    for c in clauses:
        if c.position not in said:
            said[c.position] = _agent_clause(c, lex)
        if said[c.position]:
            parts.append(said[c.position])
    out: list[Tok] = []
    for k, part in enumerate(parts):
        if k:
            if len(parts) > 2 or _words(parts[k - 1]) + _words(part) > 12:
                out.append(Tok(",", ",", -1, -1, False, True))
            if k == len(parts) - 1:
                out.append(Tok("and", "and", -1, -1, True, True))
            part = [part[0].spaced(), *part[1:]]
        out.extend(part)
    return out


def _agent_clause(c: Clause, lex: Lexicon) -> list[Tok]:
    """One clause as the agent would say it; empty when it is only punctuation."""
    toks = freeze(list(c.toks), c.flags)
    while toks and not toks[-1].is_word and not toks[-1].fixed and toks[-1].low != ")":
        toks.pop()
    if not toks:
        return []
    return _lower_start(shift(rewrite(_lower_start(toks), lex, c.question), lex))


def _lower_start(toks: list[Tok]) -> list[Tok]:
    """The clause's first word in lower case when it is capitalised only because it began a sentence
    (not "I"; the shifted "You" is). Quoted words and facts stay verbatim ("Monday", "May 5")."""
    t = toks[0]
    capitalised = t.text[:1].isupper() and (t.text[1:].islower() or len(t.text) == 1)
    if capitalised and not t.fixed and t.low != "i":
        toks = [t.spelled(t.text.lower(), t.low), *toks[1:]]
    return toks


def _clause_bounds(toks: list[Tok], flags: list[bool], a: int, b: int, lex: Lexicon) -> list[tuple[int, int]]:
    """Token ranges of the clauses of sentence ``[a, b)`` (``flags``: which tokens are facts).

    What ``_starts_clause`` needs of the clause so far (its words, less openers and fillers) is kept
    up to date token by token, so each token is looked at once however long the clause grows."""
    cuts = [a]
    words = 0  # words so far
    has_verb = False  # a word so far that is no fact reads as a verb
    has_fact = False
    all_small = True  # every word so far is a fact or a stopword
    starters = _clause_starters(lex)
    for j in range(a, b):
        t = toks[j]
        low = t.low
        if (
            j > a
            # Every way ``_starts_clause`` says yes needs a comma before or one of these words.
            and (low in starters or toks[j - 1].low == ",")
            and _starts_clause(toks, j, words, has_verb, has_fact and all_small, lex)
        ):
            cuts.append(j)
            words, has_verb, has_fact, all_small = 0, False, False, True
        if t.is_word and low not in lex.openers and low not in lex.filler_tokens:
            words += 1
            if flags[j]:
                has_fact = True
            else:
                # A fact is never the verb: the "am" of "12 am" is a time.
                has_verb = has_verb or _verbish(low, lex)
                all_small = all_small and low in lex.stopwords
    cuts.append(b)
    return [(x, y) for x, y in itertools.pairwise(cuts) if y > x]


@functools.cache
def _clause_starters(lex: Lexicon) -> frozenset[str]:
    """The words a clause can start with after anything but a comma: conjunctions, subject
    pronouns, request openers."""
    return _CONJUNCTIONS | lex.subject_pronouns | frozenset(_REQUEST_STARTS_BY_WORD)


def _starts_clause(toks: list[Tok], j: int, words: int, has_verb: bool, lead_in: bool, lex: Lexicon) -> bool:
    """Whether a new clause starts at token ``j``, given the clause so far: its number of ``words``
    (openers and fillers aside), whether one is a verb, and whether it is only a ``lead_in`` of facts
    and small words ("at 12 am", "on May 5") to the clause that follows."""
    if toks[j].fixed or toks[j - 1].fixed:
        return False  # never inside or right after quoted text
    if not words or (lead_in and not has_verb):
        return False
    t, prev = toks[j], toks[j - 1]
    nxt = toks[j + 1].low if j + 1 < len(toks) else ""
    after_comma = prev.low == "," and j > 1 and toks[j - 2].low not in lex.subject_context
    if words >= 2 and (after_comma or t.low in _CONJUNCTIONS) and _request_at(toks, j, lex):
        # "..., could you ...", "... and can you ...", "... so can I get ..." (not "I want to know, what is ...")
        return True
    if prev.low == "," and (
        t.low in _CONJUNCTIONS or t.low in lex.subject_pronouns or (t.low in _CLAUSE_SUBJECTS and has_verb)
    ):
        return True
    if (
        t.low in _CONJUNCTIONS
        and (nxt in lex.subject_pronouns or nxt in _CLAUSE_SUBJECTS or nxt in lex.you_forms)
        and words >= 2
    ):
        return True
    if (
        prev.low in _CONJUNCTIONS
        or prev.low in lex.subject_context
        or prev.low in lex.prepositions
        or prev.low in lex.wh
    ):
        return False
    if prev.low in lex.you_forms or prev.low in lex.subject_pronouns:
        return False
    if words >= 2 and _request_starts(toks, j):
        return True
    return (
        t.low in lex.subject_pronouns
        and has_verb
        and words >= 2
        and not _verbish(prev.low, lex)
        and prev.low not in _RELATIVE_HEADS
    )


# "something I bought", "the one I ordered": a pronoun after these starts a relative clause, not a new one.
_RELATIVE_HEADS = frozenset(
    {
        "something",
        "anything",
        "everything",
        "nothing",
        "one",
        "ones",
        "thing",
        "things",
        "stuff",
        "all",
        "way",
        "time",
        "day",
        "place",
        "amount",
        "card",
        "account",
        "order",
        "item",
        "package",
        "payment",
        "charge",
    }
)


def _request_at(toks: list[Tok], j: int, lex: Lexicon) -> bool:
    """Whether a request opener ("can you", "could I", "please", "I need") starts at token ``j``,
    after any conjunction, opener or filler there ("and um so can you ...")."""
    for k in range(j, len(toks)):
        if _request_starts(toks, k):
            return True
        low = toks[k].low
        if toks[k].fixed or not (low in _CONJUNCTIONS or low in lex.openers or low in lex.filler_tokens):
            return False
    return False


def _request_starts(toks: list[Tok], k: int) -> bool:
    """Whether one of ``_REQUEST_STARTS`` begins at token ``k``."""
    for start in _REQUEST_STARTS_BY_WORD.get(toks[k].low, ()):
        if [t.low for t in toks[k : k + len(start)]] == start:
            return True
    return False


def _verbish(low: str, lex: Lexicon) -> bool:
    return low in lex.verbish or (low.endswith(("ed", "n't")) and low not in lex.no_strip)


def _clean(
    toks: list[Tok], flags: list[bool], lex: Lexicon
) -> tuple[list[Tok], list[bool], list[str], bool, bool] | None:
    """The clause without fillers, openers, call lead-ins and closing thanks, or None when nothing
    but social talk or a name is left: its tokens, their fact flags, its words (lower case), whether
    it was a question, and whether it began with a contrast ("but ...", where complaints usually are)."""
    lows = [t.low for t in toks]
    question = "?" in lows
    contrast = next((w for w in lows if w.isalpha()), "") in _CONTRASTS
    keep = [True] * len(toks)
    if not lex.filler_tokens.isdisjoint(lows):
        keep = [not (t.low in lex.filler_tokens and not t.fixed) for t in toks]
    if "like" in lows:
        for i in range(1, len(toks) - 1):
            # "I need to like order new checks": "like" between "to" and a verb is a filler.
            if (
                lows[i] == "like"
                and lows[i - 1] == "to"
                and (lows[i + 1] in lex.verbs or lows[i + 1] in lex.imperatives)
            ):
                keep[i] = False
    if not lex.filler_phrase_index.keys().isdisjoint(lows):
        _drop_filler_phrases(toks, lows, keep, lex)
    pairs = [(t, f) for t, f, k in zip(toks, flags, keep, strict=True) if k]
    changed = True
    while changed:
        changed = False
        while (
            pairs
            and (pairs[0][0].low in lex.openers or not pairs[0][0].is_word)
            and not pairs[0][1]
            and not pairs[0][0].fixed
        ):
            greeting = pairs.pop(0)[0].low in _GREETINGS
            if greeting and pairs and pairs[0][0].low == "there":
                pairs.pop(0)  # "hi there", not "there is"
            changed = True
        # "thank you" at the start is social; strip it together.
        if len(pairs) > 1 and pairs[0][0].low == "thank" and pairs[1][0].low in ("you", "u"):
            pairs = pairs[2:]
            changed = True
        for lead in lex.calling_index.get(pairs[0][0].low, ()) if pairs else ():
            if len(pairs) > len(lead) and tuple(t.low for t, _ in pairs[: len(lead)]) == lead:
                pairs = pairs[len(lead) :]
                changed = True
                break
    while pairs and (
        (pairs[-1][0].low in ("please", "thanks", "thank", "you") and _tail_is_social(pairs, lex))
        or pairs[-1][0].low in (",", "-", "—")
    ):
        pairs.pop()
    ctoks = [t for t, _ in pairs]
    words = [t.low for t in ctoks if t.is_word]
    if not words:
        return None
    cflags = [f for _, f in pairs]
    has_fact = True in cflags
    if has_fact:
        # Facts again on the cleaned words: "at 3 uh pm" is a time once the filler is gone. (A clause
        # without a fact has none to find: an ambiguous word is a fact only next to a number or
        # another fact, and every number is a fact.)
        cflags = [f or g for f, g in zip(cflags, fact_flags(ctoks, lex), strict=True)]
    if not has_fact and (lex.social.issuperset(words) or _is_identity(words, lex)):
        return None
    return ctoks, cflags, words, question or _looks_like_question(words, lex), contrast


def _drop_filler_phrases(toks: list[Tok], lows: list[str], keep: list[bool], lex: Lexicon) -> None:
    """Marks filler phrases ("you know", "kind of like") not to keep, unless quoted or meant, after
    a word such as "do" or "what" ("do you know", "what I mean")."""
    for i, low in enumerate(lows):
        for phrase in lex.filler_phrase_index.get(low, ()):
            n = len(phrase)
            if (
                tuple(lows[i : i + n]) == phrase
                and not toks[i].fixed
                and (i == 0 or lows[i - 1] not in lex.filler_keep_after)
            ):
                for k in range(i, i + n):
                    keep[k] = False


def _drop_repairs(toks: list[Tok], flags: list[bool], keep: list[bool], lex: Lexicon) -> None:
    """Speech repairs: a doubled word ("the the fee") and a restarted fragment ("the physical, the
    closest physical branch" -> "the closest physical branch"). Facts are never dropped ("one one two")."""
    for i in range(1, len(toks)):
        t = toks[i]
        if t.low.isalpha() and not flags[i] and not t.fixed and t.low == toks[i - 1].low:
            keep[i - 1] = False
        if t.low == "," and i + 1 < len(toks) and toks[i + 1].low.isalpha() and not flags[i + 1]:
            for back in range(1, 4):
                j = i - back
                if j < 0 or not toks[j].is_word or flags[j]:
                    break
                if toks[j].low == toks[i + 1].low and toks[j].low in lex.np_start:
                    for k in range(j, i + 1):
                        keep[k] = False
                    break


def _tail_is_social(pairs, lex: Lexicon) -> bool:
    """Whether the clause ends in thanks or please ("... a new card please", "... thank you")."""
    lows = [t.low for t, _ in pairs]
    if lows[-1] == "please" or lows[-1] == "thanks":
        return True
    return lows[-1] == "you" and len(lows) > 1 and lows[-2] == "thank"


def _is_identity(words: list[str], lex: Lexicon) -> bool:
    """A clause that only gives a name: "my name is ...", "this is ... calling"."""
    for lead in lex.identity_index.get(words[0], ()) if words else ():
        if tuple(words[: len(lead)]) == lead:
            rest = [w for w in words[len(lead) :] if w not in ("calling", "speaking", "here", "and", "also", "but")]
            if 0 < len(rest) <= lex.identity_max_words and all(
                w.isalpha()
                and w not in lex.problem
                and w not in lex.venting
                and w not in lex.request
                and w not in lex.stopwords
                and not w.endswith(("ing", "ed"))
                for w in rest
            ):
                return True
            if lead[-1] in ("is", "name's") and "name" in lead and rest:
                return all(w.isalpha() for w in rest)
    return False


def _looks_like_question(words: list[str], lex: Lexicon) -> bool:
    """An unpunctuated question: a wh-word or an auxiliary first, then a subject ("do you have ...")."""
    if len(words) < 3:
        return False
    if words[0] in lex.wh or words[0] in lex.wh_contracted:
        return True
    aux = words[0] in lex.be or words[0] in lex.do or words[0] in lex.modal
    return aux and (
        words[1] in lex.you_forms or words[1] in lex.np_start or words[1] in ("i", "we", "it", "there", "they")
    )


def _score(
    toks: list[Tok], flags: list[bool], lows: list[str], question: bool, contrast: bool, lex: Lexicon, position: int
) -> Clause | None:
    """A clause's score: how clearly it states a problem or request (higher is clearer).

    Problem words count most, then request openers and questions to the company, then a subject
    with a verb (a statement about the customer's situation), topic words, negation, facts and a
    contrast ("but you gave me ..."). One-word clauses lose points; details alone are capped.
    ``lows`` are the clause's words in lower case (``_clean`` has them).
    """
    if not lows:
        return None
    lemmas = [lemma(w, lex) for w in lows]
    problem = _count(lex.problem, lows, lemmas)
    topic = _count(lex.topic, lows, lemmas)
    request = _count(lex.request, lows, lemmas)
    venting = _count(lex.venting, lows, lemmas)
    negation = not lex.negations.isdisjoint(lows) or any(w.endswith("n't") for w in lows)
    facts = sum(flags)
    first_person = not (lex.first_person.isdisjoint(lows) and lex.first_person_plural.isdisjoint(lows))
    opener = len(lows) > 1 and (
        any(_starts_with(lows, r) for r in lex.rules_from(lows[0], lows[1])) or lows[0] in lex.imperatives
    )
    subject = not _subjects(lex).isdisjoint(lows) or (
        # A bare noun subject, as chat drops the article: "outlook is not open", "printer won't print".
        len(lows) > 2 and lows[0].isalpha() and lows[0] not in lex.stopwords and _verbish(lows[1], lex)
    )
    predicate = subject and any(
        ((_verbish(w, lex) or m in lex.verbs) and w not in lex.subject_pronouns)
        or w.endswith(("'m", "'re", "'ve", "'ll", "'d"))
        for w, m in zip(lows, lemmas, strict=True)
    )
    asks = question and len(lows) >= 3
    content = {key(w, lex) for w in lows if w not in lex.stopwords and w.isalpha()}
    score = (
        2.0 * min(problem, 2)
        + 0.75 * min(topic, 2)
        + 0.75 * min(request, 2)
        + (2.0 if opener else 0.0)
        + (2.0 if asks else 0.0)
        + (1.0 if predicate else 0.0)
        + (1.0 if negation else 0.0)
        + (1.0 if facts else 0.0)
        + (1.0 if contrast and predicate else 0.0)
        + (0.5 if first_person else 0.0)
        - (1.5 if len(lows) == 1 else 0.0)
    )
    is_venting = venting > 0 and not facts and problem == 0 and not opener and not question
    says_i_do = predicate and not lex.subject_pronouns.isdisjoint(lows)  # "i like to order one"
    if not asks and not says_i_do and _is_detail_only(lows, lemmas, flags, lex, problem, opener):
        score = min(score, SECOND_SCORE - 0.25)
    if opener and not content and not facts:
        # "could you help me today": a request opener with nothing specific after it.
        score = min(score, SECOND_SCORE)
    return Clause(tuple(toks), tuple(flags), score, facts, is_venting, question, frozenset(content), position)


def _count(cues: frozenset[str], lows: list[str], lemmas: list[str]) -> int:
    """How many words are in ``cues``, as written or by their lemma (most clauses have none)."""
    if cues.isdisjoint(lows) and cues.isdisjoint(lemmas):
        return 0
    return sum(1 for w, m in zip(lows, lemmas, strict=True) if w in cues or m in cues)


@functools.cache
def _subjects(lex: Lexicon) -> frozenset[str]:
    """Words that give a clause a subject: pronouns, determiners ("my", "the"), "you", "it", "this" ..."""
    return lex.subject_pronouns | lex.np_start | lex.you_forms | _CLAUSE_SUBJECTS


def _starts_with(lows: list[str], rule) -> bool:
    i = 0
    for alts, optional in zip(rule.slots, rule.optional, strict=True):
        if i < len(lows) and lows[i] in alts:
            i += 1
        elif not optional:
            return False
    return i < len(lows)


def _is_detail_only(lows, lemmas, flags, lex: Lexicon, problem: int, opener: bool) -> bool:
    """A clause that only gives details ("my account number is 1234", "my checking account"),
    an answer to the agent's question rather than a problem."""
    if opener or not lex.negations.isdisjoint(lows):
        return False
    # (Without an identity noun among the words, no content word can be one.)
    if not (lex.identity_nouns.isdisjoint(lows) and lex.identity_nouns.isdisjoint(lemmas)):
        content = [
            (w, m)
            for w, m, f in zip(lows, lemmas, flags, strict=False)
            if not f and w not in lex.stopwords and w not in lex.first_person and w not in lex.first_person_plural
        ]
        if content and all(w in lex.identity_nouns or m in lex.identity_nouns for w, m in content):
            return True
    if problem or not lex.verbish.isdisjoint(lows):
        return False  # a problem word, or a predicate
    return not any(_verbish(w, lex) or w in lex.problem for w in lows)


def core_text(toks: list[Tok]) -> str:
    """The agent-perspective core as text, without closing punctuation (but with the final period of
    a last word such as "a.m.")."""
    while toks and toks[-1].low in SENTENCE_END | {",", ":"}:
        toks = toks[:-1]
    return render(toks).strip()
