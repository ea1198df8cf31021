"""Customer -> agent perspective: what the customer said about themselves, said back to them.

The customer's I / me / my / mine / myself / we / us / our become you / your / yours ...; the
customer's you / your (the company) become we / us / our; "I am" becomes "you are", "I was" "you
were", "I'm" "you're". Quoted text and facts are never touched. The map is language data
(``coach/lang/<lang>/paraphrase_perspective.json``); this module only applies it.
"""

from __future__ import annotations

from ._lexicon import Lexicon, lexicon
from ._text import SENTENCE_END, Tok, fact_flags, freeze, lemma, render, tokenize

__all__ = ["shift_perspective"]


def shift_perspective(text: str, lang: str = "en") -> str:
    """``text`` (a customer's words) as the agent would say it back.

    >>> shift_perspective("I'm sure you charged my card twice")
    "You're sure we charged your card twice"
    """
    lex = lexicon(lang)
    toks = expand(tokenize(text), lex)
    return render(shift(freeze(toks, fact_flags(toks, lex)), lex))


def expand(toks: list[Tok], lex: Lexicon) -> list[Tok]:
    """Spoken and chat contractions written out ("wanna" -> "want to"), each part keeping the span
    of the word it came from."""
    out: list[Tok] = []
    for t in toks:
        parts = None if t.fixed else lex.expand.get(t.low)
        if parts is None:
            out.append(t)
            continue
        for k, part in enumerate(parts):
            text = part.capitalize() if k == 0 and t.text[:1].isupper() else part
            out.append(Tok(text, part, t.start, t.end, t.space if k == 0 else True))
    return out


def shift(toks: list[Tok], lex: Lexicon) -> list[Tok]:
    """The tokens with every customer-perspective word replaced; ``fixed`` tokens stay as they are."""
    out = list(toks)
    n = len(toks)
    skip: set[int] = set()
    for i, t in enumerate(toks):
        if t.fixed or t.low not in lex.shifted or i in skip:
            continue
        low = t.low
        nxt = toks[i + 1].low if i + 1 < n else None
        new: str | None = None
        agree: str | None = None
        if low in lex.contextual:
            target, before = lex.contextual[low]
            if nxt in before:
                new = target
        elif low in lex.you_forms:
            j = i + 1
            if nxt in lex.you_plural and not (i + 2 < n and toks[i + 2].low in ("of", "know")):
                skip.add(i + 1)  # "you guys" -> "we"
                out[i + 1] = toks[i + 1].spelled("", "")
                j = i + 2
            after = toks[j].low if j < n else None
            if _you_is_subject(toks[i - 1].low if i else None, after, lex):
                new, agree = lex.you_subject, lex.you_subject
            else:
                new = lex.you_object
        elif low in lex.swap:
            new = lex.swap[low]
            if low in ("i", "we"):
                agree = "you"
        if new is None:
            continue
        out[i] = t.spelled(_cased(new, t, toks, i), new)
        if agree:
            _agree(out, toks, i, agree, lex)
    return [t for t in out if t.text]


def _agree(out: list[Tok], toks: list[Tok], i: int, person: str, lex: Lexicon) -> None:
    """Verb agreement with a subject that changed person: the verb after it ("I was" -> "you were"),
    or an inverted be-form before it ("was I" -> "were you")."""
    table = lex.agreement[person]
    j = i + 1
    while j < len(toks) and not toks[j].text:
        j += 1
    if j < len(toks) and not toks[j].fixed and toks[j].low in table:
        out[j] = toks[j].spelled(_cased(table[toks[j].low], toks[j], toks, j), table[toks[j].low])
    if i and not toks[i - 1].fixed and toks[i - 1].low in ("am", "was", "wasn't", "wasnt"):
        prev = toks[i - 1]
        new = table.get(prev.low, prev.low)
        out[i - 1] = prev.spelled(_cased(new, prev, toks, i - 1), new)


def _you_is_subject(prev: str | None, nxt: str | None, lex: Lexicon) -> bool:
    """Whether a customer's "you" (the company) is a subject ("we") or an object ("us"), from its
    neighbours: after a preposition or a verb it is an object ("sent you"), after a conjunction or a
    verb of saying or thinking it is a subject ("because you", "I think you"), and before a verb it
    is a subject ("you charged")."""
    if prev in _STRICT_PREPOSITIONS:
        return False
    if prev is None or prev in lex.subject_context or prev in lex.wh:
        return True
    if prev in lex.prepositions or (_is_verb(prev, lex) and not _is_auxiliary(prev, lex)):
        return False
    return nxt is not None and _starts_predicate(nxt, lex)


# Prepositions that never introduce a clause, so "you" after them is always an object.
_STRICT_PREPOSITIONS = frozenset({"to", "for", "with", "of", "at", "from", "by", "about", "than", "like"})


def _is_auxiliary(low: str, lex: Lexicon) -> bool:
    return low in lex.be or low in lex.modal or low in lex.do or low in lex.do_negative


def _starts_predicate(low: str, lex: Lexicon) -> bool:
    return (
        _is_auxiliary(low, lex)
        or low in lex.subject_next
        or low.endswith(("'ve", "'re", "'ll", "'d", "n't"))
        or _is_verb(low, lex)
    )


def _is_verb(low: str, lex: Lexicon) -> bool:
    if _is_auxiliary(low, lex):
        return True
    if low in lex.verbs or low in lex.verb_lemma or lemma(low, lex) in lex.verbs:
        return True
    return low.endswith("ed") and len(low) > 4 and low not in lex.no_strip


def _cased(new: str, orig: Tok, toks: list[Tok], i: int) -> str:
    """``new`` in the case of the word it replaces: capitalised only at a sentence start, upper case
    when the customer shouted."""
    if len(orig.text) > 1 and orig.text.isupper() and orig.text.isalpha():
        return new.upper()
    at_start = i == 0 or toks[i - 1].low in SENTENCE_END
    if at_start and orig.text[:1].isupper():
        return new[:1].upper() + new[1:]
    return new
