"""Batch scoring: analyze_many, rows, outputs, bad input as rows, the results store, resume and kill."""

from __future__ import annotations

import argparse
import codecs
import contextlib
import csv
import gzip
import io
import json
import logging
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from strategies import transcripts

import coach
import coach.batch
from coach.batch import analyze_many, expand, input_bytes, score
from coach.cli_batch import EXIT_FAILED, add_score_parser
from coach.outputs import COLUMNS, call_time, error_row, open_output, report_row
from coach.report import STAGES, CallClarity, Issue, OrderFinding, Paraphrase, Report, StageResult, TurnClarity
from coach.store import Store, content_key

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "transcripts"
NAMES = [c.name for c in COLUMNS]

# `coach score` without depending on how coach.cli wires it: the command's own parser.
RUNNER = (
    "import argparse, sys; from coach.cli_batch import add_score_parser; "
    "p = argparse.ArgumentParser(prog='coach'); add_score_parser(p.add_subparsers()); "
    "a = p.parse_args(sys.argv[1:]); sys.exit(a.func(a))"
)


def _examples() -> list[coach.Transcript]:
    return [t for path in sorted(EXAMPLES.iterdir()) for t in coach.load_all(path)]


def make_calls(n: int, seed: int = 0) -> list[dict]:
    """``n`` different native calls built from the example transcripts (varied length, agent, date)."""
    base = _examples()
    rng = random.Random(seed)
    calls = []
    for i in range(n):
        turns = [t.to_dict() for t in base[i % len(base)].turns]
        turns = turns[: max(2, len(turns) - rng.randrange(4))]
        calls.append(
            {
                "id": f"call-{i:05d}",
                "agent": rng.choice(["Sam", "Lena", "Ola"]),
                "start_time": f"2024-03-{1 + i % 28:02d}T{8 + i % 9:02d}:00:00Z",
                "turns": turns,
            }
        )
    return calls


def write_jsonl(path: Path, calls: list) -> Path:
    path.write_text("".join(json.dumps(c) + "\n" for c in calls), encoding="utf-8")
    return path


def _expected(transcript: coach.Transcript) -> dict:
    return coach.analyze(transcript).to_dict()


@pytest.fixture(scope="module")
def calls_file(tmp_path_factory) -> Path:
    return write_jsonl(tmp_path_factory.mktemp("calls") / "calls.jsonl", make_calls(60))


# -- analyze_many ----------------------------------------------------------------------------------


@pytest.mark.parametrize("jobs", [1, 2])
def test_batch_analyze_many_is_ordered_and_equals_analyze(jobs, calls_file):
    inputs = [str(EXAMPLES), str(calls_file)]
    results = list(analyze_many(inputs, jobs=jobs, chunk_size=5))
    expected = [t for path in expand(EXAMPLES) for t in coach.load_all(path)] + list(coach.load_all(calls_file))
    assert [(r.id, r.ok) for r in results] == [(t.id, True) for t in expected]
    for result, transcript in zip(results, expected, strict=True):
        assert result.report.to_dict() == _expected(transcript)
    jsonl = [r for r in results if r.source == str(calls_file)]
    assert [r.index for r in jsonl] == list(range(1, 61))


def test_batch_analyze_many_takes_objects_and_a_single_path():
    transcript = _examples()[0]
    native = make_calls(1)[0]
    results = list(analyze_many([transcript, native], jobs=1))
    assert [r.id for r in results] == [transcript.id, native["id"]]
    assert [(r.source, r.index) for r in results] == [("<input>", 1), ("<input>", 2)]
    single = list(analyze_many(EXAMPLES / "router_dropping.json", jobs=1))
    assert [r.id for r in single] == ["call-router-0412"]


def test_batch_reader_options_reach_the_reader(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("Who,Words\nagent,Hello how can I help\ncustomer,My card was charged twice\n", encoding="utf-8")
    assert next(score([path], jobs=1))["error"] is not None
    row = next(score([path], jobs=1, format="csv", columns={"text": "Words", "speaker": "Who"}))
    assert (row["error"], row["turns"]) == (None, 2)
    out = tmp_path / "out.jsonl"
    assert _cli([str(path), "-o", str(out), "--jobs", "1", "--column", "text=Words", "--column", "speaker=Who"]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["turns"] == 2


def test_batch_failure_is_a_value_and_the_run_goes_on(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": "x", "turns": [', encoding="utf-8")
    results = list(analyze_many([str(bad), str(EXAMPLES / "router_dropping.json")], jobs=1))
    assert [r.ok for r in results] == [False, True]
    assert isinstance(results[0].error, coach.TranscriptError)
    assert results[0].error_type == "TranscriptError" and results[0].report is None


# a restart must fail this test, not hang it: under -W error loky's restart warning kills its manager thread
@pytest.mark.filterwarnings("default:A worker stopped:UserWarning")
def test_batch_each_worker_process_builds_its_coach_once_and_is_never_restarted(calls_file, tmp_path, recwarn):
    from joblib import Parallel, delayed

    def probe() -> dict[int, list[int]]:
        def coaches():
            time.sleep(0.2)  # so that every worker takes some of the probes
            return os.getpid(), sorted(id(c) for c in coach.batch._COACHES.values())

        return dict(Parallel(n_jobs=2)(delayed(coaches)() for _ in range(6)))

    # The first chunks hold only errors: the models still load in each worker's first task (loky
    # restarts a worker whose memory grows 300 MB past what it used after its first task).
    inputs = [str(tmp_path / f"missing-{i}.json") for i in range(8)] + [str(calls_file)]
    list(score(inputs, jobs=2, chunk_size=4))
    first = probe()
    list(score(inputs, jobs=2, chunk_size=4))
    assert probe() == first
    assert len(first) == 2 and all(len(ids) == 1 for ids in first.values())
    assert not [w for w in recwarn if "worker stopped" in str(w.message)]


# -- bad input never stops a run -------------------------------------------------------------------

BIG = 50_000_000


def _bad_inputs(folder: Path) -> dict[str, tuple[Path, str]]:
    """name -> (file, a word the error must contain)"""
    files = {
        "empty": (folder / "empty.json", b"", "empty"),
        "corrupt": (folder / "corrupt.json", b'{"id": "x", "turns": [', "json"),
        "binary": (folder / "blob.json", bytes(range(256)) * 64, "binary"),
        "not_utf8": (folder / "latin.json", '{"id":"x","turns":[{"speaker":"agent","text":"café"}]}'.encode("latin-1"), "utf-8"),
        "unknown_format": (folder / "notes.xml", b"<root><a>hello</a></root>\n", "format"),
        "huge": (folder / "huge.json", b'{"id": "huge", "turns": [{"speaker": "agent", "text": "' + b"a" * BIG + b'"}]}', "too large"),
    }
    for path, data, _ in files.values():
        path.write_bytes(data)
    return {name: (path, word) for name, (path, data, word) in files.items()}


def test_batch_every_bad_input_is_an_error_row_and_good_rows_are_all_written(tmp_path):
    bad = _bad_inputs(tmp_path)
    good = write_jsonl(tmp_path / "good.jsonl", make_calls(3))
    inputs = [str(p) for p, _ in bad.values()] + [str(good), str(tmp_path / "missing.json"), str(tmp_path / "*.nothing")]
    rows = list(score(inputs, jobs=2))
    assert all(list(row) == NAMES for row in rows)
    by_source = {row["source"]: row for row in rows}
    for name, (path, word) in bad.items():
        row = by_source[str(path)]
        assert row["error"] and word in row["error"].lower(), (name, row["error"])
        assert row["error_type"] in ("TranscriptError", "FormatError")
        assert row["turns"] is None and row["key"] is None
    for missing in ("missing.json", "*.nothing"):
        assert by_source[str(tmp_path / missing)]["error_type"] == "TranscriptError"
    scored = [row for row in rows if row["error"] is None]
    assert [row["id"] for row in scored] == [c["id"] for c in make_calls(3)]


def test_batch_bad_lines_in_jsonl_are_rows_between_good_ones(tmp_path):
    calls = make_calls(3)
    path = tmp_path / "mixed.jsonl"
    with path.open("wb") as fh:
        fh.write(json.dumps(calls[0]).encode() + b"\n")
        fh.write(b'{"id": "broken", "turns": [\n')
        fh.write(b"\n")  # blank lines are skipped, as coach.load_all does
        fh.write(json.dumps(calls[1]).encode("utf-8").replace(b"I", b"\xff", 1) + b"\n")
        fh.write(b'{"id": "huge", "turns": [{"speaker": "agent", "text": "' + b"a" * BIG + b'"}]}\n')
        fh.write(json.dumps(calls[2]).encode() + b"\n")
    rows = list(score([path], jobs=1))
    assert [(r["index"], r["id"], r["error"] is None) for r in rows] == [
        (1, calls[0]["id"], True),
        (2, None, False),
        (3, None, False),
        (4, None, False),
        (5, calls[2]["id"], True),
    ]
    assert "line 2" in rows[1]["error"] and "line 4" in rows[2]["error"] and "too large" in rows[3]["error"]


def _long_call() -> dict:
    call = make_calls(1)[0]
    call["turns"] = call["turns"] * 60  # one line longer than the 64 KiB a format is detected from
    return call


_THREE = [c["id"] for c in make_calls(3)]


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("gzip.jsonl.gz", gzip.compress("".join(json.dumps(c) + "\n" for c in make_calls(3)).encode()), _THREE),
        ("bom_crlf.jsonl", codecs.BOM_UTF8 + "".join(json.dumps(c) + "\r\n" for c in make_calls(3)).encode(), _THREE),
        ("long_first_line.jsonl", (json.dumps(_long_call()) + "\n" + json.dumps(make_calls(2)[1])).encode(), _THREE[:2]),
        ("empty.jsonl", b"\n\n", "empty"),
        ("binary.jsonl", bytes(range(256)) * 64, "binary"),
    ],
)
def test_batch_jsonl_variants(tmp_path, name, data, expected):
    path = tmp_path / name
    path.write_bytes(data)
    rows = list(score([path], jobs=1))
    if isinstance(expected, list):
        assert [(r["id"], r["error"]) for r in rows] == [(i, None) for i in expected]
    else:
        assert len(rows) == 1 and expected in rows[0]["error"] and rows[0]["source"] == str(path)


def test_batch_unexpected_exception_is_a_row_with_its_type_and_is_logged(monkeypatch, caplog, tmp_path):
    real = coach.Coach.analyze

    def flaky(self, source, **kwargs):
        if source.id == "call-00001":
            raise ZeroDivisionError("boom")
        return real(self, source, **kwargs)

    monkeypatch.setattr(coach.Coach, "analyze", flaky)
    path = write_jsonl(tmp_path / "c.jsonl", make_calls(3))
    with caplog.at_level(logging.ERROR, logger="coach.batch"):
        rows = list(score([path], jobs=1))
        results = list(analyze_many([path], jobs=1))
    assert [r["error_type"] for r in rows] == [None, "ZeroDivisionError", None]
    assert rows[1]["error"] == "ZeroDivisionError: boom" and rows[1]["id"] == "call-00001"
    assert isinstance(results[1].error, ZeroDivisionError)
    assert "ZeroDivisionError" in caplog.text


# -- rows ------------------------------------------------------------------------------------------


def _report_with_findings() -> Report:
    transcript = coach.Transcript(
        "r1",
        (
            coach.Turn(coach.Role.AGENT, "Hi, Sam here.", "Sam", 0.0, 1.0),
            coach.Turn(coach.Role.CUSTOMER, "I was charged twice.", None, 1.5, 3.0),
            coach.Turn(coach.Role.AGENT, "I've refunded it per the T&C.", "Sam", 3.5, None),
        ),
        {"start_time": "2024-03-14T10:02:11+01:00"},
    )
    base = coach.analyze(transcript)
    issue = Issue("jargon", 23, 26, "T&C is jargon", "terms")
    return Report(
        transcript=transcript,
        stats=base.stats,
        stages={
            "reassure": StageResult("reassure", False, confidence=0.8),
            "listen": StageResult("listen", False, enabled=False),
            "confirm": StageResult("confirm", False, confidence=0.7),
            "fix": StageResult("fix", True, (2,), 0.91234567),
            "follow_up": StageResult("follow_up", False, confidence=0.6),
        },
        order=(OrderFinding("fix_before_confirm", "fixed before confirming", (2,)),),
        clarity=CallClarity(71.25, "B", (TurnClarity(70.0, "B", 0.5, (issue, issue), 8, index=2),)),
        paraphrases=(Paraphrase("So you were charged twice?", 1, 0.9, None), Paraphrase("x", 1, 0.5, 2)),
        version="9.9",
    )


def test_batch_row_flattens_every_part_of_the_report():
    report = _report_with_findings()
    row = report_row(report, source="s.json", index=3, key="k")
    assert list(row) == NAMES
    assert (row["id"], row["source"], row["index"], row["key"], row["coach_version"]) == ("r1", "s.json", 3, "k", "9.9")
    assert row["agent"] == "Sam" and row["call_time"] == "2024-03-14T09:02:11+00:00"
    assert (row["start"], row["end"]) == (0.0, 3.5)
    assert (row["fix_present"], row["fix_turns"], row["fix_confidence"]) == (True, [2], 0.9123)
    assert (row["listen_present"], row["listen_turns"], row["listen_confidence"]) == (None, [], None)
    assert row["missing"] == ["reassure", "confirm", "follow_up"] and row["missing_count"] == 3
    assert row["order"] == [{"kind": "fix_before_confirm", "message": "fixed before confirming", "turns": [2]}]
    assert (row["clarity_score"], row["clarity_grade"], row["clarity_issue_count"]) == (71.2, "B", 2)
    assert row["clarity_top_issues"] == {"jargon": 2}
    assert (row["paraphrase_opportunities"], row["paraphrases_missed"]) == (2, 1)
    assert (row["turns"], row["agent_turns"], row["customer_turns"]) == (3, 2, 1)
    assert row["error"] is None


def test_batch_row_values_equal_the_report_of_coach_analyze(calls_file):
    for row, transcript in zip(score([calls_file], jobs=1), coach.load_all(calls_file), strict=True):
        d = _expected(transcript)
        for stage, found in d["stages"].items():
            if found["enabled"]:
                assert row[f"{stage}_present"] == found["present"]
                assert row[f"{stage}_turns"] == found["turns"]
                assert row[f"{stage}_confidence"] == found["confidence"]
        assert set(STAGES) >= set(d["stages"])
        assert row["missing"] == d["missing"] and row["order"] == d["order"]
        assert row["clarity_score"] == d["clarity"]["score"]
        assert row["paraphrases_missed"] == sum(p["confirmed_by"] is None for p in d["paraphrases"])
        assert (row["turns"], row["words"], row["duration"]) == (d["stats"]["turns"], d["stats"]["words"], d["stats"]["duration"])
        assert row["agent"] == transcript.agent_name and row["call_time"].startswith("2024-03-")
        assert row["key"] == content_key(transcript, coach.__version__, coach.Config().fingerprint)


@settings(max_examples=25, deadline=None)
@given(transcripts())
def test_batch_row_has_every_column_for_any_transcript(transcript):
    row = report_row(coach.analyze(transcript), source="<input>", index=1)
    assert list(row) == NAMES
    json.dumps(row)


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        ({"start_time": "2024-03-14T10:02:11Z"}, "2024-03-14T10:02:11+00:00"),
        ({"date": "2024-03-14"}, "2024-03-14T00:00:00"),
        ({"timestamp": 1710410531}, "2024-03-14T10:02:11+00:00"),
        ({"start_time_ms": 1710410531000}, "2024-03-14T10:02:11+00:00"),
        ({"date": "last tuesday"}, None),
        ({}, None),
    ],
)
def test_batch_call_time_from_metadata(metadata, expected):
    assert call_time(metadata) == expected


# -- outputs ---------------------------------------------------------------------------------------


def _rows() -> list[dict]:
    good = report_row(_report_with_findings(), source="a.json", index=1, key="k")
    bad = error_row(source="b.json", index=1, error="b.json: the input is empty", error_type="TranscriptError")
    return [good, bad]


def test_batch_csv_has_one_column_per_stage_field_and_reads_back(tmp_path):
    path = tmp_path / "out.csv"
    with open_output(path) as out:
        for row in _rows():
            out.write(row)
    with path.open(encoding="utf-8", newline="") as fh:
        back = list(csv.DictReader(fh))
    assert list(back[0]) == NAMES
    assert {f"{s}_{f}" for s in STAGES for f in ("present", "turns", "confidence")} <= set(back[0])
    assert back[0]["fix_present"] == "true" and json.loads(back[0]["fix_turns"]) == [2]
    assert json.loads(back[0]["order"])[0]["kind"] == "fix_before_confirm"
    assert back[1]["error"] == "b.json: the input is empty" and back[1]["fix_present"] == ""


def test_batch_jsonl_and_parquet_hold_the_same_rows(tmp_path):
    rows = _rows()
    with open_output(tmp_path / "out.jsonl") as out:
        for row in rows:
            out.write(row)
    back = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert back == rows
    pq = pytest.importorskip("pyarrow.parquet")
    with open_output(tmp_path / "out.parquet") as out:
        for row in rows:
            out.write(row)
    table = pq.read_table(tmp_path / "out.parquet").to_pylist()
    assert [t["id"] for t in table] == ["r1", None]
    assert table[0]["fix_turns"] == [2] and json.loads(table[0]["clarity_top_issues"]) == {"jargon": 2}
    assert table[1]["error_type"] == "TranscriptError" and table[1]["missing"] == []


def test_batch_output_refuses_to_overwrite_and_is_never_left_half_written(tmp_path):
    path = tmp_path / "out.jsonl"
    path.write_text("keep me\n", encoding="utf-8")
    with pytest.raises(FileExistsError):
        open_output(path).__enter__()
    with pytest.raises(RuntimeError), open_output(path, force=True) as out:
        out.write(_rows()[0])
        raise RuntimeError("killed")
    assert path.read_text(encoding="utf-8") == "keep me\n"
    assert list(tmp_path.iterdir()) == [path]


def test_batch_input_expansion_walks_folders_globs_and_skips_hidden(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / ".git").mkdir()
    for name in ("a/2.json", "a/b/1.json", "a/.hidden.json", ".git/x.json", "top.jsonl"):
        (tmp_path / name).write_text("{}", encoding="utf-8")
    assert [p.relative_to(tmp_path).as_posix() for p in expand(tmp_path)] == ["a/2.json", "a/b/1.json", "top.jsonl"]
    assert [p.name for p in expand(str(tmp_path / "**" / "*.json"))] == ["2.json", "1.json"]
    assert input_bytes([str(tmp_path / "a")]) == 4 and input_bytes(["-"]) is None


# -- the results store -----------------------------------------------------------------------------


def _db(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path)


def _consistent(db: Path) -> None:
    conn = _db(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        half = conn.execute(
            "SELECT count(*) FROM calls c WHERE stage_count != (SELECT count(*) FROM stage_findings s WHERE s.key = c.key)"
            " OR issue_count != (SELECT count(*) FROM clarity_issues i WHERE i.key = c.key)"
        ).fetchone()[0]
        assert half == 0
        orphans = sum(
            conn.execute(f"SELECT count(*) FROM {t} WHERE key NOT IN (SELECT key FROM calls)").fetchone()[0]
            for t in ("stage_findings", "order_findings", "clarity_issues")
        )
        assert orphans == 0
        counted = conn.execute("SELECT sum(scored) FROM runs").fetchone()[0] or 0
        assert counted >= conn.execute("SELECT count(*) FROM calls").fetchone()[0]
    finally:
        conn.close()


def test_batch_store_schema_and_call_details(tmp_path, calls_file):
    db = tmp_path / "r.sqlite"
    rows = list(score([str(calls_file), str(tmp_path / "missing.json")], jobs=1, store=db))
    conn = _db(db)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"meta", "runs", "calls", "stage_findings", "order_findings", "clarity_issues", "errors"} <= tables
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"calls_agent", "calls_time", "errors_run"} <= indexes
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    run = conn.execute("SELECT status, scored, skipped, failed, finished_at FROM runs").fetchall()
    assert len(run) == 1 and run[0][:4] == ("completed", 60, 0, 1) and run[0][4]
    stored = {k: json.loads(r) for k, r in conn.execute("SELECT key, row FROM calls")}
    assert stored == {row["key"]: row for row in rows if row["error"] is None}
    agents = dict(conn.execute("SELECT agent, count(*) FROM calls GROUP BY agent"))
    assert sum(agents.values()) == 60 and set(agents) <= {"Sam", "Lena", "Ola"}
    for key, transcript in zip((r["key"] for r in rows), coach.load_all(calls_file), strict=False):
        d = _expected(transcript)
        found = {s: (bool(p), c, json.loads(t)) for s, p, c, t in conn.execute(
            "SELECT stage, present, confidence, turns FROM stage_findings WHERE key = ?", (key,))}
        assert found == {s: (v["present"], v["confidence"], v["turns"]) for s, v in d["stages"].items()}
        issues = conn.execute("SELECT count(*) FROM clarity_issues WHERE key = ?", (key,)).fetchone()[0]
        assert issues == sum(len(t["issues"]) for t in d["clarity"]["turns"])
    assert conn.execute("SELECT source, error_type FROM errors").fetchall() == [(str(tmp_path / "missing.json"), "TranscriptError")]
    conn.close()
    _consistent(db)


def test_batch_store_resume_skips_scored_calls_and_rescore_forces(tmp_path, calls_file):
    db = tmp_path / "r.sqlite"
    first = list(score([calls_file], jobs=1, store=db))
    calls = make_calls(60)
    calls[7]["turns"][0]["text"] += " (edited)"
    edited = write_jsonl(tmp_path / "calls.jsonl", calls)
    again = list(score([edited], jobs=2, store=db))
    rescored = list(score([edited], jobs=1, store=db, rescore=True))
    other_config = list(score([calls_file], jobs=1, store=db, config={"stages": {"fix": {"threshold": 0.9}}}))
    conn = _db(db)
    runs = conn.execute("SELECT scored, skipped, failed, status FROM runs ORDER BY run_id").fetchall()
    assert runs == [(60, 0, 0, "completed"), (1, 59, 0, "completed"), (60, 0, 0, "completed"), (60, 0, 0, "completed")]
    assert conn.execute("SELECT count(*) FROM calls").fetchone()[0] == 60 + 1 + 60
    conn.close()
    unchanged = [i for i in range(60) if i != 7]
    # a skipped call's row is the stored one, with where it was found this time
    assert [{**again[i], "source": None} for i in unchanged] == [{**first[i], "source": None} for i in unchanged]
    assert again[7]["key"] != first[7]["key"] and rescored == again
    assert {r["key"] for r in other_config}.isdisjoint(r["key"] for r in first)
    _consistent(db)


def test_batch_store_writes_one_transaction_per_chunk(tmp_path, calls_file):
    db = tmp_path / "r.sqlite"
    seen = []
    for row in score([calls_file], jobs=1, store=db, chunk_size=8):
        conn = _db(db)
        stored = conn.execute("SELECT count(*) FROM calls WHERE call_id <= ?", (row["id"],)).fetchone()[0]
        seen.append(conn.execute("SELECT count(*) FROM calls").fetchone()[0])
        conn.close()
        assert stored == row["index"]  # a row is yielded only after its chunk is committed
    assert seen[0] == 4 and seen[-1] == 60 and len(set(seen)) > 3


def test_batch_store_refuses_a_newer_schema(tmp_path):
    db = tmp_path / "r.sqlite"
    with Store(db) as store:
        store.conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(sqlite3.DatabaseError, match="newer"):
        Store(db).open()


# -- the command -----------------------------------------------------------------------------------


def _cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="coach")
    add_score_parser(parser.add_subparsers())
    args = parser.parse_args(["score", *argv])
    return args.func(args)


def _csv_rows(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as fh:
        return len(list(csv.DictReader(fh)))


def test_batch_cli_exit_status_and_silence_off_a_terminal(tmp_path, calls_file, capsys):
    out = tmp_path / "out.csv"
    assert _cli([str(calls_file), "-o", str(out), "--jobs", "1"]) == 0
    assert capsys.readouterr().err == ""
    assert _csv_rows(out) == 60
    assert _cli([str(calls_file), "-o", str(out), "--jobs", "1"]) == 1
    assert "--force" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    assert _cli([str(bad), str(calls_file), "-o", str(out), "--force", "--jobs", "1"]) == EXIT_FAILED
    err = capsys.readouterr().err
    assert "1 of 61 calls failed" in err and "bad.json" in err
    assert _csv_rows(out) == 61


def test_batch_cli_strict_stops_at_the_first_error(tmp_path, calls_file, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert _cli([str(calls_file), str(bad), str(calls_file), "-o", str(out), "--strict", "--jobs", "1"]) == EXIT_FAILED
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 61 and rows[-1]["error"] and all(r["error"] is None for r in rows[:-1])
    assert "--strict" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [["x.json"], ["x.json", "-o", "out.xlsx"], ["x.json", "-o", "o.csv", "--jobs", "0"]],
)
def test_batch_cli_usage_errors(argv, capsys):
    assert _cli(argv) == 2
    assert "coach score: error:" in capsys.readouterr().err


def test_batch_cli_reads_jsonl_on_stdin(tmp_path):
    out = tmp_path / "out.jsonl"
    data = "".join(json.dumps(c) + "\n" for c in make_calls(5))
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, "score", "-", "-o", str(out), "--jobs", "1"],
        input=data, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["source"], r["index"], r["id"]) for r in rows] == [("<stdin>", i + 1, f"call-{i:05d}") for i in range(5)]


# -- killed at any moment ---------------------------------------------------------------------------


def _count(db: Path) -> int:
    """Calls committed so far; 0 before the run has created the store. A read-write connection, as a
    read-only one cannot replay the write-ahead log a killed writer leaves behind."""
    if not db.exists():
        return 0
    conn = sqlite3.connect(db, timeout=30)
    try:
        return conn.execute("SELECT count(*) FROM calls").fetchone()[0]
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return 0
        raise
    finally:
        conn.close()


def _killed_run(db: Path, lines: list[str], after: int) -> int:
    """Feed calls on stdin to `coach score - --db`, SIGKILL its process group once ``after`` more
    calls are committed; returns how many were committed when it died."""
    before = _count(db)
    proc = subprocess.Popen(
        [sys.executable, "-c", RUNNER, "score", "-", "--db", str(db), "--jobs", "2", "--chunk-size", "8"],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )

    def feed() -> None:
        # All input, then end of input: the run is killed long before it could score it all.
        with contextlib.suppress(BrokenPipeError, ValueError, OSError):
            for line in lines:
                proc.stdin.write(line.encode())
            proc.stdin.close()

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    deadline = time.monotonic() + 60
    while _count(db) < before + after and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.002)
    assert proc.poll() is None, "the run ended before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    feeder.join(timeout=30)
    with contextlib.suppress(BrokenPipeError, ValueError, OSError):
        proc.stdin.close()
    return _count(db)


def test_batch_kill_and_resume_loses_no_call_and_scores_none_twice(tmp_path):
    calls = make_calls(1000, seed=7)
    db = tmp_path / "r.sqlite"
    killed = _killed_run(db, [json.dumps(c) + "\n" for c in calls], after=8)
    _consistent(db)
    assert 0 < killed < len(calls)
    source = write_jsonl(tmp_path / "all.jsonl", calls)
    out = tmp_path / "out.jsonl"
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, "score", str(source), "--db", str(db), "-o", str(out), "--jobs", "1"],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    _consistent(db)
    conn = _db(db)
    ids = [r[0] for r in conn.execute("SELECT call_id FROM calls")]
    runs = conn.execute("SELECT status, scored, skipped, failed FROM runs ORDER BY run_id").fetchall()
    conn.close()
    assert sorted(ids) == [c["id"] for c in calls]  # every call exactly once
    assert runs == [("running", killed, 0, 0), ("completed", len(calls) - killed, killed, 0)]  # the killed run never finished
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == [c["id"] for c in calls]


def test_batch_progress_line_on_a_terminal(tmp_path, calls_file):
    from coach.cli_batch import _Progress

    stream = io.StringIO()
    progress = _Progress(1000, stream)
    progress(500, 10)
    progress.last = 0
    progress(250, 5)
    progress.close()
    text = stream.getvalue()
    assert "75.0%" in text and "15 calls" in text and "calls/s" in text and "ETA" in text
