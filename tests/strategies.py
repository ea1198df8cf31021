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


#: Keys the readers look for, so generated JSON reaches deep into every vendor reader.
_READER_KEYS = (
    "id", "turns", "speaker", "role", "text", "start", "end", "Participants", "ParticipantId", "ParticipantRole",
    "Transcript", "Content", "BeginOffsetMillis", "EndOffsetMillis", "AbsoluteTime", "Type", "DisplayName",
    "JobStatus", "LanguageCode", "entries", "start_timestamp_usec", "transcript", "transcriptSegments",
    "segmentParticipant", "words", "startOffset", "messageTime", "transcripts", "phrases", "participantPurpose",
    "startTimeMs", "duration", "milliseconds", "sentences", "media_channel", "sentence_index", "start_time",
    "channel", "participants", "channel_participant", "conversation_parts", "source", "author", "part_type",
    "body", "created_at", "history", "nick", "msg", "timestamp", "original", "convo_id", "segments",
    "speaker_role", "start_ms", "duration_ms", "human_transcript", "index", "name",
)

_json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**15), max_value=10**15)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["agent", "customer", "AGENT", "CUSTOMER", "internal", "visitor", "chat.msg", "comment",
                       "MESSAGE", "00:01:02", "2024-05-02T14:03:11Z", "1.5s", "", "caller", "[noise]"])
    | st.text(max_size=12)
)

#: JSON values shaped like the transcripts coach reads: objects keyed by the readers' field names.
reader_json = st.recursive(
    _json_scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(_READER_KEYS) | st.text(max_size=6), children, max_size=5),
    max_leaves=25,
)

#: Lines as plain-text, caption and CSV transcripts write them, shuffled into documents.
transcript_lines = st.lists(
    st.sampled_from(["WEBVTT", "", "1", "00:00:01,000 --> 00:00:02,000", "00:01.000 --> 00:02.000 align:start",
                     "<v Agent>Hello</v>", "Agent: hi", "[00:00:05] Customer: my bill", "NOTE x", "speaker,text",
                     "agent,\"hi, there\"", "conversation_id,sender,message", "(1:02) Agent: ok", "<v.loud Jane>",
                     "{\"turns\": []}", "[Customer] yes", "Agent - sure", "\ufeffAgent: x"])
    | st.text(max_size=30),
    max_size=12,
).map("\n".join)
