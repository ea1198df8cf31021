"""Batch scoring speed and memory: `python benchmarks/batch.py [--quick]`.

Prints tables for:
  1. throughput of the full pipeline (`coach.batch.score` over a JSONL file: read, parse, analyse,
     build rows) at jobs=1 and jobs=2, in calls/s and words/s, against bare `spacy.blank("en")`
     tokenization of the same turn texts in the same run (ratio per core), each measurement in a fresh
     process, on two corpora: the calls as generated (their turns drawn from pools repeat, as
     scripted lines do, and per-text caches help) and the same with every turn text made unique;
  2. peak RSS of the calling process and of each worker (with each throughput table);
  3. cost against call length (10, 100, 1,000 turns);
  4. memory against the number of calls (each size in a fresh process: it must stay flat).

The calls are generated (``CallGenerator``): every call is different, assembled from turns of the
project's example transcripts and of permissively licensed data in ../shared/data when present
(Harper Valley train calls, ABCD, MultiDoGO customer turns) — openings, problem statements, middle
exchanges and closings drawn at random, with timestamps, agent names and dates.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
EXAMPLES = ROOT / "examples" / "transcripts"

AGENTS = ["Sam", "Lena", "Ola", "Priya", "Marco", "Aiko", "Jonas", "Fatima", "Luis", "Grace"]


# -- the call generator ----------------------------------------------------------------------------


class CallGenerator:
    """Realistic, varied calls in coach's native format, reproducible from ``seed``."""

    def __init__(self, seed: int = 0) -> None:
        self.rng = random.Random(seed)
        self.openings: list[str] = []  # the agent's first turn
        self.problems: list[str] = []  # the customer's first statement
        self.agent: list[str] = []
        self.customer: list[str] = []
        self.closings: list[str] = []  # the agent's last turn
        self.sources: list[str] = []
        for name, conversations in self._conversations():
            before = len(self.agent) + len(self.customer)
            for turns in conversations:
                self._add(turns)
            self.sources.append(f"{name}: {len(self.agent) + len(self.customer) - before} turns")

    def _conversations(self) -> Iterator[tuple[str, list[list[tuple[str, str]]]]]:
        import coach

        yield "examples", [
            [(t.role.value, t.text) for t in transcript.turns]
            for path in sorted(EXAMPLES.iterdir())
            for transcript in coach.load_all(path)
        ]
        if not DATA.is_dir():
            return
        hv = DATA / "harper_valley"
        if hv.is_dir():
            train = set(json.loads((hv / "split.json").read_text())["train"])  # never the test calls
            calls = []
            with gzip.open(hv / "calls.jsonl.gz", "rt", encoding="utf-8") as fh:
                for line in fh:
                    call = json.loads(line)
                    if call["id"] in train:
                        calls.append(_merge((s["speaker_role"], s["human_transcript"]) for s in call["segments"]))
            yield "harper_valley (train)", calls
        abcd = DATA / "abcd" / "abcd_sample.json"
        if abcd.is_file():
            yield "abcd", [
                _merge((s, t) for s, t in convo["original"] if s in ("agent", "customer"))
                for convo in json.loads(abcd.read_text(encoding="utf-8"))
            ]
        multidogo = sorted((DATA / "multidogo" / "turn_level").glob("*_train.tsv.gz"))
        if multidogo:
            utterances = []
            for path in multidogo:
                with gzip.open(path, "rt", encoding="utf-8") as fh:
                    utterances += [row["utterance"] for row in csv.DictReader(fh, delimiter="\t") if row.get("utterance")]
            sample = random.Random(1).sample(utterances, min(6000, len(utterances)))
            yield "multidogo customer turns (train)", [[("customer", u)] for u in sample]

    def _add(self, turns: list[tuple[str, str]]) -> None:
        turns = [(r, " ".join(t.split())) for r, t in turns if t and t.strip() and r in ("agent", "customer", "caller")]
        turns = [("customer" if r == "caller" else r, t) for r, t in turns]
        agent = [i for i, (r, _) in enumerate(turns) if r == "agent"]
        customer = [i for i, (r, _) in enumerate(turns) if r == "customer"]
        for i, (role, text) in enumerate(turns):
            if role == "agent":
                bucket = self.openings if i == agent[0] else self.closings if i == agent[-1] else self.agent
            else:
                words = len(text.split())
                bucket = self.problems if (i == customer[0] or words >= 12) and words >= 5 else self.customer
            bucket.append(text)

    def call(self, index: int, turns: int = 30, *, unique: bool = False) -> dict:
        """One call of ``turns`` turns (at least 4). ``unique``: every turn ends in its own reference
        number, so no text repeats and no per-text cache can help (real calls repeat scripted lines)."""
        rng = self.rng
        texts = [("agent", rng.choice(self.openings)), ("customer", rng.choice(self.problems))]
        while len(texts) < max(turns, 4) - 2:
            last = texts[-1][0]
            role = last if rng.random() < 0.1 else ("customer" if last == "agent" else "agent")
            pool = self.agent if role == "agent" else (self.problems if rng.random() < 0.25 else self.customer)
            texts.append((role, rng.choice(pool)))
        texts += [("customer", rng.choice(self.customer)), ("agent", rng.choice(self.closings))]
        clock = 0.0
        out = []
        for k, (role, text) in enumerate(texts[: max(turns, 4)]):
            if unique:
                text = f"{text} (ref {index}-{k})"
            length = round(len(text.split()) / 2.6 + rng.uniform(0.2, 1.0), 2)
            out.append({"speaker": role, "text": text, "start": round(clock, 2), "end": round(clock + length, 2)})
            clock += length + rng.uniform(0.2, 1.5)
        day = dt.datetime(2024, 3, 1, 8, tzinfo=dt.UTC) + dt.timedelta(minutes=rng.randrange(60 * 24 * 30))
        return {
            "id": f"bench-{index:07d}",
            "agent": rng.choice(AGENTS),
            "channel": rng.choice(["voice", "chat"]),
            "start_time": day.isoformat(),
            "turns": out,
        }

    def write(self, path: Path, calls: int, turns: int = 30, *, unique: bool = False) -> Path:
        """A JSONL file of ``calls`` calls, streamed to disk."""
        with path.open("w", encoding="utf-8") as fh:
            for i in range(calls):
                fh.write(json.dumps(self.call(i, turns, unique=unique)) + "\n")
        return path


def _merge(turns) -> list[tuple[str, str]]:
    merged: list[tuple[str, str]] = []
    for role, text in turns:
        if merged and merged[-1][0] == role:
            merged[-1] = (role, f"{merged[-1][1]} {text}")
        else:
            merged.append((role, text))
    return merged


# -- measurements ----------------------------------------------------------------------------------


def _maxrss_mb() -> tuple[int, float]:
    """(pid, peak RSS in MB) of this process. VmHWM, where there is one: ru_maxrss of a process that
    was forked and exec'd (a joblib worker) counts its parent's memory at fork time."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return os.getpid(), int(line.split()[1]) / 1024
    except OSError:
        pass
    return os.getpid(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> tuple[int, float]:
    return os.getpid(), time.process_time()


def _probe(fn, jobs: int) -> dict:
    """``fn()`` in each worker of the current joblib pool (the one the last run used), by pid."""
    from joblib import Parallel, delayed

    return dict(Parallel(n_jobs=jobs)(delayed(fn)() for _ in range(jobs * 16)))


def worker_rss(jobs: int) -> dict[int, float]:
    """Peak RSS (MB) of each worker of the current joblib pool."""
    return _probe(_maxrss_mb, jobs)


def children_cpu() -> float | None:
    """CPU seconds used so far by every process this one started (joblib's workers and theirs):
    the live ones read from /proc, the finished ones from ``getrusage``. Read from outside, so no
    worker can be missed (a probe task may not reach every worker) and none is disturbed. ``None``
    without /proc."""
    if not os.path.isdir("/proc/self"):
        return None
    stats: dict[int, list[bytes]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as fh:
                    raw = fh.read()
            except OSError:
                continue  # gone meanwhile
            stats[int(entry.name)] = raw[raw.rindex(b")") + 2 :].split()  # fields from "state" on
    mine, todo = [], [os.getpid()]
    while todo:
        parent = todo.pop()
        kids = [pid for pid, fields in stats.items() if int(fields[1]) == parent]
        mine += kids
        todo += kids
    tick = os.sysconf("SC_CLK_TCK")
    live = sum(int(stats[pid][11]) + int(stats[pid][12]) for pid in mine) / tick  # utime + stime
    done = resource.getrusage(resource.RUSAGE_CHILDREN)
    return live + done.ru_utime + done.ru_stime


def run_score(path: Path, jobs: int, *, warm: bool = True) -> dict:
    """Scores the JSONL file at ``path``: wall seconds, CPU seconds (this process and its workers),
    calls, words and errors. CPU time does not depend on what else the machine is running. Without
    /proc, the workers' CPU is read by a probe task in each, only when ``warm`` (a probe must not be
    a fresh worker's first task: loky measures its memory reference after that task and would
    restart the worker once the models load)."""
    from coach.batch import score

    workers = children_cpu()
    probe = workers is None and jobs > 1 and warm
    before = _probe(_cpu, jobs) if probe else {}
    cpu, start = time.process_time(), time.perf_counter()
    calls = words = errors = 0
    for row in score([path], jobs=jobs):
        calls += 1
        words += row["words"] or 0
        errors += row["error"] is not None
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    if workers is not None:
        cpu += children_cpu() - workers
    elif probe:
        after = _probe(_cpu, jobs)
        cpu += sum(after[pid] - before[pid] for pid in after if pid in before)
    return {"seconds": seconds, "cpu": cpu, "calls": calls, "words": words, "errors": errors}


def tokenization(path: Path) -> dict:
    """Bare spacy.blank("en") over every turn text of the file, one doc per turn: wall and CPU seconds, words."""
    import spacy

    from coach.analyzer import word_count

    texts = [t["text"] for line in path.open(encoding="utf-8") for t in json.loads(line)["turns"]]
    nlp = spacy.blank("en")
    nlp(texts[0])
    cpu, start = time.process_time(), time.perf_counter()
    for text in texts:
        nlp(text)
    return {"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu, "words": sum(map(word_count, texts))}


def plain_loop(path: Path) -> dict:
    """``coach.analyze`` on each call of ``coach.load_all``: the analysis without the batch machinery."""
    import coach

    cpu, start = time.process_time(), time.perf_counter()
    reports = [coach.analyze(t) for t in coach.load_all(path)]
    return {
        "seconds": time.perf_counter() - start,
        "cpu": time.process_time() - cpu,
        "calls": len(reports),
        "words": sum(r.stats.words for r in reports),
    }


def throughput(gen: CallGenerator, folder: Path, calls: int, *, unique: bool) -> dict:
    """Section 1: each measurement in a fresh process, so no run finds the texts another one cached."""
    path = gen.write(folder / f"throughput{'-unique' if unique else ''}.jsonl", calls, 30, unique=unique)
    warm = CallGenerator(seed=99).write(folder / "warm.jsonl", 64, 30, unique=True)
    out: dict = {"tokenize": tokenization(path), "plain": fresh("plain", path, warm, 1)}
    for jobs in (1, 2):
        out[jobs] = fresh("score", path, warm, jobs)
    out["load"] = os.getloadavg()
    return out


def measure(kind: str, path: Path, warm: Path, jobs: int) -> dict:
    """One throughput measurement (run by ``fresh`` in its own process): models loaded on other calls
    first, outside the timing."""
    if kind == "plain":
        plain_loop(warm)
        return plain_loop(path)
    run_score(warm, jobs, warm=False)  # load models and start the workers outside the timing
    r = run_score(path, jobs)
    r["worker_rss"] = worker_rss(jobs) if jobs > 1 else {}
    r["main_rss"] = _maxrss_mb()[1]
    return r


def fresh(kind: str, path: Path, warm: Path, jobs: int) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--measure", json.dumps([kind, str(path), str(warm), jobs])],
        capture_output=True, text=True, check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def length_scaling(gen: CallGenerator, folder: Path, words_budget: int) -> list[dict]:
    rows = []
    for turns in (10, 100, 1000):
        n = max(3, words_budget // (turns * 12))
        # unique texts: otherwise later (longer) calls would find the pools' texts already analysed
        r = run_score(gen.write(folder / f"len{turns}.jsonl", n, turns, unique=True), 1)
        rows.append({"turns": turns, "calls": r["calls"], "ms_call": 1000 * r["cpu"] / r["calls"], "us_word": 1e6 * r["cpu"] / r["words"]})
    return rows


def count_scaling(sizes: list[int], folder: Path) -> list[dict]:
    rows = []
    for n in sizes:
        path = CallGenerator(seed=n).write(folder / f"count{n}.jsonl", n, 30, unique=True)  # caches fill up
        done = subprocess.run(
            [sys.executable, __file__, "--child", str(path)], capture_output=True, text=True, check=True
        )
        rows.append({"calls": n, **json.loads(done.stdout.strip().splitlines()[-1])})
    return rows


def child(path: Path) -> None:
    r = run_score(path, 2, warm=False)
    workers = worker_rss(2)
    print(json.dumps({"calls_s": r["calls"] / r["seconds"], "main_mb": _maxrss_mb()[1], "worker_mb": max(workers.values())}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller runs (about a minute)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    if args.measure:
        kind, path, warm, jobs = json.loads(args.measure)
        print(json.dumps(measure(kind, Path(path), Path(warm), jobs)))
        return
    import coach

    calls = 300 if args.quick else 1500
    sizes = [250, 1000] if args.quick else [500, 2000, 8000]
    gen = CallGenerator(seed=0)
    print(f"coach {coach.__version__} · {os.cpu_count()} cores · python {sys.version.split()[0]}")
    print("call sources: " + "; ".join(gen.sources))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for unique in (False, True):
            t = throughput(gen, folder, calls, unique=unique)
            tok = t["tokenize"]
            tok_cpu = tok["words"] / tok["cpu"]
            corpus = "every turn text unique (no per-text cache helps)" if unique else "texts as generated (drawn from pools, as scripted lines repeat)"
            print(f"\n1{'b' if unique else 'a'}. Throughput, {calls} calls of 30 turns, {corpus}; load average {t['load'][0]:.1f} on {os.cpu_count()} cores")
            print(f"{'':<24}{'calls/s':>9}{'words/s':>10}{'calls/CPU-s':>13}{'words/CPU-s':>13}{'vs tokenize':>13}")
            print(f"{'spacy.blank tokenize':<24}{'':>9}{tok['words'] / tok['seconds']:>10,.0f}{'':>13}{tok_cpu:>13,.0f}{1:>13.3f}")
            for name, r in [("load_all + analyze loop", t["plain"]), ("coach score jobs=1", t[1]), ("coach score jobs=2", t[2])]:
                print(
                    f"{name:<24}{r['calls'] / r['seconds']:>9,.1f}{r['words'] / r['seconds']:>10,.0f}"
                    f"{r['calls'] / r['cpu']:>13,.1f}{r['words'] / r['cpu']:>13,.0f}{r['words'] / r['cpu'] / tok_cpu:>13.3f}"
                )
            print(f"(errors: {t[1]['errors']} + {t[2]['errors']}; 'vs tokenize' compares words per CPU-second, i.e. per core)")
            print("Peak RSS (MB): calling process " + f"{t[2]['main_rss']:.0f}; workers " + ", ".join(f"{v:.0f}" for v in t[2]["worker_rss"].values()))
        print("\n3. Cost against call length (jobs=1, CPU time, every turn text unique)")
        print(f"{'turns':>6}{'calls':>7}{'ms/call':>10}{'µs/word':>10}")
        for r in length_scaling(gen, folder, 60_000 if args.quick else 240_000):
            print(f"{r['turns']:>6}{r['calls']:>7}{r['ms_call']:>10.2f}{r['us_word']:>10.1f}")
        print("\n4. Memory against the number of calls (jobs=2, fresh process each, every turn text unique)")
        print(f"{'calls':>7}{'calls/s':>10}{'main MB':>9}{'worker MB':>11}")
        for r in count_scaling(sizes, folder):
            print(f"{r['calls']:>7}{r['calls_s']:>10.1f}{r['main_mb']:>9.0f}{r['worker_mb']:>11.0f}")


if __name__ == "__main__":
    main()
