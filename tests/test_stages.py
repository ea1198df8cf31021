"""Stage detection: the engine's contract, the cues and counter-cues, configuration, coaching."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from strategies import transcripts, utterance_text

from coach.config import Config
from coach.errors import CoachError, ConfigError
from coach.nlp import pipeline
from coach.report import STAGES
from coach.stages import StageEngine
from coach.stages._text import normalizer
from coach.transcript import Role, Turn

PROBLEM = "Hi, I was charged twice for my order last week and I'm really annoyed."


def turns(*pairs: tuple[str, str]) -> list[Turn]:
    return [Turn(Role.AGENT if who == "agent" else Role.CUSTOMER, text) for who, text in pairs]


def run(engine: StageEngine, call: list[Turn]):
    state = engine.start()
    found = []
    nlp = pipeline("en")
    for i, turn in enumerate(call):
        found.extend(engine.observe(state, i, turn, nlp(turn.text)))
    return state, found


@pytest.fixture(scope="module")
def engine() -> StageEngine:
    return StageEngine("en")


def stages_in(engine: StageEngine, agent_text: str, customer_text: str = PROBLEM) -> set[str]:
    _, found = run(engine, turns(("customer", customer_text), ("agent", agent_text)))
    return {f.stage for f in found if f.turn == 1}


# -- cues and counter-cues (the label guide's "good" and "not it" columns) ----------------------


@pytest.mark.parametrize(
    ("agent", "stage", "expected"),
    [
        ("I'm sorry that happened — I'll make sure we sort this out today.", "reassure", True),
        ("im really sorry about that ill make sure we get this sorted today", "reassure", True),
        ("Sorry, but that's our policy.", "reassure", False),
        ("sorry i didn't catch that can you repeat", "reassure", False),
        ("Sorry for the wait.", "reassure", False),
        ("Take your time — what happened when you plugged it in?", "listen", True),
        ("Account number?", "listen", False),
        ("can i get your date of birth please", "listen", False),
        ("So you were charged twice for last week's order — is that right?", "confirm", True),
        ("I've refunded the second charge; you'll see it in 3–5 days.", "fix", True),
        ("ive refunded the second charge u will see it in 3 to 5 days", "fix", True),
        ("We'll look into it.", "fix", False),
        ("let me check", "fix", False),
        ("one moment please", "fix", False),
        ("I'll call you next Tuesday to check the refund went through.", "follow_up", True),
        ("Follow the link to reset your password.", "follow_up", False),
        ("Is there anything else I can help you with?", "follow_up", False),
        ("Call us back if it happens again.", "follow_up", False),
        ("i will call you back in five minutes", "follow_up", False),
    ],
)
def test_stages_cue_table(engine, agent, stage, expected):
    assert (stage in stages_in(engine, agent)) is expected


def test_stages_parroting_is_not_confirm(engine):
    assert "confirm" not in stages_in(engine, "I was charged twice for my order?", "I was charged twice for my order.")


def test_stages_nothing_before_the_customer_speaks(engine):
    _, found = run(engine, turns(("agent", "Hi, I can definitely help you with that, tell me more.")))
    assert {f.stage for f in found} <= {"follow_up"}


@pytest.mark.parametrize(
    ("chat", "voice"),
    [
        ("I'm sorry, pls tell me more!", "im sorry uh please tell me more"),
        ("I'll e-mail you on Fri.", "i will email you on friday"),
        ("Mm-hmm. I understand :)", "mm hmm [noise] i understand"),
        ("Don't worry, I've got this.", "dont worry ive got this"),
    ],
)
def test_text_chat_and_voice_normalise_alike(chat, voice):
    norm = normalizer("en")
    assert norm(chat).words == norm(voice).words


@given(utterance_text)
@settings(max_examples=200, deadline=None)
def test_text_spans_index_the_text(text):
    norm = normalizer("en")
    words = norm(text)
    spans = norm.spans(text)
    assert len(spans) == len(words.words)
    assert all(0 <= s < e <= len(text) for s, e in spans)


# -- the engine's contract ----------------------------------------------------------------------


@given(transcripts(max_turns=8))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_engine_never_finds_a_stage_outside_agent_turns(transcript):
    engine = StageEngine("en")
    state, found = run(engine, list(transcript.turns))
    assert all(transcript.turns[f.turn].is_agent for f in found)
    outcome = engine.finish(state)
    for result in outcome.stages.values():
        assert all(transcript.turns[t].is_agent for t in result.turns)
        assert all(transcript.turns[e.turn].is_agent for e in result.evidence)
        assert 0.0 <= result.confidence <= 1.0


CALL = turns(
    ("agent", "hello this is harper valley national bank how can i help you today"),
    ("customer", "hi i lost my debit card can you send me a new one"),
    ("agent", "oh no i'm sorry to hear that i can definitely help you with that"),
    ("agent", "alright your replacement card"),
    ("agent", "has been ordered and you should get it in three to five business days"),
    ("customer", "great thank you"),
    ("agent", "is there anything else i can help you with today"),
)


def test_engine_same_input_same_output():
    a = StageEngine("en")
    b = StageEngine("en")
    state_a, found_a = run(a, CALL)
    state_b, found_b = run(b, CALL)
    assert found_a == found_b
    assert a.finish(state_a) == b.finish(state_b)
    assert json.dumps(state_a.to_dict()) == json.dumps(state_b.to_dict())


def test_engine_state_round_trips_between_turns(engine):
    nlp = pipeline("en")
    whole, _ = run(engine, CALL)
    state = engine.start()
    for i, turn in enumerate(CALL):
        state = StageEngine.state_from_dict(json.loads(json.dumps(state.to_dict())))
        engine.observe(state, i, turn, nlp(turn.text))
    assert state.to_dict() == whole.to_dict()
    assert engine.finish(state) == engine.finish(whole)


def test_engine_finish_leaves_state_alone(engine):
    state, _ = run(engine, CALL[:4])
    before = state.to_dict()
    engine.finish(state)
    assert state.to_dict() == before


def test_engine_split_sentence_is_found_in_both_segments(engine):
    _, found = run(engine, CALL)
    assert {3, 4} <= {f.turn for f in found if f.stage == "fix"}


def test_engine_rejects_turns_out_of_order(engine):
    state = engine.start()
    with pytest.raises(CoachError, match="out of order"):
        engine.observe(state, 1, CALL[1])


def test_engine_rejects_a_foreign_state():
    with pytest.raises(CoachError, match="not a stage-detection state"):
        StageEngine.state_from_dict({"seen": 1})


def test_engine_outcome_in_framework_order(engine):
    state, _ = run(engine, CALL)
    outcome = engine.finish(state)
    assert tuple(outcome.stages) == STAGES
    assert outcome.missing == tuple(s for s in STAGES if not outcome.stages[s].present)
    assert {"reassure", "fix"} <= {s for s, r in outcome.stages.items() if r.present}


# -- configuration ------------------------------------------------------------------------------


def test_config_disabled_stage_is_neither_found_nor_missing():
    engine = StageEngine("en", Config.from_dict({"stages": {"reassure": {"enabled": False}}}))
    state, found = run(engine, CALL)
    outcome = engine.finish(state)
    assert not any(f.stage == "reassure" for f in found)
    assert outcome.stages["reassure"].enabled is False
    assert "reassure" not in outcome.missing
    assert not any(h.stage == "reassure" for h in outcome.hints)


def test_config_threshold_decides_what_is_found():
    # An added cue decides with the strong-cue confidence (0.9) where the model alone would not.
    cue = {"add_cues": ["zebra crossing"]}
    for threshold, expected in ((0.89, True), (0.91, False)):
        engine = StageEngine("en", Config.from_dict({"stages": {"reassure": {**cue, "threshold": threshold}}}))
        assert ("reassure" in stages_in(engine, "zebra crossing")) is expected


def test_config_added_cue_counts_without_retraining():
    text = "Consider it handled by team Zebra."
    engine = StageEngine("en", Config.from_dict({"stages": {"reassure": {"add_cues": ["consider it handled"]}}}))
    assert "reassure" not in stages_in(StageEngine("en"), text)
    assert "reassure" in stages_in(engine, text)


def test_config_removed_cue_no_longer_decides():
    engine = StageEngine("en", Config.from_dict({"stages": {"follow_up": {"remove_cues": ["contact_you_when"]}}}))
    _, found = run(engine, turns(("customer", PROBLEM), ("agent", "I will email you on Friday.")))
    assert not any(e.reason == "cue 'contact_you_when'" for f in found for e in f.evidence)


def test_config_unknown_cue_to_remove_names_the_key():
    engine = StageEngine("en", Config.from_dict({"stages": {"fix": {"remove_cues": ["no such cue"]}}}))
    with pytest.raises(ConfigError) as info:
        run(engine, CALL)
    assert info.value.key == "stages.fix.remove_cues"


# -- coaching -----------------------------------------------------------------------------------


def test_coaching_fix_before_confirm_is_an_order_finding(engine):
    call = turns(
        ("customer", "I was charged twice for my order."),
        ("agent", "I've refunded the second charge."),
        ("agent", "So you were charged twice for the order, is that right?"),
    )
    state, _ = run(engine, call)
    kinds = {o.kind: o.turns for o in engine.finish(state).order}
    assert kinds.get("fix_before_confirm") == (1, 2)


def test_coaching_missing_follow_up_hint_names_the_fix(engine):
    call = turns(
        ("customer", "I lost my credit card, can you send me a new one?"),
        ("agent", "I have ordered your replacement credit card."),
    )
    state, _ = run(engine, call)
    hints = {h.kind: h for h in engine.finish(state).hints}
    hint = hints["missing_follow_up"]
    assert hint.turn == 1
    assert "your replacement credit card arrived" in hint.example


def test_coaching_missing_confirm_hint_uses_the_customers_words(engine):
    state, _ = run(engine, turns(("customer", "I lost my debit card and need a new one."), ("agent", "Okay.")))
    hint = {h.kind: h for h in engine.finish(state).hints}["missing_confirm"]
    assert hint.turn == 1 and hint.stage == "confirm"
    assert "debit card" in hint.example


def test_coaching_hints_can_be_left_out(engine):
    state, _ = run(engine, CALL)
    assert engine.finish(state, hints=False).hints == ()


def test_text_noise_only_turn_has_no_words():
    assert normalizer("en")("[noise] uh um <unk>").words == ()
