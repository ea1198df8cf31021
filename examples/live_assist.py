"""Replay a timestamped call turn by turn and print the hints agent assist would show.

    python examples/live_assist.py [TRANSCRIPT] [--speed 4]    # 4× real time; --speed 0 for no waiting
"""

import argparse
import time
from pathlib import Path

import coach

HERE = Path(__file__).resolve().parent
parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("transcript", nargs="?", default=HERE / "transcripts" / "flight_rebooking.vtt")
parser.add_argument("--speed", type=float, default=0.0, help="replay speed (1 = real time, 0 = no waiting)")
args = parser.parse_args()

call = coach.load(args.transcript)
session = coach.live()
clock = 0.0
for turn in call.turns:
    if args.speed > 0 and turn.start is not None:
        time.sleep(max(0.0, turn.start - clock) / args.speed)
        clock = turn.start
    started = time.perf_counter()
    result = session.add(turn.role, turn.text, turn.start, turn.end)
    took = (time.perf_counter() - started) * 1000
    stamp = f"{turn.start:6.1f}s" if turn.start is not None else "      "
    print(f"{stamp}  {turn.role.value:<8} {turn.text}")
    if result.stages:
        print(f"{'':18}✓ {', '.join(result.stages)}")
    for hint in result.hints:
        example = f"  “{hint.example}”" if hint.example else ""
        print(f"{'':18}» {hint.message}{example}")
    print(f"{'':18}({took:.1f} ms)")

report = session.report()
print("\nmissing at the end of the call:", ", ".join(report.missing) or "none")
