"""The results store: every scored call in one SQLite file, for QA teams who score every day.

Embedded (no server), WAL mode, one transaction per chunk of calls: a run killed at any moment
(SIGKILL included) leaves the store consistent, and the next run scores only what is missing.

A call is identified by its *key*: the sha256 of the transcript's canonical JSON, the coach version
and the configuration's fingerprint (``content_key``). Re-running skips calls whose key is already
stored (resume); ``rescore=True`` replaces them. A new coach version or configuration gives new keys,
so older results stay in the store beside the new ones (filter on ``coach_version`` to compare).

Schema (version 1; ``meta`` holds ``schema_version``)::

    runs            one row per `coach score` run
      run_id INTEGER PRIMARY KEY, started_at TEXT (ISO 8601 UTC), finished_at TEXT (NULL while running
      or when the run was killed), status TEXT (running | completed | failed | interrupted),
      coach_version, config_fingerprint, language, inputs (JSON list), host, pid,
      scored, skipped, failed INTEGER (counters, updated in each chunk's transaction)

    calls           one row per scored call
      key TEXT PRIMARY KEY, run_id (the run that scored it), scored_at TEXT (ISO 8601 UTC),
      call_id, source, idx (1-based position in source), agent, call_time (ISO 8601 from the
      transcript's metadata, or NULL), language, coach_version, config_fingerprint,
      turns, words, duration, clarity_score (0-100, higher is clearer), clarity_grade,
      missing (JSON list), missing_count, order_count, paraphrases_missed,
      stage_count, issue_count (rows this call has in stage_findings / clarity_issues),
      row (the output row, JSON)

    stage_findings  one row per call and stage the analysis reported
      key, stage, enabled, present (0/1), confidence (0-1), turns (JSON list), evidence (JSON list of
      {turn, start, end, reason}); PRIMARY KEY (key, stage)

    order_findings  stages done out of order: key, kind, message, turns (JSON list)

    clarity_issues  one row per clarity issue: key, turn, kind, start, end, message, suggestion

    errors          one row per input that failed, per run: error_id, run_id, source, idx, call_id,
                    error_type, message, detail (traceback for unexpected failures)

Indexes: calls(agent, call_time), calls(call_time), calls(scored_at), calls(call_id), calls(run_id),
stage_findings(stage, present), order_findings(key), clarity_issues(key), clarity_issues(kind),
errors(run_id), errors(source). ``docs/store.md`` has example queries.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import socket
import sqlite3
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import CoachError
from .transcript import Transcript

__all__ = ["SCHEMA_VERSION", "Scored", "Store", "content_key", "stored_rows"]

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'interrupted')),
    coach_version TEXT NOT NULL,
    config_fingerprint TEXT NOT NULL,
    language TEXT NOT NULL,
    inputs TEXT NOT NULL,
    host TEXT,
    pid INTEGER,
    scored INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS calls (
    key TEXT PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(run_id),
    scored_at TEXT NOT NULL,
    call_id TEXT NOT NULL,
    source TEXT NOT NULL,
    idx INTEGER NOT NULL,
    agent TEXT,
    call_time TEXT,
    language TEXT NOT NULL,
    coach_version TEXT NOT NULL,
    config_fingerprint TEXT NOT NULL,
    turns INTEGER NOT NULL,
    words INTEGER NOT NULL,
    duration REAL,
    clarity_score REAL,
    clarity_grade TEXT,
    missing TEXT NOT NULL,
    missing_count INTEGER NOT NULL,
    order_count INTEGER NOT NULL,
    paraphrases_missed INTEGER NOT NULL,
    stage_count INTEGER NOT NULL,
    issue_count INTEGER NOT NULL,
    row TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS calls_agent ON calls(agent, call_time);
CREATE INDEX IF NOT EXISTS calls_time ON calls(call_time);
CREATE INDEX IF NOT EXISTS calls_scored_at ON calls(scored_at);
CREATE INDEX IF NOT EXISTS calls_call_id ON calls(call_id);
CREATE INDEX IF NOT EXISTS calls_run ON calls(run_id);
CREATE TABLE IF NOT EXISTS stage_findings (
    key TEXT NOT NULL REFERENCES calls(key),
    stage TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    present INTEGER NOT NULL,
    confidence REAL NOT NULL,
    turns TEXT NOT NULL,
    evidence TEXT NOT NULL,
    PRIMARY KEY (key, stage)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS stage_findings_stage ON stage_findings(stage, present);
CREATE TABLE IF NOT EXISTS order_findings (
    key TEXT NOT NULL REFERENCES calls(key),
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    turns TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS order_findings_key ON order_findings(key);
CREATE TABLE IF NOT EXISTS clarity_issues (
    key TEXT NOT NULL REFERENCES calls(key),
    turn INTEGER NOT NULL,
    kind TEXT NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    message TEXT NOT NULL,
    suggestion TEXT
);
CREATE INDEX IF NOT EXISTS clarity_issues_key ON clarity_issues(key);
CREATE INDEX IF NOT EXISTS clarity_issues_kind ON clarity_issues(kind);
CREATE TABLE IF NOT EXISTS errors (
    error_id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(run_id),
    source TEXT NOT NULL,
    idx INTEGER,
    call_id TEXT,
    error_type TEXT NOT NULL,
    message TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX IF NOT EXISTS errors_run ON errors(run_id);
CREATE INDEX IF NOT EXISTS errors_source ON errors(source);
"""

#: Tables holding a call's details, each keyed by the call's ``key``.
_DETAIL_TABLES = ("stage_findings", "order_findings", "clarity_issues")


def content_key(transcript: Transcript, version: str, fingerprint: str, language: str = "en") -> str:
    """The call's identity in the store: sha256 over its canonical JSON, coach version, configuration
    fingerprint and analysis language. Any change to the words, speakers, times or metadata changes it."""
    canonical = json.dumps(
        transcript.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    digest = hashlib.sha256(canonical.encode("utf-8"))
    for part in (version, fingerprint, language):
        digest.update(b"\x00" + part.encode("utf-8"))
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class Scored:
    """One call of a scoring run as the store receives it.

    ``row`` is the output row; ``report`` is ``Report.to_dict()`` (``None`` for errors and for calls
    skipped because the store already has them); ``detail`` is a traceback for unexpected failures.
    """

    row: Mapping[str, Any]
    skipped: bool = False
    report: Mapping[str, Any] | None = None
    detail: str | None = None


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def _connect(path: str | os.PathLike, **kwargs: Any) -> sqlite3.Connection:
    # autocommit mode: transactions are explicit (BEGIN IMMEDIATE ... COMMIT)
    conn = sqlite3.connect(path, isolation_level=None, timeout=60, **kwargs)
    conn.execute("PRAGMA busy_timeout = 60000")
    return conn


def _use_wal(conn: sqlite3.Connection, path: Path) -> None:
    """Switch to write-ahead logging, so readers (a dashboard, ``coach report``) never hold off the
    writer. SQLite keeps the old mode, silently, while another connection reads a new file: retry."""
    for _ in range(100):
        if conn.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() == "wal":
            return
        time.sleep(0.05)
    raise CoachError(
        f"{path}: could not switch the results store to write-ahead logging: another program keeps it "
        "open; close it and run again"
    )


class Store:
    """The SQLite results store at ``path`` (created on ``open``). Written by one process: the one
    running the batch; workers only read it (``stored_rows``)."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = None

    def __enter__(self) -> Store:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise RuntimeError("the store is not open: call open() or use it as a context manager")
        return self._conn

    def open(self) -> Store:
        """Connect, switch to WAL and create the schema if needed; a newer schema is refused."""
        if self._conn is not None:
            return self
        conn = _connect(self.path)
        try:
            _use_wal(conn, self.path)
            # NORMAL in WAL mode: a killed process never loses a committed transaction; a power
            # cut may lose the last ones but never corrupts the file.
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.executescript(f"BEGIN IMMEDIATE;{_SCHEMA}COMMIT;")
            conn.execute("BEGIN IMMEDIATE")
            found = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if found is None:
                conn.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            elif int(found[0]) > SCHEMA_VERSION:
                raise sqlite3.DatabaseError(
                    f"{self.path} has store schema {found[0]}, newer than this coach's ({SCHEMA_VERSION}); upgrade coach"
                )
            conn.execute("COMMIT")
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        return self

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def start_run(self, *, inputs: Sequence[str], coach_version: str, config_fingerprint: str, language: str) -> int:
        """Record a new run (status ``running``) and return its id."""
        with self._transaction() as conn:
            cur = conn.execute(
                "INSERT INTO runs (started_at, status, coach_version, config_fingerprint, language, inputs, host, pid)"
                " VALUES (?, 'running', ?, ?, ?, ?, ?, ?)",
                (_now(), coach_version, config_fingerprint, language, json.dumps(list(inputs)), socket.gethostname(), os.getpid()),
            )
            return int(cur.lastrowid or 0)

    def finish_run(self, run_id: int, status: str) -> None:
        with self._transaction() as conn:
            conn.execute("UPDATE runs SET status = ?, finished_at = ? WHERE run_id = ?", (status, _now(), run_id))

    def write(self, run_id: int, chunk: Iterable[Scored], *, rescore: bool = False) -> tuple[int, int, int]:
        """Store a chunk of results in one transaction; returns (scored, skipped, failed).

        A call whose key is already stored is skipped unless ``rescore``, which replaces it.
        """
        scored = skipped = failed = 0
        now = _now()
        with self._transaction() as conn:
            for item in chunk:
                row = item.row
                if row["error"] is not None:
                    conn.execute(
                        "INSERT INTO errors (run_id, source, idx, call_id, error_type, message, detail)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (run_id, row["source"], row["index"], row["id"], row["error_type"], row["error"], item.detail),
                    )
                    failed += 1
                    continue
                exists = conn.execute("SELECT 1 FROM calls WHERE key = ?", (row["key"],)).fetchone()
                if item.skipped or item.report is None or (exists and not rescore):
                    skipped += 1
                    continue
                if exists:
                    _delete(conn, row["key"])
                _insert(conn, run_id, now, item.row, item.report)
                scored += 1
            conn.execute(
                "UPDATE runs SET scored = scored + ?, skipped = skipped + ?, failed = failed + ? WHERE run_id = ?",
                (scored, skipped, failed, run_id),
            )
        return scored, skipped, failed

    def _transaction(self) -> _Transaction:
        return _Transaction(self.conn)


class _Transaction:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb) -> None:
        self.conn.execute("COMMIT" if exc_type is None else "ROLLBACK")


def _delete(conn: sqlite3.Connection, key: str) -> None:
    for table in _DETAIL_TABLES:
        conn.execute(f"DELETE FROM {table} WHERE key = ?", (key,))
    conn.execute("DELETE FROM calls WHERE key = ?", (key,))


def _insert(conn: sqlite3.Connection, run_id: int, now: str, row: Mapping[str, Any], report: Mapping[str, Any]) -> None:
    key = row["key"]
    stages = report["stages"]
    issues = [(t["index"], i) for t in report["clarity"]["turns"] for i in t["issues"]]
    conn.execute(
        "INSERT INTO calls (key, run_id, scored_at, call_id, source, idx, agent, call_time, language, coach_version,"
        " config_fingerprint, turns, words, duration, clarity_score, clarity_grade, missing, missing_count,"
        " order_count, paraphrases_missed, stage_count, issue_count, row)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT config_fingerprint FROM runs WHERE run_id = ?),"
        " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            key,
            run_id,
            now,
            row["id"],
            row["source"],
            row["index"],
            row["agent"],
            row["call_time"],
            row["language"],
            row["coach_version"],
            run_id,
            row["turns"],
            row["words"],
            row["duration"],
            row["clarity_score"],
            row["clarity_grade"],
            json.dumps(row["missing"]),
            row["missing_count"],
            row["order_count"],
            row["paraphrases_missed"],
            len(stages),
            len(issues),
            json.dumps(row, ensure_ascii=False, separators=(",", ":")),
        ),
    )
    conn.executemany(
        "INSERT INTO stage_findings VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (key, stage, int(s["enabled"]), int(s["present"]), s["confidence"], json.dumps(s["turns"]), json.dumps(s["evidence"], ensure_ascii=False))
            for stage, s in stages.items()
        ],
    )
    conn.executemany(
        "INSERT INTO order_findings VALUES (?, ?, ?, ?)",
        [(key, o["kind"], o["message"], json.dumps(o["turns"])) for o in report["order"]],
    )
    conn.executemany(
        "INSERT INTO clarity_issues VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(key, turn, i["kind"], i["start"], i["end"], i["message"], i["suggestion"]) for turn, i in issues],
    )


def stored_rows(path: str | os.PathLike, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The stored rows of those ``keys`` the store at ``path`` already holds (read-only; for workers).

    A store that cannot be read here (say, a Dask worker on another machine) gives ``{}``: the calls
    are analysed again and the writer, which sees the store, still keeps one row per key.
    """
    wanted = list(dict.fromkeys(k for k in keys if k))
    if not wanted:
        return {}
    found: dict[str, dict[str, Any]] = {}
    try:
        conn = _connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error as exc:
        log.warning("cannot read the results store %s here (%s); scoring without resume", path, exc)
        return {}
    try:
        for start in range(0, len(wanted), 500):  # stay under SQLite's bound-parameter limit
            part = wanted[start : start + 500]
            marks = ",".join("?" * len(part))
            for key, row in conn.execute(f"SELECT key, row FROM calls WHERE key IN ({marks})", part):
                found[key] = json.loads(row)
    except sqlite3.Error as exc:
        log.warning("cannot read the results store %s here (%s); scoring without resume", path, exc)
        return {}
    finally:
        conn.close()
    return found
