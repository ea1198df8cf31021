import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import transcripts

from coach import Role, Transcript, TranscriptError, Turn
from coach.transcript import resolve_role


@pytest.mark.parametrize(
    ("label", "role"),
    [
        ("agent", Role.AGENT),
        ("Rep", Role.AGENT),
        ("ADVISOR", Role.AGENT),
        ("operator", Role.AGENT),
        ("Agent 2", Role.AGENT),
        ("caller", Role.CUSTOMER),
        ("Client", Role.CUSTOMER),
        ("end_user", Role.CUSTOMER),
        ("END-USER", Role.CUSTOMER),
        ("visitor", Role.CUSTOMER),
        ("user", Role.CUSTOMER),
        ("IVR", Role.BOT),
        ("bot", Role.BOT),
        ("Virtual Agent", Role.BOT),
        ("system", Role.SYSTEM),
        ("action", Role.SYSTEM),
        ("Jane Smith", None),
    ],
)
def test_transcript_role_aliases(label, role):
    assert resolve_role(label) is role


def test_transcript_role_override_wins():
    assert resolve_role("Jane Smith", {"jane smith": "agent"}) is Role.AGENT
    assert resolve_role("user", {"User": "agent"}) is Role.AGENT


def test_transcript_role_override_rejects_unknown_role():
    with pytest.raises(TranscriptError, match="not a role"):
        resolve_role("Jane", {"Jane": "boss"})


@given(transcripts())
def test_transcript_round_trips_exactly(t):
    again = Transcript.from_dict(t.to_dict())
    assert again == t
    assert again.to_dict() == t.to_dict()


def test_transcript_is_frozen():
    t = Transcript("x", (Turn(Role.AGENT, "hi"),))
    with pytest.raises(AttributeError):
        t.id = "y"  # type: ignore[misc]
    with pytest.raises(TypeError):
        t.metadata["k"] = 1  # type: ignore[index]


def test_transcript_merge_consecutive_joins_same_speaker_only():
    t = Transcript(
        "x",
        (
            Turn(Role.AGENT, "Hello.", "agent", 0.0, 1.0),
            Turn(Role.AGENT, "How can I help?", "agent", 1.2, 2.0),
            Turn(Role.CUSTOMER, "My bill.", "customer", 2.5, 3.0),
            Turn(Role.AGENT, "Sure.", "agent", 3.5, None),
        ),
    )
    merged = t.merge_consecutive()
    assert [x.text for x in merged.turns] == ["Hello. How can I help?", "My bill.", "Sure."]
    assert (merged.turns[0].start, merged.turns[0].end) == (0.0, 2.0)
    assert len(t.turns) == 4  # the original is untouched


def test_transcript_from_pairs_reports_unknown_speakers():
    with pytest.raises(TranscriptError) as info:
        Transcript.from_pairs([("agent", "hi"), ("Bob", "hello"), ("Alice", "hey")])
    assert "Alice" in str(info.value) and "Bob" in str(info.value) and "roles=" in str(info.value)


def test_transcript_agent_name_from_metadata_or_speaker():
    assert Transcript("x", (), {"agent": "Sam"}).agent_name == "Sam"
    t = Transcript.from_pairs([("Jane", "hi")], roles={"Jane": "agent"})
    assert t.agent_name == "Jane"


@given(st.text())
def test_transcript_resolve_role_never_crashes(label):
    assert resolve_role(label) in (None, *Role)


def test_transcript_config_and_report_pickle_with_read_only_mappings_intact():
    """They cross process boundaries (joblib, Dask, a user's multiprocessing); their mappings stay read-only."""
    import pickle
    from types import MappingProxyType

    import coach
    from coach.config import Config

    t = Transcript.from_pairs([("customer", "My card was charged twice."), ("agent", "I've refunded it.")])
    t = Transcript(t.id, t.turns, {"agent": "sam", "queue": ["billing"]}, "en")
    config = Config.load({"stages": {"fix": {"threshold": 0.6}}, "clarity": {"glossary": {"ONT": "the box"}}})
    report = coach.analyze(t)
    for obj, mapping in ((t, "metadata"), (config, "stages"), (report, "stages")):
        again = pickle.loads(pickle.dumps(obj))
        assert again == obj
        assert isinstance(getattr(again, mapping), MappingProxyType)
    assert isinstance(pickle.loads(pickle.dumps(config)).clarity.glossary, MappingProxyType)
