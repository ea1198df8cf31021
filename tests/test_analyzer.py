import json
from pathlib import Path

import pytest

import coach
from coach import Role, Transcript, Turn


def _call(*turns):
    return Transcript("t", tuple(Turn(Role(r), text, r, s, e) for r, text, s, e in turns))


def test_analyzer_stats_per_role_and_monologue():
    t = _call(
        ("agent", "Hello, this is Sam.", 0.0, 2.0),
        ("customer", "My router keeps dropping.", 2.5, 5.0),
        ("customer", "Every twenty minutes since Saturday.", 5.0, 8.0),
        ("agent", "I'm sorry to hear that.", 8.5, 10.0),
        ("customer", "Yes.", 10.5, 11.0),
    )
    stats = coach.analyze(t).stats
    assert stats.turns == 5
    assert stats.roles["agent"].turns == 2 and stats.roles["agent"].words == 9
    assert stats.roles["customer"].words == 10
    assert stats.roles["agent"].talk_time == pytest.approx(3.5)
    assert stats.duration == pytest.approx(11.0)
    assert stats.longest_customer_monologue == 9
    assert stats.longest_customer_monologue_turns == (1, 2)


def test_analyzer_stats_without_timestamps():
    stats = coach.analyze(_call(("agent", "Hi", None, None), ("customer", "Hello", None, None))).stats
    assert stats.duration is None and stats.roles["agent"].talk_time is None


def test_analyzer_report_to_dict_is_json_safe(examples_dir):
    report = coach.analyze(examples_dir / "router_dropping.json")
    data = json.loads(json.dumps(report.to_dict(transcript=True)))
    assert {"id", "stages", "missing", "clarity", "paraphrases", "stats"} <= set(data)
    assert data["id"] == "call-router-0412"
    assert data["transcript"]["turns"][0]["role"] == "agent"


def test_analyzer_live_report_equals_batch(examples_dir):
    t = coach.load(examples_dir / "router_dropping.json")
    session = coach.live()
    for turn in t.turns:
        session.add(turn.role, turn.text, turn.start, turn.end)
    live = session.report().to_dict()
    batch = coach.analyze(t).to_dict()
    for part in ("stages", "missing", "clarity", "paraphrases", "stats", "order", "hints"):
        assert live[part] == batch[part], part


def test_analyzer_live_rejects_unknown_speaker():
    with pytest.raises(coach.TranscriptError, match="roles="):
        coach.live().add("Bob", "hello")


def test_analyzer_unsupported_language():
    with pytest.raises(coach.UnsupportedLanguageError, match="en"):
        coach.analyze(_call(("agent", "hi", None, None)), lang="xx")


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_SAID = [
    ("customer", "My card was charged twice for order A-1182, $40.15 each time."),
    ("customer", "the internet keeps dropping every evening since monday"),
    ("customer", "can you send me a new card please"),
    ("customer", "yes that's right"),
    ("agent", "I'm so sorry about that, I'll make sure we fix it today."),
    ("agent", "Take your time, what happened when you tried to log in?"),
    ("agent", "So you were charged twice for order A-1182 — is that right?"),
    ("agent", "I've refunded the second charge; you'll see it in 3 to 5 days."),
    ("agent", "I'll call you on Friday to check the refund has arrived."),
    ("agent", "Please be advised that your request has been escalated pursuant to our policy."),
    ("agent", "Is there anything else I can help you with?"),
    ("bot", "Please hold while we connect you."),
]


@st.composite
def generated_calls(draw):
    picks = draw(st.lists(st.one_of(st.sampled_from(_SAID), st.tuples(st.sampled_from(["agent", "customer"]), st.text(min_size=1, max_size=80))), min_size=1, max_size=14))
    turns = [Turn(Role(r), text.strip() or "ok", r) for r, text in picks]
    return Transcript("generated", tuple(turns))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(generated_calls())
def test_analyzer_live_equals_batch_on_generated_calls(t):
    session = coach.live(id=t.id)
    for turn in t.turns:
        session.add_turn(turn)
    assert session.report().to_dict() == coach.analyze(t).to_dict()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(generated_calls(), st.integers(min_value=0, max_value=14))
def test_analyzer_session_state_round_trips(t, cut):
    first = coach.live(id=t.id)
    for turn in t.turns[:cut]:
        first.add_turn(turn)
    moved = coach.Session.from_dict(first.coach, json.loads(json.dumps(first.to_dict())))
    for turn in t.turns[cut:]:
        moved.add_turn(turn)
    assert moved.report().to_dict() == coach.analyze(t).to_dict()


def test_analyzer_partial_turns_are_previews_only():
    session = coach.live()
    preview = session.add("customer", "my card was", final=False)
    assert preview.final is False and preview.index == 0
    final = session.add("customer", "my card was stolen yesterday, can you block it")
    assert final.index == 0 and final.paraphrase is not None
    assert session.report().stats.turns == 1


def test_analyzer_agent_turn_result_carries_clarity_and_hints():
    session = coach.live()
    session.add("customer", "I was charged twice for my order and I want my money back")
    result = session.add("agent", "Kindly be advised the chargeback is pending adjudication by our RMA team.")
    assert result.clarity is not None and result.clarity.issues
    assert len(result.hints) <= 3


def test_analyzer_never_finds_a_stage_in_a_customer_turn():
    t = Transcript.from_pairs(
        [("customer", "I'm so sorry, I'll make sure to call you on Friday to check it worked."), ("agent", "Okay.")]
    )
    report = coach.analyze(t)
    assert all(0 not in r.turns for r in report.stages.values())


_REPORTS_SCRIPT = """
import json
from pathlib import Path
from pathlib import Path

import coach

c = coach.Coach()
folder = Path(%r)
calls = [t for f in sorted(folder.iterdir()) for t in coach.load_all(f)]
print(json.dumps([c.analyze(t).to_dict() for t in calls], sort_keys=True))
"""


def test_same_reports_in_every_process():
    """Same input, same output — also across processes, whose string hashes (and so the order sets
    iterate in) differ: batch workers and reruns must agree."""
    import os
    import subprocess
    import sys

    folder = Path(__file__).resolve().parents[1] / "examples" / "transcripts"
    runs = {
        subprocess.run(
            [sys.executable, "-c", _REPORTS_SCRIPT % str(folder)],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in (1, 2)
    }
    assert len(runs) == 1
    assert len(json.loads(runs.pop())) >= 6


@given(st.text())
def test_word_count_counts_chunks_holding_a_letter_or_digit(text):
    from coach.analyzer import word_count

    assert word_count(text) == sum(1 for chunk in text.split() if any(c.isalnum() for c in chunk))
