"""Stage-detection quality: precision, recall and F1 per stage, for the rule layer alone, the model
alone and the combination the engine uses, side by side.

Sets (each skipped cleanly when its data is absent):

- ``dev``: the hand-labelled development set (``benchmarks/stages_dev.py``: 40 Harper Valley calls,
  5 ABCD dialogues), at turn level (agent turns) and call level (stage present / missing);
- ``annomi``: AnnoMI therapist turns, ``confirm`` against the experts' *reflection* label — an
  external check of confirm (evaluation only; never used to train or tune);
- ``esconv``: ESConv supporter responses (dev + test files), strategy labels mapped to stages:
  Restatement or Paraphrasing → confirm, Affirmation and Reassurance → reassure, Questions → listen
  (evaluation only).

Each table ends with a 95 % interval for the combined F1, by bootstrap over calls (AnnoMI:
transcripts; ESConv: responses, which carry no dialogue id): with a few dozen positives a stage's F1
is known to about ±0.08, and with two or three (listen and confirm in the real calls) hardly at all.

Usage::

    python benchmarks/stages_eval.py                 # all sets
    python benchmarks/stages_eval.py --sets dev annomi
"""

from __future__ import annotations

import argparse
import csv
import gzip
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from coach.report import STAGES  # noqa: E402
from coach.stages import StageEngine  # noqa: E402
from coach.transcript import Role, Transcript, Turn  # noqa: E402

SYSTEMS = ("rules", "model", "combined")
ESCONV_MAP = {"Restatement or Paraphrasing": "confirm", "Affirmation and Reassurance": "reassure", "Questions": "listen"}


@dataclass
class Counts:
    """True/false positives and false negatives for one stage and one system."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, predicted: bool, gold: bool) -> None:
        self.tp += predicted and gold
        self.fp += predicted and not gold
        self.fn += gold and not predicted

    def prf(self) -> tuple[float | None, float | None, float | None]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else None
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else None
        f = 2 * p * r / (p + r) if p is not None and r is not None and p + r else (0.0 if p is not None or r is not None else None)
        return p, r, f


@dataclass
class Table:
    """Counts per (stage, system), and per call for the combined system (for its interval)."""

    title: str
    stages: tuple[str, ...]
    cells: dict[tuple[str, str], Counts] = field(default_factory=dict)
    groups: dict[str, dict[str, Counts]] = field(default_factory=dict)

    def add(self, stage: str, system: str, predicted: bool, gold: bool, group: str) -> None:
        self.cells.setdefault((stage, system), Counts()).add(predicted, gold)
        if system == "combined":
            self.groups.setdefault(stage, {}).setdefault(group, Counts()).add(predicted, gold)

    def interval(self, stage: str, rounds: int = 1000) -> tuple[float, float] | None:
        """95 % interval of the combined F1 by bootstrap over calls (turns of one call are not
        independent, so calls are resampled whole); seeded, so every run prints the same."""
        import numpy as np

        per = list(self.groups.get(stage, {}).values())
        if not per:
            return None
        counts = np.array([(c.tp, c.fp, c.fn) for c in per], dtype=float)
        weights = np.random.default_rng(0).multinomial(len(per), [1 / len(per)] * len(per), size=rounds)
        tp, fp, fn = (weights @ counts).T
        with np.errstate(invalid="ignore", divide="ignore"):
            f1 = 2 * tp / (2 * tp + fp + fn)
        f1 = f1[~np.isnan(f1)]
        return (float(np.percentile(f1, 2.5)), float(np.percentile(f1, 97.5))) if f1.size else None

    def render(self) -> str:
        head = "| stage | gold | " + " | ".join(f"{s} P | {s} R | {s} F1" for s in SYSTEMS) + " | combined F1 95 % CI |"
        lines = [f"**{self.title}**", "", head, "|---|---:|" + "---:|" * (3 * len(SYSTEMS)) + "---|"]
        for stage in self.stages:
            cells = [self.cells.get((stage, s), Counts()) for s in SYSTEMS]
            gold = cells[0].tp + cells[0].fn
            row = [stage, str(gold)]
            for c in cells:
                row += [_fmt(v) for v in c.prf()]
            ci = self.interval(stage)
            row.append("n/a" if ci is None else f"{ci[0]:.2f}–{ci[1]:.2f}")
            lines.append("| " + " | ".join(row) + " |")
        return "\n".join(lines)


def _fmt(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.2f}"


def run(engine: StageEngine, transcript: Transcript) -> dict[int, dict[str, tuple[float, float, float]]]:
    """Per agent turn: stage → (rule, model, combined) confidence."""
    state = engine.start()
    out: dict[int, dict[str, tuple[float, float, float]]] = {}
    for i, turn in enumerate(transcript.turns):
        for target, a in engine.assess(state, i, turn):
            # A sentence split over two segments is assessed twice: each layer keeps its highest score.
            old = out.setdefault(target, {}).get(a.stage, (0.0, 0.0, 0.0))
            out[target][a.stage] = (max(old[0], a.rule), max(old[1], a.model), max(old[2], a.confidence))
    return out


def decide(scores: tuple[float, float, float], threshold: float) -> tuple[bool, bool, bool]:
    return tuple(s >= threshold for s in scores)  # type: ignore[return-value]


def evaluate_dev(engine: StageEngine) -> list[Table]:
    """The hand-labelled real calls (40 Harper Valley + 5 ABCD)."""
    from stages_dev import load_dev

    return evaluate_labelled("dev (real calls)", load_dev(DATA), engine)


def evaluate_written(engine: StageEngine) -> list[Table]:
    """The 60 held-out written calls (every stage present and absent in many calls)."""
    from stages_dev import load_written

    return evaluate_labelled("dev (written held-out calls)", load_written(), engine)


def evaluate_labelled(name: str, calls, engine: StageEngine) -> list[Table]:
    if not calls:
        return []
    turns = Table(f"{name} — turn level ({sum(len(lab) for _, lab in calls)} agent turns, {len(calls)} calls)", STAGES)
    level = Table(f"{name} — call level (present / missing, {len(calls)} calls)", STAGES)
    for transcript, labels in calls:
        scores = run(engine, transcript)
        present = {s: [False] * len(SYSTEMS) for s in STAGES}
        for i, gold in labels.items():
            per = scores.get(i, {})
            for stage in STAGES:
                verdicts = decide(per.get(stage, (0.0, 0.0, 0.0)), engine.thresholds[stage])
                for system, v in zip(SYSTEMS, verdicts, strict=True):
                    turns.add(stage, system, v, stage in gold, transcript.id)
                present[stage] = [a or b for a, b in zip(present[stage], verdicts, strict=True)]
        for stage in STAGES:
            gold_present = any(stage in g for g in labels.values())
            for system, v in zip(SYSTEMS, present[stage], strict=True):
                level.add(stage, system, v, gold_present, transcript.id)
    return [turns, level]


def annomi_transcripts() -> Iterator[tuple[Transcript, dict[int, bool]]]:
    path = DATA / "annomi" / "AnnoMI-simple.csv.gz"
    by_id: dict[str, list[dict[str, str]]] = {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            by_id.setdefault(row["transcript_id"], []).append(row)
    for tid in sorted(by_id, key=int):
        rows = sorted(by_id[tid], key=lambda r: int(r["utterance_id"]))
        turns = tuple(
            Turn(Role.AGENT if r["interlocutor"] == "therapist" else Role.CUSTOMER, r["utterance_text"]) for r in rows
        )
        gold = {i: r["main_therapist_behaviour"] == "reflection" for i, r in enumerate(rows) if r["interlocutor"] == "therapist"}
        yield Transcript(f"annomi-{tid}", turns), gold


def evaluate_annomi(engine: StageEngine) -> list[Table]:
    if not (DATA / "annomi").is_dir():
        return []
    table = Table("AnnoMI — therapist turns, confirm vs expert reflection label", ("confirm",))
    n = 0
    for transcript, gold in annomi_transcripts():
        scores = run(engine, transcript)
        for i, is_reflection in gold.items():
            n += 1
            verdicts = decide(scores.get(i, {}).get("confirm", (0.0, 0.0, 0.0)), engine.thresholds["confirm"])
            for system, v in zip(SYSTEMS, verdicts, strict=True):
                table.add("confirm", system, v, is_reflection, transcript.id)
    table.title += f" ({n} turns)"
    return [table]


def esconv_examples() -> Iterator[tuple[Transcript, str]]:
    for name in ("devWithStrategy_short.tsv.gz", "testWithStrategy_short.tsv.gz"):
        with gzip.open(DATA / "esconv-nc" / name, "rt", encoding="utf-8") as fh:
            for k, line in enumerate(fh):
                turns, strategy = [], ""
                for segment in line.rstrip("\n").split(" EOS "):
                    parts = segment.strip().split(" ", 3)
                    if len(parts) < 4:
                        continue
                    role, text = parts[1], parts[3]
                    if role == "1" and text.startswith("["):
                        strategy, _, text = text[1:].partition("] ")
                    turns.append(Turn(Role.AGENT if role == "1" else Role.CUSTOMER, text.strip() or "."))
                if turns and turns[-1].is_agent:
                    yield Transcript(f"esconv-{name[:3]}-{k}", tuple(turns)), strategy


def evaluate_esconv(engine: StageEngine) -> list[Table]:
    if not (DATA / "esconv-nc").is_dir():
        return []
    stages = ("reassure", "listen", "confirm")
    table = Table("ESConv — supporter responses, strategy labels mapped to stages", stages)
    n = 0
    for transcript, strategy in esconv_examples():
        n += 1
        last = len(transcript.turns) - 1
        per = run(engine, transcript).get(last, {})
        for stage in stages:
            verdicts = decide(per.get(stage, (0.0, 0.0, 0.0)), engine.thresholds[stage])
            for system, v in zip(SYSTEMS, verdicts, strict=True):
                table.add(stage, system, v, ESCONV_MAP.get(strategy) == stage, transcript.id)
    table.title += f" ({n} responses)"
    return [table]


SETS = {"dev": evaluate_dev, "written": evaluate_written, "annomi": evaluate_annomi, "esconv": evaluate_esconv}


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Stage-detection quality per stage: rules, model, combined.")
    parser.add_argument("--sets", nargs="+", choices=sorted(SETS), default=list(SETS))
    args = parser.parse_args(list(argv) if argv is not None else None)
    if not DATA.is_dir():
        print(f"{DATA} is absent: nothing to evaluate")
        return 0
    engine = StageEngine("en")
    print("Thresholds:", ", ".join(f"{s} {t}" for s, t in engine.thresholds.items()), "(rules, model and combined alike)\n")
    for name in args.sets:
        started = time.perf_counter()
        tables = SETS[name](engine)
        if not tables:
            print(f"{name}: data absent, skipped\n")
        for table in tables:
            print(table.render() + "\n")
        print(f"({name}: {time.perf_counter() - started:.1f} s)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
