"""Rebuild the ``weights`` and ``scale`` constants of coach/lang/en/clarity_score.json.

    python training/clarity/calibrate.py            # prints the constants and out-of-fold figures
    python training/clarity/calibrate.py --write    # and writes them

Data are OneStopEnglish (the same 189 news articles at three levels, CC BY-SA 4.0; only the fitted
numbers are kept, no text) and the Harper Valley *train* calls (Apache-2.0), read from ../shared/data
beside the repository. CLEAR is never read here (evaluation only: benchmarks/clarity_eval.py).

- ``weights``: a logistic regression (no intercept, L2 with C = 1 on standardised measures, weights
  kept ≥ 0 so a plain text stays at difficulty 0 and no measure makes a text read easier) on the
  differences of the five measures between the harder and the simpler text of each pair: the 5,994
  aligned sentence pairs (weight 1 each) and, per article, its three level pairs (weight 5 each, so
  whole texts count too). The issue penalties are not fitted (set by hand). The weights are then
  scaled so that the median OneStopEnglish text keeps the difficulty it had under the previous
  formula (standardised rarity plus standardised sentence length), so the hand-set penalties keep
  their size next to the midpoint.
- ``midpoint`` (score 50) is the median difficulty of the 567 OneStopEnglish texts; ``shape`` makes
  the median agent turn of the Harper Valley train calls (6+ words) score 90.
- Printed too: ten-fold cross-validation grouped by article (the weights refitted without the
  held-out articles): share of held-out articles ordered elementary > intermediate > advanced and
  accuracy on their aligned sentence pairs, the figures to quote for OneStopEnglish.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import re
import statistics
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit

from coach.clarity.scorer import WORD_PARTS, ClarityScorer, _skipped

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data"
TARGET = ROOT / "coach" / "lang" / "en" / "clarity_score.json"
MEASURES = (*WORD_PARTS, "sentence_length", "longest_sentence")
LEVELS = {"ele": 0, "int": 1, "adv": 2}
ARTICLE_WEIGHT = 5.0
C = 1.0  # inverse strength of the L2 penalty, on standardised measures
FOLDS = 10


def measures(scorer: ClarityScorer, text: str) -> list[float]:
    """The five measures of ``text`` (``MEASURES``) and its issue penalty, as the scorer computes them."""
    p = scorer._parse(text)
    count = len(p.tokens) - len(p.fillers)
    skip = _skipped(p)
    sums = np.zeros(len(WORD_PARTS))
    for i, (word, low) in enumerate(zip(p.texts, p.lows, strict=True)):
        if i not in skip:
            sums += scorer._word_parts(word, low)
    words = sums / (count + scorer._lex.score["words"]["prior_words"])
    return [*words, *scorer._lengths(p), scorer._penalty(scorer._issues(p, frozenset()), count)]


def _onestop() -> tuple[list[tuple[int, int, str]], list[tuple[int, int, str, int, str]]]:
    """Texts as (article, level, text) and aligned pairs as (article, level, text, level, text).

    The aligned files do not name the article: a pair goes to the article whose text contains its
    first sentence, else to the article of the pair before it (the files follow article order; the
    opening pairs of a file before any match go to its first matched article).
    """
    with gzip.open(DATA / "onestopenglish" / "texts.jsonl.gz", "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    article = {title: i for i, title in enumerate(sorted({r["title"] for r in rows}))}
    texts = [(article[r["title"]], LEVELS[r["level"]], r["text"]) for r in rows]
    flat = lambda s: re.sub(r"\s+", " ", s).strip()  # noqa: E731
    haystack = [(a, lv, flat(t)) for a, lv, t in texts]
    pairs = []
    for name in ("ADV-ELE", "ADV-INT", "ELE-INT"):
        first, second = (LEVELS[x.lower()] for x in name.split("-"))
        current, block_pairs = -1, []
        with gzip.open(DATA / "onestopenglish" / f"sentence_aligned_{name}.txt.gz", "rt", encoding="utf-8") as f:
            for block in f.read().split("*******"):
                lines = [line for line in block.strip("\n").split("\n") if line.strip()]
                if len(lines) != 2:
                    continue
                needle = flat(lines[0])
                found = sorted({a for a, lv, t in haystack if lv == first and needle in t})
                current = found[0] if len(found) == 1 else current
                block_pairs.append([current, first, lines[0], second, lines[1]])
        opening = next(p[0] for p in block_pairs if p[0] >= 0)
        pairs += [(p[0] if p[0] >= 0 else opening, *p[1:]) for p in block_pairs]
    return texts, pairs


def _agent_turns() -> list[str]:
    train = set(json.loads((DATA / "harper_valley" / "split.json").read_text())["train"])
    agent = []
    with gzip.open(DATA / "harper_valley" / "calls.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            call = json.loads(line)
            if call["id"] in train:
                agent += [s["human_transcript"] for s in call["segments"] if s["speaker_role"] == "agent" and len(s["human_transcript"].split()) >= 6]
    return agent


class _Data:
    """Measures of the OneStopEnglish texts and aligned pairs (harder side first), with articles."""

    def __init__(self, scorer: ClarityScorer) -> None:
        texts, pairs = _onestop()
        self.article = np.array([a for a, _, _ in texts])
        self.level = np.array([lv for _, lv, _ in texts])
        self.x = np.array([measures(scorer, t) for _, _, t in texts])
        self.pair_article = np.array([a for a, *_ in pairs])
        rows = [(measures(scorer, ta), measures(scorer, tb)) if la > lb else (measures(scorer, tb), measures(scorer, ta)) for _, la, ta, lb, tb in pairs]
        self.hard = np.array([h for h, _ in rows])
        self.easy = np.array([e for _, e in rows])

    def levels(self, articles: np.ndarray) -> dict[int, dict[int, int]]:
        """Row of each level of each article in ``articles`` that has all three."""
        out: dict[int, dict[int, int]] = {}
        for i in np.where(np.isin(self.article, articles))[0]:
            out.setdefault(int(self.article[i]), {})[int(self.level[i])] = i
        return {a: rows for a, rows in out.items() if len(rows) == 3}


def fit(data: _Data, articles: np.ndarray) -> np.ndarray:
    """Weights of the five measures, fitted on the pairs of ``articles`` (see the module docstring)."""
    n = len(MEASURES)
    in_pairs = np.isin(data.pair_article, articles)
    sentence = data.hard[in_pairs, :n] - data.easy[in_pairs, :n]
    text = np.array([data.x[rows[hi], :n] - data.x[rows[lo], :n] for rows in data.levels(articles).values() for hi, lo in ((1, 0), (2, 1), (2, 0))])
    own = data.x[np.isin(data.article, articles)]
    sd = own[:, :n].std(axis=0)
    x = np.vstack([sentence, text]) / sd
    w = np.r_[np.ones(len(sentence)), np.full(len(text), ARTICLE_WEIGHT)]
    w = 2 * w / w.mean()  # each difference and its mirror image (label 0), as in an ordinary logistic fit

    def loss(beta: np.ndarray) -> tuple[float, np.ndarray]:
        margin = x @ beta
        value = float(w @ np.logaddexp(0.0, -margin)) + 0.5 * float(beta @ beta) / C
        return value, -(x.T @ (w * expit(-margin))) + beta / C

    found = minimize(loss, np.ones(n), jac=True, method="L-BFGS-B", bounds=[(0.0, None)] * n)
    weights = found.x / sd
    # The previous score's median text: rarity and sentence length standardised and added.
    rarity, length = own[:, MEASURES.index("rarity")], own[:, MEASURES.index("sentence_length")]
    reference = np.median(rarity / rarity.std() + length / length.std())
    return weights * reference / np.median(own[:, :n] @ weights)


def difficulty(x: np.ndarray, weights: np.ndarray) -> np.ndarray:
    return np.maximum(x[:, : len(weights)] @ weights + x[:, len(weights)], 0.0)


def cross_validate(data: _Data) -> tuple[float, float]:
    """Out-of-fold (articles ordered, pair accuracy), folds grouped by article."""
    articles = np.unique(data.article)
    shuffled = np.random.default_rng(0).permutation(articles)
    ordered = total = 0
    correct = 0.0
    for k in range(FOLDS):
        held = shuffled[k::FOLDS]
        weights = fit(data, np.setdiff1d(articles, held))
        d = difficulty(data.x, weights)
        for rows in data.levels(held).values():
            total += 1
            ordered += d[rows[0]] < d[rows[1]] < d[rows[2]]
        mask = np.isin(data.pair_article, held)
        hard, easy = difficulty(data.hard[mask], weights), difficulty(data.easy[mask], weights)
        correct += float(np.sum(np.where(hard == easy, 0.5, hard > easy)))
    return ordered / total, correct / len(data.pair_article)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    scorer = ClarityScorer("en")
    data = _Data(scorer)
    ordered, pairs = cross_validate(data)
    weights = np.array([float(f"{w:.4g}") for w in fit(data, np.unique(data.article))])
    midpoint = float(np.median(difficulty(data.x, weights)))
    plain = statistics.median(difficulty(np.array([measures(scorer, t) for t in _agent_turns()]), weights))
    # 100 / (1 + (plain / midpoint) ** shape) = 90  ⇔  shape = ln(1/9) / ln(plain / midpoint)
    shape = math.log(1 / 9) / math.log(plain / midpoint)
    constants = {"weights": dict(zip(MEASURES, weights.tolist(), strict=True)), "scale": {"midpoint": round(midpoint, 3), "shape": round(shape, 3)}}
    print(json.dumps(constants))
    print(f"OneStopEnglish, {FOLDS}-fold by article, out of fold: articles ordered {ordered:.3f}, sentence pairs {pairs:.3f}")
    print(f"({len(data.x)} texts, {len(data.hard)} aligned pairs; Harper Valley train agent turns for the shape)")
    if args.write:
        target = json.loads(TARGET.read_text(encoding="utf-8"))
        target.update(constants)
        TARGET.write_text(json.dumps(target, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
