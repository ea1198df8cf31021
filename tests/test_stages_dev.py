"""The stage-detection development set (benchmarks/data/stages_dev.jsonl) and its loader."""

from __future__ import annotations

import gzip
import importlib.util
import json
from pathlib import Path

import pytest

from coach.errors import TranscriptError
from coach.transcript import Role

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("stages_dev", ROOT / "benchmarks" / "stages_dev.py")
stages_dev = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(stages_dev)

ROWS = stages_dev.read_labels()


def _data(shared_data: Path, source: str) -> Path:
    folder = shared_data / source
    if not folder.is_dir():
        pytest.skip(f"{folder} is not present")
    return folder


def _hv_agent_segments(folder: Path, ids: set[str]) -> dict[str, list[int]]:
    out = {}
    with gzip.open(folder / "calls.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            call = json.loads(line)
            if call["id"] in ids:
                out[call["id"]] = [s["index"] for s in call["segments"] if s["speaker_role"] == "agent"]
    return out


def _abcd_convos(folder: Path) -> dict[str, list[list[str]]]:
    convos = {}
    for name in ("abcd_sample.json", "abcd_extra_from_dialogstudio.json"):
        for convo in json.loads((folder / name).read_text(encoding="utf-8")):
            convos[str(convo["convo_id"])] = convo["original"]
    return convos


def test_stages_dev_schema():
    assert [r["source"] for r in ROWS].count("harper_valley") >= 40
    assert [r["source"] for r in ROWS].count("abcd") == 5
    assert len({(r["source"], r["id"]) for r in ROWS}) == len(ROWS)
    for row in ROWS:
        assert set(row) <= {"source", "id", "turns", "note"}
        for stages in row["turns"].values():
            # framework order, so the file diffs cleanly when a label is added
            assert stages == sorted(stages, key=stages_dev.STAGES.index)


def test_stages_dev_every_stage_but_follow_up_is_present():
    # follow_up has no positive in these calls (see benchmarks/data/README.md); the others must.
    present = {s for r in ROWS for stages in r["turns"].values() for s in stages}
    assert present == set(stages_dev.STAGES) - {"follow_up"}


@pytest.mark.parametrize(
    "row",
    [
        {"source": "hv", "id": "x", "turns": {"1": []}},
        {"source": "abcd", "id": 3, "turns": {"1": []}},
        {"source": "abcd", "id": "3", "turns": {}},
        {"source": "abcd", "id": "3", "turns": {"one": []}},
        {"source": "abcd", "id": "3", "turns": {"1": ["empathy"]}},
        {"source": "abcd", "id": "3", "turns": {"1": ["fix", "fix"]}},
        {"source": "abcd", "id": "3", "turns": {"1": "fix"}},
        {"source": "abcd", "id": "3", "turns": {"1": []}, "text": "copied words"},
        {"source": "abcd", "id": "3", "turns": {"1": []}, "note": 1},
    ],
)
def test_stages_dev_read_labels_rejects_bad_rows(tmp_path, row):
    path = tmp_path / "labels.jsonl"
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    with pytest.raises(TranscriptError, match="line 1"):
        stages_dev.read_labels(path)


def test_stages_dev_every_agent_turn_is_labelled(shared_data):
    hv = [r for r in ROWS if r["source"] == "harper_valley"]
    segments = _hv_agent_segments(_data(shared_data, "harper_valley"), {r["id"] for r in hv})
    for row in hv:
        assert sorted(map(int, row["turns"])) == segments[row["id"]], row["id"]
    convos = _abcd_convos(_data(shared_data, "abcd"))
    for row in (r for r in ROWS if r["source"] == "abcd"):
        agent = [i for i, (speaker, _) in enumerate(convos[row["id"]]) if speaker == "agent"]
        assert sorted(map(int, row["turns"])) == agent, row["id"]


def test_stages_dev_has_no_test_ids(shared_data):
    split = json.loads((_data(shared_data, "harper_valley") / "split.json").read_text(encoding="utf-8"))
    ids = {r["id"] for r in ROWS if r["source"] == "harper_valley"}
    assert not ids & set(split["test"])
    assert ids <= set(split["train"]) | set(split["dev"])


def test_stages_dev_load_dev_rebuilds_every_call(shared_data):
    _data(shared_data, "harper_valley")
    _data(shared_data, "abcd")
    dev = stages_dev.load_dev(shared_data)
    assert [(t.metadata["source"], t.id) for t, _ in dev] == [(r["source"], r["id"]) for r in ROWS]
    for (transcript, labels), row in zip(dev, ROWS, strict=True):
        assert sorted(labels) == [i for i, t in enumerate(transcript.turns) if t.role is Role.AGENT]
        assert sorted(map(sorted, labels.values())) == sorted(map(sorted, row["turns"].values()))
    hv, _ = dev[0]
    assert hv.turns[0].start is not None and hv.turns[0].end >= hv.turns[0].start
    roles = {t.role for transcript, _ in dev for t in transcript.turns}
    assert roles == {Role.AGENT, Role.CUSTOMER, Role.SYSTEM}


def _rewrite(tmp_path: Path, edit) -> Path:
    rows = [dict(r, turns=dict(r["turns"])) for r in ROWS]
    edit(rows)
    path = tmp_path / "labels.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _label_a_customer_line(rows):
    row = next(r for r in rows if r["source"] == "abcd")
    customer = next(str(i) for i in range(1, 100) if str(i) not in row["turns"])
    row["turns"][customer] = ["fix"]


def _drop_an_agent_label(rows):
    row = next(r for r in rows if r["source"] == "harper_valley")
    row["turns"].pop(next(iter(row["turns"])))


def _label_a_missing_segment(rows):
    rows[0]["turns"]["9999"] = []


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_label_a_customer_line, "label on a customer turn"),
        (_drop_an_agent_label, "agent turns without a label"),
        (_label_a_missing_segment, "does not have"),
    ],
)
def test_stages_dev_load_dev_rejects_labels_that_disagree_with_the_data(shared_data, tmp_path, edit, message):
    _data(shared_data, "harper_valley")
    _data(shared_data, "abcd")
    with pytest.raises(TranscriptError, match=message):
        stages_dev.load_dev(shared_data, _rewrite(tmp_path, edit))


def test_stages_dev_load_dev_refuses_test_ids(shared_data, tmp_path):
    split = json.loads((_data(shared_data, "harper_valley") / "split.json").read_text(encoding="utf-8"))
    path = tmp_path / "labels.jsonl"
    path.write_text(json.dumps({"source": "harper_valley", "id": split["test"][0], "turns": {"1": []}}) + "\n")
    with pytest.raises(TranscriptError, match="test ids"):
        stages_dev.load_dev(shared_data, path)


def test_stages_dev_load_dev_without_data_is_empty(tmp_path):
    assert stages_dev.load_dev(tmp_path / "absent") == []


# --- the written, evaluation-only set (benchmarks/data/stages_dev_written.jsonl) ---

WRITTEN = stages_dev.read_written()
DOMAINS = {"telecom", "banking", "travel", "retail", "utilities", "saas", "insurance", "healthcare", "public", "food"}


def _present(row, stage):
    return any(stage in stages for stages in row["labels"].values())


def test_stages_dev_written_schema():
    assert len(WRITTEN) >= 60
    assert len({r["id"] for r in WRITTEN}) == len(WRITTEN)
    assert {r["domain"] for r in WRITTEN} == DOMAINS
    assert {r["channel"] for r in WRITTEN} == set(stages_dev.CHANNELS)
    assert {r["quality"] for r in WRITTEN} == set(stages_dev.QUALITIES)
    timed = 0
    for row in WRITTEN:
        assert 8 <= len(row["turns"]) <= 30, row["id"]
        assert {t["speaker"] for t in row["turns"]} == {"agent", "customer"}, row["id"]
        for turn in row["turns"]:
            assert set(turn) <= {"speaker", "text", "start"} and turn["text"].strip(), row["id"]
        starts = [t["start"] for t in row["turns"] if "start" in t]
        if starts:
            # a call is timed throughout or not at all, and time only moves forward
            assert len(starts) == len(row["turns"]) and starts == sorted(starts), row["id"]
            timed += 1
        for stages in row["labels"].values():
            assert stages == sorted(stages, key=stages_dev.STAGES.index), row["id"]
    assert len(WRITTEN) // 3 <= timed <= 2 * len(WRITTEN) // 3


def test_stages_dev_written_labels_sit_on_every_agent_turn_and_only_there():
    for row in WRITTEN:
        agent = [i for i, t in enumerate(row["turns"]) if t["speaker"] == "agent"]
        assert sorted(map(int, row["labels"])) == agent, row["id"]


@pytest.mark.parametrize("stage", stages_dev.STAGES)
def test_stages_dev_written_every_stage_is_present_and_absent_often_enough(stage):
    present = sum(_present(r, stage) for r in WRITTEN)
    assert present >= 15
    assert len(WRITTEN) - present >= 10


def test_stages_dev_written_excellent_calls_show_every_stage():
    for row in (r for r in WRITTEN if r["quality"] == "excellent"):
        assert all(_present(row, s) for s in stages_dev.STAGES), row["id"]


def test_stages_dev_load_written_rebuilds_every_call():
    written = stages_dev.load_written()
    assert [t.id for t, _ in written] == [r["id"] for r in WRITTEN]
    for (transcript, labels), row in zip(written, WRITTEN, strict=True):
        assert [t.text for t in transcript.turns] == [t["text"] for t in row["turns"]]
        assert sorted(labels) == [i for i, t in enumerate(transcript.turns) if t.role is Role.AGENT]
        keys = ("domain", "channel", "quality")
        assert [transcript.metadata[k] for k in keys] == [row[k] for k in keys]
        assert "labels" not in transcript.metadata
        assert [t.start for t in transcript.turns] == [t.get("start") for t in row["turns"]]


def test_stages_dev_written_counts_add_up():
    written = stages_dev.load_written()
    table = stages_dev.written_counts(written, "quality")
    assert table["all"]["calls"] == len(WRITTEN) == sum(table[q]["calls"] for q in stages_dev.QUALITIES)
    for stage in stages_dev.STAGES:
        assert table["all"][f"{stage} calls"] == sum(_present(r, stage) for r in WRITTEN)
        turns = sum(stage in stages for r in WRITTEN for stages in r["labels"].values())
        assert table["all"][f"{stage} turns"] == turns
    assert table["all"]["agent turns"] == sum(len(r["labels"]) for r in WRITTEN)


def test_stages_dev_main_prints_both_sets(capsys):
    stages_dev.main()
    out = capsys.readouterr().out
    assert "stages_dev.jsonl" in out and "stages_dev_written.jsonl" in out
    assert all(q in out for q in stages_dev.QUALITIES)


_GOOD = {"id": "w", "domain": "telecom", "channel": "chat", "quality": "poor",
         "turns": [{"speaker": "agent", "text": "Hi."}], "labels": {"0": []}}


@pytest.mark.parametrize(
    "change",
    [
        {"channel": "phone"},
        {"quality": "great"},
        {"domain": ""},
        {"turns": []},
        {"labels": {"0": ["empathy"]}},
        {"labels": {"first": []}},
        {"labels": {"0": ["fix", "fix"]}},
        {"note": "extra key"},
    ],
)
def test_stages_dev_read_written_rejects_bad_rows(tmp_path, change):
    path = tmp_path / "written.jsonl"
    path.write_text(json.dumps({**_GOOD, **change}) + "\n", encoding="utf-8")
    with pytest.raises(TranscriptError, match="line 1"):
        stages_dev.read_written(path)


def _written_row(edit):
    row = json.loads(json.dumps(WRITTEN[0]))
    edit(row)
    return row


def _label_customer(row):
    row["labels"][str(next(i for i, t in enumerate(row["turns"]) if t["speaker"] == "customer"))] = ["listen"]


def _drop_agent_label(row):
    row["labels"].pop(next(iter(row["labels"])))


def _label_past_the_end(row):
    row["labels"][str(len(row["turns"]))] = []


def _blank_a_turn(row):
    row["turns"][1]["text"] = "   "


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_label_customer, "label on a customer turn"),
        (_drop_agent_label, "agent turns without a label"),
        (_label_past_the_end, "does not have"),
        (_blank_a_turn, "turns written but"),
    ],
)
def test_stages_dev_load_written_rejects_labels_that_disagree_with_the_words(tmp_path, edit, message):
    path = tmp_path / "written.jsonl"
    path.write_text(json.dumps(_written_row(edit)) + "\n", encoding="utf-8")
    with pytest.raises(TranscriptError, match=message):
        stages_dev.load_written(path)
