"""How fast coach reads transcripts, against ``json.loads`` alone on the same files.

Generates (in a temporary folder) N calls of T turns with varied text, written twice: as one native
JSONL file and as one Amazon Connect Contact Lens JSON file per call. Then, best of R runs:

- JSONL: ``coach.load_all(file)`` vs ``json.loads`` on each line;
- Contact Lens: ``coach.load(file)`` per file vs ``json.loads(file.read_text())`` per file.

The ratio is coach's time over ``json.loads``' time: what reading into validated, cleaned ``Transcript``
objects costs on top of parsing. Lower is better.

    python benchmarks/load.py [--calls 2000] [--turns 30] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import coach

_OPENERS = ["I'm sorry about", "Thanks for telling me about", "Let me look into", "I can see", "I've fixed"]
_PROBLEMS = [
    "the double charge",
    "your router dropping",
    "the late parcel",
    "your password reset",
    "the meter reading",
    "the cancelled flight",
    "your card being declined",
    "the missing refund",
]
_CLOSERS = ["today", "by Friday", "within three working days", "right now", "before your next bill"]
_CUSTOMER = [
    "it happened again this morning",
    "I already called twice",
    "the app shows an error",
    "I was charged {n} dollars",
    "my order number is A-{n}",
    "it stopped working on {d}",
    "can you check it please",
    "that's not what I was told last time",
]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def _utterance(rng: random.Random, agent: bool) -> str:
    if agent:
        return f"{rng.choice(_OPENERS)} {rng.choice(_PROBLEMS)}, it will be sorted {rng.choice(_CLOSERS)}."
    parts = rng.sample(_CUSTOMER, k=rng.randint(1, 3))
    return ", ".join(p.format(n=rng.randint(10, 99999), d=rng.choice(_DAYS)) for p in parts).capitalize() + "."


def generate(folder: Path, calls: int, turns: int, seed: int = 7) -> tuple[Path, list[Path]]:
    rng = random.Random(seed)
    jsonl = folder / "calls.jsonl"
    lens_dir = folder / "contact_lens"
    lens_dir.mkdir()
    lens_files = []
    with jsonl.open("w", encoding="utf-8") as out:
        for c in range(calls):
            clock = 0.0
            native, items = [], []
            for t in range(turns):
                agent = t % 2 == 0
                text = _utterance(rng, agent)
                length = 0.9 + len(text) / 15
                native.append(
                    {
                        "speaker": "agent" if agent else "customer",
                        "text": text,
                        "start": round(clock, 2),
                        "end": round(clock + length, 2),
                    }
                )
                items.append(
                    {
                        "BeginOffsetMillis": int(clock * 1000),
                        "EndOffsetMillis": int((clock + length) * 1000),
                        "Id": f"{c}-{t}",
                        "ParticipantId": "AGENT" if agent else "CUSTOMER",
                        "Content": text,
                        "Sentiment": rng.choice(["NEUTRAL", "POSITIVE", "NEGATIVE"]),
                    }
                )
                clock += length + rng.uniform(0.2, 1.5)
            out.write(json.dumps({"id": f"call-{c}", "channel": "phone", "turns": native}) + "\n")
            path = lens_dir / f"call-{c}.json"
            path.write_text(
                json.dumps(
                    {
                        "Version": "1.1.0",
                        "Channel": "VOICE",
                        "JobStatus": "COMPLETED",
                        "LanguageCode": "en-US",
                        "CustomerMetadata": {"ContactId": f"call-{c}"},
                        "Participants": [
                            {"ParticipantId": "AGENT", "ParticipantRole": "AGENT"},
                            {"ParticipantId": "CUSTOMER", "ParticipantRole": "CUSTOMER"},
                        ],
                        "Transcript": items,
                    }
                ),
                encoding="utf-8",
            )
            lens_files.append(path)
    return jsonl, lens_files


def best_of(runs: int, work: Callable[[], int]) -> tuple[float, int]:
    best, count = float("inf"), 0
    for _ in range(runs):
        started = time.perf_counter()
        count = work()
        best = min(best, time.perf_counter() - started)
    return best, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--turns", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        jsonl, lens_files = generate(Path(tmp), args.calls, args.turns)

        def jsonl_coach() -> int:
            return sum(1 for _ in coach.load_all(jsonl))

        def jsonl_json() -> int:
            with jsonl.open(encoding="utf-8") as fh:
                return sum(1 for line in fh if json.loads(line))

        def lens_coach() -> int:
            return sum(1 for path in lens_files if coach.load(path))

        def lens_json() -> int:
            return sum(1 for path in lens_files if json.loads(path.read_text(encoding="utf-8")))

        rows = []
        for name, mine, base, size in (
            ("native JSONL (1 file)", jsonl_coach, jsonl_json, jsonl.stat().st_size),
            (
                f"Contact Lens JSON ({len(lens_files)} files)",
                lens_coach,
                lens_json,
                sum(p.stat().st_size for p in lens_files),
            ),
        ):
            t_mine, n = best_of(args.runs, mine)
            t_base, _ = best_of(args.runs, base)
            rows.append((name, size / 1e6, n / t_mine, n / t_base, t_mine / t_base))
    print(
        f"{args.calls} calls x {args.turns} turns; best of {args.runs}; "
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores"
    )
    print("| format | MB | coach transcripts/s | json.loads docs/s | coach / json.loads time |")
    print("|---|---:|---:|---:|---:|")
    for name, mb, mine, base, ratio in rows:
        print(f"| {name} | {mb:.1f} | {mine:,.0f} | {base:,.0f} | {ratio:.1f}x |")


if __name__ == "__main__":
    main()
