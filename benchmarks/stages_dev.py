"""The stage-detection development set: hand labels over real calls, rebuilt as coach Transcripts.

``benchmarks/data/stages_dev.jsonl`` holds only labels; the words stay in ../shared/data. Each line is
one call: ``{"source": "harper_valley" | "abcd", "id", "turns": {"<key>": [stage, ...]}, "note"?}``
where ``<key>`` is a Harper Valley segment ``index`` or a 0-based position in an ABCD ``original``
list, and every agent turn of the call has an entry (an empty list means "no stage"). How the labels
were made, and the rulings on hard cases, are in ``benchmarks/data/README.md``.

``load_dev`` rebuilds each call as a ``Transcript`` with one turn per source segment/line, in source
order (noise-only segments included), and returns the labels keyed by index into ``Transcript.turns``.

``benchmarks/data/stages_dev_written.jsonl`` is the second, evaluation-only set: 60 written calls that
carry their own words, in coach's native format plus ``domain``, ``channel`` ("chat" | "voice"),
``quality`` ("excellent" | "average" | "poor") and ``labels`` (``{"<0-based turn index>": [stage, ...]}``,
every agent turn listed). ``load_written`` reads it through ``coach.load`` and returns the same
``(transcript, {turn index: stages})`` pairs as ``load_dev``.

Run ``python benchmarks/stages_dev.py`` to print the label counts of both sets.
"""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import coach
from coach.errors import TranscriptError
from coach.transcript import Role, Transcript, Turn

__all__ = [
    "CHANNELS",
    "DATA_ROOT",
    "LABELS",
    "QUALITIES",
    "SOURCES",
    "STAGES",
    "WRITTEN",
    "counts",
    "load_dev",
    "load_written",
    "read_labels",
    "read_written",
    "written_counts",
]

logger = logging.getLogger(__name__)

STAGES = ("reassure", "listen", "confirm", "fix", "follow_up")
SOURCES = ("harper_valley", "abcd")
LABELS = Path(__file__).resolve().parent / "data" / "stages_dev.jsonl"
WRITTEN = Path(__file__).resolve().parent / "data" / "stages_dev_written.jsonl"
CHANNELS = ("chat", "voice")
QUALITIES = ("excellent", "average", "poor")
_WRITTEN_KEYS = {"id", "domain", "channel", "quality", "turns", "labels"}
DATA_ROOT = Path(__file__).resolve().parents[1].parent / "shared" / "data"

_HV_ROLES = {"agent": Role.AGENT, "caller": Role.CUSTOMER}
_ABCD_ROLES = {"agent": Role.AGENT, "customer": Role.CUSTOMER, "action": Role.SYSTEM}
_ABCD_FILES = ("abcd_sample.json", "abcd_extra_from_dialogstudio.json")

Labels = dict[int, frozenset[str]]


def read_labels(path: Path = LABELS) -> list[dict[str, Any]]:
    """The label rows of ``path``, in file order, checked for shape (not against the data)."""
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            _check_row(row, str(path), line_no)
            rows.append(row)
    return rows


def load_dev(data_root: Path = DATA_ROOT, labels: Path = LABELS) -> list[tuple[Transcript, Labels]]:
    """Every labelled call as ``(transcript, {turn index: stages})``, in the label file's order.

    ``data_root`` is the shared data folder (``../shared/data``). When it is absent the result is
    ``[]``; a source whose own folder is absent is left out (logged). Raises ``TranscriptError`` when a
    label names a turn that is missing or not an agent turn, or an agent turn has no label — the
    labels and the data no longer agree, and scores computed over them would be wrong.
    """
    if not data_root.is_dir():
        logger.info("%s is absent: no development set", data_root)
        return []
    rows = read_labels(labels)
    by_source: dict[str, list[dict[str, Any]]] = {s: [] for s in SOURCES}
    for row in rows:
        by_source[row["source"]].append(row)
    built: dict[tuple[str, str], tuple[Transcript, Labels]] = {}
    for source, build in (("harper_valley", _harper_valley), ("abcd", _abcd)):
        wanted = by_source[source]
        folder = data_root / source
        if not wanted:
            continue
        if not folder.is_dir():
            logger.warning("%s is absent: %d %s calls left out", folder, len(wanted), source)
            continue
        for row, transcript, keys in build(folder, wanted):
            where = f"{labels} ({row['source']} {row['id']})"
            built[source, row["id"]] = (transcript, _map_labels(row["turns"], transcript, keys, where))
    return [built[r["source"], r["id"]] for r in rows if (r["source"], r["id"]) in built]


def _harper_valley(folder: Path, rows: list[dict[str, Any]]):
    split = json.loads((folder / "split.json").read_text(encoding="utf-8"))
    wanted = {r["id"] for r in rows}
    leaked = sorted(wanted & set(split.get("test", ())))
    if leaked:
        # The test split is for final evaluation only; a dev set built on it would leak it.
        raise TranscriptError(f"test ids in the development labels: {leaked}", source=str(folder / "split.json"))
    calls = {}
    with gzip.open(folder / "calls.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            call = json.loads(line)
            if call["id"] in wanted:
                calls[call["id"]] = call
    for row in rows:
        call = calls.get(row["id"])
        if call is None:
            raise TranscriptError(f"call {row['id']} is not in calls.jsonl.gz", source=str(folder))
        segments = sorted(call["segments"], key=lambda s: s["index"])
        turns = tuple(
            Turn(
                _HV_ROLES[s["speaker_role"]],
                s["human_transcript"],
                speaker=s["speaker_role"],
                start=s["start_ms"] / 1000,
                end=(s["start_ms"] + s["duration_ms"]) / 1000,
            )
            for s in segments
        )
        transcript = Transcript(id=call["id"], turns=turns, metadata={"source": "harper_valley"})
        yield row, transcript, {str(s["index"]): i for i, s in enumerate(segments)}


def _abcd(folder: Path, rows: list[dict[str, Any]]):
    convos = {}
    for name in _ABCD_FILES:
        for convo in json.loads((folder / name).read_text(encoding="utf-8")):
            convos[str(convo["convo_id"])] = convo
    for row in rows:
        convo = convos.get(row["id"])
        if convo is None:
            raise TranscriptError(f"conversation {row['id']} is not in {', '.join(_ABCD_FILES)}", source=str(folder))
        turns = tuple(Turn(_ABCD_ROLES[speaker], text, speaker=speaker) for speaker, text in convo["original"])
        transcript = Transcript(id=row["id"], turns=turns, metadata={"source": "abcd"})
        yield row, transcript, {str(i): i for i in range(len(turns))}


def _map_labels(
    labels: Mapping[str, list[str]], transcript: Transcript, keys: Mapping[str, int], where: str
) -> Labels:
    out: Labels = {}
    for key, stages in labels.items():
        index = keys.get(key)
        if index is None:
            raise TranscriptError(f"label for turn {key!r}, which the call does not have", source=where)
        if not transcript.turns[index].is_agent:
            raise TranscriptError(
                f"label on a {transcript.turns[index].role} turn",
                source=where,
                turn=index,
                hint="stages apply to agent turns only",
            )
        out[index] = frozenset(stages)
    unlabelled = [i for i, t in enumerate(transcript.turns) if t.is_agent and i not in out]
    if unlabelled:
        raise TranscriptError(
            f"agent turns without a label: {unlabelled}",
            source=where,
            hint="every agent turn needs an entry ([] for none)",
        )
    return out


def read_written(path: Path = WRITTEN) -> list[dict[str, Any]]:
    """The written calls of ``path`` as rows (words and labels), in file order, checked for shape."""
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            _check_written(row, str(path), line_no)
            rows.append(row)
    return rows


def load_written(path: Path = WRITTEN) -> list[tuple[Transcript, Labels]]:
    """Every written call as ``(transcript, {turn index: stages})``, in file order.

    The transcript is what ``coach.load`` makes of the call without its ``labels`` (``domain``,
    ``channel`` and ``quality`` become metadata). Raises ``TranscriptError`` when a label names a
    turn that is missing or not an agent turn, an agent turn has no label, or the reader did not
    keep one turn per written turn — the indices of the labels would then point at other words.
    """
    out = []
    for row in read_written(path):
        where = f"{path} ({row['id']})"
        transcript = coach.load({k: v for k, v in row.items() if k != "labels"}, format="json")
        if len(transcript.turns) != len(row["turns"]):
            raise TranscriptError(
                f"{len(row['turns'])} turns written but {len(transcript.turns)} read",
                source=where,
                hint="every turn needs non-empty text and a known speaker",
            )
        keys = {str(i): i for i in range(len(transcript.turns))}
        out.append((transcript, _map_labels(row["labels"], transcript, keys, where)))
    return out


def _check_stage_lists(labels: Mapping[str, Any], fail: Callable[[str], TranscriptError]) -> None:
    for key, stages in labels.items():
        if not key.isdigit():
            raise fail(f"turn key {key!r} is not a turn number (segment index / position)")
        if not isinstance(stages, list) or any(s not in STAGES for s in stages) or len(set(stages)) != len(stages):
            raise fail(f"turn {key}: {stages!r} is not a list of distinct stages from {', '.join(STAGES)}")


def _check_written(row: Any, source: str, line: int) -> None:
    def fail(message: str) -> TranscriptError:
        return TranscriptError(message, source=source, line=line)

    if not isinstance(row, dict) or row.keys() != _WRITTEN_KEYS:
        raise fail("expected exactly the keys " + ", ".join(sorted(_WRITTEN_KEYS)))
    if not isinstance(row["id"], str) or not isinstance(row["domain"], str) or not row["domain"]:
        raise fail('"id" and "domain" must be non-empty strings')
    if row["channel"] not in CHANNELS or row["quality"] not in QUALITIES:
        raise fail(f'"channel" must be one of {", ".join(CHANNELS)} and "quality" one of {", ".join(QUALITIES)}')
    if not isinstance(row["turns"], list) or not row["turns"] or not isinstance(row["labels"], dict):
        raise fail('"turns" must be a non-empty list and "labels" an object')
    _check_stage_lists(row["labels"], fail)


def _check_row(row: Any, source: str, line: int) -> None:
    def fail(message: str) -> TranscriptError:
        return TranscriptError(message, source=source, line=line)

    if not isinstance(row, dict) or not {"source", "id", "turns"} <= row.keys() <= {"source", "id", "turns", "note"}:
        raise fail('expected {"source", "id", "turns"} and an optional "note"')
    if row["source"] not in SOURCES:
        raise fail(f"unknown source {row['source']!r}; known: {', '.join(SOURCES)}")
    if not isinstance(row["id"], str) or not isinstance(row["turns"], dict) or not row["turns"]:
        raise fail('"id" must be a string and "turns" a non-empty object')
    _check_stage_lists(row["turns"], fail)
    if "note" in row and not isinstance(row["note"], str):
        raise fail('"note" must be a string')


def counts(rows: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, int]]:
    """Per source (and ``all``): labelled agent turns, calls, and per stage its turns and calls."""
    return _tally((row["source"], row["turns"].values()) for row in rows)


def written_counts(calls: Iterable[tuple[Transcript, Labels]], by: str) -> dict[str, dict[str, int]]:
    """``counts`` for loaded calls, grouped by the metadata key ``by`` ("domain", "channel", "quality")."""
    return _tally((str(t.metadata[by]), labels.values()) for t, labels in calls)


def _tally(calls: Iterable[tuple[str, Iterable[Iterable[str]]]]) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = {}
    for group, turns in calls:
        per_turn = [list(stages) for stages in turns]
        present = {stage for stages in per_turn for stage in stages}
        for name in (group, "all"):
            c = table.setdefault(name, {"calls": 0, "agent turns": 0, "no stage": 0})
            c["calls"] += 1
            c["agent turns"] += len(per_turn)
            c["no stage"] += sum(not stages for stages in per_turn)
            for stages in per_turn:
                for stage in stages:
                    c[f"{stage} turns"] = c.get(f"{stage} turns", 0) + 1
            for stage in present:
                c[f"{stage} calls"] = c.get(f"{stage} calls", 0) + 1
    return table


def _print_table(title: str, table: Mapping[str, Mapping[str, int]], groups: Iterable[str]) -> None:
    groups = [*groups, "all"]
    names = ["calls", "agent turns", "no stage"] + [f"{s} {u}" for s in STAGES for u in ("turns", "calls")]
    width = max(12, *(len(g) + 2 for g in groups))
    print(title)
    print(f"{'':16}" + "".join(f"{g:>{width}}" for g in groups))
    for name in names:
        print(f"{name:16}" + "".join(f"{table.get(g, {}).get(name, 0):>{width}}" for g in groups))
    print()


def main() -> None:
    _print_table(f"{LABELS.name} (real calls)", counts(read_labels()), SOURCES)
    written = load_written()
    for by in ("channel", "quality", "domain"):
        groups = QUALITIES if by == "quality" else sorted({str(t.metadata[by]) for t, _ in written})
        _print_table(f"{WRITTEN.name} (written calls) by {by}", written_counts(written, by), groups)


if __name__ == "__main__":
    main()
