"""The language data paraphrasing reads, loaded once per language from ``coach/lang/<lang>/paraphrase_*``."""

from __future__ import annotations

import functools
from dataclasses import dataclass

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
