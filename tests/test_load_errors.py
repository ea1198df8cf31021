"""Bad, odd and large input at the boundary: every problem is a CoachError that says where."""

import codecs
import json
import time
import tracemalloc

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import reader_json, transcript_lines

import coach
from coach import CoachError, Role, Transcript, TranscriptError
from coach.formats import FORMATS

NATIVE = {"id": "c1", "turns": [{"speaker": "agent", "text": "Hello there"}, {"speaker": "customer", "text": "Hi"}]}


@pytest.mark.parametrize("content", [b"", b"   \n\n\t \n"])
def test_load_errors_empty_file(tmp_path, content):
    path = tmp_path / "call.json"
    path.write_bytes(content)
    with pytest.raises(TranscriptError, match="empty"):
        coach.load(path)


def test_load_errors_empty_text_and_bytes():
    with pytest.raises(TranscriptError, match="empty"):
        coach.load("   ")
    with pytest.raises(TranscriptError, match="empty"):
        coach.load(b"")


def test_load_errors_invalid_json_gives_line_and_column(tmp_path):
    path = tmp_path / "call.json"
    path.write_text('{"id": "c1",\n "turns": [\n   {"speaker": "agent" "text": "hi"}\n ]}\n')
    with pytest.raises(TranscriptError) as info:
        coach.load(path)
    assert (info.value.line, info.value.column) == (3, 24)
    assert "line 3, column 24" in str(info.value)


def test_load_errors_invalid_jsonl_line(tmp_path):
    path = tmp_path / "calls.jsonl"
    path.write_text(json.dumps(NATIVE) + "\n" + json.dumps(NATIVE) + "\n" + '{"id": "c3", "turns": [}\n')
    with pytest.raises(TranscriptError) as info:
        list(coach.load_all(path))
    assert info.value.line == 3


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ({"conversation": "hello"}, "cannot tell the format"),
        ([1, 2, 3], "cannot tell the format"),
        ({"id": "x", "turns": "agent: hi"}, "cannot tell the format"),
        ({"id": "x", "turns": [{"speaker": "agent"}, "hi"]}, "turn 1: a turn must be an object"),
    ],
)
def test_load_errors_json_of_the_wrong_shape(obj, message):
    with pytest.raises(TranscriptError, match=message):
        coach.load(json.dumps(obj))


def test_load_errors_wrong_shape_with_format_names_the_expected_shape():
    with pytest.raises(TranscriptError, match=r'this is not a zendesk file: expected an object with "history"'):
        coach.load({"conversation": "hello"}, format="zendesk")


def test_load_errors_unknown_format_lists_the_known_ones():
    with pytest.raises(coach.FormatError) as info:
        coach.load(NATIVE, format="docx")
    assert set(FORMATS) <= set(info.value.known)


def test_load_errors_csv_without_text_column(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("ticket,agent_name,customer_said\n1,Ana,hello\n")
    with pytest.raises(
        TranscriptError, match=r"CSV without a text column: found columns \['ticket', 'agent_name', 'customer_said'\]"
    ):
        coach.load(path)


@pytest.mark.parametrize("streamed", [True, False])
def test_load_errors_bytes_that_are_not_utf8_name_the_line(tmp_path, streamed):
    good = json.dumps(NATIVE).encode()
    data = good + b"\n" + good + b"\n" + good.replace(b"Hello", b"H\xe9llo") + b"\n"
    if streamed:
        path = tmp_path / "calls.jsonl"
        path.write_bytes(data)
        source = path
    else:
        source = data
    with pytest.raises(TranscriptError, match="not valid utf-8") as info:
        list(coach.load_all(source))
    assert info.value.line == 3
    assert info.value.column == good.index(b"Hello") + 2


@pytest.mark.parametrize(
    "encode",
    [
        lambda s: codecs.BOM_UTF8 + s.encode("utf-8"),
        lambda s: codecs.BOM_UTF16_LE + s.encode("utf-16-le"),
        lambda s: codecs.BOM_UTF16_BE + s.encode("utf-16-be"),
        lambda s: s.encode("utf-16-le"),
        lambda s: s.encode("utf-16-be"),
    ],
    ids=["utf8-bom", "utf16le-bom", "utf16be-bom", "utf16le", "utf16be"],
)
@pytest.mark.parametrize("suffix", [".json", ".txt", ".csv", ".jsonl"])
def test_load_errors_boms_and_utf16_are_accepted(tmp_path, encode, suffix):
    text = {
        ".json": json.dumps(NATIVE),
        ".jsonl": json.dumps(NATIVE) + "\n" + json.dumps({**NATIVE, "id": "c2"}) + "\n",
        ".txt": "Agent: Hello there\nCustomer: Hi\n",
        ".csv": "speaker,text\nagent,Hello there\ncustomer,Hi\n",
    }[suffix]
    path = tmp_path / f"call{suffix}"
    path.write_bytes(encode(text))
    first = next(coach.load_all(path))
    assert [(t.role, t.text) for t in first.turns] == [(Role.AGENT, "Hello there"), (Role.CUSTOMER, "Hi")]


@pytest.mark.parametrize(
    "garbage",
    [bytes(range(256)) * 8, b"\x89PNG\r\n\x1a\n" + bytes(400), b"PK\x03\x04" + bytes(range(200)) * 3],
    ids=["bytes", "png", "zip"],
)
def test_load_errors_binary_garbage(tmp_path, garbage):
    path = tmp_path / "call.json"
    path.write_bytes(garbage)
    with pytest.raises(TranscriptError, match="binary"):
        coach.load(path)
    with pytest.raises(TranscriptError, match="binary"):
        coach.load(garbage)


def test_load_errors_damaged_gzip(tmp_path):
    path = tmp_path / "calls.jsonl.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00" + bytes(range(60)))
    with pytest.raises(TranscriptError, match="gzip file is damaged"):
        list(coach.load_all(path))


def test_load_errors_control_and_zero_width_characters_are_removed():
    text = "Hel\u200blo\u0007 the\u00adre,\u202e\ufeff I\u2060 can\u0000 help\x1b.\r\nSecond\u200d line"
    transcript = coach.load({"id": "c", "turns": [{"speaker": "agent", "text": text}]})
    assert transcript.turns[0].text == "Hello there, I can help.\nSecond line"


def test_load_errors_turn_of_one_megabyte():
    text = ("I understand the problem with your account and I will fix it today. " * 15_000)[:1_000_000]
    transcript = coach.load({"id": "big", "turns": [{"speaker": "agent", "text": text}]})
    assert len(transcript.turns[0].text) == len(text.strip())


def test_load_errors_ten_thousand_turns(tmp_path):
    lines = "".join(
        f"[{i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}] {'Agent' if i % 2 else 'Customer'}: line {i}\n"
        for i in range(10_000)
    )
    path = tmp_path / "long.txt"
    path.write_text(lines)
    transcript = coach.load(path)
    assert len(transcript) == 10_000
    assert transcript.turns[-1].text == "line 9999" and transcript.turns[-1].start == 9999.0


def test_load_errors_100mb_jsonl_is_streamed(tmp_path):
    """load_all reads a 100 MB JSONL file line by line: memory stays far below the file size."""
    path = tmp_path / "big.jsonl"
    words = ["refund", "order", "router", "bill", "card", "delivery", "account", "password", "engineer", "broken"]
    said = [" ".join(words[(i + k) % len(words)] for k in range(60)) for i in range(len(words))]
    with path.open("w", encoding="utf-8") as fh:
        size = i = 0
        while size < 100_000_000:
            turns = [
                {"speaker": "agent" if k % 2 else "customer", "text": f"{i}.{k} {said[(i + k) % len(said)]}"}
                for k in range(4)
            ]
            line = json.dumps({"id": f"c{i}", "turns": turns}) + "\n"
            fh.write(line)
            size += len(line)
            i += 1
    started = time.perf_counter()
    tracemalloc.start()
    try:
        count, last = 0, ""
        for transcript in coach.load_all(path):
            count, last = count + 1, transcript.id
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == i
    assert last == f"c{i - 1}"
    assert peak < 5_000_000, f"peak {peak / 1e6:.1f} MB while streaming a 100 MB file"
    assert time.perf_counter() - started < 60


def test_load_errors_path_that_cannot_be_a_file():
    with pytest.raises(TranscriptError):
        coach.load("x" * 5000)
    with pytest.raises(TranscriptError, match="no such file"):
        coach.load("no-such-transcript.json")


def _load_or_coach_error(source) -> None:
    try:
        result = coach.load(source)
    except CoachError:
        return
    assert isinstance(result, Transcript)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_load_errors_arbitrary_bytes_load_or_raise_a_coach_error(data):
    _load_or_coach_error(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300) | transcript_lines, st.sampled_from(["auto", *FORMATS]))
def test_load_errors_arbitrary_text_loads_or_raises_a_coach_error(text, fmt):
    try:
        result = coach.load(text if "\n" in text else text + "\n", format=fmt)
    except CoachError:
        return
    assert isinstance(result, Transcript)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reader_json, st.sampled_from(["auto", *FORMATS]))
def test_load_errors_arbitrary_json_loads_or_raises_a_coach_error(value, fmt):
    for source in (json.dumps(value), value):
        try:
            result = coach.load(source, format=fmt)
        except CoachError:
            continue
        assert isinstance(result, Transcript)
