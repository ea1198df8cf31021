"""Batch rows: one flat row per call (``COLUMNS``), built from a ``Report``, and streaming writers.

A row holds what a QA team sorts and filters on; the ``Report`` behind it (evidence, hints,
rewrites) stays in ``Report.to_dict()`` and in the results store. Every row has every column:
an error row carries ``source``, ``index``, ``error`` and ``error_type`` and leaves the analysis
columns empty. Values are those of ``Report.to_dict()`` (same rounding).

Output format is chosen by extension: ``.csv``, ``.jsonl`` (or ``.ndjson``), ``.parquet``
(needs the ``parquet`` extra: pyarrow); ``-`` writes JSONL to standard output. Files are written
to a temporary name beside the target and renamed when complete, so a killed run never leaves a
truncated file under the final name.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import sys
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .report import STAGES, Report

__all__ = ["COLUMNS", "OUTPUT_FORMATS", "Column", "RowWriter", "error_row", "open_output", "report_row"]


@dataclass(frozen=True, slots=True)
class Column:
    """A row column: ``kind`` is str, int, float, bool, ints, strs (lists) or json (any JSON value)."""

    name: str
    kind: str
    doc: str


def _stage_columns() -> list[Column]:
    cols = []
    for stage in STAGES:
        cols += [
            Column(f"{stage}_present", "bool", f"the agent did {stage} (empty when the stage is switched off)"),
            Column(f"{stage}_turns", "ints", f"turn indices where {stage} was found"),
            Column(f"{stage}_confidence", "float", f"confidence 0-1 in the {stage} finding"),
        ]
    return cols


#: The row schema, in output order.
COLUMNS: tuple[Column, ...] = (
    Column("id", "str", "call id"),
    Column("source", "str", "file (or <stdin>, <input>) the call came from"),
    Column("index", "int", "1-based position of the call in its source"),
    Column("key", "str", "content hash: sha256 of the transcript, coach version and configuration"),
    Column("language", "str", "language the call was analysed in"),
    Column("coach_version", "str", "coach version that scored the call"),
    Column("agent", "str", "the human agent's name when the transcript names one"),
    Column("call_time", "str", "when the call took place (ISO 8601, from the transcript's metadata)"),
    Column("start", "float", "seconds into the recording where the first timed turn starts"),
    Column("end", "float", "seconds where the last timed turn ends (or starts, when it has no end)"),
    Column("duration", "float", "seconds from the first turn's start to the last turn's end"),
    *_stage_columns(),
    Column("missing", "strs", "stages absent from the call, in framework order"),
    Column("missing_count", "int", "number of missing stages (lower is better)"),
    Column("order", "json", "stages done out of order: [{kind, message, turns}]"),
    Column("order_count", "int", "number of order findings (lower is better)"),
    Column("clarity_score", "float", "0-100, higher is clearer (empty when the agent said nothing)"),
    Column("clarity_grade", "str", "clarity grade"),
    Column("clarity_issue_count", "int", "clarity issues over all agent turns"),
    Column("clarity_top_issues", "json", "the three most frequent issue kinds: {kind: count}"),
    Column("paraphrase_opportunities", "int", "customer statements worth confirming"),
    Column("paraphrases_missed", "int", "of those, the ones the agent never confirmed (lower is better)"),
    Column("turns", "int", "turns in the call"),
    Column("words", "int", "words in the call"),
    Column("agent_turns", "int", "agent turns"),
    Column("agent_words", "int", "agent words"),
    Column("agent_talk_time", "float", "seconds the agent spoke (empty without timestamps)"),
    Column("customer_turns", "int", "customer turns"),
    Column("customer_words", "int", "customer words"),
    Column("customer_talk_time", "float", "seconds the customer spoke (empty without timestamps)"),
    Column("longest_customer_monologue", "int", "words in the longest run of customer turns"),
    Column("error", "str", "empty on success, else why the call could not be scored"),
    Column("error_type", "str", "the error's class (TranscriptError, FormatError, ...)"),
)

_NAMES = tuple(c.name for c in COLUMNS)

#: Metadata keys that may say when a call took place, most specific first.
_TIME_KEYS = ("start_time", "started_at", "call_time", "datetime", "timestamp", "created_at", "date", "time")

TOP_ISSUES = 3


def report_row(
    report: Report,
    *,
    source: str,
    index: int,
    key: str | None = None,
    data: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The row for one analysed call; ``data`` is ``report.to_dict()`` when the caller already has it."""
    d = report.to_dict() if data is None else data
    transcript = report.transcript
    starts = [t.start for t in transcript.turns if t.start is not None]
    ends = [t.end if t.end is not None else t.start for t in transcript.turns if t.start is not None or t.end is not None]
    stats = d["stats"]
    roles = stats["roles"]
    agent = roles.get("agent", {})
    customer = roles.get("customer", {})
    issues = Counter(i["kind"] for t in d["clarity"]["turns"] for i in t["issues"])
    row: dict[str, Any] = {
        "id": report.id,
        "source": source,
        "index": index,
        "key": key,
        "language": d["language"],
        "coach_version": d["coach_version"],
        "agent": transcript.agent_name,
        "call_time": call_time(transcript.metadata),
        "start": starts[0] if starts else None,
        "end": ends[-1] if ends else None,
        "duration": stats["duration"],
    }
    for stage in STAGES:
        found = d["stages"].get(stage)
        checked = found is not None and found["enabled"]
        row[f"{stage}_present"] = found["present"] if checked else None
        row[f"{stage}_turns"] = list(found["turns"]) if checked else []
        row[f"{stage}_confidence"] = found["confidence"] if checked else None
    row.update(
        missing=list(d["missing"]),
        missing_count=len(d["missing"]),
        order=list(d["order"]),
        order_count=len(d["order"]),
        clarity_score=d["clarity"]["score"],
        clarity_grade=d["clarity"]["grade"],
        clarity_issue_count=sum(issues.values()),
        clarity_top_issues=dict(sorted(issues.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_ISSUES]),
        paraphrase_opportunities=len(d["paraphrases"]),
        paraphrases_missed=sum(1 for p in d["paraphrases"] if p["confirmed_by"] is None),
        turns=stats["turns"],
        words=stats["words"],
        agent_turns=agent.get("turns", 0),
        agent_words=agent.get("words", 0),
        agent_talk_time=agent.get("talk_time"),
        customer_turns=customer.get("turns", 0),
        customer_words=customer.get("words", 0),
        customer_talk_time=customer.get("talk_time"),
        longest_customer_monologue=stats["longest_customer_monologue"],
        error=None,
        error_type=None,
    )
    return {name: row[name] for name in _NAMES}


def error_row(
    *, source: str, index: int, error: str, error_type: str, id: str | None = None, language: str | None = None
) -> dict[str, Any]:
    """The row for a call (or a whole source) that could not be scored."""
    row: dict[str, Any] = {c.name: [] if c.kind in ("ints", "strs") else None for c in COLUMNS}
    row.update(id=id, source=source, index=index, language=language, error=error, error_type=error_type)
    return row


def call_time(metadata: Mapping[str, Any]) -> str | None:
    """When the call took place, as ISO 8601 (UTC when the source gives a zone), from its metadata.

    Looks for the usual keys (``start_time``, ``started_at``, ``date``, ...): ISO strings are
    normalised, numbers are taken as Unix time in seconds (milliseconds for keys ending ``_ms``
    or values too large to be seconds). ``None`` when the metadata says nothing usable.
    """
    candidates = [(k, metadata.get(k)) for k in _TIME_KEYS] + [
        (k, v) for k, v in metadata.items() if isinstance(k, str) and k.endswith(("_time_ms", "_at_ms"))
    ]
    for key, value in candidates:
        instant = _instant(key, value)
        if instant is not None:
            return instant.isoformat()
    return None


def _instant(key: str, value: Any) -> dt.datetime | None:
    if isinstance(value, str) and len(value) >= 10 and value[:4].isdigit():
        try:
            instant = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return None
        return instant.astimezone(dt.UTC) if instant.tzinfo else instant
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        seconds = value / 1000 if key.endswith("_ms") or value > 1e11 else value
        try:
            return dt.datetime.fromtimestamp(seconds, dt.UTC)
        except (OverflowError, OSError, ValueError):
            return None
    return None


# -- writers ---------------------------------------------------------------------------------------

#: Output formats by file extension.
OUTPUT_FORMATS: Mapping[str, str] = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}


class RowWriter:
    """Streams rows to one output. Use as a context manager: the file appears under its final name
    only when the block ends without an exception (rows written so far are kept on ``KeyboardInterrupt``
    too; any other exception discards them)."""

    format: str

    def __init__(self, path: str | os.PathLike, *, force: bool = False) -> None:
        self.path = None if str(path) == "-" else Path(path)
        self.force = force
        self.rows = 0
        self._tmp: Path | None = None

    def __enter__(self) -> RowWriter:
        if self.path is None:
            self._start(sys.stdout)
            return self
        if self.path.exists() and not self.force:
            raise FileExistsError(f"{self.path} exists; pass --force (force=True) to overwrite it")
        self._tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        self._begin_file(self._tmp)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        keep = exc_type is None or issubclass(exc_type, KeyboardInterrupt)
        try:
            self._finish()
        finally:
            if self._tmp is not None and self.path is not None:
                if keep:
                    os.replace(self._tmp, self.path)
                else:
                    self._tmp.unlink(missing_ok=True)

    def write(self, row: Mapping[str, Any]) -> None:
        self._write(row)
        self.rows += 1

    # subclasses: open a file (or take stdout), write one row, flush and close
    def _begin_file(self, path: Path) -> None:
        self._fh: IO[str] = path.open("w", encoding="utf-8", newline="")
        self._start(self._fh)

    def _start(self, fh: IO[str]) -> None:
        self._out = fh

    def _write(self, row: Mapping[str, Any]) -> None:
        raise NotImplementedError

    def _finish(self) -> None:
        self._out.flush()
        if self.path is not None:
            self._out.close()


class _JsonlWriter(RowWriter):
    format = "jsonl"

    def _write(self, row: Mapping[str, Any]) -> None:
        self._out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")


class _CsvWriter(RowWriter):
    """CSV with one column per ``COLUMNS`` entry; lists and objects are JSON text, booleans true/false."""

    format = "csv"

    def _start(self, fh: IO[str]) -> None:
        super()._start(fh)
        self._csv = csv.writer(fh)
        self._csv.writerow(_NAMES)

    def _write(self, row: Mapping[str, Any]) -> None:
        self._csv.writerow([_cell(row[name]) for name in _NAMES])


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


class _ParquetWriter(RowWriter):
    """Parquet via pyarrow, one row group per ``BATCH`` rows; json columns are JSON text."""

    format = "parquet"
    BATCH = 4096

    def _begin_file(self, path: Path) -> None:
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise ImportError("Parquet output needs pyarrow: pip install 'coach-cx[parquet]'") from None
        self._pa = pa
        self._schema = arrow_schema()
        self._pq = pq.ParquetWriter(str(path), self._schema)
        self._batch: list[dict[str, Any]] = []

    def _write(self, row: Mapping[str, Any]) -> None:
        self._batch.append(flat_row(row))
        if len(self._batch) >= self.BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._batch:
            self._pq.write_table(self._pa.Table.from_pylist(self._batch, schema=self._schema))
            self._batch = []

    def _finish(self) -> None:
        try:
            self._flush()
        finally:
            self._pq.close()


def flat_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """``row`` with its json columns as JSON text: the shape tables (Parquet, Spark, pandas) take."""
    return {
        c.name: json.dumps(row[c.name], ensure_ascii=False, separators=(",", ":")) if c.kind == "json" else row[c.name]
        for c in COLUMNS
    }


def arrow_schema() -> Any:
    """The pyarrow schema of ``flat_row`` rows."""
    import pyarrow as pa

    types = {
        "str": pa.string(),
        "int": pa.int64(),
        "float": pa.float64(),
        "bool": pa.bool_(),
        "ints": pa.list_(pa.int64()),
        "strs": pa.list_(pa.string()),
        "json": pa.string(),
    }
    return pa.schema([pa.field(c.name, types[c.kind]) for c in COLUMNS])


_WRITERS: Mapping[str, type[RowWriter]] = {"csv": _CsvWriter, "jsonl": _JsonlWriter, "parquet": _ParquetWriter}


def output_format(path: str | os.PathLike) -> str:
    """``csv``, ``jsonl`` or ``parquet`` from the file name (``-`` is JSONL on standard output)."""
    if str(path) == "-":
        return "jsonl"
    fmt = OUTPUT_FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        known = ", ".join(OUTPUT_FORMATS)
        raise ValueError(f"cannot tell the output format of {str(path)!r}: use one of {known} (or - for JSONL on stdout)")
    return fmt


def open_output(path: str | os.PathLike, *, force: bool = False) -> RowWriter:
    """A writer for ``path``, chosen by extension; ``FileExistsError`` on entry when it exists and not ``force``."""
    return _WRITERS[output_format(path)](path, force=force)
