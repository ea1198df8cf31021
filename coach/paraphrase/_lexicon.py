"""The language data paraphrasing reads, loaded once per language from ``coach/lang/<lang>/paraphrase_*``."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from .. import lang as _lang

Seq = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Rule:
    """A request or question opener: ``match`` word slots (each a frozenset of alternatives, with
    ``optional`` flags) and what the agent says instead."""

    slots: tuple[frozenset[str], ...]
    optional: tuple[bool, ...]
    say: Seq


@dataclass(frozen=True, slots=True, eq=False)
class Lexicon:
    """Everything language-specific that paraphrasing and confirmation matching use (one cached
    instance per language, compared and hashed by identity)."""

    swap: dict[str, str]
    expand: dict[str, Seq]
    subject_pronouns: frozenset[str]
    first_person: frozenset[str]
    first_person_plural: frozenset[str]
    second_person: frozenset[str]
    you_forms: frozenset[str]
    you_subject: str
    you_object: str
    you_plural: frozenset[str]
    prepositions: frozenset[str]
    subject_context: frozenset[str]
    subject_next: frozenset[str]
    agreement: dict[str, dict[str, str]]
    contextual: dict[str, tuple[str, frozenset[str]]]
    filler_tokens: frozenset[str]
    filler_phrases: tuple[Seq, ...]
    filler_keep_after: frozenset[str]
    openers: frozenset[str]
    asr: frozenset[str]
    social: frozenset[str]
    identity: tuple[Seq, ...]
    identity_max_words: int
    calling: tuple[Seq, ...]
    frames: Seq
    recognise: tuple[Seq, ...]
    so_words: frozenset[str]
    markers: frozenset[str]
    perspective: tuple[Seq, ...]
    checks: tuple[Seq, ...]
    check_words: frozenset[str]
    empathy: tuple[Seq, ...]
    reflective_leads: tuple[Seq, ...]
    advice: tuple[Seq, ...]
    done: frozenset[str]
    rules: tuple[Rule, ...]
    imperatives: dict[str, Seq]
    know_say: Seq
    wh: frozenset[str]
    wh_contracted: dict[str, Seq]
    be: frozenset[str]
    do: frozenset[str]
    do_negative: frozenset[str]
    modal: frozenset[str]
    np_start: frozenset[str]
    predicates: frozenset[str]
    problem: frozenset[str]
    request: frozenset[str]
    topic: frozenset[str]
    venting: frozenset[str]
    identity_nouns: frozenset[str]
    negations: frozenset[str]
    past: dict[str, str]
    participle: dict[str, str]
    verb_lemma: dict[str, str]
    noun_lemma: dict[str, str]
    no_strip: frozenset[str]
    verbs: frozenset[str]
    stopwords: frozenset[str]
    fact_words: frozenset[str]
    fact_ambiguous: frozenset[str]
    fact_after_number: frozenset[str]
    number_words: frozenset[str]
    synonym_groups: tuple[Seq, ...]
    # Derived in ``__post_init__``, so that the per-token code does one set or dict lookup, not a scan.
    #: every word ``_core._verbish`` accepts whatever its ending
    verbish: frozenset[str] = field(init=False, repr=False)
    #: every word ``perspective.shift`` may change
    shifted: frozenset[str] = field(init=False, repr=False)
    #: fact words and number words that are facts without a number beside them
    sure_facts: frozenset[str] = field(init=False, repr=False)
    sure_numbers: frozenset[str] = field(init=False, repr=False)
    #: the request rules that words starting with a pair can match (see ``rules_from``)
    rule_index: dict[str | None, dict[str | None, tuple[Rule, ...]]] = field(init=False, repr=False)
    #: filler phrases, call lead-ins and identity leads by their first word, each in its order
    filler_phrase_index: dict[str, tuple[Seq, ...]] = field(init=False, repr=False)
    calling_index: dict[str, tuple[Seq, ...]] = field(init=False, repr=False)
    identity_index: dict[str, tuple[Seq, ...]] = field(init=False, repr=False)
    #: per-word memos of ``_text.lemma`` and ``_text.key``
    lemmas: dict[str, str] = field(init=False, repr=False)
    keys: dict[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        derived = {
            "verbish": frozenset().union(
                self.be, self.modal, self.do, self.do_negative, self.verbs, self.verb_lemma, self.subject_pronouns
            ),
            "shifted": frozenset().union(self.swap, self.you_forms, self.contextual),
            "sure_facts": self.fact_words - self.fact_ambiguous,
            "sure_numbers": self.number_words - self.fact_ambiguous,
            "rule_index": _rule_index(self.rules),
            "filler_phrase_index": _by_first(self.filler_phrases),
            "calling_index": _by_first(self.calling),
            "identity_index": _by_first(self.identity),
            "lemmas": {},
            "keys": {},
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)

    def rules_from(self, first: str, second: str | None) -> tuple[Rule, ...]:
        """The request rules, in their order, that words starting with ``first second`` (``None``: a
        single word) can match: every other rule fails on these two words."""
        by_second = self.rule_index.get(first, self.rule_index[None])
        return by_second.get(second, by_second[None])


def _rule_index(rules: tuple[Rule, ...]) -> dict[str | None, dict[str | None, tuple[Rule, ...]]]:
    """``first -> second -> rules`` that survive these two words (``None`` stands for every word no
    rule names, and for a missing second word: neither is in any slot). Only the first words and
    second words that change the answer are keys."""
    words: list[str | None] = [None, *sorted({w for r in rules for slot in r.slots for w in slot})]
    index: dict[str | None, dict[str | None, tuple[Rule, ...]]] = {}
    for first in words:
        after_first = [r for r in rules if _survives(r, (first,))]
        other = tuple(r for r in after_first if _survives(r, (first, None)))
        by_second: dict[str | None, tuple[Rule, ...]] = {None: other}
        for second in words:
            survivors = tuple(r for r in after_first if _survives(r, (first, second)))
            if survivors != other:
                by_second[second] = survivors
        if first is None or by_second != index[None]:
            index[first] = by_second
    return index


def _survives(rule: Rule, words: tuple[str | None, ...]) -> bool:
    """Whether ``rule`` can still match words that start with ``words`` (slots taken greedily, as
    ``_grammar._match`` takes them)."""
    i = 0
    for alts, optional in zip(rule.slots, rule.optional, strict=True):
        if i == len(words):
            return True
        if words[i] in alts:
            i += 1
        elif not optional:
            return False
    return True


def _by_first(seqs: tuple[Seq, ...]) -> dict[str, tuple[Seq, ...]]:
    index: dict[str, tuple[Seq, ...]] = {}
    for seq in seqs:
        index[seq[0]] = (*index.get(seq[0], ()), seq)
    return index


def _seqs(items: list[list[str]]) -> tuple[Seq, ...]:
    return tuple(tuple(x) for x in items)


def _rule(raw: dict) -> Rule:
    slots, optional = [], []
    for word in raw["match"]:
        optional.append(word.startswith("?"))
        slots.append(frozenset(word.lstrip("?").split("|")))
    return Rule(tuple(slots), tuple(optional), tuple(raw["say"].split()))


@functools.cache
def lexicon(lang: str = "en") -> Lexicon:
    """The cached lexicon for ``lang`` (``UnsupportedLanguageError`` when coach has no data for it)."""
    persp = _lang.data(lang, "paraphrase_perspective")
    fill = _lang.data(lang, "paraphrase_fillers")
    social = _lang.data(lang, "paraphrase_social")
    frames = _lang.data(lang, "paraphrase_frames")
    req = _lang.data(lang, "paraphrase_requests")
    cues = _lang.data(lang, "paraphrase_cues")
    lem = _lang.data(lang, "paraphrase_lemmas")
    facts = _lang.data(lang, "paraphrase_facts")
    irregular = lem["irregular_verbs"]
    verb_lemma = {}
    for base, (past, part) in irregular.items():
        verb_lemma[past] = base
        verb_lemma[part] = base
    return Lexicon(
        swap=dict(persp["swap"]),
        expand={k: tuple(v.split()) for k, v in persp["expand"].items()},
        subject_pronouns=frozenset(persp["subject_pronouns"]),
        first_person=frozenset(persp["first_person"]),
        first_person_plural=frozenset(persp["first_person_plural"]),
        second_person=frozenset(persp["second_person"]),
        you_forms=frozenset(persp["you_forms"]),
        you_subject=persp["you_subject"],
        you_object=persp["you_object"],
        you_plural=frozenset(persp["you_plural"]),
        prepositions=frozenset(persp["prepositions"]),
        subject_context=frozenset(persp["subject_context"]),
        subject_next=frozenset(persp["subject_next"]),
        agreement={k: dict(v) for k, v in persp["agreement"].items()},
        contextual={k: (v["to"], frozenset(v["before"])) for k, v in persp["contextual"].items()},
        filler_tokens=frozenset(fill["tokens"]),
        filler_phrases=_seqs(fill["phrases"]),
        filler_keep_after=frozenset(fill["phrase_keep_after"]),
        openers=frozenset(fill["openers"]),
        asr=frozenset(fill["asr"]),
        social=frozenset(social["words"]),
        identity=_seqs(social["identity"]),
        identity_max_words=int(social["identity_max_words"]),
        calling=_seqs(social["calling"]),
        frames=tuple(frames["suggest"]),
        recognise=_seqs(frames["recognise"]),
        so_words=frozenset(frames["so_words"]),
        markers=frozenset(frames["markers"]),
        perspective=_seqs(frames["perspective"]),
        checks=_seqs(frames["checks"]),
        check_words=frozenset(frames["check_words"]),
        empathy=_seqs(frames["empathy"]),
        reflective_leads=_seqs(frames["reflective_leads"]),
        advice=_seqs(frames["advice"]),
        done=frozenset(frames["done"]),
        rules=tuple(_rule(r) for r in req["rules"]),
        imperatives={v: tuple(say.split()) for say, verbs in req["imperatives"].items() for v in verbs},
        know_say=tuple(req["know_say"].split()),
        wh=frozenset(req["wh"]),
        wh_contracted={k: tuple(v) for k, v in req["wh_contracted"].items()},
        be=frozenset(req["be"]),
        do=frozenset(req["do"]),
        do_negative=frozenset(req["do_negative"]),
        modal=frozenset(req["modal"]),
        np_start=frozenset(req["np_start"]),
        predicates=frozenset(req["predicates"]),
        problem=frozenset(cues["problem"]),
        request=frozenset(cues["request"]),
        topic=frozenset(cues["topic"]),
        venting=frozenset(cues["venting"]),
        identity_nouns=frozenset(cues["identity_nouns"]),
        negations=frozenset(cues["negations"]),
        past={base: forms[0] for base, forms in irregular.items()},
        participle={base: forms[1] for base, forms in irregular.items()},
        verb_lemma=verb_lemma,
        noun_lemma=dict(lem["irregular_nouns"]),
        no_strip=frozenset(lem["no_strip"]),
        verbs=frozenset(lem["verbs"]) | frozenset(irregular),
        stopwords=frozenset(_lang.lines(lang, "paraphrase_stopwords")),
        fact_words=frozenset(w for k in ("numbers", "ordinals", "months", "weekdays", "units") for w in facts[k]),
        fact_ambiguous=frozenset(facts["ambiguous"]),
        fact_after_number=frozenset(facts["after_number"]),
        number_words=frozenset(facts["numbers"]) | frozenset(facts["ordinals"]),
        synonym_groups=_seqs(_lang.data(lang, "paraphrase_synonyms")["groups"]),
    )
