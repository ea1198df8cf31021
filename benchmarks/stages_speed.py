"""Stage-detection cost against bare ``spacy.blank("en")`` tokenization of the same text, in one run.

For every turn of the calls (the development set's 45 calls when ../shared/data is present, else the
example transcripts): the time to tokenize each turn with a bare ``spacy.blank("en")`` pipeline, and
the time stage detection adds — ``StageEngine.observe`` on every turn (from the text alone, as the
analyzer calls it) and ``finish`` once per call (stage results and order findings; then
again with the hints for missing stages, which paraphrase the customer's problem and are reported
on their own line). The target is a ratio of at most 1.0 for detection. Everything is loaded and warmed up first; each figure is the best
of ``--repeat`` rounds.

Usage::

    python benchmarks/stages_speed.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from coach.stages import StageEngine  # noqa: E402
from coach.transcript import Transcript  # noqa: E402


def calls() -> list[Transcript]:
    from stages_dev import load_dev

    found = [t for t, _ in load_dev(DATA)]
    if found:
        return found
    import coach

    return [coach.load(p) for p in sorted((ROOT / "examples" / "transcripts").glob("*.json"))]


def best(rounds: int, fn) -> float:
    times = []
    for _ in range(rounds):
        gc.collect()
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Stage detection cost vs bare spaCy tokenization.")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)

    import spacy

    transcripts = calls()
    texts = [turn.text for t in transcripts for turn in t.turns]
    blank = spacy.blank("en")

    def tokenize() -> None:
        for text in texts:
            blank(text)

    def observe() -> list:
        # A fresh engine per round: its per-text memo starts empty, as for new calls; per-word caches
        # (ours and spaCy's tokenizer cache alike) stay warm, as they do in a running process.
        engine = StageEngine("en")
        states = []
        for t in transcripts:
            state = engine.start()
            for i, turn in enumerate(t.turns):
                engine.observe(state, i, turn)
            states.append((engine, state))
        return states

    def detect() -> None:
        for engine, state in observe():
            engine.finish(state, hints=False)

    def coach() -> None:
        for engine, state in observe():
            engine.finish(state)

    coach()  # load the model and data, fill the per-process caches
    tokenize()
    t_tok = best(args.repeat, tokenize)
    t_obs = best(args.repeat, observe)
    t_det = best(args.repeat, detect)
    t_all = best(args.repeat, coach)
    chars = sum(len(x) for x in texts)
    print(f"{len(transcripts)} calls, {len(texts)} turns, {chars} characters; best of {args.repeat} rounds\n")
    print("| step | total ms | µs per turn | ratio to tokenization |")
    print("|---|---:|---:|---:|")
    for name, t in (
        ('bare spacy.blank("en") tokenization', t_tok),
        ("stage detection: observe every turn", t_obs),
        ("stage detection: observe + finish(hints=False) per call", t_det),
        ("… and the coaching hints (finish with hints)", t_all),
    ):
        print(f"| {name} | {t * 1000:.1f} | {t / len(texts) * 1e6:.1f} | {t / t_tok:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
