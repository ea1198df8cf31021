"""The rule layer: cue and counter-cue phrases per stage, matched on a turn's normalised words.

The lists are data (``coach/lang/<lang>/stages.json``); a QA team adds or removes phrases through
``Config`` (``add_cues`` / ``remove_cues``) without retraining. Matching runs on the normalised words
of a turn (``_text.Words``) so chat and voice forms of a phrase match alike. Phrase templates
("(i|we) have $done") are expanded into plain phrases when the matcher is built, and a turn is
matched by looking its word sequences up in a dictionary of those phrases: the same matches as
spaCy's ``PhraseMatcher`` on the words (a test checks it), without building a ``Doc`` per turn,
which cost more than the rest of the rule layer.

Kinds: ``strong`` cues decide alone; ``weak`` cues only inform the model; a ``counter`` cue cancels
the cues of its stage that it overlaps and, when no strong cue of the stage is left, holds the turn
below the threshold; a ``veto`` holds the whole turn below it; a ``defer`` cue ("to make sure",
"once") cancels the cues of its stage that come after it — they speak of later, not of now; a
``recap`` cue ("is that right") cancels those before it — they restate the problem, not solve it.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from .. import lang as _lang
from ..config import Config
from ..errors import ConfigError
from ..report import STAGES
from ._text import Normalizer, Words, normalizer

__all__ = ["KINDS", "NO_CUES", "CueMatcher", "Hit", "StageCues", "cue_matcher", "weights"]

#: Cue kinds in the order a reader meets them in stages.json.
KINDS: tuple[str, ...] = ("strong", "weak", "counter", "veto", "defer", "recap")

#: More phrases than this from one template is a data error (a runaway cartesian product).
MAX_EXPANSION = 20_000

_SLOT = re.compile(r"\([^)]*\)\??|\S+")


@dataclass(frozen=True, slots=True)
class Hit:
    """One matched cue: its stage, kind, the phrase (or pattern id), and the words ``[start, end)`` it covers."""

    stage: str
    kind: str
    cue: str
    start: int
    end: int


class StageCues(NamedTuple):
    """What the rule layer says about one stage in one turn.

    ``best`` is the strongest surviving cue (``None`` when none survived) and ``confidence`` its
    weight (0 without one): higher means the phrase alone is better evidence. ``counter`` is true
    when a counter-cue or veto matched; ``capped`` when it holds the turn below the threshold.
    """

    best: Hit | None
    confidence: float
    strong: bool
    weak: bool
    counter: bool
    capped: bool


#: The rule layer's answer for a stage without any hit.
NO_CUES = StageCues(None, 0.0, False, False, False, False)


@functools.cache
def weights(lang: str) -> Mapping[str, float]:
    """Confidence of a ``strong`` and a ``weak`` cue, and ``counter_cap``, the most a countered turn keeps."""
    return dict(_lang.data(lang, "stages")["weights"])


class CueMatcher:
    """Matches every enabled stage's cues in a turn's ``Words``. Get one with ``cue_matcher``."""

    def __init__(self, lang: str, config: Config) -> None:
        self.lang = lang
        self.config = config

    @functools.cached_property
    def _built(self) -> tuple[dict[tuple[str, ...], tuple[tuple[str, str, str], ...]], dict[str, tuple[int, ...]]]:
        """Every phrase with the cues it stands for, and per first word the phrase lengths starting with it."""
        phrases: dict[tuple[str, ...], dict[tuple[str, str, str], None]] = {}
        for stage, kind, cue, words in _entries(self.lang, self.config):
            phrases.setdefault(words, {})[stage, kind, cue] = None
        lengths: dict[str, set[int]] = {}
        for words in phrases:
            lengths.setdefault(words[0], set()).add(len(words))
        return (
            {words: tuple(labels) for words, labels in phrases.items()},
            {first: tuple(sorted(n)) for first, n in lengths.items()},
        )

    def matches(self, words: tuple[str, ...]) -> list[tuple[tuple[str, str, str], int, int]]:
        """Every cue occurrence in ``words`` as ``((stage, kind, cue), start, end)``, overlaps included.

        A dictionary of phrases keyed by their words, looked up at each word that starts some
        phrase: most words start none, so a turn costs about one set lookup per word."""
        phrases, lengths = self._built
        n = len(words)
        found = []
        for start, word in enumerate(words):
            sizes = lengths.get(word)
            if sizes is None:
                continue
            for size in sizes:
                end = start + size
                if end > n:
                    break
                labels = phrases.get(words[start:end])
                if labels is not None:
                    found.extend((label, start, end) for label in labels)
        return found

    def __call__(self, words: Words) -> dict[str, StageCues]:
        """Per stage with any hit: the strongest cue that survives its counter-cues, and the rule confidence."""
        matches = self.matches(words.words)
        if not matches:
            return {}
        by_stage: dict[str, list[tuple[str, str, int, int]]] = {}
        for (stage, kind, cue), start, end in matches:
            by_stage.setdefault(stage, []).append((kind, cue, start, end))
        w = weights(self.lang)
        out: dict[str, StageCues] = {}
        for stage, hits in by_stage.items():
            counters = [(s, e) for kind, _, s, e in hits if kind == "counter"]
            veto = any(kind == "veto" for kind, _, _, _ in hits)
            deferred = min((s for kind, _, s, _ in hits if kind == "defer"), default=None)
            recapped = max((s for kind, _, s, _ in hits if kind == "recap"), default=None)
            best: tuple[bool, int, int, str, str] | None = None
            weak = False
            for kind, cue, s, e in hits:
                if (kind != "strong" and kind != "weak") or any(cs < e and s < ce for cs, ce in counters):
                    continue
                if (deferred is not None and s >= deferred) or (recapped is not None and e <= recapped):
                    continue
                weak = weak or kind == "weak"
                # Strongest first; among equals the longest, then the earliest, so evidence is stable.
                rank = (kind != "strong", s - e, s, cue, kind)
                if best is None or rank < best:
                    best = rank
            hit = None if best is None else Hit(stage, best[4], best[3], best[2], best[2] - best[1])
            strong = hit is not None and hit.kind == "strong"
            out[stage] = StageCues(
                best=hit,
                confidence=w[hit.kind] if hit is not None else 0.0,
                strong=strong,
                weak=weak,
                counter=bool(counters) or veto,
                capped=veto or (bool(counters) and not strong),
            )
        return out


def _entries(lang: str, config: Config) -> Iterator[tuple[str, str, str, tuple[str, ...]]]:
    """``(stage, kind, cue, words)`` for every phrase of every enabled stage after the config's changes.

    ``remove_cues`` names listed phrases (compared normalised) or pattern ids; one that names
    nothing is a ``ConfigError``, so a typo cannot silently leave a cue in place.
    """
    norm = normalizer(lang)
    data = _lang.data(lang, "stages")
    # Disabled stages are matched too: their cues are features the model reads for every stage.
    for stage in STAGES:
        cfg = config.stage(stage)
        entry = data["stages"].get(stage, {})
        key = f"stages.{stage}.remove_cues"
        removed = {cue: _normal(norm, cue, key, config) for cue in cfg.remove_cues}
        gone = set(removed.values())
        used: set[tuple[str, ...]] = set()
        for kind in KINDS:
            for cue in entry.get(kind, ()):
                words = norm.phrase(cue)
                if words in gone:
                    used.add(words)
                elif words:
                    yield stage, kind, cue, words
        for item in entry.get("patterns", ()):
            if item["id"] in removed:
                used.add(removed[item["id"]])
                continue
            for words in _expand(item["pattern"], data["sets"], norm, f"{stage} pattern {item['id']}"):
                yield stage, item.get("strength", "strong"), item["id"], words
        unknown = [cue for cue, words in removed.items() if words not in used]
        if unknown:
            raise ConfigError(
                key,
                f"{unknown[0]!r} is not a cue of {stage}; remove_cues takes the phrases and pattern ids"
                f" listed for {stage} in coach/lang/{lang}/stages.json",
                config.source,
            )
        for cue in cfg.add_cues:
            yield stage, "strong", cue, _normal(norm, cue, f"stages.{stage}.add_cues", config)


def _expand(template: str, sets: Mapping[str, list[str]], norm: Normalizer, where: str) -> list[tuple[str, ...]]:
    """Every phrase a template stands for: ``(a|b)`` alternatives, ``$set`` lists, ``?`` optional slots."""
    slots: list[list[tuple[str, ...]]] = []
    for slot in _SLOT.findall(template):
        optional = slot.endswith("?")
        body = slot.removesuffix("?")
        if body.startswith("("):
            options = body[1:-1].split("|")
        elif body.startswith("$"):
            options = sets[body[1:]]
        else:
            options = [body]
        alternatives = [norm.phrase(o) for o in options]
        slots.append([*alternatives, ()] if optional else alternatives)
    size = 1
    for alternatives in slots:
        size *= len(alternatives)
    if size > MAX_EXPANSION:
        raise ValueError(f"stages.json {where}: {size} phrases (more than {MAX_EXPANSION}); split the template")
    return [tuple(w for part in combo for w in part) for combo in itertools.product(*slots)]


def _normal(norm: Normalizer, cue: str, key: str, config: Config) -> tuple[str, ...]:
    words = norm.phrase(cue)
    if not words:
        raise ConfigError(key, f"{cue!r} has no words to match once fillers and punctuation are dropped", config.source)
    return words


_MATCHERS: dict[tuple[str, str], CueMatcher] = {}


def cue_matcher(lang: str, config: Config) -> CueMatcher:
    """The shared ``CueMatcher`` for ``lang`` and ``config`` (one per process and configuration)."""
    key = (lang, config.fingerprint)
    matcher = _MATCHERS.get(key)
    if matcher is None:
        matcher = _MATCHERS[key] = CueMatcher(lang, config)
    return matcher
