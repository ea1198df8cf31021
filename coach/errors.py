"""Errors raised by coach.

Every error says where the problem is (file, line, column or turn) and what to do about it.
The hierarchy::

    CoachError                                   base of everything coach raises on purpose
    ├── TranscriptError (also ValueError)        input that cannot be read as a conversation
    │   └── FormatError                          unknown or undetectable format; lists the known ones
    ├── UnsupportedLanguageError (also ValueError)  lists the available languages
    ├── ConfigError (also ValueError)            invalid configuration; names the key
    └── ModelError (also RuntimeError)           a shipped model is missing, altered or incompatible
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "CoachError",
    "ConfigError",
    "FormatError",
    "ModelError",
    "TranscriptError",
    "UnsupportedLanguageError",
]


class CoachError(Exception):
    """Base class of every error coach raises on purpose."""


class TranscriptError(CoachError, ValueError):
    """Input that cannot be read as a conversation.

    ``source`` names the file (or ``<text>``, ``<dict>``), ``line``/``column`` (1-based) or ``turn``
    (0-based) say where, and ``hint`` says how to fix it.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        column: int | None = None,
        turn: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.reason = message
        self.source = source
        self.line = line
        self.column = column
        self.turn = turn
        self.hint = hint
        super().__init__(self._render())

    def _render(self) -> str:
        where = self.source or "<input>"
        if self.line is not None:
            where += f", line {self.line}"
            if self.column is not None:
                where += f", column {self.column}"
        if self.turn is not None:
            where += f", turn {self.turn}"
        text = f"{where}: {self.reason}"
        if self.hint:
            text += f" — {self.hint}"
        return text

    def __reduce__(self):  # keep the keyword arguments across processes (joblib, dask)
        return _rebuild, (
            type(self),
            self.reason,
            {
                "source": self.source,
                "line": self.line,
                "column": self.column,
                "turn": self.turn,
                "hint": self.hint,
            },
        )


def _rebuild(cls, reason, kwargs):
    return cls(reason, **kwargs)


class FormatError(TranscriptError):
    """The format is unknown or could not be detected."""

    def __init__(self, message: str, *, known: Iterable[str] = (), **kwargs) -> None:
        self.known = tuple(known)
        if self.known and "hint" not in kwargs:
            kwargs["hint"] = "pass format= one of: " + ", ".join(self.known)
        super().__init__(message, **kwargs)


class UnsupportedLanguageError(CoachError, ValueError):
    """The requested language has no data in coach/lang/."""

    def __init__(self, lang: str, available: Iterable[str]) -> None:
        self.lang = lang
        self.available = tuple(available)
        super().__init__(
            f"language {lang!r} is not supported; available: {', '.join(self.available)}"
            f" (add a folder coach/lang/{lang}/ with the same files as coach/lang/en/)"
        )

    def __reduce__(self):
        return type(self), (self.lang, self.available)


class ConfigError(CoachError, ValueError):
    """Invalid configuration: ``key`` is the dotted path of the offending entry."""

    def __init__(self, key: str, message: str, source: str | None = None) -> None:
        self.key = key
        self.message = message
        self.source = source
        where = f"{source}: " if source else ""
        super().__init__(f"{where}{key}: {message}")

    def __reduce__(self):
        return type(self), (self.key, self.message, self.source)


class ModelError(CoachError, RuntimeError):
    """A shipped model is missing, altered, or built for other library versions."""
