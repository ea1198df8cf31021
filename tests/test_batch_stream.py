"""Batch scoring of a live feed: input that pauses without closing (``tail -f``, a socket) never holds
back the rows of calls already read; order, the store and ``--strict`` hold as for a file."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_batch import make_calls

from coach.batch import _IDLE, _chunks, _Item, analyze_many

ROOT = Path(__file__).resolve().parents[1]
PATIENCE = 60  # seconds: generous, for a loaded machine; a held-back row waits forever


def _stored(db: Path) -> int:
    if not db.exists():
        return 0
    conn = sqlite3.connect(db, timeout=30)
    try:
        return conn.execute("SELECT count(*) FROM calls").fetchone()[0]
    except sqlite3.OperationalError:  # the run has not created the tables yet
        return 0
    finally:
        conn.close()


class _Run:
    """`python -m coach score - ...` with rows on standard output, read as they come."""

    def __init__(self, *argv: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "coach", "score", "-", "-o", "-", *argv],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
        )
        self.rows: list[dict] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.rows.append(json.loads(line))

    def send(self, calls: list[dict]) -> None:
        self.proc.stdin.write("".join(json.dumps(c) + "\n" for c in calls).encode())
        self.proc.stdin.flush()

    def wait_for(self, ready, what: str) -> None:
        deadline = time.monotonic() + PATIENCE
        while not ready():
            assert self.proc.poll() is None, self.proc.stderr.read().decode()
            assert time.monotonic() < deadline, f"{what} after {PATIENCE} s with standard input open"
            time.sleep(0.05)

    def finish(self, *, close: bool = True) -> tuple[int, str]:
        """Exit status and standard error once the run ends (after end of input when ``close``)."""
        if close:
            self.proc.stdin.close()
        code = self.proc.wait(timeout=PATIENCE * 2)
        self._reader.join(timeout=PATIENCE)
        return code, self.proc.stderr.read().decode()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            stream.close()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_batch_stream_rows_of_a_paused_feed_are_written_at_once(tmp_path, jobs):
    calls = make_calls(5, seed=3)
    db = tmp_path / "r.sqlite"
    run = _Run("--db", str(db), "--jobs", jobs)
    try:
        run.send(calls[:2])  # and keep standard input open
        run.wait_for(lambda: len(run.rows) >= 2, "the first two rows are not on standard output")
        run.wait_for(lambda: _stored(db) >= 2, "the first two calls are not in the store")
        assert [r["id"] for r in run.rows] == [c["id"] for c in calls[:2]]
        run.send(calls[2:3])
        run.wait_for(lambda: len(run.rows) >= 3, "a third call, sent alone, is not scored")
        run.send(calls[3:])
        code, err = run.finish()
    finally:
        run.kill()
    assert (code, err) == (0, "")
    assert [(r["index"], r["id"], r["error"]) for r in run.rows] == [(i + 1, c["id"], None) for i, c in enumerate(calls)]
    assert _stored(db) == 5


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_batch_stream_strict_stops_while_the_feed_is_still_open(jobs):
    calls = make_calls(2)
    run = _Run("--strict", "--jobs", jobs)
    try:
        run.send(calls[:1])
        run.proc.stdin.write(b"{broken\n")
        run.send(calls[1:])
        code, err = run.finish(close=False)  # the run stops by itself, and exits cleanly, input still open
    finally:
        run.kill()
    assert code == 3, err
    assert "--strict" in err and "Fatal" not in err
    assert [r["error"] is None for r in run.rows] == [True, False]


def _paused_feed(calls: list[dict], release: threading.Event, waited: list[bool]) -> Iterator[dict]:
    """The first two calls, then a pause until ``release`` (or PATIENCE), then the rest."""
    yield from calls[:2]
    waited.append(release.wait(timeout=PATIENCE))  # False: nobody released it, the pause ran out
    yield from calls[2:]


@pytest.mark.parametrize("jobs", [1, 2])
def test_batch_stream_analyze_many_yields_before_its_input_resumes(jobs):
    calls = make_calls(3)
    release, waited = threading.Event(), []
    results = analyze_many(_paused_feed(calls, release, waited), jobs=jobs)
    try:
        first = [next(results), next(results)]
        release.set()
        rest = list(results)
    finally:
        release.set()
        results.close()
    assert waited == [True], "results were held back until the input resumed"
    assert [r.id for r in first + rest] == [c["id"] for c in calls]
    assert all(r.ok for r in first + rest)


@pytest.mark.parametrize("jobs", [1, 2])
def test_batch_stream_stopping_early_does_not_wait_for_the_input(jobs):
    release, waited = threading.Event(), []
    results = analyze_many(_paused_feed(make_calls(3), release, waited), jobs=jobs)
    try:
        assert next(results).ok
        start = time.monotonic()
        results.close()
        assert time.monotonic() - start < 10
    finally:
        release.set()


def test_batch_stream_an_error_while_reading_reaches_the_caller():
    def feed() -> Iterator[dict]:
        yield make_calls(1)[0]
        raise RuntimeError("the feed broke")

    with pytest.raises(RuntimeError, match="the feed broke"):
        list(analyze_many(feed(), jobs=1))


def test_batch_stream_an_idle_input_sends_the_chunk_gathered_so_far():
    items = ["a", _IDLE, _IDLE, "b", "c", _IDLE, *"defghijklmno"]
    chunks = _chunks((i if i is _IDLE else _Item("call", "<input>", 1, i, 1) for i in items), chunk_size=8)
    # an idle spell sends what has come; otherwise chunks fill up (the last one with what is left)
    assert [len(chunk) for chunk in chunks] == [1, 2, 8, 4]
