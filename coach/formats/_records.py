"""What the JSON vendor formats share: a file holds one conversation record, a list of them, a wrapper
object with a list (``{"conversations": [...]}``), or one record per line (JSONL, streamed).

A format subclasses ``RecordReader`` and says how to recognise one record (``is_record``) and how to
turn it into a ``Transcript`` (``read_record``); finding the records, default ids, detection and the
wrong-shape error are done here once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any

from ..errors import TranscriptError
from ..transcript import Role, Transcript
from ._base import Document, TurnBuilder, parse_timestamp


@dataclass(frozen=True, slots=True)
class Context:
    """Where one record comes from, and what the caller asked for."""

    source: str
    roles: Mapping[str, str | Role] | None
    line: int | None
    default_id: str
    options: Mapping[str, Any]

    def error(self, message: str, *, turn: int | None = None, hint: str | None = None) -> TranscriptError:
        return TranscriptError(message, source=self.source, line=self.line, turn=turn, hint=hint)

    def builder(self) -> TurnBuilder:
        return TurnBuilder(self.source, self.roles)

    def items(self, value: Any, what: str) -> list[Any]:
        """``value`` as a list (``None`` is empty); an error naming ``what`` otherwise."""
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(f'"{what}" must be a list, got {type(value).__name__}')
        return value

    def mapping(self, value: Any, what: str, turn: int | None = None) -> Mapping[str, Any]:
        """``value`` as an object (``None`` is empty); an error naming ``what`` otherwise."""
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise self.error(f"{what} must be an object, got {type(value).__name__}", turn=turn)
        return value

    def number(self, value: Any, what: str, turn: int | None = None) -> float | None:
        """A number (or numeric string) from the source; ``None`` when absent, an error when not a number."""
        if value is None or value == "":
            return None
        seconds = (
            None
            if isinstance(value, bool)
            else parse_timestamp(value)
            if isinstance(value, str | int | float)
            else None
        )
        if seconds is None:
            raise self.error(f"{what} {value!r} is not a number", turn=turn, hint="fix or remove that field")
        return seconds


def pick(obj: Mapping[str, Any], *keys: str) -> Any:
    """The value of the first of ``keys`` present in ``obj`` (APIs spell fields in camelCase or snake_case)."""
    for key in keys:
        if key in obj:
            return obj[key]
    return None


def text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def agents_metadata(names: list[str]) -> dict[str, Any]:
    """``{"agent": name}`` for the human agent, plus ``"agents"`` in order when several took part."""
    unique = list(dict.fromkeys(n for n in names if n))
    if not unique:
        return {}
    return {"agent": unique[0], **({"agents": unique} if len(unique) > 1 else {})}


class RecordReader:
    """Base of the JSON formats that hold records: see the module docstring."""

    name: str
    description: str
    #: what one record looks like, for the wrong-shape error
    shape: str
    extensions: tuple[str, ...] = (".json", ".jsonl")
    options: tuple[str, ...] = ()
    #: quoted JSON keys, one of which appears near the start of every file of this format
    markers: tuple[str, ...] = ()
    #: keys of wrapper objects that hold a list of records
    wrappers: tuple[str, ...] = ()
    #: wrapper keys name dataset splits (kept as metadata "split")
    wrapper_is_split: bool = False
    confidence: float = 0.95

    def is_record(self, obj: Any) -> bool:
        raise NotImplementedError

    def read_record(self, obj: Mapping[str, Any], ctx: Context) -> Transcript:
        raise NotImplementedError

    def settings(self, options: Mapping[str, Any], source: str) -> Mapping[str, Any]:
        """The options with their defaults, checked; formats with options override this."""
        return options

    def detect(self, doc: Document) -> float:
        if not doc.is_json_like:
            return 0.0
        if not doc._has_obj and not any(marker in doc.head for marker in self.markers):
            return 0.0
        first = next(islice(self._candidates(doc.sample), 1), None)
        return self.confidence if first is not None and self.is_record(first[0]) else 0.0

    def read(self, doc: Document, roles: Mapping[str, str | Role] | None, **options: Any) -> Iterator[Transcript]:
        options = self.settings(options, doc.source)
        count = 0
        for line, value in doc.json_values():
            single = line is None and self.is_record(value)
            for record, extra in self._records(value, doc.source, line):
                count += 1
                default_id = doc.stem if single else f"{doc.stem}-{count}"
                transcript = self.read_record(record, Context(doc.source, roles, line, default_id, options))
                if extra:
                    transcript = Transcript(
                        transcript.id, transcript.turns, {**transcript.metadata, **extra}, transcript.language
                    )
                yield transcript

    def _candidates(self, value: Any) -> Iterator[tuple[Any, dict[str, Any]]]:
        """Whatever could be a record, without judging it: the value, a list's items, a wrapper's items."""
        if self.is_record(value):
            yield value, {}
        elif isinstance(value, list):
            for item in value:
                yield item, {}
        elif isinstance(value, Mapping):
            for key in self.wrappers:
                items = value.get(key)
                if isinstance(items, list):
                    for item in items:
                        yield item, ({"split": key} if self.wrapper_is_split else {})

    def _records(self, value: Any, source: str, line: int | None) -> Iterator[tuple[Mapping[str, Any], dict]]:
        found = False
        for index, (record, extra) in enumerate(self._candidates(value)):
            if not self.is_record(record):
                raise TranscriptError(
                    f"item {index} is not a {self.name} conversation: expected {self.shape}, found {_describe(record)}",
                    source=source,
                    line=line,
                    hint=f"pass a {self.name} export, or choose the right format=",
                )
            found = True
            yield record, extra
        if not found and not (isinstance(value, list | Mapping) and _is_empty_container(value, self.wrappers)):
            raise TranscriptError(
                f"this is not a {self.name} file: expected {self.shape}, found {_describe(value)}",
                source=source,
                line=line,
                hint="check the file, or pass the right format= (coach.FORMATS lists them)",
            )


def _is_empty_container(value: Any, wrappers: tuple[str, ...]) -> bool:
    if isinstance(value, list):
        return not value
    return any(isinstance(value.get(k), list) for k in wrappers)


def _describe(value: Any) -> str:
    if isinstance(value, Mapping):
        return "keys " + repr(sorted(map(str, value))[:10])
    return f"a {type(value).__name__}"
