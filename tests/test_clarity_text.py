"""Words, sentences, syllables, the classic formulas and the clarity language data."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from coach.clarity import flesch_kincaid_grade, flesch_reading_ease, smog_index
from coach.clarity._lexicon import PhraseIndex, lexicon
from coach.clarity._text import sentences, syllables, words
from coach.config import CLARITY_KINDS

# Syllable counts checked by hand (and against CMUdict); dialect-ambiguous words such as "every" are left out.
GOLD_SYLLABLES = {
    "a": 1, "able": 2, "absolutely": 4, "accident": 3, "accidentally": 5, "account": 2, "accounts": 2,
    "acquire": 3, "activate": 3, "activated": 4, "actual": 3, "actually": 4, "added": 2, "additionally": 5,
    "address": 2, "adequate": 3, "after": 2, "agreed": 2, "agreement": 3, "already": 3, "also": 2, "ancient": 2,
    "and": 1, "annoyed": 2, "annual": 3, "another": 3, "antique": 2, "anxiety": 4, "any": 2, "anyone": 3,
    "anything": 3, "apartment": 3, "apologies": 4, "apologize": 4, "apology": 4, "apple": 2, "application": 4,
    "appointment": 3, "area": 3, "argue": 2, "argued": 2, "asked": 1, "authentication": 5, "authorization": 5,
    "automatically": 5, "available": 4, "average": 3, "balance": 2, "bank": 1, "basic": 2, "basically": 3,
    "before": 2, "being": 2, "benefit": 3, "benefits": 3, "better": 2, "bill": 1, "billed": 1, "bills": 1,
    "box": 1, "boxes": 2, "build": 1, "built": 1, "business": 2, "busy": 2, "calendar": 3, "call": 1,
    "called": 1, "calls": 1, "cancel": 2, "canceled": 2, "cancellation": 4, "cancelled": 2, "card": 1,
    "careful": 2, "case": 1, "cases": 2, "change": 1, "changed": 1, "changes": 2, "character": 3, "charge": 1,
    "check": 1, "checked": 1, "city": 2, "client": 2, "closed": 1, "code": 1, "coded": 2, "codes": 1,
    "commercial": 3, "communication": 5, "company": 3, "completely": 3, "computer": 3, "condition": 3,
    "confirm": 2, "confirmation": 4, "confirmed": 2, "consequence": 3, "continue": 3, "continued": 3,
    "continues": 3, "conversation": 4, "could": 1, "create": 2, "created": 3, "creation": 3, "credit": 2,
    "cruel": 2, "customer": 3, "customers": 3, "day": 1, "days": 1, "debit": 2, "decision": 3, "definitely": 4,
    "deliver": 3, "delivered": 3, "delivery": 4, "department": 3, "destroy": 2, "destroyed": 2, "diet": 2,
    "difference": 3, "different": 3, "direction": 3, "discover": 3, "division": 3, "document": 3, "documents": 3,
    "doing": 2, "early": 2, "educate": 3, "education": 4, "efficient": 3, "electrician": 4, "eleven": 3,
    "email": 2, "employee": 3, "employer": 3, "employment": 3, "ended": 2, "enjoy": 2, "enjoyed": 2, "equal": 2,
    "equipment": 3, "essential": 3, "estimate": 3, "evening": 2, "eventually": 5, "everyone": 3, "everything": 3,
    "excellent": 3, "explain": 2, "explained": 2, "eyes": 1, "family": 3, "fee": 1, "fifteen": 2, "fifty": 2,
    "file": 1, "filed": 1, "files": 1, "financial": 3, "fire": 2, "fix": 1, "fixed": 1, "fixes": 2, "fluid": 2,
    "flying": 2, "fortunately": 4, "forty": 2, "free": 1, "frequent": 2, "frequently": 3, "fruit": 1, "fuel": 2,
    "general": 3, "generally": 4, "genuine": 3, "going": 2, "gradual": 3, "guard": 1, "guess": 1, "guest": 1,
    "guide": 1, "happen": 2, "happened": 2, "happy": 2, "help": 1, "helped": 1, "here": 1, "holiday": 3,
    "home": 1, "homes": 1, "hour": 2, "hours": 2, "however": 3, "hundred": 2, "idea": 3, "ideal": 2,
    "identification": 6, "immediately": 5, "important": 3, "incidentally": 5, "individual": 5, "influence": 3,
    "information": 4, "initial": 3, "inside": 2, "interest": 2, "internet": 3, "investigation": 5, "invoice": 2,
    "issue": 2, "issues": 2, "juice": 1, "jumped": 1, "language": 2, "later": 2, "layer": 2, "league": 1,
    "letter": 2, "library": 3, "likely": 2, "literally": 4, "little": 2, "loaded": 2, "looked": 1, "lovely": 2,
    "loyal": 2, "made": 1, "make": 1, "makes": 1, "manual": 3, "many": 2, "maybe": 2, "mayor": 2, "message": 2,
    "messages": 3, "middle": 2, "minute": 2, "minutes": 2, "money": 2, "morning": 2, "movement": 2, "music": 2,
    "musician": 3, "mutually": 4, "name": 1, "named": 1, "names": 1, "naturally": 4, "needed": 2, "new": 1,
    "number": 2, "numbers": 2, "official": 3, "often": 2, "one": 1, "online": 2, "only": 2, "open": 2,
    "opened": 2, "operate": 3, "operator": 4, "order": 2, "ordered": 2, "orders": 2, "organization": 5,
    "originally": 5, "our": 2, "outside": 2, "over": 2, "owing": 2, "paid": 1, "password": 2, "patient": 2,
    "pay": 1, "paying": 2, "payment": 2, "payments": 2, "pays": 1, "people": 2, "period": 3, "personally": 4,
    "phone": 1, "physician": 3, "place": 1, "places": 2, "played": 1, "player": 2, "players": 2, "playing": 2,
    "please": 1, "position": 3, "possible": 3, "posted": 2, "potential": 3, "president": 3, "private": 2,
    "probably": 3, "problem": 2, "problems": 2, "quality": 3, "question": 2, "questions": 2, "queue": 1,
    "quick": 1, "quiet": 2, "quit": 1, "quite": 1, "radio": 3, "rated": 2, "react": 2, "ready": 2, "real": 1,
    "reality": 4, "realize": 3, "really": 2, "receipt": 2, "recommend": 3, "recover": 3, "refund": 2,
    "refunded": 3, "refunds": 2, "registration": 4, "reliable": 4, "remember": 3, "request": 2, "require": 3,
    "required": 3, "rescue": 2, "reservation": 4, "reset": 2, "resident": 3, "right": 1, "role": 1, "royal": 2,
    "ruin": 2, "rule": 1, "rules": 1, "safety": 2, "said": 1, "sale": 1, "saying": 2, "says": 1, "scale": 1,
    "schedule": 2, "science": 2, "security": 4, "seeing": 2, "send": 1, "sent": 1, "separate": 3, "sequence": 2,
    "service": 2, "seven": 2, "should": 1, "signature": 3, "simple": 2, "single": 2, "situation": 4, "smile": 1,
    "social": 2, "society": 4, "someone": 2, "something": 2, "sometimes": 2, "somewhere": 2, "sooner": 2,
    "sorry": 2, "special": 2, "square": 1, "started": 2, "statement": 2, "stayed": 1, "stopped": 1, "store": 1,
    "stored": 1, "stores": 1, "studio": 3, "subscription": 3, "suit": 1, "suitable": 3, "support": 2, "sure": 1,
    "system": 2, "systems": 2, "table": 2, "tables": 2, "technician": 3, "technique": 2, "telephone": 3,
    "television": 4, "terrible": 3, "thanks": 1, "the": 1, "there": 1, "thirty": 2, "though": 1, "thought": 1,
    "thousand": 2, "through": 1, "time": 1, "times": 1, "tired": 2, "today": 2, "together": 3, "tomorrow": 3,
    "tongue": 1, "traditionally": 5, "transaction": 3, "transactions": 3, "transfer": 2, "transfers": 2,
    "trouble": 2, "trying": 2, "twenty": 2, "under": 2, "understand": 3, "understood": 3, "unfortunately": 5,
    "unique": 2, "use": 1, "used": 1, "useful": 2, "uses": 2, "usual": 3, "usually": 4, "vague": 1, "value": 2,
    "values": 2, "variety": 4, "verification": 5, "verify": 3, "very": 2, "video": 3, "virtually": 4,
    "waited": 2, "walked": 1, "wanted": 2, "watch": 1, "watches": 2, "water": 2, "week": 1, "weeks": 1,
    "what": 1, "where": 1, "which": 1, "while": 1, "whole": 1, "wish": 1, "wished": 1, "wishes": 2, "worry": 2,
    "would": 1, "yesterday": 3, "you": 1, "your": 1
}


def test_text_syllables_rules_alone_agree_with_hand_counts():
    wrong = {w: syllables(w) for w, n in GOLD_SYLLABLES.items() if syllables(w) != n}
    assert len(GOLD_SYLLABLES) >= 400
    assert 1 - len(wrong) / len(GOLD_SYLLABLES) >= 0.95, wrong


def test_text_syllables_with_exceptions_agree_with_hand_counts():
    table = lexicon("en").syllables
    wrong = {w: syllables(w, table) for w, n in GOLD_SYLLABLES.items() if syllables(w, table) != n}
    assert 1 - len(wrong) / len(GOLD_SYLLABLES) >= 0.99, wrong


@pytest.mark.parametrize(("word", "count"), [("", 0), ("!!", 0), ("2024", 1), ("Can't", 1), ("RE-ORDER", 3)])
def test_text_syllables_edge_cases(word, count):
    assert syllables(word) == count


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("can't stop, won't stop", ["can't", "stop", "won't", "stop"]),
        ("The U.S. office, e.g. Boston", ["The", "U.S.", "office", "e.g.", "Boston"]),
        ("T&Cs apply 24/7 😀 snow-white", ["T&Cs", "apply", "24", "7", "snow-white"]),
        ("it’s fine", ["it’s", "fine"]),
        ("🙏🙏 ... !!", []),
    ],
)
def test_text_words(text, expected):
    found = words(text)
    assert [w.text for w in found] == expected
    assert all(text[w.start : w.end] == w.text for w in found)
    assert "it's" in [w.lower for w in words("it’s")]


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Hello. How are you? Fine!", 3),
        ("Mr. Smith paid on Jan. 5 at 3 p.m. today.", 1),
        ("No. I can't do that.", 2),
        ("line one\nline two", 2),
        ("no punctuation at all here", 1),
        ("", 0),
    ],
)
def test_text_sentences(text, count):
    assert len(sentences(text, words(text), lexicon("en").abbreviations)) == count


def test_readability_formulas_on_a_known_sentence():
    text = "The cat sat on the mat."  # 6 words, 1 sentence, 6 syllables
    assert flesch_reading_ease(text) == pytest.approx(206.835 - 1.015 * 6 - 84.6)
    assert flesch_kincaid_grade(text) == pytest.approx(0.39 * 6 + 11.8 - 15.59)
    assert smog_index(text) == pytest.approx(3.1291)


def test_readability_formulas_rank_hard_text_harder():
    easy = "We sent your card. It comes on Friday."
    hard = "Notwithstanding the aforementioned considerations, authorization necessitates comprehensive documentation."
    assert flesch_reading_ease(easy) > flesch_reading_ease(hard)
    assert flesch_kincaid_grade(easy) < flesch_kincaid_grade(hard)
    assert smog_index(easy) < smog_index(hard)
    assert flesch_reading_ease("") is None and smog_index("!!") is None


def test_lexicon_phrase_index_prefers_the_longest_match():
    index = PhraseIndex([("in order", 1), ("in order to", 2), ("to", 3)])
    assert index.find(["we", "did", "it", "in", "order", "to", "help"]) == [(3, 6, 2)]
    assert len(index) == 3


def _data(name: str):
    path = resources.files("coach.lang").joinpath("en", name)
    return json.loads(path.read_text(encoding="utf-8")) if name.endswith(".json") else path.read_text(encoding="utf-8")


def test_lang_jargon_glossary_has_400_sourced_entries():
    data = _data("clarity_jargon.json")
    terms = data["terms"]
    assert len(terms) >= 400
    assert all(e["plain"].strip() and e["source"] in data["sources"] for e in terms)
    assert all(data["sources"][s]["urls"] for s in data["sources"])
    lowered = [e["term"].lower() for e in terms]
    assert len(lowered) == len(set(lowered))


def test_lang_score_constants_cover_every_kind():
    score = _data("clarity_score.json")
    assert set(score["penalties"]) == set(CLARITY_KINDS)
    assert all(v >= 0 for v in score["penalties"].values())
    assert [g[0] for g in score["grades"]] == sorted((g[0] for g in score["grades"]), reverse=True)


@pytest.mark.parametrize(
    "name",
    [
        "clarity_chat.json", "clarity_hedges.json", "clarity_hidden_verbs.json", "clarity_legalese.json",
        "clarity_negation.json", "clarity_passive.json", "clarity_refusals.json", "clarity_speech.json",
        "clarity_syllables.json", "clarity_abbreviations.txt", "clarity_acronyms_allow.txt",
        "clarity_function_words.txt", "clarity_nouns.txt", "clarity_noun_verbs.txt",
    ],
)
def test_lang_clarity_files_load_and_are_described(name):
    data = _data(name)
    assert data
    sources = resources.files("coach.lang").joinpath("en", "SOURCES.md").read_text(encoding="utf-8")
    assert name in sources


def test_lang_hidden_verbs_have_a_verb_for_every_noun():
    data = _data("clarity_hidden_verbs.json")
    nouns = {n for ns in data["pairs"].values() for n in ns} | set(data["of_pattern"])
    assert nouns <= set(data["verbs"])
    assert set(data["pairs"]) <= set(data["light_verbs"].values())
