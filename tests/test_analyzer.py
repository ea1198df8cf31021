import json

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
