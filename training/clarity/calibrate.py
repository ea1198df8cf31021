"""Rebuild the ``scale`` constants of coach/lang/en/clarity_score.json.

    python training/clarity/calibrate.py            # prints the constants
    python training/clarity/calibrate.py --write    # and writes them

No labels are used. ``rarity_sd`` and ``length_sd`` are the standard deviations of the two measures
over the 567 OneStopEnglish texts (news at three levels, CC BY-SA 4.0; only these two summary numbers
are kept, no text), so rarity and sentence length weigh the same. ``midpoint`` (score 50) is the
median difficulty of those texts. ``shape`` makes the median agent turn of the Harper Valley *train*
calls (Apache-2.0; turns of 6+ words) score 90, so everyday plain speech lands near the top without
every plain turn scoring 100. Data are read from ../shared/data beside the repository.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import statistics
from pathlib import Path

from coach.clarity.scorer import ClarityScorer

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data"
TARGET = ROOT / "coach" / "lang" / "en" / "clarity_score.json"


def _texts() -> tuple[list[str], list[str]]:
    with gzip.open(DATA / "onestopenglish" / "texts.jsonl.gz", "rt", encoding="utf-8") as f:
        ose = [json.loads(line)["text"] for line in f]
    train = set(json.loads((DATA / "harper_valley" / "split.json").read_text())["train"])
    agent = []
    with gzip.open(DATA / "harper_valley" / "calls.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            call = json.loads(line)
            if call["id"] in train:
                agent += [s["human_transcript"] for s in call["segments"] if s["speaker_role"] == "agent" and len(s["human_transcript"].split()) >= 6]
    return ose, agent


def parts(scorer: ClarityScorer, text: str) -> tuple[float, float, float]:
    """(rarity R, length T, issue penalty) of ``text``."""
    p = scorer._parse(text)
    count = len(p.tokens) - len(p.fillers)
    r, t = scorer._measures(p, count)
    return r, t, scorer._penalty(scorer._issues(p, frozenset()), count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    ose, agent = _texts()
    scorer = ClarityScorer("en")
    rows = [parts(scorer, t) for t in ose]
    rarity_sd = statistics.pstdev(r for r, _, _ in rows)
    length_sd = statistics.pstdev(t for _, t, _ in rows)
    difficulty = lambda r, t, pen: r / rarity_sd + t / length_sd + pen  # noqa: E731
    midpoint = statistics.median(difficulty(*row) for row in rows)
    plain = statistics.median(difficulty(*parts(scorer, t)) for t in agent)
    # 100 / (1 + (plain / midpoint) ** shape) = 90  ⇔  shape = ln(1/9) / ln(plain / midpoint)
    shape = math.log(1 / 9) / math.log(plain / midpoint)
    scale = {"rarity_sd": round(rarity_sd, 4), "length_sd": round(length_sd, 4), "midpoint": round(midpoint, 3), "shape": round(shape, 3)}
    print(json.dumps(scale), f"(OneStopEnglish texts: {len(ose)}, Harper Valley train agent turns: {len(agent)})")
    if args.write:
        data = json.loads(TARGET.read_text(encoding="utf-8"))
        data["scale"] = scale
        TARGET.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
