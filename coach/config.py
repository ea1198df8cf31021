"""Configuration for QA teams, from a TOML file or a dict, without retraining anything.

::

    [stages.reassure]
    enabled = true              # false: the stage is neither detected nor reported missing
    threshold = 0.6             # confidence a turn needs for the stage to count (0-1)
    add_cues = ["you're in good hands"]
    remove_cues = ["no worries"]

    [clarity]
    allow = ["FibreMax", "HVB"]                     # never flagged (product names, house acronyms)
    glossary = { "MFA" = "two-step sign-in" }       # the house's plain alternatives, always flagged

    [clarity.kinds.long_sentence]
    enabled = true
    threshold = 25              # words

Every key is checked; a wrong one is a ``ConfigError`` naming it.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ._frozen import picklable
from .errors import ConfigError
from .report import STAGES

__all__ = ["CLARITY_KINDS", "ClarityConfig", "Config", "KindConfig", "StageConfig"]

#: Clarity issue kinds, each of which can be switched off or given a threshold.
CLARITY_KINDS: tuple[str, ...] = (
    "long_sentence",
    "uncommon_word",
    "jargon",
    "acronym",
    "passive_voice",
    "hidden_verb",
    "noun_string",
    "legalese",
    "hedge",
    "double_negative",
    "wall_of_text",
    "negative_refusal",
)


@dataclass(frozen=True, slots=True)
class StageConfig:
    enabled: bool = True
    threshold: float | None = None
    add_cues: tuple[str, ...] = ()
    remove_cues: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class KindConfig:
    enabled: bool = True
    threshold: float | None = None


@picklable
@dataclass(frozen=True, slots=True)
class ClarityConfig:
    glossary: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    allow: tuple[str, ...] = ()
    kinds: Mapping[str, KindConfig] = field(default_factory=lambda: MappingProxyType({}))

    def kind(self, name: str) -> KindConfig:
        return self.kinds.get(name, _DEFAULT_KIND)


_DEFAULT_KIND = KindConfig()
_DEFAULT_STAGE = StageConfig()


@picklable
@dataclass(frozen=True, slots=True)
class Config:
    """Stage and clarity settings. ``Config()`` is the default; build others with ``Config.load``."""

    stages: Mapping[str, StageConfig] = field(default_factory=lambda: MappingProxyType({}))
    clarity: ClarityConfig = field(default_factory=ClarityConfig)
    source: str | None = None

    def stage(self, name: str) -> StageConfig:
        return self.stages.get(name, _DEFAULT_STAGE)

    @property
    def fingerprint(self) -> str:
        """A stable text that changes whenever the configuration changes results."""
        return json.dumps(
            {
                "stages": {k: [v.enabled, v.threshold, list(v.add_cues), list(v.remove_cues)] for k, v in sorted(self.stages.items())},
                "glossary": dict(sorted(self.clarity.glossary.items())),
                "allow": sorted(self.clarity.allow),
                "kinds": {k: [v.enabled, v.threshold] for k, v in sorted(self.clarity.kinds.items())},
            },
            sort_keys=True,
        )

    @classmethod
    def load(cls, config: Config | Mapping[str, Any] | str | os.PathLike | None) -> Config:
        """A ``Config`` from itself, ``None`` (defaults), a dict, or the path of a TOML file."""
        if config is None:
            return DEFAULT
        if isinstance(config, Config):
            return config
        if isinstance(config, Mapping):
            return cls.from_dict(config)
        if isinstance(config, str | os.PathLike):
            return cls.from_toml(config)
        raise ConfigError("config", f"expected a dict or a TOML file path, got {type(config).__name__}")

    @classmethod
    def from_toml(cls, path: str | os.PathLike) -> Config:
        source = str(path)
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError("config", "file not found", source) from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError("config", f"invalid TOML: {exc}", source) from None
        except UnicodeDecodeError:
            raise ConfigError("config", "not UTF-8 text", source) from None
        return cls.from_dict(data, source=source)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str | None = None) -> Config:
        _keys(data, {"stages", "clarity"}, "", source)
        stages = {}
        for name, entry in _table(data.get("stages", {}), "stages", source).items():
            if name not in STAGES:
                raise ConfigError(f"stages.{name}", f"unknown stage; use one of {', '.join(STAGES)}", source)
            key = f"stages.{name}"
            entry = _table(entry, key, source)
            _keys(entry, {"enabled", "threshold", "add_cues", "remove_cues"}, key, source)
            stages[name] = StageConfig(
                enabled=_bool(entry.get("enabled", True), f"{key}.enabled", source),
                threshold=_threshold(entry.get("threshold"), f"{key}.threshold", source, upper=1.0),
                add_cues=_strings(entry.get("add_cues", []), f"{key}.add_cues", source),
                remove_cues=_strings(entry.get("remove_cues", []), f"{key}.remove_cues", source),
            )
        clarity = _table(data.get("clarity", {}), "clarity", source)
        _keys(clarity, {"glossary", "allow", "kinds"}, "clarity", source)
        glossary = _table(clarity.get("glossary", {}), "clarity.glossary", source)
        for term, plain in glossary.items():
            if not isinstance(plain, str) or not str(term).strip():
                raise ConfigError(f"clarity.glossary.{term}", "must map a term to its plain alternative (a string)", source)
        kinds = {}
        for name, entry in _table(clarity.get("kinds", {}), "clarity.kinds", source).items():
            key = f"clarity.kinds.{name}"
            if name not in CLARITY_KINDS:
                raise ConfigError(key, f"unknown issue kind; use one of {', '.join(CLARITY_KINDS)}", source)
            entry = _table(entry, key, source)
            _keys(entry, {"enabled", "threshold"}, key, source)
            kinds[name] = KindConfig(
                enabled=_bool(entry.get("enabled", True), f"{key}.enabled", source),
                threshold=_threshold(entry.get("threshold"), f"{key}.threshold", source, upper=None),
            )
        return cls(
            stages=MappingProxyType(stages),
            clarity=ClarityConfig(
                glossary=MappingProxyType(dict(glossary)),
                allow=_strings(clarity.get("allow", []), "clarity.allow", source),
                kinds=MappingProxyType(kinds),
            ),
            source=source,
        )


DEFAULT = Config()


def _keys(data: Mapping[str, Any], allowed: set[str], prefix: str, source: str | None) -> None:
    for key in data:
        if key not in allowed:
            dotted = f"{prefix}.{key}" if prefix else str(key)
            raise ConfigError(dotted, f"unknown key; allowed here: {', '.join(sorted(allowed))}", source)


def _table(value: Any, key: str, source: str | None) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(key, f"must be a table, got {type(value).__name__}", source)
    return value


def _bool(value: Any, key: str, source: str | None) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(key, f"must be true or false, got {value!r}", source)
    return value


def _threshold(value: Any, key: str, source: str | None, *, upper: float | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 or (upper is not None and value > upper):
        bound = f"between 0 and {upper}" if upper is not None else "a number ≥ 0"
        raise ConfigError(key, f"must be {bound}, got {value!r}", source)
    return float(value)


def _strings(value: Any, key: str, source: str | None) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(key, "must be a list of non-empty strings", source)
    return tuple(v.strip() for v in value)
