"""coach — coaches customer-service agents on five stages: reassure, listen, confirm, fix, follow-up.

::

    import coach
    report = coach.analyze("call.json")
    report.missing            # ('confirm', 'follow_up')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .analyzer import Coach, Session, TurnResult
from .batch import analyze_many
from .clarity import clarity
from .config import Config
from .errors import (
    CoachError,
    ConfigError,
    FormatError,
    ModelError,
    TranscriptError,
    UnsupportedLanguageError,
)
from .formats import FORMATS, load, load_all
from .paraphrase import paraphrase
from .report import (
    STAGES,
    CallClarity,
    Clarity,
    Evidence,
    Hint,
    Issue,
    OrderFinding,
    Paraphrase,
    Report,
    StageResult,
    Stats,
    TurnClarity,
)
from .transcript import Role, Transcript, Turn

__version__ = "0.1.0"

__all__ = [
    "CallClarity",
    "Clarity",
    "Coach",
    "CoachError",
    "Config",
    "ConfigError",
    "Evidence",
    "FORMATS",
    "FormatError",
    "Hint",
    "Issue",
    "ModelError",
    "OrderFinding",
    "Paraphrase",
    "Report",
    "Role",
    "STAGES",
    "Session",
    "StageResult",
    "Stats",
    "Transcript",
    "TranscriptError",
    "Turn",
    "TurnClarity",
    "TurnResult",
    "UnsupportedLanguageError",
    "__version__",
    "analyze",
    "analyze_many",
    "clarity",
    "live",
    "load",
    "load_all",
    "paraphrase",
]


def analyze(
    source: Any,
    lang: str = "en",
    *,
    format: str = "auto",
    roles: Mapping[str, str | Role] | None = None,
    config: Config | Mapping[str, Any] | str | None = None,
    **options: Any,
) -> Report:
    """Analyse one call: a Transcript or anything ``coach.load`` reads. Returns a ``Report``.

    ``options`` go to the format's reader (e.g. ``columns=`` for CSV, ``text_field=`` for Harper Valley).
    """
    return _coach(lang, config).analyze(source, format=format, roles=roles, **options)


def live(lang: str = "en", config: Config | Mapping[str, Any] | str | None = None, **kwargs: Any) -> Session:
    """A live session that coaches turn by turn; its ``report()`` equals ``analyze`` on the same turns."""
    return _coach(lang, config).live(**kwargs)


def _coach(lang: str, config: Any) -> Coach:
    # One Coach per (language, configuration) so models and matchers are built once per process.
    if config is None or isinstance(config, str):
        return _cached_coach(lang, config)
    return Coach(lang, config)


_COACHES: dict[tuple[str, Any], Coach] = {}


def _cached_coach(lang: str, config: str | None) -> Coach:
    key = (lang, config)
    if key not in _COACHES:
        _COACHES[key] = Coach(lang, config)
    return _COACHES[key]
