"""Every reader against its fixtures (tests/fixtures/formats/<format>/), detection, options and round trips.

Each tests/fixtures/formats/expected/<name>.json names a fixture file, the format, the ``roles=`` and
reader options to load it with, and the transcripts (id, language, metadata, turns) it must give.
"""

import gzip
import json
import shutil
from pathlib import Path

import pytest

import coach
from coach import FORMATS, Role, Transcript, TranscriptError
from coach.formats import detect, document

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
EXPECTED = sorted((FIXTURES / "expected").glob("*.json"))


def _expected(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _as_expected(transcript: Transcript) -> dict:
    data = transcript.to_dict()
    turns = [
        {"role": t.role.value, "speaker": t.speaker, "text": t.text, "start": t.start, "end": t.end}
        for t in transcript.turns
    ]
    return {"id": data["id"], "language": data["language"], "metadata": data["metadata"], "turns": turns}


@pytest.fixture(params=EXPECTED, ids=[p.stem for p in EXPECTED])
def case(request) -> dict:
    return _expected(request.param)


def test_formats_every_reader_has_a_fixture():
    covered = {_expected(p)["format"] for p in EXPECTED}
    assert covered == set(FORMATS)


def test_formats_reader_gives_the_expected_turns(case):
    path = FIXTURES / case["fixture"]
    got = list(coach.load_all(path, case["format"], roles=case["roles"] or None, **case["options"]))
    assert [_as_expected(t) for t in got] == case["transcripts"]


def test_formats_auto_detection_picks_the_format(case):
    path = FIXTURES / case["fixture"]
    assert detect(document(path)).name == case["format"]
    got = list(coach.load_all(path, "auto", roles=case["roles"] or None, **case["options"]))
    assert [_as_expected(t) for t in got] == case["transcripts"]


def test_formats_detection_reads_content_not_the_extension():
    path = FIXTURES / "webvtt" / "misleading.txt"
    assert path.suffix == ".txt"
    assert detect(document(path)).name == "webvtt"


def test_formats_round_trip_through_to_dict(case):
    path = FIXTURES / case["fixture"]
    for transcript in coach.load_all(path, case["format"], roles=case["roles"] or None, **case["options"]):
        again = Transcript.from_dict(json.loads(json.dumps(transcript.to_dict())))
        assert again == transcript


def test_formats_text_and_dict_sources_read_like_files(case):
    path = FIXTURES / case["fixture"]
    kwargs = {"roles": case["roles"] or None, **case["options"]}
    from_file = list(coach.load_all(path, case["format"], **kwargs))
    from_bytes = list(coach.load_all(path.read_bytes(), case["format"], **kwargs))
    assert [_as_expected(t)["turns"] for t in from_bytes] == [_as_expected(t)["turns"] for t in from_file]
    if path.suffix == ".json":
        from_dict = list(coach.load_all(json.loads(path.read_text(encoding="utf-8")), **kwargs))
        assert [_as_expected(t)["turns"] for t in from_dict] == [_as_expected(t)["turns"] for t in from_file]


def test_formats_gzip_files_are_read_transparently(tmp_path):
    source = FIXTURES / "harper_valley" / "calls.jsonl"
    packed = tmp_path / "calls.jsonl.gz"
    with source.open("rb") as src, gzip.open(packed, "wb") as dst:
        shutil.copyfileobj(src, dst)
    assert document(packed).suffix == ".jsonl"
    assert list(coach.load_all(packed)) == list(coach.load_all(source))


@pytest.mark.parametrize(
    ("fixture", "roles", "speaker", "role"),
    [
        # roles= names a speaker no alias covers
        ("text/named_speakers.txt", {"Priya": "agent", "Mr Okafor": "customer"}, "Priya", Role.AGENT),
        # roles= wins over an alias ...
        ("text/card_dispute.txt", {"Agent": "customer", "Customer": "agent"}, "Agent", Role.CUSTOMER),
        # ... and over the role a structured format states
        ("contact_lens/legacy_ids.json", {"AGENT": "bot"}, "AGENT", Role.BOT),
        # Twilio channels without participants can be mapped by name
        ("twilio/sentences_only.json", {"channel 1": "customer", "channel 2": "agent"}, "channel 1", Role.CUSTOMER),
    ],
)
def test_formats_roles_override(fixture, roles, speaker, role):
    transcript = coach.load(FIXTURES / fixture, roles=roles)
    assert {t.role for t in transcript.turns if t.speaker == speaker} == {role}


def test_formats_unknown_speakers_are_listed_in_one_error():
    with pytest.raises(TranscriptError) as info:
        coach.load(FIXTURES / "text" / "named_speakers.txt")
    message = str(info.value)
    assert "['Mr Okafor', 'Priya']" in message
    assert "roles=" in message


@pytest.mark.parametrize(
    ("fixture", "agent", "customer"),
    [("text/named_speakers.txt", "Priya", "Mr Okafor"), ("webvtt/support_call.vtt", "Marco", "Dana Whitfield")],
)
def test_formats_unknown_speakers_hint_names_who_talks_like_the_agent(fixture, agent, customer):
    with pytest.raises(TranscriptError) as info:
        coach.load(FIXTURES / fixture)
    suggested = {agent: "agent", customer: "customer"}
    assert f'roles={{"{agent}": "agent", "{customer}": "customer"}} ({agent} talks like the agent' in str(info.value)
    transcript = coach.load(FIXTURES / fixture, roles=suggested)  # the suggestion, as written, loads
    assert {t.role for t in transcript.turns if t.speaker == agent} == {Role.AGENT}


def test_formats_unknown_speakers_without_agent_talk_get_no_guess():
    with pytest.raises(TranscriptError) as info:
        coach.load([("Sam", "hi"), ("Jo", "hello"), ("Sam", "thanks for calling"), ("Jo", "thanks for calling")])
    assert "talks like the agent" not in str(info.value)
    assert "or the other way round" in str(info.value)


def test_formats_text_lone_note_line_continues_the_turn():
    transcript = coach.load(FIXTURES / "text" / "card_dispute.txt")
    assert all(t.role is not Role.SYSTEM for t in transcript.turns)
    assert any(t.text.endswith("has not left your account yet.") and "\nNote: " in t.text for t in transcript.turns)


def test_formats_text_without_turns_is_an_error():
    with pytest.raises(TranscriptError, match='no "Speaker: text" line'):
        coach.load("Dear team,\nplease find the call notes attached.\n", format="text")


def test_formats_csv_columns_option_names_the_columns():
    path = FIXTURES / "csv" / "custom_columns.tsv"
    with pytest.raises(TranscriptError, match=r"CSV without a text column: found columns \['Wer', 'Was gesagt'"):
        coach.load(path)
    transcript = coach.load(
        path,
        format="csv",
        columns={"speaker": "Wer", "text": "was gesagt"},
        roles={"Kundin": "customer", "Berater": "agent"},
    )
    assert transcript.turns[0].text.startswith("My parcel")
    assert transcript.turns[0].start is None  # no time columns named, and none found by name


@pytest.mark.parametrize(
    ("csv_text", "options", "message"),
    [
        ("who,said\nagent,hi\n", {}, r"CSV without a text column: found columns \['who', 'said'\]"),
        ("message,when\nhi,0\n", {}, r"CSV without a speaker or role column: found columns \['message', 'when'\]"),
        ("speaker,text\nagent,hi\n", {"columns": {"words": "text"}}, r"columns\['words'\]: unknown key"),
        ("speaker,text\nagent,hi\n", {"columns": {"text": "body"}}, r"'body' is not a column"),
        ("speaker,text,start\nagent,hi,soon\n", {}, r"line 2: start 'soon' is not a time"),
        (
            "call_id,speaker,text\nc1,agent,hi\nc2,agent,hello\nc1,customer,bye\n",
            {},
            r"line 4: rows of conversation 'c1' are not together",
        ),
    ],
)
def test_formats_csv_errors(csv_text, options, message):
    with pytest.raises(TranscriptError, match=message):
        list(coach.load_all(csv_text.encode(), format="csv", **options))


def test_formats_csv_many_conversations_stream_in_order():
    data = "chat_id,role,speaker_name,text,time\n" + "".join(
        f"c{i},{'agent' if j % 2 else 'customer'},{'Ana' if j % 2 else 'Kim'},turn {j},{j * 1.5}\n"
        for i in range(5)
        for j in range(4)
    )
    transcripts = list(coach.load_all(data.encode(), format="csv"))
    assert [t.id for t in transcripts] == ["c0", "c1", "c2", "c3", "c4"]
    assert [t.speaker for t in transcripts[0].turns] == ["Kim", "Ana", "Kim", "Ana"]
    assert [t.start for t in transcripts[0].turns] == [0.0, 1.5, 3.0, 4.5]
    assert transcripts[0].agent_name == "Ana"


def test_formats_harper_valley_text_field_option():
    path = FIXTURES / "harper_valley" / "calls.jsonl"
    with pytest.raises(TranscriptError, match="text_field='asr' is not a Harper Valley text field"):
        list(coach.load_all(path, text_field="asr"))


def test_formats_options_a_format_does_not_take_are_refused():
    with pytest.raises(TypeError, match="format 'webvtt' does not take columns="):
        coach.load(FIXTURES / "webvtt" / "misleading.txt", columns={"text": "x"})


@pytest.mark.parametrize(
    ("text", "fmt", "message"),
    [
        ("00:00.000 --> 00:01.000\n<v Agent>Hi\n", "webvtt", 'line 1: a WebVTT file starts with "WEBVTT"'),
        (
            "WEBVTT\n\n00:00.000 --> 00:01.000\n<v Agent>Hi\n\nAgent: no timing here\nat all\n",
            "webvtt",
            "line 6: expected a cue timing line",
        ),
        (
            "1\n00:00:01,000 --> 00:00:02,000\nAGENT: Hi\n\n2\nCUSTOMER: hello\n",
            "srt",
            "line 5: expected a cue timing line",
        ),
    ],
)
def test_formats_caption_errors_name_the_line(text, fmt, message):
    with pytest.raises(TranscriptError, match=message):
        coach.load(text, format=fmt)


def test_formats_caption_cue_without_speaker_continues_the_previous_one():
    vtt = "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Agent>Hello\n\n00:02.500 --> 00:03.000\nhow can I help?\n"
    transcript = coach.load(vtt)
    assert [(t.speaker, t.text) for t in transcript.turns] == [("Agent", "Hello"), ("Agent", "how can I help?")]
    with pytest.raises(TranscriptError, match="<no speaker>"):
        coach.load("WEBVTT\n\n00:01.000 --> 00:02.000\nHello\n")


@pytest.mark.parametrize(
    ("fixture", "fmt"),
    [
        ("contact_lens/voice_call.json", "genesys"),
        ("genesys/voice_transcript.json", "contact_lens"),
        ("zendesk/chat.json", "intercom"),
        ("abcd/dialogues.json", "harper_valley"),
    ],
)
def test_formats_wrong_format_is_a_clear_error(fixture, fmt):
    with pytest.raises(TranscriptError, match=f"is not a {fmt} (file|conversation): expected"):
        coach.load(FIXTURES / fixture, format=fmt)


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        (
            {"Participants": [], "Transcript": [{"ParticipantId": "AGENT", "Content": "hi", "BeginOffsetMillis": "x"}]},
            "turn 0: BeginOffsetMillis 'x' is not a number",
        ),
        (
            {"Participants": [], "Transcript": [{"ParticipantId": "AGENT", "Content": "hi"}, 7]},
            "turn 1: a Transcript item must be an object",
        ),
        (
            {"transcripts": [{"phrases": [{"text": "hi", "participantPurpose": "internal", "startTimeMs": "soon"}]}]},
            "turn 0: startTimeMs 'soon' is not a number",
        ),
        ({"sentences": [{"transcript": "hi", "media_channel": 1, "start_time": [1]}]}, "start_time"),
        ({"original": [["agent", "hi"], ["customer"]]}, r"turn 1: expected a \[speaker, text\] pair"),
        ({"history": [{"type": "chat.msg", "nick": "visitor", "msg": 5}]}, "turn text must be a string"),
    ],
)
def test_formats_malformed_records_say_where(obj, message):
    with pytest.raises(TranscriptError, match=message):
        coach.load(obj)


def test_formats_list_of_records_gets_numbered_ids(tmp_path):
    record = json.loads((FIXTURES / "contact_lens" / "legacy_ids.json").read_text())
    del record["CustomerMetadata"]
    path = tmp_path / "batch.json"
    path.write_text(json.dumps([record, record]))
    assert [t.id for t in coach.load_all(path)] == ["batch-1", "batch-2"]


def test_formats_real_harper_valley_calls(shared_data):
    path = shared_data / "harper_valley" / "calls.jsonl.gz"
    if not path.exists():
        pytest.skip("harper_valley/calls.jsonl.gz is not present")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        raw = [json.loads(line) for line in fh]
    calls = list(coach.load_all(path))
    assert detect(document(path)).name == "harper_valley"
    assert [c.id for c in calls] == [r["id"] for r in raw]
    for call, record in zip(calls, raw, strict=True):
        # a segment is speech when one of its tokens is not a bracketed noise token or <unk>
        spoken = [
            s
            for s in sorted(record["segments"], key=lambda s: s["index"])
            if any(not (w.startswith("[") or w == "<unk>") for w in s["human_transcript"].split())
        ]
        assert [t.text for t in call.turns] == [s["human_transcript"].strip() for s in spoken]
        assert [t.role for t in call.turns] == [
            Role.AGENT if s["speaker_role"] == "agent" else Role.CUSTOMER for s in spoken
        ]
        assert call.turns[0].start == spoken[0]["start_ms"] / 1000


def test_formats_real_abcd_dialogues(shared_data):
    folder = shared_data / "abcd"
    if not folder.is_dir():
        pytest.skip("abcd/ is not present")
    dialogues = [
        t for name in ("abcd_sample.json", "abcd_extra_from_dialogstudio.json") for t in coach.load_all(folder / name)
    ]
    assert len(dialogues) == 5
    assert sum(len(d) for d in dialogues) == 118
    assert sum(t.role is Role.SYSTEM for d in dialogues for t in d.turns) == 16
    assert sum(t.role is Role.AGENT for d in dialogues for t in d.turns) == 51
    assert all(d.metadata["scenario"]["flow"] for d in dialogues)


@pytest.mark.parametrize("name", ["calls.jsonl", "calls.txt", "calls.data.gz"])
def test_formats_jsonl_whose_first_line_is_longer_than_the_detection_head(tmp_path, name):
    """A long call on one line (> 64 KiB) is still detected as JSONL, whatever the file is called."""
    turns = [{"speaker": "agent" if i % 2 else "customer", "text": f"turn {i} " + "words " * 40} for i in range(400)]
    lines = [json.dumps({"id": f"c{k}", "turns": turns}) for k in range(3)]
    assert len(lines[0]) > 64 * 1024
    data = ("\n".join(lines) + "\n").encode()
    path = tmp_path / name
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    calls = list(coach.load_all(path))
    assert [c.id for c in calls] == ["c0", "c1", "c2"]
    assert len(calls[1].turns) == 400
