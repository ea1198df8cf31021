import pytest
from hypothesis import given
from hypothesis import strategies as st
from render_samples import sample_report
from strategies import transcripts

from coach.redact import MASKS, luhn_valid, redact_report, redact_text, redact_transcript


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("card 4111 1111 1111 1111 ok", "card [CARD] ok"),
        ("card 4111-1111-1111-1111", "card [CARD]"),
        ("amex 378282246310005.", "amex [CARD]."),
        ("mc 5500000000000004", "mc [CARD]"),
        ("mail ann.b+x@example.co.uk now", "mail [EMAIL] now"),
        ("Call (555) 123-4567 please", "Call [PHONE] please"),
        ("+44 20 7946 0958", "[PHONE]"),
        ("020 7946 0958", "[PHONE]"),
        ("555.123.4567", "[PHONE]"),
        ("at 5551234567.", "at [PHONE]."),
        ("ssn 123-45-6789", "ssn [ID]"),
        ("NI number JG 10 37 21 D", "NI number [ID]"),
        ("sin 046 454 286", "sin [ID]"),
    ],
)
def test_redact_masks_personal_data(text, expected):
    assert redact_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "order 1234567812345678",  # 16 digits failing the Luhn check
        "0000 0000 0000 0000",  # Luhn-valid but not a card
        "uuid a3b1c2d4-1234-5678-9abc-def012345678",
        "12345678-1234-1234-1234-123456789012",
        "version 1.2.3 on 2024-05-02 at 10:30",
        "ip 192.168.100.200",
        "price $1,234.56 and 3.14159265358979",
        "policy HM-2209-4471",
        "2 000 000 users",
        "ssn-like 000-12-3456",
    ],
)
def test_redact_leaves_other_numbers(text):
    assert redact_text(text) == text


@pytest.mark.parametrize(("digits", "valid"), [("4111111111111111", True), ("4111111111111112", False), ("046454286", True), ("", False)])
def test_redact_luhn(digits, valid):
    assert luhn_valid(digits) is valid


def test_redact_transcript_covers_id_speakers_and_metadata():
    report = sample_report(customer="Reach me at ann@example.com or 4111 1111 1111 1111.")
    t = report.transcript
    t = type(t)("ann@example.com", t.turns, {"requester": {"email": "ann@example.com"}, "tags": ["555-123-4567"]})
    r = redact_transcript(t)
    assert r.id == "[EMAIL]"
    assert r.turns[1].text == "Reach me at [EMAIL] or [CARD]."
    assert dict(r.metadata) == {"requester": {"email": "[EMAIL]"}, "tags": ["[PHONE]"]}
    assert t.turns[1].text.startswith("Reach me at ann@")  # the input is not changed


def test_redact_report_moves_spans_onto_masked_text():
    report = sample_report(greeting="Card 4111 1111 1111 1111 — " + "Pursuant to our SLA the ticket will be escalated to tier 2 for RCA.")
    # put the clarity issues of turn 3 onto turn 0, after the card number
    tc = report.clarity.turns[2]
    shift = len("Card 4111 1111 1111 1111 — ")
    issues = tuple(type(i)(i.kind, i.start + shift, i.end + shift, i.message, i.suggestion) for i in tc.issues)
    from dataclasses import replace

    report = replace(report, clarity=replace(report.clarity, turns=(replace(tc, index=0, issues=issues),)))
    redacted = redact_report(report)
    text = redacted.transcript.turns[0].text
    assert text.startswith("Card [CARD] — ")
    said = [text[i.start : i.end] for i in redacted.clarity.turns[0].issues]
    assert said == ["Pursuant to", "SLA", "will be escalated", "RCA"]


@given(st.text(alphabet="0123456789 -.@abcXYZ+()", max_size=60))
def test_redact_is_idempotent(text):
    once = redact_text(text)
    assert redact_text(once) == once


@given(transcripts())
def test_redact_transcript_keeps_shape(t):
    r = redact_transcript(t)
    assert [x.role for x in r.turns] == [x.role for x in t.turns]
    assert [(x.start, x.end) for x in r.turns] == [(x.start, x.end) for x in t.turns]


@given(st.integers(min_value=10**12, max_value=10**19 - 1))
def test_redact_never_leaves_a_valid_card(number):
    digits = str(number)
    masked = redact_text(f"pay with {digits} now")
    if 13 <= len(digits) <= 19 and luhn_valid(digits) and len(set(digits)) > 1:
        assert MASKS["card"] in masked and digits not in masked
