"""Confirming paraphrases: quality and speed on public data (``python benchmarks/paraphrase_eval.py``).

1. Customer statements (DSTC11 intent utterances, MultiDoGO customer turns with a task intent):
   how many get a suggestion, fact retention and perspective leaks found by an independent checker
   (written here, sharing no code with coach.paraphrase), core length, time per utterance.
2. AnnoMI (evaluation only, never used to tune): client turns followed by a therapist reflection —
   content overlap (ROUGE-1 F1 on content words) of our core with the therapist's actual reflection,
   against echo baselines; and recognition — precision/recall/F1 of ``Paraphraser.match`` for
   "this therapist turn is a reflection", against naive baselines.
3. The hand-checked table (tests/data/paraphrase_cases.jsonl): share judged correct.

Data is read from ../shared/data beside the repository; sections whose data is absent are skipped.
Options: ``--limit N`` statements per source (default: all), ``--show K`` examples to print.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import random
import re
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))

from coach.paraphrase import Paraphraser, shift_perspective  # noqa: E402

# ---------------------------------------------------------------- independent checkers
_NUMBER_WORDS = {
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
    "hundred",
    "thousand",
    "million",
    "billion",
}
_CALENDAR = {
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
}
_WORD = re.compile(r"[\w$€£@.%:/#'-]+")
_QUOTED = re.compile(r"\"[^\"]+\"|“[^”]+”")
# A clock time with its am/pm is one fact ("12 am", "9 pm", "10 a.m."): the "am" must not become "are".
_TIME = re.compile(r"(?<![\w.])\d{1,2}(?::\d\d)? ?(?:[ap]\.m\.|[ap]m)(?![\w])", re.IGNORECASE)
_FIRST_PERSON = re.compile(r"(?<![\w'])(i|me|my|mine|myself|i'm|i've|i'd|i'll|im|ive)(?![\w'])", re.IGNORECASE)
_BAD_AGREEMENT = re.compile(r"\b(you (am|was|wasn't)|we (am|was))\b", re.IGNORECASE)


def facts(text: str) -> list[str]:
    """Facts a paraphrase must keep: numbers (digits or spelled out), amounts, dates, times, IDs,
    e-mails, month and weekday names, quoted text."""
    out = [m.group() for m in _QUOTED.finditer(text)]
    rest = _QUOTED.sub(" ", text)
    out += [m.group() for m in _TIME.finditer(rest)]
    for raw in _WORD.findall(_TIME.sub(" ", rest)):
        w = raw.strip(".,:;'#-/").lower()
        parts = w.split("-")
        if (
            any(c.isdigit() for c in w)
            or "@" in w
            or w in _CALENDAR
            or (parts and all(p in _NUMBER_WORDS for p in parts))
        ):
            out.append(raw.strip(".,:;'-/"))
    return [f for f in out if f]


def retained(fact: str, text: str) -> bool:
    return re.search(r"(?<![\w])" + re.escape(fact.lower()) + r"(?![\w])", text.lower()) is not None


def leaks(core: str) -> list[str]:
    """First-person words of the customer left in the core (outside quotes), and broken agreement."""
    bare = _QUOTED.sub(" ", core)
    return [m.group() for m in _FIRST_PERSON.finditer(bare)] + [m.group() for m in _BAD_AGREEMENT.finditer(bare)]


_STOP = set(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "so",
        "to",
        "of",
        "in",
        "on",
        "at",
        "for",
        "with",
        "from",
        "by",
        "about",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "am",
        "do",
        "does",
        "did",
        "have",
        "has",
        "had",
        "i",
        "me",
        "my",
        "you",
        "your",
        "we",
        "us",
        "our",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "he",
        "she",
        "they",
        "them",
        "his",
        "her",
        "their",
        "not",
        "no",
        "yes",
        "can",
        "could",
        "would",
        "will",
        "should",
        "may",
        "might",
        "just",
        "really",
        "very",
        "um",
        "uh",
        "like",
        "know",
        "yeah",
        "okay",
        "ok",
        "oh",
        "well",
        "there",
        "here",
        "what",
        "when",
        "where",
        "why",
        "how",
        "which",
        "who",
        "if",
        "then",
        "than",
        "too",
        "also",
        "get",
        "got",
        "go",
        "going",
    ]
)


def content(text: str) -> list[str]:
    words = re.findall(r"[a-z0-9']+", text.lower())
    return [w[:-1] if w.endswith("s") and len(w) > 3 else w for w in words if w not in _STOP]


def rouge1(candidate: str, reference: str) -> float:
    """ROUGE-1 F1 over content words (bag overlap)."""
    c, r = content(candidate), content(reference)
    if not c or not r:
        return 0.0
    rc: dict[str, int] = {}
    for w in r:
        rc[w] = rc.get(w, 0) + 1
    hit = 0
    for w in c:
        if rc.get(w, 0):
            rc[w] -= 1
            hit += 1
    if not hit:
        return 0.0
    p, q = hit / len(c), hit / len(r)
    return 2 * p * q / (p + q)


# ---------------------------------------------------------------- data
_NOT_TASK = {
    "contentonly",
    "confirmation",
    "openinggreeting",
    "rejection",
    "thankyou",
    "outofdomain",
    "closinggreeting",
    "",
    "intent",
}


def dstc11() -> Iterator[str]:
    folder = DATA / "dstc11_intents"
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            yield json.loads(line)["utterance"]


def multidogo() -> Iterator[str]:
    """Customer turns whose intent is a task (not greeting, yes/no, thanks, bare content), test split."""
    folder = DATA / "multidogo" / "turn_level"
    for path in sorted(folder.glob("*_test.tsv.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
                intents = set((row.get("intent") or "").split("<div>"))
                if intents - _NOT_TASK and row.get("utterance"):
                    yield row["utterance"]


def annomi() -> list[list[dict[str, str]]]:
    """AnnoMI-simple transcripts as lists of utterances in order."""
    path = DATA / "annomi" / "AnnoMI-simple.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        rows = list(csv.DictReader(io.StringIO(f.read())))
    calls: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        calls.setdefault(row["transcript_id"], []).append(row)
    for turns in calls.values():
        turns.sort(key=lambda r: int(r["utterance_id"]))
    return list(calls.values())


# ---------------------------------------------------------------- sections
def statements(name: str, texts: list[str], p: Paraphraser, show: int) -> dict[str, float]:
    suggested = states = 0
    n_facts = kept = all_kept = with_facts = 0
    leaked: list[tuple[str, str, list[str]]] = []
    lost: list[tuple[str, str, list[str]]] = []
    lengths: list[int] = []
    times: list[float] = []
    for text in texts:
        t0 = time.perf_counter()
        s = p.suggest(text, 3)
        times.append((time.perf_counter() - t0) * 1000)
        states += p.states_problem(text)
        if not s:
            continue
        suggested += 1
        top = s[0]
        lengths.append(len(top.core.split()))
        fs = facts(text)
        missing = [f for f in fs if not retained(f, top.text)]
        n_facts += len(fs)
        kept += len(fs) - len(missing)
        if fs:
            with_facts += 1
            all_kept += not missing
        if missing:
            lost.append((text, top.core, missing))
        bad = leaks(top.core)
        if bad:
            leaked.append((text, top.core, bad))
    n = len(texts)
    row = {
        "utterances": n,
        "suggested %": 100 * suggested / n,
        "states_problem %": 100 * states / n,
        "facts": n_facts,
        "fact retention %": 100 * kept / n_facts if n_facts else 100.0,
        "all facts kept %": 100 * all_kept / with_facts if with_facts else 100.0,
        "leaks": len(leaked),
        "median words": statistics.median(lengths) if lengths else 0,
        "≤30 words %": 100 * sum(x <= 30 for x in lengths) / len(lengths) if lengths else 0,
        "median ms": statistics.median(times),
        "p95 ms": sorted(times)[int(0.95 * (len(times) - 1))],
    }
    for label, items in (("lost facts", lost), ("leaks", leaked)):
        for text, core, what in items[:show]:
            print(f"  [{name} {label}] {what}\n     in:  {text[:160]}\n     out: {core[:160]}")
    return row


def annomi_eval(p: Paraphraser) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    calls = annomi()
    ours, echo, shifted = [], [], []
    gold: list[bool] = []
    preds: dict[str, list[bool]] = {
        "match": [],
        "baseline: overlap with last client turn": [],
        "baseline: starts 'so'/'you'/'it sounds'": [],
    }
    for turns in calls:
        prepared: list[tuple[int, object]] = []
        last_client: str | None = None
        for i, row in enumerate(turns):
            text = row["utterance_text"]
            if row["interlocutor"] == "client":
                prepared.append((i, p.prepare(text)))
                last_client = text
                continue
            is_reflection = row["main_therapist_behaviour"] == "reflection"
            gold.append(is_reflection)
            m = p.match(text, prepared) if prepared else None
            preds["match"].append(m is not None and not m.parroting)
            overlap = last_client is not None and bool(set(content(text)) & set(content(last_client)))
            preds["baseline: overlap with last client turn"].append(overlap)
            low = text.lower().lstrip()
            preds["baseline: starts 'so'/'you'/'it sounds'"].append(
                low.startswith(("so ", "so,", "you", "it sounds", "sounds"))
            )
            if is_reflection and last_client and i and turns[i - 1]["interlocutor"] == "client":
                s = p.suggest(last_client, 1)
                ours.append(rouge1(s[0].core if s else "", text))
                echo.append(rouge1(last_client, text))
                shifted.append(rouge1(shift_perspective(last_client), text))
    overlap = {
        "pairs": len(ours),
        "ours (core)": statistics.mean(ours),
        "echo (client words)": statistics.mean(echo),
        "echo, perspective-shifted": statistics.mean(shifted),
    }
    return overlap, {name: prf(gold, pred) for name, pred in preds.items()}


def prf(gold: list[bool], pred: list[bool]) -> dict[str, float]:
    tp = sum(g and q for g, q in zip(gold, pred, strict=True))
    fp = sum(q and not g for g, q in zip(gold, pred, strict=True))
    fn = sum(g and not q for g, q in zip(gold, pred, strict=True))
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    return {
        "n": len(gold),
        "positives": sum(gold),
        "precision": prec,
        "recall": rec,
        "F1": 2 * prec * rec / (prec + rec) if prec + rec else 0.0,
    }


def confirm_sets(p: Paraphraser) -> dict[str, dict[str, float]]:
    """``match`` as a confirm detector on the project's own labelled turns: the stage training turns
    (agent turn + the customer turn before it; rules were tuned here), the written dev dialogues
    (held out), and the written reflection table (tests/data/paraphrase_reflections.jsonl)."""
    out: dict[str, dict[str, float]] = {}
    turns = sorted((ROOT / "training" / "stages" / "turns").glob("*.jsonl"))
    if turns:
        gold, pred = [], []
        for path in turns:
            for line in path.read_text(encoding="utf-8").splitlines():
                row = json.loads(line)
                m = p.match(row["text"], [(0, row["context"])]) if row.get("context") else None
                gold.append("confirm" in row["labels"])
                pred.append(m is not None and not m.parroting)
        out["stage training turns (tuned on)"] = prf(gold, pred)
    written = ROOT / "benchmarks" / "data" / "stages_dev_written.jsonl"
    if written.is_file():
        gold, pred = [], []
        for line in written.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            customers: list[tuple[int, object]] = []
            for i, turn in enumerate(row["turns"]):
                if turn["speaker"] == "customer":
                    customers.append((i, p.prepare(turn["text"])))
                elif str(i) in row["labels"]:
                    m = p.match(turn["text"], customers) if customers else None
                    gold.append("confirm" in row["labels"][str(i)])
                    pred.append(m is not None and not m.parroting)
        out["written dev dialogues (held out)"] = prf(gold, pred)
    table = ROOT / "tests" / "data" / "paraphrase_reflections.jsonl"
    rows = [json.loads(line) for line in table.read_text(encoding="utf-8").splitlines() if line.strip()]
    gold = [r["reflection"] for r in rows]
    pred = [(lambda m: m is not None and not m.parroting)(p.match(r["agent"], [(0, r["client"])])) for r in rows]
    out["written reflection table"] = prf(gold, pred)
    return out


def table_eval(p: Paraphraser) -> tuple[int, int]:
    path = ROOT / "tests" / "data" / "paraphrase_cases.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    ok = sum(judge(p, r) for r in rows)
    return ok, len(rows)


def judge(p: Paraphraser, row: dict) -> bool:
    """Whether the top suggestion for a table row meets its hand-written criteria (shared with the tests)."""
    s = p.suggest(row["text"], 1)
    if row.get("empty"):
        return not s and not p.states_problem(row["text"])
    if not s or not p.states_problem(row["text"]):
        return False
    core = s[0].core.lower()
    return (
        all(m.lower() in core for m in row["must"])
        and not any(m.lower() in f" {core} " for m in row["not"])
        and not leaks(s[0].core)
        and all(retained(f, s[0].text) for f in facts(row["text"]) if any(c.isdigit() for c in f))
    )


def _prf_table(rows: dict[str, dict[str, float]]) -> None:
    print("| | turns | positives | precision | recall | F1 |\n|---|---:|---:|---:|---:|---:|")
    for k, v in rows.items():
        print(
            f"| {k} | {int(v['n'])} | {int(v['positives'])} | {v['precision']:.3f} | {v['recall']:.3f} | {v['F1']:.3f} |"
        )


def _fmt(v: float | int) -> str:
    return f"{v:.3f}" if isinstance(v, float) and v < 1 else (f"{v:.1f}" if isinstance(v, float) else str(v))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=0, help="statements per source (0 = all)")
    ap.add_argument("--show", type=int, default=3, help="examples of lost facts / leaks to print")
    args = ap.parse_args(argv)
    p = Paraphraser("en")
    p.suggest("warm up: I lost my card, can you send me a new one?")
    ok, total = table_eval(p)
    print(f"\nHand-checked table: {ok}/{total} judged correct ({100 * ok / total:.1f}%)")
    print("\nRecognising confirmations on the project's labelled turns\n")
    _prf_table(confirm_sets(p))
    if not DATA.is_dir():
        print("../shared/data not found: data sections skipped")
        return 0
    rows = {}
    for name, source, folder in (("DSTC11", dstc11, "dstc11_intents"), ("MultiDoGO test", multidogo, "multidogo")):
        if not (DATA / folder).is_dir():
            continue
        texts = list(source())
        if args.limit:
            texts = random.Random(0).sample(texts, min(args.limit, len(texts)))
        rows[name] = statements(name, texts, p, args.show)
    if rows:
        keys = list(next(iter(rows.values())))
        print("\nCustomer statements\n\n| | " + " | ".join(rows) + " |\n|---|" + "---:|" * len(rows))
        for k in keys:
            print(f"| {k} | " + " | ".join(_fmt(r[k]) for r in rows.values()) + " |")
    if (DATA / "annomi").is_dir():
        overlap, scores = annomi_eval(p)
        print("\nAnnoMI: content overlap (ROUGE-1 F1, content words) with the therapist's actual reflection\n")
        print("| | value |\n|---|---:|")
        for k, v in overlap.items():
            print(f"| {k} | {_fmt(v)} |")
        print("\nAnnoMI: recognising reflections (therapist turn vs the client turns before it)\n")
        _prf_table(scores)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
