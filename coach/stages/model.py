"""The learned layer at inference: the shipped scikit-learn model's decision, computed in plain Python.

The artifact (``coach/models/stages.joblib``) is a ``Pipeline(DictVectorizer, OneVsRestClassifier(
LogisticRegression))`` over ``features.counts``. Calling scikit-learn on one turn costs far more than
the turn's tokenization, so at load the weights are read out once and a turn's score is summed
directly: one cached score vector per distinct word (its word and character n-gram weights) plus
the weights of its turn features. The result equals ``decision_function`` (a test checks it).

Scores are logits. ``probability`` shifts each stage by the offset cross-validation chose, so that
0.5 is the stage's tuned decision threshold, and squashes it into [0, 1].
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any

from .. import models
from .._limits import WORDS
from ..errors import ModelError
from ._text import Words
from .features import FEATURES_VERSION, stop_words, word_features

__all__ = ["MODEL_NAME", "StageModel", "stage_model"]

#: The shipped artifact this module reads.
MODEL_NAME = "stages"

_WORD_CACHE = WORDS


class StageModel:
    """Scores the five stages of one agent turn from its features. Get the shared one with ``stage_model``."""

    def __init__(self, name: str = MODEL_NAME) -> None:
        self.name = name

    @functools.cached_property
    def meta(self) -> dict[str, Any]:
        meta = models.check(self.name)
        version = meta.get("features", {}).get("version")
        if version != FEATURES_VERSION:
            raise ModelError(
                f"model {self.name!r} was trained on stage features version {version}, this coach computes"
                f" version {FEATURES_VERSION}; rebuild it with `{meta.get('command')}`"
            )
        return meta

    @functools.cached_property
    def _tables(self) -> tuple[Any, dict[str, int], dict[str, tuple[float, ...]], tuple[float, ...], tuple[int, int]]:
        import numpy as np

        meta = self.meta
        pipeline = models.load(self.name)
        vectorizer = pipeline.named_steps["features"]
        classifier = pipeline.named_steps["classifier"]
        weights = np.column_stack([est.coef_.ravel() for est in classifier.estimators_])
        bias = tuple(float(est.intercept_[0]) for est in classifier.estimators_)
        vocab = dict(vectorizer.vocabulary_)
        # Turn features (everything but a word's own w=/c= features) as plain tuples: summing a few
        # tuples is cheaper than indexing numpy for every turn.
        rows = {f: tuple(float(x) for x in weights[i]) for f, i in vocab.items() if not f.startswith(("w=", "c="))}
        low, high = meta["features"]["char_ngrams"]
        return weights, vocab, rows, bias, (low, high)

    @functools.cached_property
    def stages(self) -> tuple[str, ...]:
        """The stages the model scores, in its column order."""
        return tuple(self.meta["classes"])

    @functools.cached_property
    def offsets(self) -> tuple[float, ...]:
        """Per stage, the logit that cross-validation chose as the decision threshold."""
        return tuple(float(self.meta["offsets"][s]) for s in self.stages)

    @functools.cached_property
    def _words(self) -> dict[str, tuple[float, ...]]:
        return {}

    def word_vector(self, word: str) -> tuple[float, ...]:
        """Sum of the weights of ``word``'s own features, per stage (cached)."""
        vector = self._words.get(word)
        if vector is None:
            weights, vocab, _, _, ngrams = self._tables
            found = [vocab[f] for f in word_features(word, *ngrams) if f in vocab]
            vector = tuple(float(x) for x in weights[found].sum(axis=0)) if found else (0.0,) * len(self.stages)
            if len(self._words) >= _WORD_CACHE:
                self._words.clear()
            self._words[word] = vector
        return vector

    def partial(self, words: Words, features: Sequence[str]) -> list[float]:
        """Per stage, the intercept plus the weights of ``words`` and ``features`` (a part of a turn's logit)."""
        _, _, rows, bias, _ = self._tables
        known = self._words
        vectors = [known[w] if w in known else self.word_vector(w) for w in words.words]
        vectors += [rows[f] for f in features if f in rows]
        if not vectors:
            return list(bias)
        return [b + s for b, s in zip(bias, map(sum, zip(*vectors, strict=True)), strict=True)]

    def add(self, logits: Sequence[float], features: Sequence[str]) -> list[float]:
        """``logits`` plus the weights of ``features`` (the rest of a turn's logit)."""
        rows = self._tables[2]
        vectors = [rows[f] for f in features if f in rows]
        if not vectors:
            return list(logits)
        return [z + s for z, s in zip(logits, map(sum, zip(*vectors, strict=True)), strict=True)]

    def logits(self, words: Words, features: Sequence[str]) -> list[float]:
        """Per stage, the model's decision value for a turn (equals scikit-learn's ``decision_function``)."""
        return self.partial(words, features)

    def probabilities(self, logits: Sequence[float]) -> list[float]:
        """Calibrated confidences (0–1; 0.5 is each stage's cross-validated threshold) of a turn's logits."""
        return [0.0 if z - o < -40 else 1.0 / (1.0 + math.exp(o - z)) for z, o in zip(logits, self.offsets, strict=True)]

    def strongest(self, words: Words, features: Sequence[str], stage: int, n: int = 3) -> list[tuple[str, float, int | None]]:
        """The ``n`` features that pushed ``stage`` up most: ``(label, weight, word index or None)``.
        Single stop words are left out: they carry weight but explain nothing to a reader. Ties go
        to the word before the feature, the earlier before the later."""
        rows = self._tables[2]
        ranked = self._word_ranking(words, stage, n)
        offset = len(words.words)  # after every word
        ranked = ranked + [((-rows[f][stage], f, offset + k), f, None) for k, f in enumerate(features) if f in rows]
        ranked.sort()
        return [(label, -key[0], i) for key, label, i in ranked[:n] if -key[0] > 0]

    @functools.cached_property
    def _rankings(self) -> dict[tuple[tuple[str, ...], int, int], list[tuple[tuple[float, str, int], str, int]]]:
        return {}

    def _word_ranking(self, words: Words, stage: int, n: int) -> list[tuple[tuple[float, str, int], str, int]]:
        """The ``n`` strongest words of a turn for ``stage`` as ``strongest`` ranks them (cached by the
        turn's words: a turn said again with other context features keeps its words' part)."""
        key = (words.words, stage, n)
        ranked = self._rankings.get(key)
        if ranked is None:
            stop = stop_words(words.lang)
            ranked = sorted(((-self.word_vector(w)[stage], w, i), w, i) for i, w in enumerate(words.words) if w not in stop)[:n]
            if len(self._rankings) >= _WORD_CACHE:
                self._rankings.clear()
            self._rankings[key] = ranked
        return ranked


@functools.cache
def stage_model(name: str = MODEL_NAME) -> StageModel:
    """The shared ``StageModel`` (loaded on first use, once per process)."""
    return StageModel(name)
