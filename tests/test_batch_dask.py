"""Batch scoring beyond one machine: a real Dask LocalCluster (two worker processes on loopback), and
the Spark example (its partition function with pandas; the whole job when pyspark is installed)."""

from __future__ import annotations

import importlib.util
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from test_batch import EXAMPLES, make_calls, write_jsonl

from coach.batch import analyze_many, score

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("dask.distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[str]:
    folder = tmp_path_factory.mktemp("dask")
    bad = folder / "bad.json"
    bad.write_text('{"turns": [', encoding="utf-8")
    return [str(EXAMPLES), str(write_jsonl(folder / "calls.jsonl", make_calls(40))), str(bad)]


def _coaches() -> Callable[[], list[int]]:
    """For client.run (a lambda travels by value): the ids of the Coach objects a worker process built."""
    return lambda: sorted(id(c) for c in __import__("coach.batch", fromlist=["_COACHES"])._COACHES.values())


def test_batch_dask_rows_are_identical_to_a_local_run(client, inputs):
    local = list(score(inputs, jobs=1, chunk_size=6))
    remote = list(score(inputs, scheduler=client, chunk_size=6))
    assert remote == local
    assert sum(r["error"] is not None for r in remote) == 1
    built = client.run(_coaches())
    assert len(built) == 2 and all(len(ids) == 1 for ids in built.values())
    list(score(inputs, scheduler=client, chunk_size=6))
    assert client.run(_coaches()) == built  # one Coach per worker process, reused by every chunk and run


def test_batch_dask_reports_are_identical_to_a_local_run(client, inputs):
    local = [(r.source, r.index, r.id, r.error_type, r.report and r.report.to_dict()) for r in analyze_many(inputs, jobs=1)]
    remote = [
        (r.source, r.index, r.id, r.error_type, r.report and r.report.to_dict())
        for r in analyze_many(inputs, scheduler=client)
    ]
    assert remote == local


def test_batch_dask_with_a_store_resumes_like_a_local_run(client, inputs, tmp_path):
    db = tmp_path / "r.sqlite"
    first = list(score(inputs, scheduler=client, store=db))
    second = list(score(inputs, scheduler=client, store=db))
    assert second == first
    conn = sqlite3.connect(db)
    runs = conn.execute("SELECT scored, skipped, failed FROM runs ORDER BY run_id").fetchall()
    conn.close()
    scored = sum(r["error"] is None for r in first)
    assert runs == [(scored, 0, 1), (0, scored, 1)]


def test_batch_dask_scheduler_address(client, inputs):
    rows = list(score(inputs[1:2], scheduler=client.scheduler.address))
    assert [r["id"] for r in rows] == [c["id"] for c in make_calls(40)]


# -- Spark ------------------------------------------------------------------------------------------


def _spark_example():
    spec = importlib.util.spec_from_file_location("spark_score", ROOT / "examples" / "spark_score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_batch_spark_partition_function_scores_lines_like_a_local_run(tmp_path):
    pd = pytest.importorskip("pandas")
    example = _spark_example()
    calls = make_calls(7)
    lines = [json.dumps(c) for c in calls] + ['{"turns": [']
    batches = [pd.DataFrame({"value": lines[:4]}), pd.DataFrame({"value": lines[4:]})]
    got = pd.concat(list(example.score_partition(iter(batches))), ignore_index=True)
    local = list(score([write_jsonl(tmp_path / "calls.jsonl", calls)], jobs=1))
    assert list(got.columns) == example.COLUMN_NAMES
    assert got["id"].tolist()[:7] == [r["id"] for r in local]
    assert got["missing_count"].tolist()[:7] == [r["missing_count"] for r in local]
    assert got["error"].isna().tolist() == [True] * 7 + [False]
    assert "JSON" in got["error"].iloc[7] and got["source"].iloc[7] == "<spark>"


def test_batch_spark_example_end_to_end(tmp_path):
    pytest.importorskip("pyspark")
    example = _spark_example()
    source = write_jsonl(tmp_path / "calls.jsonl", make_calls(12))
    out = tmp_path / "scores.parquet"
    example.main([str(source), str(out), "--master", "local[2]"])
    pq = pytest.importorskip("pyarrow.parquet")
    table = pq.read_table(out).to_pylist()
    assert sorted(r["id"] for r in table) == [c["id"] for c in make_calls(12)]
