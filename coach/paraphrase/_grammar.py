"""Turning a customer's request or question into a statement of their need, in their words.

"can you send me a new card" -> "you'd like us to send me a new card" (the perspective shift then
makes it "... send you a new card"); "when are your branches open" -> "you'd like to know when your
branches are open". Everything here works on customer-perspective tokens and marks the words it adds
as ``fixed``; ``perspective.shift`` runs afterwards over the result.
"""

from __future__ import annotations

from ._lexicon import Lexicon, Rule
from ._text import Tok, word

_PRONOUN_SUBJECTS = frozenset(
    {"i", "you", "u", "we", "it", "they", "he", "she", "this", "that", "there", "someone", "anyone"}
)
# Punctuation that attaches to the word before it, so no space goes in front of it.
_CLOSING = frozenset({",", ".", ";", ":", "!", "?"})


def rewrite(toks: list[Tok], lex: Lexicon, question: bool) -> list[Tok]:
    """``toks`` (one cleaned clause) with a request or question opener turned into a statement;
    unchanged when it is neither."""
    for rule in lex.rules_from(toks[0].low, toks[1].low if len(toks) > 1 else None) if toks else ():
        end = _match(rule, toks)
        if end is not None and end < len(toks):
            return _say(rule.say) + _spaced(toks[end:])
    if toks and toks[0].low in lex.imperatives and len(toks) > 1:
        return _say(lex.imperatives[toks[0].low]) + _spaced(toks)
    if question:
        return _question(toks, lex) or toks
    if toks and (toks[0].low in lex.do_negative or (toks[0].low in lex.modal and toks[0].low in lex.negations)):
        # Chat style drops the subject: "cant login to my account" -> "you cant login to your account".
        return [word("you"), *_spaced(toks)]
    return toks


def _spaced(toks: list[Tok]) -> list[Tok]:
    """``toks`` following added words: its first token gets a space before it (not a comma)."""
    if not toks or toks[0].space or toks[0].low in _CLOSING:
        return toks
    return [toks[0].spaced(), *toks[1:]]


def _match(rule: Rule, toks: list[Tok]) -> int | None:
    """Index after the rule's words at the start of ``toks``, or None."""
    i = 0
    for alts, optional in zip(rule.slots, rule.optional, strict=True):
        if i < len(toks) and toks[i].low in alts and not toks[i].fixed:
            i += 1
        elif not optional:
            return None
    return i


def _say(words: tuple[str, ...]) -> list[Tok]:
    return [word(w) for w in words]


def _question(toks: list[Tok], lex: Lexicon) -> list[Tok] | None:
    """A wh- or yes/no question as an embedded statement after "you'd like to know", or None."""
    q = _split_wh(toks, lex)
    if len(q) < 2:
        return None
    first = q[0].low
    if first in lex.wh:
        k = 1
        while k < len(q) and k < 4 and not _is_aux_at(q, k, lex) and q[k].low not in _PRONOUN_SUBJECTS:
            k += 1
        if k >= len(q) or not _is_aux_at(q, k, lex):
            return _say(lex.know_say) + _spaced(q)  # "what happened to my order": no inversion to undo
        body = _uninvert(q[k:], lex)
        return None if body is None else _say(lex.know_say) + _spaced(q[:k]) + body
    if _is_aux_at(q, 0, lex):
        body = _uninvert(q, lex)
        return None if body is None else [*_say(lex.know_say), word("if"), *_spaced(body)]
    return None


def _split_wh(toks: list[Tok], lex: Lexicon) -> list[Tok]:
    if toks and toks[0].low in lex.wh_contracted and not toks[0].fixed:
        first, second = lex.wh_contracted[toks[0].low]
        t = toks[0]
        return [
            Tok(t.text[: len(first)], first, t.start, t.end, t.space),
            Tok(second, second, t.start, t.end, True),
            *toks[1:],
        ]
    return toks


def _is_aux_at(q: list[Tok], k: int, lex: Lexicon) -> bool:
    """Whether ``q[k]`` is an auxiliary the question can move; a fact never is ("May 5", "12 am")."""
    return not q[k].fixed and _is_aux(q[k].low, lex)


def _is_aux(low: str, lex: Lexicon) -> bool:
    return low in lex.be or low in lex.do or low in lex.do_negative or low in lex.modal


def _uninvert(q: list[Tok], lex: Lexicon) -> list[Tok] | None:
    """``aux subject rest`` -> ``subject aux rest`` ("are your branches open" -> "your branches are
    open"); a positive do-form is dropped and its tense moved to the verb ("did you get" -> "you got").
    None when the subject cannot be found."""
    aux, rest = q[0], q[1:]
    if not rest or (rest[0].low in lex.prepositions and rest[0].low not in lex.np_start):
        return None
    end = _subject_end(rest, lex)
    if end is None:
        return None
    subject, after = rest[:end], rest[end:]
    if aux.low in lex.do:
        if not after or after[0].fixed or not after[0].low.isalpha():
            return None
        verb = after[0]
        form = {"does": _third_person, "did": _past}.get(aux.low)
        if form is not None:
            new = form(verb.low, lex)
            verb = Tok(new, new, verb.start, verb.end, True)
        return [*subject, verb, *after[1:]]
    return [*subject, Tok(aux.low, aux.low, aux.start, aux.end, True), *after]


def _subject_end(rest: list[Tok], lex: Lexicon) -> int | None:
    """Where the subject noun phrase at the start of ``rest`` ends (exclusive), or None."""
    first = rest[0].low
    if first in _PRONOUN_SUBJECTS or first in lex.you_forms:
        end = 1
        if len(rest) > 1 and rest[1].low in lex.you_plural:
            end = 2
        return end
    if first in lex.np_start:
        j = 2
        while j < len(rest) and j < 5 and not _ends_noun_phrase(rest[j].low, lex):
            j += 1
        return min(j, len(rest))
    if first.isalpha() and first not in lex.predicates and not _is_aux(first, lex):
        return 1
    return None


def _ends_noun_phrase(low: str, lex: Lexicon) -> bool:
    return (
        low in lex.predicates
        or _is_aux(low, lex)
        or low in lex.negations
        or low in lex.verbs
        or low in lex.verb_lemma
        or (low.endswith(("ed", "ing")) and low not in lex.no_strip)
        or not low[:1].isalnum()
    )


def _third_person(verb: str, lex: Lexicon) -> str:
    irregular = {"be": "is", "have": "has", "do": "does", "go": "goes"}
    if verb in irregular:
        return irregular[verb]
    if verb.endswith(("s", "sh", "ch", "x", "z", "o")):
        return verb + "es"
    if len(verb) > 2 and verb.endswith("y") and verb[-2] not in "aeiou":
        return verb[:-1] + "ies"
    return verb + "s"


def _past(verb: str, lex: Lexicon) -> str:
    if verb in lex.past:
        return lex.past[verb]
    if verb.endswith("e"):
        return verb + "d"
    if len(verb) > 2 and verb.endswith("y") and verb[-2] not in "aeiou":
        return verb[:-1] + "ied"
    return verb + "ed"
