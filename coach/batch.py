"""Batch scoring: many calls, in parallel, in input order, with failures as values.

::

    for result in coach.analyze_many(["calls/", "exports/*.jsonl"], jobs=2):
        if result.ok:
            print(result.id, result.report.missing)
        else:
            print(result.source, result.index, result.error)

Inputs are files, folders (recursive, hidden entries skipped), globs, ``"-"`` (JSONL on standard
input), ``Transcript`` objects and native dicts. Native JSONL is split into lines by the calling
process and each line is parsed by a worker, so one bad line is one error row and a large file
spreads over every worker; other files are read by the worker that analyses them, except large
multi-call files (CSV, JSON lines of other formats), which the calling process reads call by call.

Work goes to a pool of processes (joblib's reusable loky pool) in chunks of calls; results come back
in input order as they complete, so memory holds only the chunks in flight. Each worker process builds
its ``Coach`` once. ``scheduler=`` sends the same chunks to a Dask cluster instead (``coach.distributed``).

Input is read by a thread of its own, so a live feed (``tail -f calls.jsonl | coach score -``, a
socket) that pauses without closing never holds back calls already scored: once the input has been
idle for ``IDLE_SECONDS`` the calls read so far go out as a chunk, and each chunk's results are
yielded as soon as it and every earlier chunk are done.

``score`` is the same pipeline producing output rows (``coach.outputs.COLUMNS``) and, given a
results store (``coach.store``), skipping calls already scored and writing one transaction per chunk.
"""

from __future__ import annotations

import codecs
import contextlib
import glob
import gzip
import logging
import os
import pickle
import queue
import sys
import threading
import traceback
import zlib
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any

from .analyzer import Coach
from .config import Config
from .errors import CoachError, FormatError, TranscriptError
from .formats import FORMATS, Document, detect, load, load_all
from .formats._base import GZIP_MAGIC, HEAD_BYTES, check_not_binary, parse_json, sniff_encoding
from .formats.native import from_native
from .outputs import error_row, report_row
from .report import Report
from .store import Scored, Store, content_key, stored_rows
from .transcript import Role, Transcript

__all__ = ["BatchResult", "CHUNK_SIZE", "MAX_CALL_BYTES", "analyze_many", "expand", "input_bytes", "score", "score_lines"]

log = logging.getLogger(__name__)

#: A call larger than this (file bytes, JSONL line bytes, or characters of turn text) is an error row.
MAX_CALL_BYTES = 10_000_000
#: Calls per chunk: the unit sent to a worker and written to the store in one transaction.
CHUNK_SIZE = 32
#: A chunk is sent early once its inputs reach this many bytes.
CHUNK_BYTES = 2_000_000
#: A chunk is sent early once no new input has come for this long (a live feed's calls are not held back).
IDLE_SECONDS = 0.05
#: Multi-call files above this size are read call by call by the calling process and spread over workers.
SPLIT_BYTES = 4_000_000
#: Formats whose reader streams a large file call by call (the JSON-lines variants do too).
_STREAMED_FORMATS = frozenset({"csv"})
_JSONL_SUFFIXES = (".jsonl", ".ndjson")
_STDIN = "<stdin>"


@dataclass(frozen=True, slots=True)
class BatchResult:
    """One call of a batch: its ``report``, or the ``error`` that stopped it (never both).

    ``source`` is the file (``<stdin>``, ``<input>`` for objects passed in) and ``index`` the
    1-based position of the call in it. ``error`` is a ``CoachError`` for bad input; any other
    failure keeps its own type (or becomes a ``RuntimeError`` naming it when it cannot be copied
    between processes).
    """

    source: str
    index: int
    id: str | None = None
    report: Report | None = None
    error: Exception | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def error_type(self) -> str | None:
        return None if self.error is None else type(self.error).__name__


@dataclass(frozen=True, slots=True)
class _Item:
    """One unit of input: ``kind`` file (a path a worker reads), line (native JSONL text), call
    (a Transcript or dict), or error (found while expanding the inputs). ``size`` is in bytes."""

    kind: str
    source: str
    index: int
    payload: Any
    size: int = 0


@dataclass(frozen=True, slots=True)
class _Options:
    lang: str
    format: str
    roles: Mapping[str, str | Role] | None
    config: Config
    max_call_bytes: int
    rows: bool  # True: store-ready rows (score); False: Results with Reports (analyze_many)
    store: str | None = None
    rescore: bool = False
    options: Mapping[str, Any] = field(default_factory=dict)  # for the format's reader


def analyze_many(
    sources: Iterable[Any] | str | os.PathLike,
    *,
    jobs: int | None = None,
    lang: str = "en",
    format: str = "auto",
    roles: Mapping[str, str | Role] | None = None,
    config: Config | Mapping[str, Any] | str | None = None,
    chunk_size: int = CHUNK_SIZE,
    max_call_bytes: int = MAX_CALL_BYTES,
    scheduler: Any = None,
    **options: Any,
) -> Iterator[BatchResult]:
    """Analyse every call of ``sources``; yields one ``BatchResult`` per call, in input order.

    A call that cannot be read or analysed is a ``BatchResult`` carrying the error; the run goes on.
    ``jobs`` is the number of worker processes (``None``: all cores; 1: this process). ``scheduler``
    is a ``dask.distributed.Client`` or a scheduler address (``"tcp://host:8786"``) to run on a
    cluster instead. Other arguments, and ``options`` for the format's reader, are those of
    ``coach.analyze``.
    """
    opts = _options(lang, format, roles, config, max_call_bytes, options, rows=False)
    with contextlib.closing(_execute(sources, opts, jobs, chunk_size, scheduler)) as chunks:
        for _, results in chunks:
            yield from results


def score(
    sources: Iterable[Any] | str | os.PathLike,
    *,
    jobs: int | None = None,
    lang: str = "en",
    format: str = "auto",
    roles: Mapping[str, str | Role] | None = None,
    config: Config | Mapping[str, Any] | str | None = None,
    store: str | os.PathLike | None = None,
    rescore: bool = False,
    chunk_size: int = CHUNK_SIZE,
    max_call_bytes: int = MAX_CALL_BYTES,
    scheduler: Any = None,
    progress: Callable[[int, int], None] | None = None,
    **options: Any,
) -> Iterator[dict[str, Any]]:
    """One output row per call (``coach.outputs.COLUMNS``), in input order; errors are rows too.

    With ``store`` (a SQLite path), each chunk's calls are committed in one transaction before its
    rows are yielded; calls the store already holds with the same key are not analysed again (their
    stored row is yielded) unless ``rescore``. ``progress(bytes, calls)`` is called after each chunk
    with the input bytes and calls it covered. Other arguments are those of ``analyze_many``.
    """
    from . import __version__

    opts = _options(lang, format, roles, config, max_call_bytes, options, rows=True, rescore=rescore)
    db = run = None
    if store is not None:
        db = Store(store).open()
        run = db.start_run(
            inputs=_describe(sources), coach_version=__version__, config_fingerprint=opts.config.fingerprint, language=lang
        )
        opts = replace(opts, store=str(db.path))
    status = "interrupted"  # stays so when the caller stops early or on Ctrl-C
    try:
        with contextlib.closing(_execute(sources, opts, jobs, chunk_size, scheduler)) as chunks:
            for nbytes, chunk in chunks:
                if db is not None:
                    db.write(run, chunk, rescore=rescore)
                yield from (item.row for item in chunk)
                if progress:
                    progress(nbytes, len(chunk))
        status = "completed"
    except Exception:
        status = "failed"
        raise
    finally:
        if db is not None:
            db.finish_run(run, status)
            db.close()


def score_lines(
    lines: Iterable[str | bytes],
    *,
    source: str = "<lines>",
    lang: str = "en",
    roles: Mapping[str, str | Role] | None = None,
    config: Config | Mapping[str, Any] | str | None = None,
    max_call_bytes: int = MAX_CALL_BYTES,
) -> Iterator[dict[str, Any]]:
    """Rows for native JSONL lines, analysed in this process: for engines that spread the lines over
    their own workers (Spark's ``mapInPandas``, Ray, Beam). A bad line is an error row, as in ``score``;
    ``index`` counts the non-blank lines given, and calls without an id get ``<stem of source>-<line>``."""
    opts = _options(lang, "jsonl", roles, config, max_call_bytes, {}, rows=True)
    stem = source.strip("<>") if source.startswith("<") else _stem(Path(source))
    data = (line.encode("utf-8") if isinstance(line, str) else line for line in lines)
    for chunk in _chunks(_lines(data, source, stem, opts), CHUNK_SIZE):
        yield from (item.row for item in _run_chunk(chunk, opts)[1])


def _options(lang, format, roles, config, max_call_bytes, options, *, rows, rescore=False) -> _Options:
    if format != "auto" and format not in FORMATS:
        raise FormatError(f"unknown format {format!r}", known=("auto", *FORMATS))
    return _Options(
        lang=lang,
        format=format,
        roles=dict(roles) if roles else None,
        config=Config.load(config),  # checked here, once: a bad configuration stops before any work
        max_call_bytes=max_call_bytes,
        rows=rows,
        rescore=rescore,
        options=dict(options),
    )


def _describe(sources: Any) -> list[str]:
    if isinstance(sources, str | os.PathLike):
        return [str(sources)]
    if isinstance(sources, list | tuple):
        return [str(s) if isinstance(s, str | os.PathLike) else f"<{type(s).__name__}>" for s in sources]
    return [f"<{type(sources).__name__}>"]


# -- execution -------------------------------------------------------------------------------------


def _execute(sources, opts: _Options, jobs, chunk_size: int, scheduler) -> Iterator[tuple[int, list]]:
    n = None if scheduler is not None else _jobs(jobs)
    reader = _ReadAhead(_items(sources, opts), chunk_size)
    try:
        chunks = _chunks(reader, chunk_size)
        if scheduler is not None:
            from .distributed import map_ordered

            yield from map_ordered(_run_chunk, chunks, opts, scheduler=scheduler)
        elif n == 1:
            for chunk in chunks:
                yield _run_chunk(chunk, opts)
        else:
            pool, finished = _pool(n), False
            try:
                yield from _ordered(lambda chunk: pool.submit(_run_chunk, chunk, opts), chunks, window=2 * n)
                finished = True
            finally:
                if not finished:  # stopped early (Ctrl-C, --strict, a failure): no worker goes on with its chunk
                    pool.shutdown(wait=False, kill_workers=True)
    finally:
        reader.close()


def _pool(n: int) -> Any:
    """joblib's reusable process pool, set up as ``joblib.Parallel(n_jobs=n)`` sets it up (workers'
    environment, pickling), so both use the same workers, each keeping the ``Coach`` it has built."""
    from joblib import Parallel
    from joblib.externals.loky import get_reusable_executor

    with Parallel(n_jobs=n):  # starts the pool, or finds it running
        pass
    return get_reusable_executor(n, reuse=True)


def _jobs(jobs: int | None) -> int:
    from joblib import cpu_count, effective_n_jobs

    if jobs is not None and (not isinstance(jobs, int) or isinstance(jobs, bool) or jobs == 0):
        raise ValueError(f"jobs must be a positive number of processes (or -1 for all cores), got {jobs!r}")
    n = cpu_count() if jobs is None else jobs if jobs > 0 else max(1, cpu_count() + 1 + jobs)
    return effective_n_jobs(n) if n > 1 else 1  # 1 in a process that cannot start workers (a worker itself)


_IDLE = object()  # from _ReadAhead: no new input for IDLE_SECONDS
_END = object()


@dataclass(frozen=True, slots=True)
class _Raised:
    """An exception raised in a helper thread, on its way to the thread that iterates."""

    error: BaseException


class _ReadAhead:
    """Reads ``items`` in a thread of its own into a bounded queue; iterating yields them, and
    ``_IDLE`` each time none has come for ``IDLE_SECONDS``.

    Whoever iterates is therefore never stuck in a read that waits for input (standard input that
    pauses): it can send on what it has. The queue holds at most ``size`` items, so reading stays
    only a little ahead of the work. The thread is a daemon: a read that never returns (a feed left
    open after the run stopped) cannot keep the process alive."""

    def __init__(self, items: Generator[_Item, None, None], size: int) -> None:
        self._items = items
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=max(1, size))
        self._stop = threading.Event()
        threading.Thread(target=self._read, name="coach-batch-reader", daemon=True).start()

    def _read(self) -> None:
        try:
            for item in self._items:
                if not _put(self._queue, item, self._stop):
                    return
            _put(self._queue, _END, self._stop)
        except BaseException as exc:  # a bug while reading: raised where the items are taken
            _put(self._queue, _Raised(exc), self._stop)
        finally:
            self._items.close()  # files the generator holds open are closed in the thread that opened them

    def __iter__(self) -> Iterator[Any]:
        while not self._stop.is_set():
            try:
                item = self._queue.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                yield _IDLE
                continue
            if item is _END:
                return
            if isinstance(item, _Raised):
                raise item.error
            yield item

    def close(self) -> None:
        """Stop reading (at the next item: a read already waiting for input goes on waiting)."""
        self._stop.set()


def _ordered(submit: Callable[[Any], Any], tasks: Iterable[Any], window: int) -> Iterator[Any]:
    """``submit(task)`` (which returns a future) for each task; yields the results in task order.

    Tasks are taken and submitted by a thread of its own, so each result is yielded as soon as it and
    every earlier one are done, however long the next task takes to arrive. At most ``window`` tasks
    are unfinished (one finishing, in whatever order, lets the next one in, so no worker waits for a
    slow task ahead of it) and at most ``2 * window`` finished ones wait to be yielded, so memory stays
    flat however many tasks there are. An exception (a worker that died, or one raised taking the
    tasks) is raised here, in task order; when iteration stops early, unstarted tasks are cancelled."""
    futures: queue.Queue[Any] = queue.Queue(maxsize=2 * window)
    slots = threading.Semaphore(window)
    stop = threading.Event()

    def dispatch() -> None:
        try:
            for task in tasks:
                if not _until(stop, lambda: slots.acquire(timeout=0.1)):
                    return
                future = submit(task)
                future.add_done_callback(lambda _: slots.release())
                if not _put(futures, future, stop) or stop.is_set():  # the consumer may have drained the queue
                    future.cancel()
                    return
            _put(futures, _END, stop)
        except BaseException as exc:
            _put(futures, _Raised(exc), stop)

    threading.Thread(target=dispatch, name="coach-batch-dispatch", daemon=True).start()
    try:
        while (future := futures.get()) is not _END:
            if isinstance(future, _Raised):
                raise future.error
            yield future.result()
    finally:
        stop.set()
        with contextlib.suppress(queue.Empty):
            while True:
                future = futures.get_nowait()
                if not isinstance(future, _Raised) and future is not _END:
                    future.cancel()


def _until(stop: threading.Event, attempt: Callable[[], bool]) -> bool:
    """``attempt()`` (which gives up after a moment) again and again until it succeeds (True) or
    ``stop`` is set (False): a helper thread waits, but never past the end of the run."""
    while not stop.is_set():
        if attempt():
            return True
    return False


def _put(into: queue.Queue, item: Any, stop: threading.Event) -> bool:
    def attempt() -> bool:
        try:
            into.put(item, timeout=0.1)
        except queue.Full:
            return False
        return True

    return _until(stop, attempt)


def _chunks(items: Iterable[Any], chunk_size: int) -> Iterator[list[_Item]]:
    """Chunks of items; the first ones are small so every worker starts at once and small runs spread.
    An ``_IDLE`` among the items (the input has paused) sends the items gathered so far at once."""
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
    limit = min(4, chunk_size)
    chunk: list[_Item] = []
    size = 0
    for item in items:
        if item is _IDLE:
            if not chunk:
                continue
        else:
            chunk.append(item)
            size += item.size
            if len(chunk) < limit and size < CHUNK_BYTES:
                continue
        yield chunk
        chunk, size = [], 0
        limit = min(limit * 2, chunk_size)
    if chunk:
        yield chunk


# -- inputs ----------------------------------------------------------------------------------------


def expand(source: str | os.PathLike) -> Iterator[Path | TranscriptError]:
    """The files ``source`` names: itself, a folder's files (recursive, sorted, hidden entries
    skipped) or a glob's matches (sorted); a ``TranscriptError`` when it names nothing."""
    path = Path(source)
    if path.is_dir():
        yield from _walk(path)
    elif path.exists():
        yield path
    elif any(c in str(source) for c in "*?["):
        matches = sorted(glob.glob(str(source), recursive=True))
        if not matches:
            yield TranscriptError("no file matches this pattern", source=str(source), hint="check the pattern")
        for match in matches:
            yield from _walk(Path(match)) if Path(match).is_dir() else [Path(match)]
    else:
        yield TranscriptError("no such file or folder", source=str(source), hint="check the path")


def _walk(folder: Path) -> Iterator[Path]:
    # sorted by name at every level, folders in place: the order `find | sort` gives
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            yield from _walk(Path(entry.path))
        elif entry.is_file():
            yield Path(entry.path)


def input_bytes(sources: Iterable[Any] | str | os.PathLike) -> int | None:
    """Total size of the files ``sources`` names (for progress), or ``None`` when it cannot be known (stdin)."""
    total = 0
    for source in [sources] if isinstance(sources, str | os.PathLike) else sources:
        if not isinstance(source, str | os.PathLike):
            continue
        if str(source) == "-":
            return None
        for path in expand(source):
            if isinstance(path, Path):
                with contextlib.suppress(OSError):
                    total += path.stat().st_size
    return total


def _items(sources, opts: _Options) -> Generator[_Item, None, None]:
    if isinstance(sources, str | os.PathLike):
        sources = [sources]
    for position, source in enumerate(sources, 1):
        if isinstance(source, Transcript | Mapping):
            yield _Item("call", "<input>", position, source, 1)
        elif str(source) == "-":
            yield from _lines(_stdin(), _STDIN, "stdin", opts)
        elif isinstance(source, str | os.PathLike):
            for path in expand(source):
                if isinstance(path, Path):
                    yield from _file_items(path, opts)
                else:
                    yield _Item("error", str(source), 1, path)
        else:
            error = TranscriptError(
                f"cannot read a transcript from a {type(source).__name__}",
                source="<input>",
                hint="pass paths, folders, globs, '-', Transcripts or native dicts",
            )
            yield _Item("error", "<input>", position, error)


def _stdin() -> IO[bytes]:
    """Standard input through a buffer of its own: the reading thread may still be waiting for input
    when the run ends, and a thread waiting inside ``sys.stdin``'s buffer makes the interpreter's
    shutdown abort ("could not acquire lock for <stdin> at interpreter shutdown")."""
    try:
        return open(sys.stdin.fileno(), "rb", closefd=False)  # closing it leaves the descriptor open
    except (AttributeError, OSError, ValueError):  # replaced by an object without a descriptor
        return sys.stdin.buffer


def _file_items(path: Path, opts: _Options) -> Iterator[_Item]:
    source = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        yield _Item("error", source, 1, TranscriptError(f"cannot read this file ({exc.strerror})", source=source))
        return
    jsonl_name = _suffix(path) in _JSONL_SUFFIXES and opts.format in ("auto", "jsonl")
    if size <= SPLIT_BYTES and not jsonl_name:
        yield _Item("file", source, 1, source, size)
        return
    # Decide from the head only: a single JSON document would have to be parsed whole to be detected.
    doc = Document(source, path=path)
    try:
        if jsonl_name and "\n" not in doc.head.strip():
            reader, one_document = None, False  # a first line longer than the head: JSONL, as named
        else:
            one_document = doc.is_json_like and not doc.json_lines and not jsonl_name
            reader = None if one_document else FORMATS[opts.format] if opts.format != "auto" else detect(doc)
    except CoachError:
        reader, one_document = None, False  # reported by whoever reads the file (its lines, or the worker)
    if (reader is not None and reader.name == "jsonl") or (reader is None and jsonl_name):
        yield from _jsonl_file(path, opts)
    elif size <= SPLIT_BYTES or (reader is None and not one_document):
        yield _Item("file", source, 1, source, size)
    elif reader is not None and (doc.json_lines or reader.name in _STREAMED_FORMATS):
        yield from _split(path, opts)
    elif size > opts.max_call_bytes:
        yield _Item("error", source, 1, _too_large(source, size, opts.max_call_bytes))
    else:
        yield _Item("file", source, 1, source, size)


def _suffix(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    return suffixes[-1] if suffixes else ""


def _stem(path: Path) -> str:
    return Path(path.name.removesuffix(".gz").removesuffix(".GZ")).stem or "conversation"


def _jsonl_file(path: Path, opts: _Options) -> Iterator[_Item]:
    source = str(path)
    with path.open("rb") as raw:
        compressed = raw.read(2) == GZIP_MAGIC
        raw.seek(0)
        fh: IO[bytes] = gzip.GzipFile(fileobj=raw) if compressed else raw
        try:
            head = fh.peek(HEAD_BYTES)[:HEAD_BYTES]  # type: ignore[attr-defined]
            encoding, _ = sniff_encoding(head)
            if encoding == "utf-8":
                check_not_binary(head, encoding, source)
        except TranscriptError as exc:
            yield _Item("error", source, 1, exc, path.stat().st_size)
            return
        except (OSError, EOFError, zlib.error):
            encoding = "unreadable"
        if encoding != "utf-8":  # UTF-16 or a damaged gzip: the file reader decodes or reports it whole
            yield _Item("file", source, 1, source, path.stat().st_size)
            return
        yield from _lines(fh, source, _stem(path), opts, raw.tell)


def _lines(
    fh: Iterable[bytes], source: str, stem: str, opts: _Options, position: Callable[[], int] | None = None
) -> Iterator[_Item]:
    """One item per non-blank line, decoded here so an undecodable line is one error.

    ``position`` tells how far into the (possibly compressed) file reading has got, so progress is
    measured in the same bytes as the file's size; without it a line counts its own length."""
    index = 0
    where = position() if position else 0
    number = 0
    try:
        for number, data in enumerate(fh, 1):
            if position:
                now = position()
                size, where = now - where, now
            else:
                size = len(data)
            if number == 1 and data.startswith(codecs.BOM_UTF8):
                data = data[len(codecs.BOM_UTF8) :]
            if len(data) > opts.max_call_bytes:
                index += 1
                yield _Item("error", source, index, _too_large(source, len(data), opts.max_call_bytes, line=number), size)
                continue
            try:
                line = data.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as exc:
                index += 1
                error = TranscriptError(
                    f"bytes that are not valid UTF-8 ({data[exc.start : exc.start + 4]!r})",
                    source=source,
                    line=number,
                    column=exc.start + 1,
                    hint="save the file as UTF-8",
                )
                yield _Item("error", source, index, error, size)
                continue
            if line.strip():
                index += 1
                yield _Item("line", source, index, (number, line, stem), size)
    except (OSError, EOFError, zlib.error) as exc:
        error = TranscriptError(
            f"the input cannot be read past line {number} ({exc})",
            source=source,
            hint="re-create the file; the calls before that line were scored",
        )
        yield _Item("error", source, index + 1, error)
        return
    if index == 0:
        yield _Item("error", source, 1, TranscriptError("the input is empty", source=source, hint="pass a transcript with turns"))


def _split(path: Path, opts: _Options) -> Iterator[_Item]:
    """A large multi-call file read here call by call, so its calls spread over every worker."""
    source = str(path)
    index = 0
    try:
        for index, transcript in enumerate(load_all(path, opts.format, roles=opts.roles, **opts.options), 1):
            yield _Item("call", source, index, transcript, sum(len(t.text) for t in transcript.turns))
    except Exception as exc:
        if not isinstance(exc, CoachError):
            log.error("unexpected %s while reading %s", type(exc).__name__, source, exc_info=exc)
        yield _Item("error", source, index + 1, exc)


def _too_large(source: str, size: int, limit: int, line: int | None = None) -> TranscriptError:
    return TranscriptError(
        f"the call is too large: {size:,} bytes (limit {limit:,})",
        source=source,
        line=line,
        hint="split it into smaller calls, or raise the limit (--max-call-mb, max_call_bytes=)",
    )


# -- the worker ------------------------------------------------------------------------------------

_COACHES: dict[tuple[str, str], Coach] = {}


def _worker_coach(opts: _Options) -> Coach:
    """The worker process's Coach for these options: built once, with its models loaded, then reused
    for every chunk the process receives."""
    key = (opts.lang, opts.config.fingerprint)
    if key not in _COACHES:
        coach = Coach(opts.lang, opts.config)
        # Load the models now, in the worker's first task whatever that chunk holds (skipped calls,
        # errors): joblib's loky takes a worker's memory after its first task as the reference for
        # leak detection, and restarts a worker that grows 300 MB past it. Not frozen out of the
        # garbage collector (warm_up(freeze=True)): in batch a collection's pause costs throughput,
        # not latency.
        try:
            coach.warm_up()
        except Exception as exc:  # the calls will say what is wrong, one error row each
            log.warning("loading the analysis failed: %s: %s", type(exc).__name__, exc)
        _COACHES[key] = coach
    return _COACHES[key]


@dataclass(frozen=True, slots=True)
class _Loaded:
    source: str
    index: int
    transcript: Transcript | None = None
    error: Exception | None = None


def _run_chunk(items: list[_Item], opts: _Options) -> tuple[int, list]:
    """Load, analyse and package one chunk (runs in a worker). Never raises for a bad call."""
    loaded = [one for item in items for one in _load(item, opts)]
    keys: list[str | None] = [None] * len(loaded)
    known: dict[str, dict[str, Any]] = {}
    if opts.rows:
        from . import __version__

        fingerprint = opts.config.fingerprint
        keys = [
            content_key(one.transcript, __version__, fingerprint, opts.lang) if one.transcript is not None else None
            for one in loaded
        ]
        if opts.store is not None and not opts.rescore:
            known = stored_rows(opts.store, [k for k in keys if k])
    coach = _worker_coach(opts)
    out = []
    for one, key in zip(loaded, keys, strict=True):
        if key is not None and key in known:
            out.append(Scored({**known[key], "source": one.source, "index": one.index}, skipped=True))
            continue
        report, error = None, one.error
        if error is None:
            try:
                report = coach.analyze(one.transcript)
            except Exception as exc:
                error = _unexpected(exc, one)
        out.append(_package(one, key, report, error, opts))
    return sum(item.size for item in items), out


def _load(item: _Item, opts: _Options) -> Iterator[_Loaded]:
    if item.kind == "error":
        yield _Loaded(item.source, item.index, error=item.payload)
        return
    index = item.index
    try:
        if item.kind == "file":
            index = 0
            for index, transcript in enumerate(load_all(item.payload, opts.format, roles=opts.roles, **opts.options), 1):
                yield _checked(item.source, index, transcript, opts)
        elif item.kind == "line":
            number, line, stem = item.payload
            obj = parse_json(line, item.source, line_offset=number - 1)
            yield _checked(item.source, index, from_native(obj, item.source, opts.roles, f"{stem}-{number}", line=number), opts)
        elif isinstance(item.payload, Transcript):
            yield _checked(item.source, index, item.payload, opts)
        else:
            yield _checked(item.source, index, load(item.payload, opts.format, roles=opts.roles, **opts.options), opts)
    except Exception as exc:
        yield _Loaded(item.source, index + 1 if item.kind == "file" else index, error=_unexpected(exc, item))


def _checked(source: str, index: int, transcript: Transcript, opts: _Options) -> _Loaded:
    size = sum(len(turn.text) for turn in transcript.turns)
    if size > opts.max_call_bytes:
        return _Loaded(source, index, error=_too_large(source, size, opts.max_call_bytes))
    return _Loaded(source, index, transcript)


def _unexpected(exc: Exception, where: Any) -> Exception:
    """``exc``, logged with its traceback when it is not bad input (a bug, not the caller's data)."""
    if not isinstance(exc, CoachError):
        log.error("unexpected %s on %s #%s", type(exc).__name__, where.source, where.index, exc_info=exc)
    return exc


def _portable(error: Exception) -> Exception:
    """``error`` as a value that survives the trip back from a worker process."""
    if isinstance(error, CoachError):
        return error
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error


def _package(one: _Loaded, key: str | None, report: Report | None, error: Exception | None, opts: _Options) -> Any:
    call_id = one.transcript.id if one.transcript is not None else None
    if not opts.rows:
        return BatchResult(one.source, one.index, call_id, report, None if error is None else _portable(error))
    if error is not None:
        expected = isinstance(error, CoachError)
        row = error_row(
            source=one.source,
            index=one.index,
            error=str(error) if expected else f"{type(error).__name__}: {error}",
            error_type=type(error).__name__,
            id=call_id,
            language=opts.lang,
        )
        detail = None if expected else "".join(traceback.format_exception(type(error), error, error.__traceback__))
        return Scored(row, detail=detail)
    assert report is not None
    data = report.to_dict()
    row = report_row(report, source=one.source, index=one.index, key=key, data=data)
    return Scored(row, report=data if opts.store is not None else None)  # details travel only to a store
