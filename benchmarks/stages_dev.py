"""The stage-detection development set: hand labels over real calls, rebuilt as coach Transcripts.

``benchmarks/data/stages_dev.jsonl`` holds only labels; the words stay in ../shared/data. Each line is
one call: ``{"source": "harper_valley" | "abcd", "id", "turns": {"<key>": [stage, ...]}, "note"?}``
where ``<key>`` is a Harper Valley segment ``index`` or a 0-based position in an ABCD ``original``
list, and every agent turn of the call has an entry (an empty list means "no stage"). How the labels
were made, and the rulings on hard cases, are in ``benchmarks/data/README.md``.

``load_dev`` rebuilds each call as a ``Transcript`` with one turn per source segment/line, in source
order (noise-only segments included), and returns the labels keyed by index into ``Transcript.turns``.

Run ``python benchmarks/stages_dev.py`` to print the label counts.
"""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from coach.errors import TranscriptError
from coach.transcript import Role, Transcript, Turn

__all__ = ["DATA_ROOT", "LABELS", "SOURCES", "STAGES", "counts", "load_dev", "read_labels"]

logger = logging.getLogger(__name__)

STAGES = ("reassure", "listen", "confirm", "fix", "follow_up")
SOURCES = ("harper_valley", "abcd")
LABELS = Path(__file__).resolve().parent / "data" / "stages_dev.jsonl"
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
            built[source, row["id"]] = (transcript, _map_labels(row, transcript, keys, labels))
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


def _map_labels(row: Mapping[str, Any], transcript: Transcript, keys: Mapping[str, int], path: Path) -> Labels:
    where = f"{path} ({row['source']} {row['id']})"
    out: Labels = {}
    for key, stages in row["turns"].items():
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


def _check_row(row: Any, source: str, line: int) -> None:
    def fail(message: str) -> TranscriptError:
        return TranscriptError(message, source=source, line=line)

    if not isinstance(row, dict) or not {"source", "id", "turns"} <= row.keys() <= {"source", "id", "turns", "note"}:
        raise fail('expected {"source", "id", "turns"} and an optional "note"')
    if row["source"] not in SOURCES:
        raise fail(f"unknown source {row['source']!r}; known: {', '.join(SOURCES)}")
    if not isinstance(row["id"], str) or not isinstance(row["turns"], dict) or not row["turns"]:
        raise fail('"id" must be a string and "turns" a non-empty object')
    for key, stages in row["turns"].items():
        if not key.isdigit():
            raise fail(f"turn key {key!r} is not a segment index / position")
        if not isinstance(stages, list) or any(s not in STAGES for s in stages) or len(set(stages)) != len(stages):
            raise fail(f"turn {key}: {stages!r} is not a list of distinct stages from {', '.join(STAGES)}")
    if "note" in row and not isinstance(row["note"], str):
        raise fail('"note" must be a string')


def counts(rows: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, int]]:
    """Per source (and ``all``): labelled agent turns, calls, and per stage its turns and calls."""
    table: dict[str, dict[str, int]] = {}
    for row in rows:
        for group in (row["source"], "all"):
            c = table.setdefault(group, {"calls": 0, "agent turns": 0, "no stage": 0})
            c["calls"] += 1
            present: set[str] = set()
            for stages in row["turns"].values():
                c["agent turns"] += 1
                c["no stage"] += not stages
                for stage in stages:
                    c[f"{stage} turns"] = c.get(f"{stage} turns", 0) + 1
                    present.add(stage)
            for stage in present:
                c[f"{stage} calls"] = c.get(f"{stage} calls", 0) + 1
    return table


def main() -> None:
    table = counts(read_labels())
    groups = [*SOURCES, "all"]
    names = ["calls", "agent turns", "no stage"] + [f"{s} {u}" for s in STAGES for u in ("turns", "calls")]
    print(f"{'':16}" + "".join(f"{g:>15}" for g in groups))
    for name in names:
        print(f"{name:16}" + "".join(f"{table.get(g, {}).get(name, 0):>15}" for g in groups))


if __name__ == "__main__":
    main()
