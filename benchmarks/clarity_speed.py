"""What a clarity score costs next to bare spaCy tokenization of the same text (one run each).

    python benchmarks/clarity_speed.py

For each set of texts, a fresh ``spacy.blank("en")`` tokenizes every text once (``nlp.make_doc``) and
a fresh ``ClarityScorer`` scores every text once; both are first warmed up on other text (the
OneStopEnglish articles, sentence by sentence) so loading and first sight of common words are not
counted. Each figure is the median of three such one-pass runs (the machine is shared). The ratio is
coach's time over spaCy's: at most 1 is the target. "distinct" runs on the set without duplicate
texts, so neither side gains from repeats (coach keeps a result cache per scorer; spaCy caches
tokenized chunks).

Sets: Harper Valley agent turns (human transcripts: lower-case speech), CLEAR first sentences and
CLEAR excerpts (140–200 words), read from ../shared/data beside the repository.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import spacy

from coach.clarity import ClarityScorer

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
WARM_UP = [
    "Hello, thanks for calling. How can I help you today?",
    "I have refunded the second charge; you will see it in three to five days.",
    "okay so i checked your account and the payment went through yesterday",
]


def _sets() -> dict[str, list[str]]:
    sets: dict[str, list[str]] = {}
    hv = DATA / "harper_valley" / "calls.jsonl.gz"
    if hv.exists():
        turns = []
        with gzip.open(hv, "rt", encoding="utf-8") as f:
            for line in f:
                turns += [s["human_transcript"] for s in json.loads(line)["segments"] if s["speaker_role"] == "agent" and s["human_transcript"].strip()]
        sets["Harper Valley agent turns"] = turns
    clear = DATA / "clear_corpus-nc" / "CLEAR_corpus_final.csv.gz"
    if clear.exists():
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from clarity_eval import first_sentence

        with gzip.open(clear, "rb") as raw:
            excerpts = [r["Excerpt"] for r in csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8"))]
        sets["CLEAR first sentences"] = [first_sentence(t) for t in excerpts]
        sets["CLEAR excerpts"] = excerpts
    return sets


def _once(fn: Callable[[str], object], texts: list[str]) -> float:
    started = time.perf_counter()
    for text in texts:
        fn(text)
    return time.perf_counter() - started


def _warm_up() -> list[str]:
    path = DATA / "onestopenglish" / "texts.jsonl.gz"
    if not path.exists():
        return WARM_UP
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return WARM_UP + [line for row in f for line in json.loads(row)["text"].split(". ")]


def run(texts: list[str], warm: list[str], repeats: int = 3) -> tuple[float, float]:
    """Seconds per text for spaCy tokenization and for a clarity score: median of one-pass runs."""
    spacy_runs, coach_runs = [], []
    for _ in range(repeats):
        nlp = spacy.blank("en")
        scorer = ClarityScorer("en")
        for text in warm:
            nlp.make_doc(text)
            scorer.score(text)
        spacy_runs.append(_once(nlp.make_doc, texts) / len(texts))
        coach_runs.append(_once(scorer.score, texts) / len(texts))
    return statistics.median(spacy_runs), statistics.median(coach_runs)


def main() -> int:
    sets = _sets()
    if not sets:
        print(f"clarity_speed: data not found under {DATA}; nothing to do.")
        return 0
    warm = _warm_up()
    print(f"{'texts':<38} {'n':>6} {'spaCy µs':>9} {'coach µs':>9} {'ratio':>6}")
    for name, texts in sets.items():
        for label, subset in (("", texts), (" (distinct)", list(dict.fromkeys(texts)))):
            spacy_s, coach_s = run(subset, warm)
            print(f"{name + label:<38} {len(subset):>6} {spacy_s * 1e6:>9.1f} {coach_s * 1e6:>9.1f} {coach_s / spacy_s:>6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
