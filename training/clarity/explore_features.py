"""Candidate difficulty measures for the clarity score, compared on OneStopEnglish only.

    python training/clarity/explore_features.py    # ~3 min: the out-of-fold table, the chosen set, its weights

Each candidate is a set of per-text measures (the ``MEASURES`` below, all ≥ 0 and meant to grow with
difficulty) fitted exactly as ``calibrate.py`` fits the scorer's five: a logistic regression (no
intercept, weights ≥ 0, L2 with inverse strength ``C`` on standardised measures) on which side of each
aligned sentence pair (weight 1) and of each article's level pairs (weight 5) is harder; weights then
scaled so the median text keeps the earlier formula's difficulty, and the hand-set issue penalties
added. Ten folds grouped by article (the folds of ``calibrate.py``); every figure is out of fold:

- ``ordered``: share of held-out articles with difficulty elementary < intermediate < advanced;
- ``pairs``: accuracy on the held-out aligned sentence pairs (a tie counts half);
- ``logloss``: mean pairwise log-loss on those pairs, of P(harder side harder) = σ(ΔD / k), where
  ``k`` is the factor the fold's weights were scaled by (so ΔD / k is the fitted model's margin);
- ``sent_auc``: across articles, the chance that a held-out advanced sentence is harder than a
  held-out elementary one (sentences of the aligned pairs; the nearest OneStopEnglish stand-in for
  ranking unrelated sentence-sized texts);
- ``text_rho``: Spearman correlation of held-out texts' difficulty with their level, across articles.

Selection rule, written before any candidate's figures were seen:

1. Eligible: ``ordered`` ≥ 0.95, ``pairs`` ≥ 0.80, and ``sent_auc`` at least the current five
   measures' (C = 1) minus 0.005, so a set cannot win by spotting rewrites while ranking unrelated
   sentences worse.
2. Best: the lowest ``logloss`` among eligible candidates (feature set × C ∈ {0.1, 1, 10}).
3. Chosen: among eligible candidates whose ``logloss`` is within max(0.002, one standard error of
   the difference to the best, pairs clustered by article) of the best, the one with the fewest
   measures; ties go to the lower ``logloss``.

CLEAR is never read here (it is evaluation only). Only numbers are printed, no text.
"""

from __future__ import annotations

import json
import math
import re
import statistics
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit
from scipy.stats import rankdata, spearmanr

from coach.clarity._checks import Parsed, looks_like_acronym
from coach.clarity._text import syllables
from coach.clarity.scorer import ClarityScorer, _skipped

sys.path.insert(0, str(Path(__file__).resolve().parent))
import calibrate

# --- the candidate measures, as plain functions over coach's parse --------------------------------

# Words that open a subordinate or relative clause (one clause marker each; "that" counts whatever it is).
SUBORDINATORS = frozenset(
    [
        "which",
        "who",
        "whom",
        "whose",
        "that",
        "although",
        "though",
        "because",
        "whereas",
        "unless",
        "whether",
        "while",
        "since",
        "if",
        "until",
        "after",
        "before",
        "when",
        "where",
    ]
)
_CLAUSE_MARKS = re.compile(r"[,;:—–()]")
_QUOTED = re.compile(r"\"[^\"\n]*\"|“[^”\n]*”")
TTR_WINDOW = 25


def word_zipf(scorer: ClarityScorer, text: str, low: str) -> float | None:
    """Zipf frequency as the scorer reads it (chat abbreviations as what they stand for);
    ``None`` for acronyms and numbers, which the scorer judges as issues or leaves out."""
    lex = scorer._lex
    if looks_like_acronym(text) or (not low.isalpha() and any(c.isdigit() for c in low)):
        return None
    expansion = lex.chat.get(low)
    return min(lex.zipf(w) for w in expansion.lower().split()) if expansion else lex.zipf(low)


def word_measures(scorer: ClarityScorer, text: str, low: str) -> dict[str, float]:
    """The per-word measures of one word (each text-level word measure is their mean)."""
    zipf = word_zipf(scorer, text, low)
    if zipf is None:
        return dict.fromkeys(WORD_MEASURES, 0.0)
    settings = scorer._lex.score["words"]
    letters = sum(c.isalpha() for c in low)
    syl = syllables(low, scorer._lex.syllables)
    return {
        "rarity": min(max(settings["common_zipf"] - zipf, 0.0), settings["span"]),  # the shipped three
        "rare_words": float(zipf < settings["rare_zipf"]),
        "long_words": float(max(letters - settings["short_letters"], 0)),
        "surprisal": min(max(7.5 - zipf, 0.0), 6.0),  # −log10 frequency, from "the" (7.7) to a cap at 1.5
        "below_5": float(zipf < 5.0),  # outside the few thousand commonest words
        "below_3": float(zipf < 3.0),  # rarer than once per million words
        "extra_syllables": float(max(syl - 1, 0)),
        "polysyllables": float(syl >= 3),
        "letters": float(letters),
        "content_words": float(low not in scorer._lex.function_words),
    }


WORD_MEASURES = (
    "rarity", "rare_words", "long_words", "surprisal", "below_5", "below_3",
    "extra_syllables", "polysyllables", "letters", "content_words",
)  # fmt: skip


def sentence_sizes(p: Parsed) -> list[int]:
    """Word count of each sentence, fillers left out (as the scorer's ``_lengths``)."""
    if p.fillers:
        return [n for n in (sum(1 for i in range(s.first, s.last) if i not in p.fillers) for s in p.sentences) if n]
    return [s.last - s.first for s in p.sentences]


def text_measures(scorer: ClarityScorer, text: str) -> dict[str, float]:
    """Every candidate measure of ``text`` (all ≥ 0, higher = harder) and its issue penalty."""
    p = scorer._parse(text)
    count = len(p.texts) - len(p.fillers)
    skip = _skipped(p)
    sums = dict.fromkeys(WORD_MEASURES, 0.0)
    kept = []
    for i, (word, low) in enumerate(zip(p.texts, p.lows, strict=True)):
        if i in skip:
            continue  # names and allowed terms read as common words; fillers are not words
        kept.append(low)
        for name, value in word_measures(scorer, word, low).items():
            sums[name] += value
    prior = count + scorer._lex.score["words"]["prior_words"]
    out = {name: value / prior for name, value in sums.items()}
    sizes = sentence_sizes(p)
    mean_length, longest = scorer._lengths(p)
    spans = [p.text[s.start : s.end] for s in p.sentences]
    quoted = [(m.start(), m.end()) for m in _QUOTED.finditer(p.text)]
    in_quotes = sum(1 for start in p.starts if any(a <= start < b for a, b in quoted))
    out |= {
        "sentence_length": mean_length,  # ln(max(mean, 6) / 6), the shipped two
        "longest_sentence": longest,
        "log_length": math.log(max(sum(sizes) / len(sizes), 1.0)) if sizes else 0.0,  # no floor
        "clause_marks": math.log1p(sum(len(_CLAUSE_MARKS.findall(s)) for s in spans) / len(spans)) if spans else 0.0,
        "subordinators": math.log1p(sum(1 for w in p.lows if w in SUBORDINATORS) / len(spans)) if spans else 0.0,
        "narration": 1.0 - in_quotes / len(p.texts) if p.texts else 0.0,  # share of words outside quotes
        "ttr": moving_ttr(kept),
        "penalty": scorer._penalty(scorer._issues(p, frozenset()), count) if count > 0 else 0.0,
    }
    return out


def moving_ttr(lows: Sequence[str]) -> float:
    """Type-token ratio averaged over windows of ``TTR_WINDOW`` words (plain TTR for shorter texts)."""
    n = len(lows)
    if n == 0:
        return 0.0
    if n <= TTR_WINDOW:
        return len(set(lows)) / n
    counts: dict[str, int] = {}
    for w in lows[:TTR_WINDOW]:
        counts[w] = counts.get(w, 0) + 1
    total = len(counts)
    for i in range(TTR_WINDOW, n):
        counts[lows[i]] = counts.get(lows[i], 0) + 1
        old = lows[i - TTR_WINDOW]
        counts[old] -= 1
        if not counts[old]:
            del counts[old]
        total += len(counts)
    return total / (n - TTR_WINDOW + 1) / TTR_WINDOW


MEASURES = (
    *WORD_MEASURES, "sentence_length", "longest_sentence", "log_length",
    "clause_marks", "subordinators", "narration", "ttr",
)  # fmt: skip
SHIPPED = ("rarity", "rare_words", "long_words", "sentence_length", "longest_sentence")

# Candidate sets, fixed before any figure was seen; "forward" is grown greedily (see ``forward``).
CANDIDATES: dict[str, tuple[str, ...]] = {
    "shipped": SHIPPED,
    "+surprisal": (*SHIPPED, "surprisal"),
    "surprisal+lengths": ("surprisal", "sentence_length", "longest_sentence"),
    "+bands": (*SHIPPED, "below_5", "below_3"),
    "+syllables": (*SHIPPED, "extra_syllables", "polysyllables"),
    "+letters": (*SHIPPED, "letters"),
    "+clauses": (*SHIPPED, "clause_marks", "subordinators"),
    "+content": (*SHIPPED, "content_words"),
    "+narration": (*SHIPPED, "narration"),
    "+ttr": (*SHIPPED, "ttr"),
    "log_length": ("rarity", "rare_words", "long_words", "log_length", "longest_sentence"),
    "all": MEASURES,
}
CS = (0.1, 1.0, 10.0)

# --- data and fit ---------------------------------------------------------------------------------


class Data:
    """All measures of the OneStopEnglish texts and of both sides of each aligned pair."""

    def __init__(self, scorer: ClarityScorer) -> None:
        texts, pairs = calibrate._onestop()
        cache: dict[str, list[float]] = {}

        def row(text: str) -> list[float]:
            if text not in cache:
                m = text_measures(scorer, text)
                cache[text] = [m[name] for name in (*MEASURES, "penalty")]
            return cache[text]

        self.article = np.array([a for a, _, _ in texts])
        self.level = np.array([lv for _, lv, _ in texts])
        self.x = np.array([row(t) for _, _, t in texts])
        self.pair_article = np.array([a for a, *_ in pairs])
        ordered = [(ta, tb) if la > lb else (tb, ta) for _, la, ta, lb, tb in pairs]
        self.hard = np.array([row(h) for h, _ in ordered])
        self.easy = np.array([row(e) for _, e in ordered])
        # Unique sentences of the pairs with their level and article, for the across-article AUC.
        seen = {(a, la, ta) for a, la, ta, _, _ in pairs} | {(a, lb, tb) for a, _, _, lb, tb in pairs}
        sentences = sorted(seen)
        self.sent_article = np.array([a for a, _, _ in sentences])
        self.sent_level = np.array([lv for _, lv, _ in sentences])
        self.sent_x = np.array([row(t) for _, _, t in sentences])


def columns(names: Sequence[str]) -> list[int]:
    return [MEASURES.index(n) for n in names]


PENALTY = len(MEASURES)


def fit(data: Data, articles: np.ndarray, names: Sequence[str], c: float) -> tuple[np.ndarray, float]:
    """Weights of ``names`` fitted on ``articles`` (as ``calibrate.fit``) and the factor they were scaled by."""
    cols = columns(names)
    in_pairs = np.isin(data.pair_article, articles)
    sentence = data.hard[in_pairs][:, cols] - data.easy[in_pairs][:, cols]
    levels = _levels(data, articles)
    text = np.array(
        [data.x[r[hi], cols] - data.x[r[lo], cols] for r in levels.values() for hi, lo in ((1, 0), (2, 1), (2, 0))]
    )
    own = data.x[np.isin(data.article, articles)]
    sd = own[:, cols].std(axis=0)
    sd[sd == 0] = 1.0
    x = np.vstack([sentence, text]) / sd
    w = np.r_[np.ones(len(sentence)), np.full(len(text), calibrate.ARTICLE_WEIGHT)]
    w = 2 * w / w.mean()

    def loss(beta: np.ndarray) -> tuple[float, np.ndarray]:
        margin = x @ beta
        value = float(w @ np.logaddexp(0.0, -margin)) + 0.5 * float(beta @ beta) / c
        return value, -(x.T @ (w * expit(-margin))) + beta / c

    found = minimize(loss, np.ones(len(cols)), jac=True, method="L-BFGS-B", bounds=[(0.0, None)] * len(cols))
    raw = found.x / sd
    rarity, length = own[:, MEASURES.index("rarity")], own[:, MEASURES.index("sentence_length")]
    reference = np.median(rarity / rarity.std() + length / length.std())
    scale = float(np.median(own[:, cols] @ raw))
    k = float(reference / scale) if scale > 0 else 1.0  # all weights 0 (a lone useless measure): D is the penalty
    return raw * k, k


def _levels(data: Data, articles: np.ndarray) -> dict[int, dict[int, int]]:
    out: dict[int, dict[int, int]] = {}
    for i in np.where(np.isin(data.article, articles))[0]:
        out.setdefault(int(data.article[i]), {})[int(data.level[i])] = i
    return {a: r for a, r in out.items() if len(r) == 3}


def difficulty(x: np.ndarray, names: Sequence[str], weights: np.ndarray) -> np.ndarray:
    return x[:, columns(names)] @ weights + x[:, PENALTY]


def cross_validate(data: Data, names: Sequence[str], c: float) -> dict[str, object]:
    """The out-of-fold figures of one candidate (see the module docstring)."""
    articles = np.unique(data.article)
    shuffled = np.random.default_rng(0).permutation(articles)  # the folds of calibrate.py
    ordered = total = 0
    pair_correct = np.zeros(len(data.pair_article))
    pair_loss = np.zeros(len(data.pair_article))
    text_d = np.zeros(len(data.x))
    sent_d = np.zeros(len(data.sent_x))
    for fold in range(calibrate.FOLDS):
        held = shuffled[fold :: calibrate.FOLDS]
        weights, k = fit(data, np.setdiff1d(articles, held), names, c)
        d = difficulty(data.x, names, weights)
        for r in _levels(data, held).values():
            total += 1
            ordered += d[r[0]] < d[r[1]] < d[r[2]]
        here = np.isin(data.article, held)
        text_d[here] = d[here]
        mask = np.isin(data.pair_article, held)
        hard, easy = difficulty(data.hard[mask], names, weights), difficulty(data.easy[mask], names, weights)
        pair_correct[mask] = np.where(hard == easy, 0.5, hard > easy)
        pair_loss[mask] = np.logaddexp(0.0, -(hard - easy) / k)
        here = np.isin(data.sent_article, held)
        sent_d[here] = difficulty(data.sent_x[here], names, weights)
    adv, ele = sent_d[data.sent_level == 2], sent_d[data.sent_level == 0]
    ranks = rankdata(np.r_[adv, ele])
    auc = (ranks[: len(adv)].sum() - len(adv) * (len(adv) + 1) / 2) / (len(adv) * len(ele))
    return {
        "ordered": ordered / total,
        "pairs": float(pair_correct.mean()),
        "logloss": float(pair_loss.mean()),
        "sent_auc": float(auc),
        "text_rho": float(spearmanr(text_d, data.level)[0]),
        "losses": pair_loss,
    }


def clustered_se(diff: np.ndarray, groups: np.ndarray) -> float:
    """Standard error of ``diff.mean()`` with the pairs of one article as one cluster."""
    centred = diff - diff.mean()
    sums = np.array([centred[groups == g].sum() for g in np.unique(groups)])
    return float(math.sqrt((sums**2).sum()) / len(diff))


def forward(data: Data, evaluate: Callable[[tuple[str, ...], float], dict[str, object]]) -> tuple[str, ...]:
    """Measures added one at a time, each the one that lowers the out-of-fold log-loss most (C = 1),
    until none lowers it by 0.001."""
    chosen: tuple[str, ...] = ()
    best = math.log(2.0)
    while len(chosen) < len(MEASURES):
        trials = {n: evaluate((*chosen, n), 1.0)["logloss"] for n in MEASURES if n not in chosen}
        trials = {n: v if math.isfinite(v) else math.inf for n, v in trials.items()}
        name = min(trials, key=lambda n: (trials[n], n))
        if best - trials[name] < 0.001:
            break
        chosen, best = (*chosen, name), trials[name]
    return chosen


def select(results: dict[tuple[str, float], dict[str, object]], data: Data) -> tuple[tuple[str, float], dict]:
    """The selection rule of the module docstring: the chosen key, and the margin of each close candidate."""
    floor = results[("shipped", 1.0)]["sent_auc"] - 0.005
    eligible = {
        key: r for key, r in results.items() if r["ordered"] >= 0.95 and r["pairs"] >= 0.80 and r["sent_auc"] >= floor
    }
    best = eligible[min(eligible, key=lambda key: eligible[key]["logloss"])]
    close = {}
    for key, r in eligible.items():
        margin = max(0.002, clustered_se(r["losses"] - best["losses"], data.pair_article))
        if r["logloss"] <= best["logloss"] + margin:
            close[key] = margin
    return min(close, key=lambda key: (len(SETS[key[0]]), eligible[key]["logloss"])), close


SETS: dict[str, tuple[str, ...]] = dict(CANDIDATES)


def main() -> None:
    scorer = ClarityScorer("en")
    data = Data(scorer)
    memo: dict[tuple[tuple[str, ...], float], dict[str, object]] = {}

    def evaluate(names: tuple[str, ...], c: float) -> dict[str, object]:
        if (names, c) not in memo:
            memo[names, c] = cross_validate(data, names, c)
        return memo[names, c]

    SETS["forward"] = forward(data, evaluate)
    print(f"forward: {' '.join(SETS['forward'])}")
    results = {(name, c): evaluate(names, c) for name, names in SETS.items() for c in CS}
    print(
        f"OneStopEnglish, {calibrate.FOLDS}-fold by article, out of fold ({len(data.x)} texts, {len(data.hard)} pairs)"
    )
    print(
        f"{'candidate':<18} {'n':>2} {'C':>5} {'ordered':>8} {'pairs':>6} {'logloss':>8} {'sent_auc':>8} {'text_rho':>8}"
    )
    for (name, c), r in results.items():
        print(
            f"{name:<18} {len(SETS[name]):>2} {c:>5g} {r['ordered']:>8.3f} {r['pairs']:>6.3f} {r['logloss']:>8.4f}"
            f" {r['sent_auc']:>8.3f} {r['text_rho']:>8.3f}"
        )
    (name, c), close = select(results, data)
    print(
        "eligible and within the margin of the best log-loss: "
        + ", ".join(f"{n} C={k:g} (margin {m:.4f})" for (n, k), m in close.items())
    )
    print("measures with weight > 0 when fitted on all articles (C = 1):")
    for key, names in SETS.items():
        w, _ = fit(data, np.unique(data.article), names, 1.0)
        print(f"  {key:<18} " + " ".join(f"{n}={v:.3g}" for n, v in zip(names, w, strict=True) if v > 1e-6))
    names = SETS[name]
    weights, _ = fit(data, np.unique(data.article), names, c)
    weights = np.array([float(f"{w:.4g}") for w in weights])
    midpoint = float(np.median(difficulty(data.x, names, weights)))
    turns = np.array([[text_measures(scorer, t)[m] for m in (*MEASURES, "penalty")] for t in calibrate._agent_turns()])
    plain = statistics.median(difficulty(turns, names, weights))
    shape = math.log(1 / 9) / math.log(plain / midpoint)
    chosen = {
        "candidate": name,
        "C": c,
        "weights": dict(zip(names, weights.tolist(), strict=True)),
        "scale": {"midpoint": round(midpoint, 3), "shape": round(shape, 3)},
    }
    print(f"chosen: {json.dumps(chosen)}")


if __name__ == "__main__":
    main()
