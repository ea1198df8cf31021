"""Language data: one folder per language code with the same file names (``coach/lang/en/``).

Files are JSON (``*.json``) or one entry per line (``*.txt``, ``#`` starts a comment). They are read
through ``importlib.resources`` on first use and cached per process.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

from ..errors import UnsupportedLanguageError

__all__ = ["available", "data", "lines", "require"]


@functools.cache
def available() -> tuple[str, ...]:
    """Language codes that have a data folder, sorted."""
    root = resources.files(__name__)
    return tuple(
        sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("_"))
    )


def require(lang: str) -> str:
    """``lang`` when coach has data for it, else ``UnsupportedLanguageError`` listing what it has."""
    if lang not in available():
        raise UnsupportedLanguageError(lang, available())
    return lang


@functools.cache
def data(lang: str, name: str) -> Any:
    """The parsed JSON file ``coach/lang/<lang>/<name>.json``."""
    path = resources.files(__name__).joinpath(require(lang), f"{name}.json")
    return json.loads(path.read_text(encoding="utf-8"))


@functools.cache
def lines(lang: str, name: str) -> tuple[str, ...]:
    """The entries of ``coach/lang/<lang>/<name>.txt``: stripped, no blanks, no ``#`` comments."""
    path = resources.files(__name__).joinpath(require(lang), f"{name}.txt")
    out = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        entry = raw.split("#", 1)[0].strip()
        if entry:
            out.append(entry)
    return tuple(out)
