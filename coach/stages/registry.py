"""The stage detectors by name: one read-only mapping from stage to its ``make(lang, config)``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from ..config import Config
from . import confirm, fix, follow_up, listen, reassure
from .base import Detector

__all__ = ["DETECTORS"]

#: Stage name → factory of its detector, in framework order (``coach.report.STAGES``).
DETECTORS: Mapping[str, Callable[[str, Config], Detector]] = MappingProxyType(
    {
        "reassure": reassure.make,
        "listen": listen.make,
        "confirm": confirm.make,
        "fix": fix.make,
        "follow_up": follow_up.make,
    }
)
