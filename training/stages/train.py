"""Rebuild the stage model ``coach/models/stages.joblib`` and its sidecar ``stages.json``.

Usage (from the repository root)::

    python training/stages/train.py            # train, cross-validate, write both files
    python training/stages/train.py --check    # train again and fail unless the files are identical

Reads every ``training/stages/turns/*.jsonl`` (README.md there says where each row came from),
computes ``coach.stages.features.counts`` for each agent turn, and fits a
``Pipeline(DictVectorizer, OneVsRestClassifier(LogisticRegression))`` — one column per stage.

Everything is chosen by cross-validation on this training set only, leaving one writer out at a
time (``author``: each written batch's author, and the real calls together), because a model is
used on turns nobody in its training set wrote: folds that mix every writer's turns scored F1
0.91–0.99 while a held-out set by another writer scored 0.73–0.82. Chosen so: the
character n-gram range, the regularisation ``C`` and class weighting (best mean F1 over stages),
then per stage the logit offset that maximises the F1 of the combined verdict (model plus cues, as
``coach.stages.base.verdict`` combines them), and for ``confirm`` the gate and policy for consulting
the paraphraser. The development set and every evaluation-only corpus are never read here.
The same files give the same artifact, byte for byte.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import itertools
import json
import math
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from coach import __version__  # noqa: E402
from coach.config import DEFAULT  # noqa: E402
from coach.report import STAGES  # noqa: E402
from coach.stages._text import normalizer  # noqa: E402
from coach.stages.base import Assessment  # noqa: E402
from coach.stages.confirm import settle  # noqa: E402
from coach.stages.cues import cue_matcher, weights  # noqa: E402
from coach.stages.features import FEATURES_VERSION, Heard, counts, heard  # noqa: E402

TURNS = ROOT / "training" / "stages" / "turns"
OUT = ROOT / "coach" / "models"
NAME = "stages"
LANG = "en"
SEED = 20240611
#: Writers by id prefix (README.md); the first author wrote the ``w-`` and ``wm-`` rows.
AUTHORS = {"w": "author1", "wm": "author1", "w2": "author2", "w3": "author3", "md": "real", "hv": "real"}
COMMAND = "python training/stages/train.py"
COACH_RANGE = ">=0.1,<0.2"

GRID_NGRAMS = ((3, 4), (3, 5))
GRID_C = (0.5, 1.0, 2.0, 4.0)
GRID_WEIGHT = ("balanced",)
CONFIRM_GATES = (0.3, 0.4, 0.5)
CONFIRM_UNMATCHED = ("keep", "hold")


def read_rows() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Every training row (files sorted by name, rows in file order) and the data's fingerprint."""
    rows: list[dict[str, Any]] = []
    digest = hashlib.sha256()
    files = {}
    for path in sorted(TURNS.glob("*.jsonl")):
        raw = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + raw + b"\0")
        files[path.name] = hashlib.sha256(raw).hexdigest()
        for line_no, line in enumerate(raw.decode("utf-8").splitlines(), 1):
            if not line.strip():
                continue
            row = json.loads(line)
            unknown = set(row["labels"]) - set(STAGES)
            if unknown:
                raise SystemExit(f"{path.name}:{line_no}: unknown labels {sorted(unknown)}")
            rows.append(row)
    if not rows:
        raise SystemExit(f"no training rows in {TURNS}")
    return rows, {"sha256": digest.hexdigest(), "rows": len(rows), "files": files}


def prepare(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per row: normalised words, rule verdicts, what was heard before, and labels as 0/1 per stage."""
    norm = normalizer(LANG)
    matcher = cue_matcher(LANG, DEFAULT)
    out = []
    for row in rows:
        words = norm(row["text"])
        context = norm(row.get("context") or "")
        out.append(
            {
                "text": row["text"],
                "context": row.get("context") or "",
                "words": words,
                "cues": matcher(words),
                "heard": heard(context, LANG) if context.words else Heard(),
                "y": [int(s in row["labels"]) for s in STAGES],
            }
        )
    return out


def design(items: list[dict[str, Any]], ngrams: tuple[int, int]) -> list[dict[str, float]]:
    return [counts(it["words"], it["cues"], it["heard"], LANG, ngrams) for it in items]


def pipeline(c: float, class_weight: str | None):
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import Pipeline

    return Pipeline(
        [
            ("features", DictVectorizer(sort=True)),
            (
                "classifier",
                OneVsRestClassifier(
                    LogisticRegression(C=c, class_weight=class_weight, solver="lbfgs", max_iter=5000)
                ),
            ),
        ]
    )


def author(row: dict[str, Any]) -> str:
    """Who wrote (or, for real calls, said) a training row, from its id prefix."""
    prefix = row["id"].split("-", 1)[0]
    if prefix not in AUTHORS:
        raise SystemExit(f"{row['id']}: unknown id prefix {prefix!r}; add it to AUTHORS in {Path(__file__).name}")
    return AUTHORS[prefix]


def folds(groups: list[str]) -> list[tuple[list[int], list[int]]]:
    """One fold per writer: train on everyone else's rows, test on theirs (sorted by writer)."""
    return [
        ([i for i, g in enumerate(groups) if g != held], [i for i, g in enumerate(groups) if g == held])
        for held in sorted(set(groups))
    ]


def out_of_fold(x: list[dict[str, float]], y: list[list[int]], groups: list[str], c: float, weight: str | None) -> list[list[float]]:
    """Cross-validated decision values (one list of stage logits per row), each writer's rows
    scored by a model trained without them."""
    import numpy as np

    z = np.zeros((len(x), len(STAGES)))
    for train, test in folds(groups):
        model = pipeline(c, weight).fit([x[i] for i in train], np.array([y[i] for i in train]))
        z[test] = model.decision_function([x[i] for i in test])
    return z.tolist()


def f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score(pred: list[bool], gold: list[int]) -> tuple[float, float, float]:
    tp = sum(1 for p, g in zip(pred, gold, strict=True) if p and g)
    fp = sum(1 for p, g in zip(pred, gold, strict=True) if p and not g)
    fn = sum(1 for p, g in zip(pred, gold, strict=True) if not p and g)
    return f1(tp, fp, fn)


def best_offset(z: list[float], gold: list[int], forced: list[bool], blocked: list[bool]) -> tuple[float, float]:
    """The logit offset maximising F1 of ``(z >= offset or forced) and not blocked``; ties → higher offset."""
    candidates = sorted(set(z))
    mids = [(a + b) / 2 for a, b in itertools.pairwise(candidates)] or [0.0]
    best = (-1.0, 0.0)
    for off in mids:
        pred = [(zi >= off or f) and not b for zi, f, b in zip(z, forced, blocked, strict=True)]
        f = score(pred, gold)[2]
        if f > best[0] or (f == best[0] and off > best[1]):
            best = (f, off)
    return best[1], best[0]


def sigmoid(x: float) -> float:
    return 0.0 if x < -40 else 1.0 / (1.0 + math.exp(-x))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail unless a rebuild gives the committed files")
    args = parser.parse_args(argv)

    import joblib
    import numpy as np
    import sklearn

    rows, data = read_rows()
    items = prepare(rows)
    y = [it["y"] for it in items]
    groups = [author(row) for row in rows]
    cap, strong = weights(LANG)["counter_cap"], weights(LANG)["strong"]
    # The combined verdict's rule part (coach.stages.base.verdict): a strong cue forces the stage,
    # a counter-cue/veto or silence-so-far holds it down.
    forced = [[it["cues"].get(s) is not None and it["cues"][s].strong for s in STAGES] for it in items]
    blocked = [
        [
            (it["cues"].get(s) is not None and it["cues"][s].capped) or (s != "follow_up" and not it["heard"].anything)
            for s in STAGES
        ]
        for it in items
    ]

    # 1. Model settings: best mean (over stages) of the model-alone F1 at its best threshold.
    search = []
    for ngrams in GRID_NGRAMS:
        x = design(items, ngrams)
        for c in GRID_C:
            for weight in GRID_WEIGHT:
                z = out_of_fold(x, y, groups, c, weight)
                per = [
                    best_offset([r[k] for r in z], [g[k] for g in y], [False] * len(z), [False] * len(z))[1]
                    for k in range(len(STAGES))
                ]
                search.append({"char_ngrams": list(ngrams), "C": c, "class_weight": weight, "mean_f1": round(sum(per) / len(per), 4)})
                print(f"  ngrams={ngrams} C={c} weight={weight}: mean F1 {search[-1]['mean_f1']:.3f}", file=sys.stderr)
    chosen = max(search, key=lambda s: s["mean_f1"])  # first of equals: grid order is the tie-break
    ngrams = tuple(chosen["char_ngrams"])
    x = design(items, ngrams)
    z = out_of_fold(x, y, groups, chosen["C"], chosen["class_weight"])

    # 2. Per stage: the offset that makes 0.5 the best threshold of the combined verdict.
    offsets, cv = {}, {}
    for k, stage in enumerate(STAGES):
        zs, gold = [r[k] for r in z], [g[k] for g in y]
        fk, bk = [f[k] for f in forced], [b[k] for b in blocked]
        off, _ = best_offset(zs, gold, fk, bk)
        model_off, _ = best_offset(zs, gold, [False] * len(zs), [False] * len(zs))
        offsets[stage] = round(off, 6)
        rules = [f and not b for f, b in zip(fk, bk, strict=True)]
        combined = [(zi >= off or f) and not b for zi, f, b in zip(zs, fk, bk, strict=True)]
        model_only = [zi >= model_off for zi in zs]
        cv[stage] = {
            "positives": sum(gold),
            **{name: dict(zip(("precision", "recall", "f1"), (round(v, 4) for v in score(pred, gold)), strict=True))
               for name, pred in (("rules", rules), ("model", model_only), ("combined", combined))},
        }

    # 3. confirm: when to consult the paraphraser, and what to do when it finds no restatement.
    from coach.paraphrase import Paraphraser

    paraphraser = Paraphraser(LANG)
    k = STAGES.index("confirm")
    conf = []
    for i in range(len(items)):
        p = sigmoid(z[i][k] - offsets["confirm"])
        c = max(p, strong) if forced[i][k] else p
        conf.append(min(c, cap) if blocked[i][k] else c)
    matches = {}
    for i, it in enumerate(items):
        if conf[i] >= min(CONFIRM_GATES) and it["context"].strip():
            matches[i] = paraphraser.match(it["text"], [(0, it["context"])])
    gold = [g[k] for g in y]
    options = []
    for gate in CONFIRM_GATES:
        for unmatched in CONFIRM_UNMATCHED:
            pred = []
            for i in range(len(items)):
                c = conf[i]
                if c >= gate and i in matches:
                    c = settle(Assessment("confirm", 0.0, 0.0, c), matches[i], cap, unmatched).confidence
                pred.append(c >= 0.5)
            p_, r_, f_ = score(pred, gold)
            options.append((round(f_, 4), gate, unmatched == "keep", {"gate": gate, "unmatched": unmatched,
                            "precision": round(p_, 4), "recall": round(r_, 4), "f1": round(f_, 4)}))
    # Within 0.005 F1 of the best, the highest gate wins (then "keep"): the paraphraser costs far
    # more per turn than the rest of stage detection, so it should run on as few turns as possible.
    top = max(o[0] for o in options)
    policy = max((o for o in options if o[0] >= top - 0.005), key=lambda o: o[1:3])[3]
    cv["confirm"]["combined_with_paraphraser"] = {k2: policy[k2] for k2 in ("precision", "recall", "f1")}

    # 4. Final fit on every row; write the artifact, then its sidecar.
    final = pipeline(chosen["C"], chosen["class_weight"]).fit(x, np.array(y))
    buffer = io.BytesIO()
    joblib.dump(final, buffer, compress=3)
    blob = buffer.getvalue()
    meta = {
        "name": NAME,
        "version": f"{__version__}+{data['sha256'][:8]}",
        "coach": COACH_RANGE,
        "sklearn": sklearn.__version__,
        "sha256": hashlib.sha256(blob).hexdigest(),
        "training_data": data,
        "command": COMMAND,
        "classes": list(STAGES),
        "features": {"version": FEATURES_VERSION, "char_ngrams": list(ngrams)},
        "params": {"C": chosen["C"], "class_weight": chosen["class_weight"], "solver": "lbfgs", "seed": SEED},
        "offsets": offsets,
        "confirm": {"gate": policy["gate"], "unmatched": policy["unmatched"]},
        "cv": {"folds": "one per writer", "writers": dict(sorted(Counter(groups).items())), "seed": SEED, "search": search, "per_stage": cv,
               "note": "out-of-fold scores on the training set, each writer's turns scored by a model trained without them; rules = strong cues, model = model alone at its own best threshold, combined = as the engine decides"},
    }
    text = json.dumps(meta, indent=1, sort_keys=False) + "\n"
    artifact, sidecar = OUT / f"{NAME}.joblib", OUT / f"{NAME}.json"
    if args.check:
        same = artifact.is_file() and artifact.read_bytes() == blob and sidecar.read_text(encoding="utf-8") == text
        print("identical" if same else "DIFFERENT from the committed model", file=sys.stderr)
        return 0 if same else 1
    artifact.write_bytes(blob)
    sidecar.write_text(text, encoding="utf-8")
    for stage in STAGES:
        s = cv[stage]
        print(f"{stage:10} rules F1 {s['rules']['f1']:.3f}  model F1 {s['model']['f1']:.3f}  combined F1 {s['combined']['f1']:.3f}")
    print(f"confirm with paraphraser: {policy}")
    print(f"wrote {artifact} ({len(blob)} bytes) and {sidecar}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
