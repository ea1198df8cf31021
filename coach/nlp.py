"""spaCy pipelines per language: ``spacy.blank(lang)`` plus a sentencizer, built once per process.

No pretrained pipeline is needed and nothing is downloaded. spaCy is imported on first use, so
``import coach`` stays light.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from . import lang as _lang

if TYPE_CHECKING:
    from spacy.language import Language

__all__ = ["pipeline"]


@functools.cache
def pipeline(lang: str = "en") -> Language:
    """The cached blank pipeline for ``lang`` with rule-based sentence boundaries."""
    _lang.require(lang)
    import spacy

    nlp = spacy.blank(lang)
    nlp.add_pipe("sentencizer")
    # Turns are short, but a pasted document must not hit spaCy's default 1M-character guard.
    nlp.max_length = 50_000_000
    return nlp
