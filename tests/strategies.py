"""Hypothesis strategies shared by the tests."""

from __future__ import annotations

from hypothesis import strategies as st

from coach import Role, Transcript, Turn

#: Text as agents and customers type or speak it: letters, digits, punctuation, emoji, newlines.
utterance_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)),
    min_size=1,
    max_size=200,
).filter(lambda s: s.strip() != "")

_seconds = st.none() | st.floats(min_value=0, max_value=36_000, allow_nan=False, allow_infinity=False)


@st.composite
def turns(draw, roles=tuple(Role)):
    return Turn(
        role=draw(st.sampled_from(roles)),
        text=draw(utterance_text),
        speaker=draw(st.none() | st.text(max_size=20)),
        start=draw(_seconds),
        end=draw(_seconds),
    )


@st.composite
def transcripts(draw, max_turns=12):
    return Transcript(
        id=draw(st.text(min_size=1, max_size=20)),
        turns=tuple(draw(st.lists(turns(), max_size=max_turns))),
        metadata=draw(st.dictionaries(st.text(max_size=10), st.integers() | st.text(max_size=10), max_size=3)),
        language="en",
    )
