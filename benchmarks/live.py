"""Live agent assist: latency of ``Session.add`` and of the HTTP service.

    python benchmarks/live.py            # library + server
    python benchmarks/live.py --no-server

Prints, for the replayed bundled example calls (and the written held-out calls when present):
- ``add()`` latency p50 / p99 / max over all turns, and over turns of up to 60 words;
- the cost of turn 300 against turn 3 in one long call (no re-analysis of the history);
- memory per idle session (tracemalloc, 200 sessions of 6 turns);
- server: p50 / p99 per turn request over loopback at 20 concurrent sessions.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import multiprocessing
import os
import platform
import socket
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import coach

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "transcripts"
WRITTEN = ROOT / "benchmarks" / "data" / "stages_dev_written.jsonl"


def calls() -> list[coach.Transcript]:
    out = []
    for path in sorted(EXAMPLES.iterdir()):
        out.extend(coach.load_all(path))
    if WRITTEN.exists():
        out.extend(coach.load_all(WRITTEN))
    return out


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def bench_add(transcripts: list[coach.Transcript], *, freeze: bool) -> dict[str, float]:
    """``add()`` latency over every turn; ``freeze``: after warm-up, ``gc.freeze()`` as a latency-minded
    embedding (and ``coach serve``) does, so no full garbage collection walks the loaded models."""
    coach.analyze(transcripts[0])  # warm: models and matchers load once per process
    if freeze:
        gc.collect()
        gc.freeze()
    times, short = [], []
    for t in transcripts:
        session = coach.live()
        for turn in t.turns:
            start = time.perf_counter()
            session.add(turn.role, turn.text, turn.start, turn.end)
            ms = (time.perf_counter() - start) * 1000
            times.append(ms)
            if len(turn.text.split()) <= 60:
                short.append(ms)
    return {
        "turns": len(times),
        "p50": statistics.median(times),
        "p99": pct(times, 0.99),
        "max": max(times),
        "p99_le60": pct(short, 0.99),
    }


def bench_growth(transcripts: list[coach.Transcript], n: int = 320) -> tuple[float, float]:
    """Median cost of turns 3..8 against 300..305 in one long call made of the bundled turns.

    The same six turns are said at both places (other turns fill the call), so the ratio measures what
    the history costs, not that a call's opening lines are shorter than its middle; every text was
    analysed first, so the per-text caches are equally warm at both places.
    """
    for t in transcripts:
        coach.analyze(t)
    pool = [turn for t in transcripts for turn in t.turns]
    early, late = [], []
    for rep in range(20):
        probes = pool[rep * 37 % len(pool) :][:6]
        session = coach.live()
        for i in range(n):
            if 3 <= i <= 8 or 300 <= i <= 305:
                turn = probes[i - 3 if i <= 8 else i - 300]
            else:
                turn = pool[(i + rep) % len(pool)]
            start = time.perf_counter()
            session.add(turn.role, turn.text)
            ms = (time.perf_counter() - start) * 1000
            if 3 <= i <= 8:
                early.append(ms)
            elif 300 <= i <= 305:
                late.append(ms)
    return statistics.median(early), statistics.median(late)


def bench_memory(transcripts: list[coach.Transcript], sessions: int = 200) -> float:
    turns = [turn for t in transcripts for turn in t.turns][:6]
    coach.live().add(turns[0].role, turns[0].text)
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    kept = []
    for _ in range(sessions):
        s = coach.live()
        for turn in turns:
            s.add(turn.role, turn.text)
        kept.append(s)
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    grown = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    return grown / sessions / 1024


class _Connection:
    """A minimal HTTP/1.1 keep-alive client over one loopback socket: the load generator shares the
    2-core machine with the service, so it must cost little (a full client library costs more per
    request than the service's own work, and would be measured as server latency)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> _Connection:
        return cls(*await asyncio.open_connection("127.0.0.1", port))

    async def request(self, method: str, path: str, body: object = None) -> tuple[int, bytes]:
        data = json.dumps(body).encode() if body is not None else b""
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
        self.writer.write(head.encode() + data)
        status = int((await self.reader.readline()).split()[1])
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return status, await self.reader.readexactly(length)

    def close(self) -> None:
        self.writer.close()


def bench_server(
    transcripts: list[coach.Transcript], concurrency: int = 20, turns_per_session: int = 50, pause: float = 0.0
) -> dict[str, float]:
    """Per-request latency; ``pause`` seconds between a session's turns (0 = as fast as possible)."""
    import subprocess
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # the service runs in its own process, as in production; the clients here
    server = subprocess.Popen(
        [sys.executable, "-m", "coach", "serve", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("coach serve did not start") from None
            time.sleep(0.2)
    pool = [turn for t in transcripts for turn in t.turns]

    async def run(n: int) -> list[float]:
        out = []
        conn = await _Connection.open(port)
        status, body = await conn.request("POST", "/v1/sessions", {})
        sid = json.loads(body)["session"]
        if pause:
            # independent calls: each starts at its own moment within the first pause, instead of all
            # twenty sending in lockstep (which would measure a queue of twenty every 0.2 s)
            await asyncio.sleep(pause * ((n * 0.618034) % 1.0))
        for i in range(turns_per_session):
            turn = pool[(n * 7 + i) % len(pool)]
            start = time.perf_counter()
            status, body = await conn.request("POST", f"/v1/sessions/{sid}/turns", {"speaker": turn.role.value, "text": turn.text})
            out.append((time.perf_counter() - start) * 1000)
            if status != 200 or json.loads(body)["index"] != i:
                raise RuntimeError(f"turn {i} of session {sid}: HTTP {status} {body[:200]!r}")
            if pause:
                await asyncio.sleep(pause)
        await conn.request("DELETE", f"/v1/sessions/{sid}")
        conn.close()
        return out

    async def load() -> list[float]:
        # one event loop drives every client session, so the client adds no thread contention
        await run(999)  # warm
        batches = await asyncio.gather(*(run(n) for n in range(concurrency)))
        return [t for batch in batches for t in batch]

    cpu_before = _cpu_seconds(server.pid)
    times = asyncio.run(load())
    cpu = _cpu_seconds(server.pid) - cpu_before
    server.terminate()
    server.wait(timeout=10)
    # CPU per request does not depend on what else the machine runs: it says how many turns per
    # second one server process can take at all (each session also opens and closes: + 2 requests)
    requests = len(times) + 2 * (concurrency + 1)
    return {"requests": len(times), "p50": statistics.median(times), "p99": pct(times, 0.99), "cpu_ms": cpu * 1000 / requests}


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux ``/proc``; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-server", action="store_true")
    args = parser.parse_args()
    transcripts = calls()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, coach {coach.__version__}")
    print(f"calls replayed: {len(transcripts)}")
    for freeze in (False, True):
        # each in a forked child, so both start with the same cold per-text caches
        with multiprocessing.get_context("fork").Pool(1) as child:
            a = child.apply(bench_add, (transcripts,), {"freeze": freeze})
        print(f"add(){' after gc.freeze()' if freeze else ''}: {a['turns']} turns  p50 {a['p50']:.2f} ms  "
              f"p99 {a['p99']:.2f} ms  max {a['max']:.2f} ms  p99 (≤ 60 words) {a['p99_le60']:.2f} ms")
    early, late = bench_growth(transcripts)
    print(f"turn 300 vs turn 3: {late:.3f} ms / {early:.3f} ms = {late / early:.2f}×")
    print(f"memory per idle session (6 turns): {bench_memory(transcripts):.1f} KiB")
    if not args.no_server:
        for pause, label in ((0.0, "back to back (saturation)"), (0.2, "a turn every 0.2 s per session")):
            s = bench_server(transcripts, pause=pause)
            print(f"server, 20 concurrent sessions × 50 turns, {label}: {s['requests']} requests  "
                  f"p50 {s['p50']:.2f} ms  p99 {s['p99']:.2f} ms  server CPU {s['cpu_ms']:.2f} ms/request")
    return 0


if __name__ == "__main__":
    sys.exit(main())
