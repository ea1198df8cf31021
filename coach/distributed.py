"""Batch scoring on a Dask cluster, for when one machine is not enough (extra: ``coach-cx[dask]``).

::

    from dask.distributed import Client
    client = Client("tcp://scheduler:8786")
    for result in coach.analyze_many(["/shared/calls/"], scheduler=client):
        ...

    coach score /shared/calls -o scores.parquet --scheduler tcp://scheduler:8786

The chunks and the worker function are exactly those of a local run, so the results are identical;
only where the chunks run changes. Files are opened by the Dask workers: paths must be readable
there (shared storage). JSONL files and standard input are read by the calling process and their
lines travel with the chunks, so they need nothing shared. The results store stays with the calling
process, which writes it; workers check it for already-scored calls when they can read its path
(otherwise they analyse those calls again and the store still keeps one row per call).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

__all__ = ["map_ordered"]


def map_ordered(
    fn: Callable[..., Any], tasks: Iterable[Any], *args: Any, scheduler: Any, window: int | None = None
) -> Iterator[Any]:
    """``fn(task, *args)`` for each task on the cluster, yielded in task order.

    ``scheduler`` is a ``dask.distributed.Client`` or a scheduler address. At most ``window`` tasks
    are in flight (default: twice the cluster's threads), so input is read only as fast as the
    cluster works and memory stays flat. Tasks are taken and submitted by a thread, so a result is
    yielded as soon as it and all earlier ones are done, even while the next task is slow to come.
    """
    try:
        from dask.distributed import Client
    except ImportError:
        raise ImportError("running on a Dask cluster needs dask.distributed: pip install 'coach-cx[dask]'") from None
    from .batch import _ordered

    own = not isinstance(scheduler, Client)
    client = Client(scheduler) if own else scheduler
    try:
        if window is None:
            window = max(2, 2 * sum(client.nthreads().values()))
        # pure=False: equal chunks (say, the same file twice) are still separate work
        yield from _ordered(lambda task: client.submit(fn, task, *args, pure=False), tasks, window)
    finally:
        if own:
            client.close()
