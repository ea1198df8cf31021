"""Clarity scores and issues: graded reference turns, each issue kind, configuration, robustness."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import utterance_text

from coach.clarity import ClarityScorer, call_score, clarity, grade
from coach.config import CLARITY_KINDS, Config
from coach.errors import UnsupportedLanguageError
from coach.report import Clarity

# The same message, plainly and with jargon. The last column marks pairs where the unclear one is shorter.
REFERENCE_PAIRS = [
    ("I've sent you a new card. It should arrive by Friday.", "Card reissuance initiated; ETA 5-7 BD.", True),
    ("We took the fee off because there wasn't enough money in your account.", "The NSF fee was reversed per policy.", True),
    ("I'll pass this to a specialist team today, and they'll call you by Friday.", "Your ticket has been escalated to L2.", True),
    ("Please turn your router off, wait ten seconds, then turn it on again.", "Please power cycle the ONT.", True),
    ("You pay the first 500 dollars of the repair, and we pay the rest.", "Your deductible applies prior to indemnification.", True),
    ("Your bill is higher this month because we charged you for part of last month.", "The variance reflects prorated MRC adjustments.", True),
    ("I can move your number to us. I just need the code from your old phone company.", "To port your number we'll need the PAC and LOA.", True),
    ("Let me check that for you now.", "I will conduct an investigation into the aforementioned discrepancy.", False),
    (
        "I'm sorry about the double charge. I've refunded it, and you'll see the money in three days.",
        "Please be advised that the duplicate transaction has been subject to a provisional credit pending investigation.",
        True,
    ),
    (
        "We can't change the price, but I can give you a free month.",
        "At this point in time we are unable to accommodate your request in accordance with our terms and conditions.",
        False,
    ),
]


def kinds(text: str, **kwargs) -> list[str]:
    return [i.kind for i in ClarityScorer().score(text, **kwargs).issues]


def flagged(text: str, kind: str, config=None) -> list[str]:
    c = clarity(text, config=config)
    return [text[i.start : i.end] for i in c.issues if i.kind == kind]


@pytest.mark.parametrize(("plain", "unclear", "shorter"), REFERENCE_PAIRS)
def test_clarity_plain_rewrite_scores_higher(plain, unclear, shorter):
    a, b = clarity(plain), clarity(unclear)
    assert a.score > b.score + 10, (a.score, b.score)
    assert b.issues
    assert (len(unclear.split()) < len(plain.split())) == shorter


def test_clarity_reference_turns_land_in_sensible_bands():
    assert all(clarity(p).score >= 60 for p, _, _ in REFERENCE_PAIRS)
    assert all(clarity(u).score < 40 for _, u, _ in REFERENCE_PAIRS)


@pytest.mark.parametrize(
    ("score", "word"),
    [(100, "very clear"), (80, "very clear"), (70, "clear"), (55, "fairly clear"), (40, "unclear"), (10, "very unclear"), (None, None)],
)
def test_clarity_grade_words(score, word):
    assert grade(score) == word


def test_clarity_empty_and_wordless_text_has_no_score():
    for text in ("", "   ", "🙏🙏 !!", "[noise]", "um uh"):
        c = clarity(text)
        assert (c.score, c.grade, c.words, c.issues) == (None, None, 0, ())


def test_clarity_confidence_falls_for_short_text_but_one_word_is_scored():
    one, short, long = clarity("Thanks"), clarity("I have sent you a new card"), clarity(REFERENCE_PAIRS[8][0] * 2)
    assert one.score is not None and one.words == 1
    assert one.confidence < short.confidence < long.confidence <= 1


def test_clarity_issue_fields_are_complete():
    text = REFERENCE_PAIRS[1][1]
    for issue in clarity(text).issues:
        assert issue.kind in CLARITY_KINDS
        assert 0 <= issue.start < issue.end <= len(text)
        assert issue.message
    jargon = [i for i in clarity("Your ticket has been escalated.").issues if i.kind == "jargon"]
    assert jargon and jargon[0].suggestion == "passed to a manager"


# --- each issue kind: a true positive and a false positive ------------------------------------

LONG = "We have received your request and our team will look at the details of your account over the next few days before we reply."
SPEECH_LONG = "you need to go to the website with your email address and your password to find the button that says reset the pin on the card for the account"
SPEECH_OK = "okay so i checked your account and then i can see the payment went through yesterday so you should be fine"


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        ("long_sentence", LONG, [LONG.rstrip(".")]),
        ("long_sentence", SPEECH_LONG, [SPEECH_LONG]),
        ("long_sentence", SPEECH_OK, []),
        ("long_sentence", "Thanks for calling. How can I help?", []),
        ("uncommon_word", "The reissuance is underway.", ["reissuance"]),
        ("uncommon_word", "My name is Elizabeth Worthington.", []),
        ("uncommon_word", "pls send me the pic thx u 😀 lol", []),
        ("uncommon_word", "hello this is harper valley national bank my name is elizabeth", []),
        ("jargon", "Your ticket has been escalated to our back office.", ["escalated", "back office"]),
        ("jargon", "I bought a ticket for the show.", []),
        ("acronym", "Your ACH transfer failed.", ["ACH"]),
        ("acronym", "Automated Clearing House (ACH) transfers take a day. Your ACH transfer failed.", []),
        ("acronym", "Your MFA, that's multi-factor authentication, has expired.", []),
        ("acronym", "Please use the ATM or your PIN. OK?", []),
        ("acronym", "THANK YOU FOR CALLING HAVE A GREAT DAY", []),
        ("acronym", "LOL np, BTW it's done ASAP", []),
        ("acronym", "This is part II of the form.", []),
        ("passive_voice", "Your refund was processed yesterday.", ["was processed"]),
        ("passive_voice", "The fee has already been taken off.", ["been taken"]),
        ("passive_voice", "I'm interested in the offer and we're closed on Sundays.", []),
        ("hidden_verb", "You can make a payment online.", ["make a payment"]),
        ("hidden_verb", "We will conduct an investigation.", ["conduct an investigation"]),
        ("hidden_verb", "I made a cake and the process update is saved.", []),
        ("noun_string", "The customer account verification process update is pending.", ["customer account verification process update"]),
        ("noun_string", "Your new debit card is on its way.", []),
        ("legalese", "Please be advised that the office is closed.", ["Please be advised that"]),
        ("legalese", "We can do it at this point in time.", ["at this point in time"]),
        ("legalese", "Please call us at any time.", []),
        ("hedge", "I think it should be able to arrive at some point.", ["I think", "should be able to", "at some point"]),
        ("hedge", "What kind of card do you have?", []),
        ("double_negative", "We don't have no record of that.", ["don't have no"]),
        ("double_negative", "That is not impossible.", ["not impossible"]),
        ("double_negative", "No, I don't have it. I don't know. Not only that, it is not until Monday.", []),
        ("wall_of_text", "Hi. Thanks. I see it. It's paid. It's late. It's fixed. Bye.", ["Hi. Thanks. I see it. It's paid. It's late. It's fixed. Bye"]),
        ("wall_of_text", "Hi. I see it. It's fixed.", []),
        ("negative_refusal", "We can't do that.", ["We can't do"]),
        ("negative_refusal", "Sorry, that's against our policy.", ["against our policy"]),
        ("negative_refusal", "We can't do that, but I can send you a voucher.", []),
        ("negative_refusal", "I can't wait to help you.", []),
    ],
)
def test_clarity_issue_kind(kind, text, expected):
    assert flagged(text, kind) == expected


def test_clarity_acronym_known_earlier_in_the_call_is_not_flagged():
    scorer = ClarityScorer()
    first = "We use Multi-Factor Authentication (MFA) on every account."
    known = frozenset(scorer.expansions(first))
    assert known == {"MFA"}
    assert "acronym" in kinds("Your MFA code expired.")
    assert "acronym" not in kinds("Your MFA code expired.", known_acronyms=known)


def test_clarity_lowercase_speech_flags_glossary_acronyms_only():
    assert flagged("your ach payment bounced last month", "acronym") == ["ach"]
    assert flagged("it is on the way", "acronym") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Multi-Factor Authentication (MFA)", {"MFA"}),
        ("MFA (multi-factor authentication)", {"MFA"}),
        ("MFA, that's multi-factor authentication", {"MFA"}),
        ("the IVR, which stands for interactive voice response", {"IVR"}),
        ("two-factor authentication (2FA)", {"2FA"}),
        ("automated teller machines (ATMs)", {"ATM"}),
        ("mfa that's multi factor authentication", {"MFA"}),
        ("Call us (ACH) today", set()),
        ("Your ACH transfer", set()),
    ],
)
def test_clarity_expansions(text, expected):
    assert ClarityScorer().expansions(text) == expected


# --- configuration ----------------------------------------------------------------------------


def test_clarity_company_glossary_is_flagged_with_the_house_alternative():
    config = {"clarity": {"glossary": {"FlexiSave": "our savings account", "MFA": "two-step sign-in"}}}
    c = clarity("Open a FlexiSave and set up MFA.", config=config)
    found = {("Open a FlexiSave and set up MFA."[i.start : i.end], i.suggestion) for i in c.issues if i.kind == "jargon"}
    assert found == {("FlexiSave", "our savings account"), ("MFA", "two-step sign-in")}


def test_clarity_allow_list_is_never_flagged_and_counts_as_common():
    text = "Your Zorbflux router is ready."
    assert flagged(text, "uncommon_word") == ["Zorbflux"] or flagged(text.lower(), "uncommon_word") == ["zorbflux"]
    config = {"clarity": {"allow": ["Zorbflux"]}}
    assert clarity(text.lower(), config=config).issues == ()
    assert clarity(text.lower(), config=config).score > clarity(text.lower()).score


def test_clarity_kind_switched_off_is_neither_flagged_nor_penalised():
    text = "Please be advised that your refund was processed."
    off = {"clarity": {"kinds": {"legalese": {"enabled": False}}}}
    assert "legalese" in kinds(text)
    assert "legalese" not in [i.kind for i in clarity(text, config=off).issues]
    assert clarity(text, config=off).score > clarity(text).score


@pytest.mark.parametrize(
    ("kind", "threshold", "text"),
    [
        ("long_sentence", 8, "We will send you a brand new card by post this week."),
        ("wall_of_text", 1, "Hi. I see it."),
        ("noun_string", 2, "Check the account balance."),
        ("uncommon_word", 4.5, "Your router is ready."),
    ],
)
def test_clarity_thresholds_come_from_config(kind, threshold, text):
    assert flagged(text, kind) == []
    assert flagged(text, kind, config={"clarity": {"kinds": {kind: {"threshold": threshold}}}})


def test_clarity_accepts_config_objects_and_toml(tmp_path):
    path = tmp_path / "coach.toml"
    path.write_text('[clarity.kinds.hedge]\nenabled = false\n', encoding="utf-8")
    text = "I think it's done."
    assert flagged(text, "hedge") == ["I think"]
    assert flagged(text, "hedge", config=str(path)) == []
    assert flagged(text, "hedge", config=Config.load(str(path))) == []


def test_clarity_unknown_language_is_an_error():
    with pytest.raises(UnsupportedLanguageError):
        clarity("hello", lang="xx")


# --- the scorer and call scores -----------------------------------------------------------------


def test_clarity_scorer_accepts_a_doc_of_the_same_text_only():
    from coach.nlp import pipeline

    text = "Your refund was processed yesterday."
    doc = pipeline("en")(text)
    scorer = ClarityScorer()
    assert scorer.score(text, doc=doc) == scorer.score(text)
    with pytest.raises(ValueError, match="Doc"):
        scorer.score("Something else.", doc=doc)


def test_clarity_call_score_is_word_weighted():
    turns = [Clarity(90.0, "very clear", 0.5, (), 10), Clarity(30.0, "unclear", 0.9, (), 30), Clarity(None, None, 0.0, (), 0)]
    score, word = call_score(turns)
    assert score == pytest.approx((90 * 10 + 30 * 30) / 40)
    assert word == grade(score)
    assert call_score([]) == (None, None)


def test_clarity_works_without_network():
    code = (
        "import socket\n"
        "def refuse(*a, **k): raise OSError('network used')\n"
        "socket.socket = refuse; socket.create_connection = refuse; socket.getaddrinfo = refuse\n"
        "from coach.clarity import clarity\n"
        "c = clarity('Please be advised that your ACH transfer was reversed.')\n"
        "assert c.score is not None and c.issues, c\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


# --- robustness -------------------------------------------------------------------------------

_chatty = st.lists(
    st.sampled_from(["pls", "u", "thx", "😀", "lol", "ASAP", "ACH", "um", "[noise]", "okay", "so", "i", "can't", "not", "no", "was", "processed", "the", "account", "!", "?", ".", ",", "(", ")", "MFA", "http://x.y/z", "a@b.co", "\n"]),
    max_size=60,
).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(st.one_of(utterance_text, _chatty))
def test_clarity_never_crashes_and_stays_in_range(text):
    c = clarity(text)
    assert c.score is None or 0.0 <= c.score <= 100.0
    assert 0.0 <= c.confidence <= 1.0
    for issue in c.issues:
        assert 0 <= issue.start < issue.end <= len(text)
        assert issue.kind in CLARITY_KINDS


@settings(max_examples=50, deadline=None)
@given(st.one_of(utterance_text, _chatty))
def test_clarity_is_deterministic(text):
    assert ClarityScorer().score(text) == ClarityScorer().score(text) == clarity(text)
