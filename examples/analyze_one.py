"""Analyse one bundled call and print what coach found.

    python examples/analyze_one.py [TRANSCRIPT]
"""

import sys
from pathlib import Path

import coach

HERE = Path(__file__).resolve().parent
path = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "transcripts" / "router_dropping.json"

report = coach.analyze(path)
stats = report.stats
print(f"{report.id}: {stats.turns} turns, {stats.words} words")
for stage, result in report.stages.items():
    mark = "✓" if result.present else "✗"
    print(f"  {mark} {stage:<9} turns {list(result.turns)}  confidence {result.confidence:.2f}")
if report.missing:
    print("missing:", ", ".join(report.missing))
for hint in report.hints:
    print(f"  hint ({hint.kind}): {hint.message}" + (f" — e.g. “{hint.example}”" if hint.example else ""))
if report.clarity.score is not None:
    print(f"clarity {report.clarity.score:.0f}/100 ({report.clarity.grade})")
for p in report.paraphrases:
    status = f"confirmed in turn {p.confirmed_by}" if p.confirmed_by is not None else "never confirmed"
    print(f"  turn {p.source_turn}: {p.text}  [{status}]")
