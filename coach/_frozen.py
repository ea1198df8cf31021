"""Pickling for frozen dataclasses that hold read-only mappings.

``types.MappingProxyType`` cannot be pickled, yet transcripts, configurations and reports keep their
mappings read-only and must cross process boundaries (joblib workers, Dask, a user's own
multiprocessing). ``picklable`` gives such a class a ``__reduce__`` that sends the mappings as plain
dicts and wraps them again on arrival — without touching how pickle treats anything else.
"""

from __future__ import annotations

import dataclasses
from types import MappingProxyType
from typing import Any, TypeVar

__all__ = ["picklable"]

T = TypeVar("T")


def picklable(cls: type[T]) -> type[T]:
    """Class decorator: make a frozen dataclass with ``MappingProxyType`` fields picklable."""
    cls.__reduce__ = _reduce  # type: ignore[method-assign]
    return cls


def _reduce(self: Any) -> tuple[Any, tuple[Any, ...]]:
    state = {}
    for f in dataclasses.fields(self):
        value = getattr(self, f.name)
        proxy = isinstance(value, MappingProxyType)
        state[f.name] = (dict(value) if proxy else value, proxy)
    return _restore, (type(self), state)


def _restore(cls: type[T], state: dict[str, tuple[Any, bool]]) -> T:
    obj = object.__new__(cls)
    for name, (value, proxy) in state.items():
        object.__setattr__(obj, name, MappingProxyType(value) if proxy else value)
    return obj
