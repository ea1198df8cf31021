"""Does coach's clarity score agree with people? Compared, in the same run, with the classic formulas.

    python benchmarks/clarity_eval.py

- CLEAR corpus (CommonLit Ease of Readability; CC BY-NC-SA, evaluation only): Pearson and Spearman
  correlation with the teachers' ease score (``BT_easiness``, higher = easier) on whole excerpts and
  on each excerpt's first sentence (the size of an agent turn).
- OneStopEnglish (the same 189 news articles written at three levels): share of articles scored
  elementary > intermediate > advanced, and accuracy on the aligned sentence pairs (the sentence from
  the simpler version should score clearer; a tie counts half).

Classic formulas are coach's own implementations (``coach.clarity.readability``: Flesch Reading Ease,
Flesch–Kincaid grade, SMOG), using coach's word, sentence and syllable counts. For grade formulas lower
is easier, so their correlations are negative: compare ``|r|``. Data are read from ../shared/data beside
the repository; the script says so and exits when they are absent.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from scipy.stats import pearsonr, spearmanr

from coach.clarity import ClarityScorer, flesch_kincaid_grade, flesch_reading_ease, smog_index
from coach.clarity._lexicon import lexicon
from coach.clarity._text import sentences, words

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
LEVELS = {"ele": 0, "int": 1, "adv": 2}


def measures() -> dict[str, Callable[[str], float]]:
    scorer = ClarityScorer("en")
    return {
        "coach clarity": lambda t: scorer.score(t).score,
        "Flesch Reading Ease": flesch_reading_ease,
        "Flesch-Kincaid grade": flesch_kincaid_grade,
        "SMOG": smog_index,
    }


# Higher = easier for coach and Flesch Reading Ease; the grade formulas run the other way.
EASIER_IS_HIGHER = {"coach clarity": True, "Flesch Reading Ease": True, "Flesch-Kincaid grade": False, "SMOG": False}


def first_sentence(text: str) -> str:
    """The first sentence of three or more words (an opening "Ah!" is not a sentence to score)."""
    tokens = words(text)
    found = sentences(text, tokens, lexicon("en").abbreviations)
    s = next((s for s in found if s.size >= 3), found[0])
    end = s.end
    while end < len(text) and text[end] in ".!?…\"'”’)":
        end += 1
    return text[s.start : end]


def clear(fns: dict[str, Callable[[str], float]]) -> list[tuple[str, str, float, float]]:
    path = DATA / "clear_corpus-nc" / "CLEAR_corpus_final.csv.gz"
    with gzip.open(path, "rb") as raw:
        rows = list(csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8")))
    ease = np.array([float(r["BT_easiness"]) for r in rows])
    out = []
    for unit, pick in (("excerpt", lambda t: t), ("first sentence", first_sentence)):
        texts = [pick(r["Excerpt"]) for r in rows]
        for name, fn in fns.items():
            values = np.array([fn(t) for t in texts], dtype=float)
            out.append((unit, name, pearsonr(values, ease)[0], spearmanr(values, ease)[0]))
    return out


def onestop(fns: dict[str, Callable[[str], float]]) -> list[tuple[str, float, float, int, int]]:
    folder = DATA / "onestopenglish"
    with gzip.open(folder / "texts.jsonl.gz", "rt", encoding="utf-8") as f:
        texts = [json.loads(line) for line in f]
    articles: dict[str, dict[str, str]] = {}
    for t in texts:
        articles.setdefault(t["title"], {})[t["level"]] = t["text"]
    complete = [a for a in articles.values() if len(a) == 3]
    pairs = []
    for name in ("ADV-ELE", "ADV-INT", "ELE-INT"):
        first, second = (LEVELS[x.lower()] for x in name.split("-"))
        with gzip.open(folder / f"sentence_aligned_{name}.txt.gz", "rt", encoding="utf-8") as f:
            for block in f.read().split("*******"):
                lines = [line for line in block.strip("\n").split("\n") if line.strip()]
                if len(lines) == 2:
                    pairs.append((first, lines[0], second, lines[1]))
    out = []
    for name, fn in fns.items():
        sign = 1 if EASIER_IS_HIGHER[name] else -1
        ordered = 0
        for a in complete:
            e, i, d = (sign * fn(a[k]) for k in ("ele", "int", "adv"))
            ordered += e > i > d
        correct = 0.0
        for la, ta, lb, tb in pairs:
            va, vb = sign * fn(ta), sign * fn(tb)
            if va == vb:
                correct += 0.5
            else:
                correct += (va > vb) == (la < lb)
        out.append((name, ordered / len(complete), correct / len(pairs), len(complete), len(pairs)))
    return out


def main() -> int:
    if not (DATA / "clear_corpus-nc").is_dir() or not (DATA / "onestopenglish").is_dir():
        print(f"clarity_eval: data not found under {DATA}; nothing to do.")
        return 0
    fns = measures()
    started = time.perf_counter()
    print("CLEAR corpus: correlation with teachers' ease (BT_easiness), 4,724 excerpts")
    print(f"{'unit':<16} {'measure':<22} {'Pearson r':>10} {'Spearman':>10} {'|r|':>6}")
    for unit, name, r, rho in clear(fns):
        print(f"{unit:<16} {name:<22} {r:>10.3f} {rho:>10.3f} {abs(r):>6.3f}")
    print()
    print("OneStopEnglish: articles in order (ele > int > adv) and aligned sentence pairs (simpler one clearer)")
    print(f"{'measure':<22} {'ordered':>8} {'pairs':>8}")
    rows = onestop(fns)
    for name, ordered, pairs, _, _ in rows:
        print(f"{name:<22} {ordered:>8.3f} {pairs:>8.3f}")
    print(f"({rows[0][3]} articles, {rows[0][4]} pairs; ties count half)")
    print(f"\n{time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
