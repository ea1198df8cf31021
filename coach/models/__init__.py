"""Trained artifacts shipped with coach, and the only code that loads them.

Each model is ``<name>.joblib`` (a scikit-learn estimator) beside ``<name>.json``, its sidecar::

    {"name", "version", "coach": ">=0.1,<0.2", "sklearn": "1.9.1", "sha256": <artifact>,
     "training_data": {"sha256", ...}, "command": <how to rebuild it>, "cv": {...metrics}, ...}

joblib files run code when loaded, so ``load`` only opens files inside this package, by bare name,
and checks the sidecar *before* ``joblib.load``: the artifact's sha256, the exact scikit-learn
version it was pickled with, and the coach version range it was built for. Any mismatch is a
``ModelError`` saying how to fix it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from pathlib import Path
from typing import Any

from ..errors import ModelError

__all__ = ["MODELS_DIR", "available", "check", "load", "metadata", "sha256"]

#: The folder the shipped artifacts live in (inside the installed package).
MODELS_DIR = Path(__file__).resolve().parent

_NAME = re.compile(r"[a-z][a-z0-9_]*")


def available() -> tuple[str, ...]:
    """Names of the shipped models (those with both a ``.joblib`` and a ``.json``), sorted."""
    return tuple(sorted(p.stem for p in MODELS_DIR.glob("*.joblib") if p.with_suffix(".json").is_file()))


def sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _paths(name: str) -> tuple[Path, Path]:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ModelError(f"model name {name!r} is not a bare name; coach loads only its own models: {', '.join(available())}")
    return MODELS_DIR / f"{name}.joblib", MODELS_DIR / f"{name}.json"


@functools.cache
def metadata(name: str) -> dict[str, Any]:
    """The parsed sidecar of model ``name``."""
    artifact, sidecar = _paths(name)
    if not sidecar.is_file() or not artifact.is_file():
        raise ModelError(
            f"model {name!r} is missing from {MODELS_DIR}; reinstall coach-cx, or rebuild it with the"
            f" command in its training folder (for stages: python training/stages/train.py)"
        )
    try:
        return json.loads(sidecar.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(f"{sidecar} is not valid JSON ({exc}); reinstall coach-cx or rebuild the model") from None


def check(name: str) -> dict[str, Any]:
    """The sidecar of ``name`` once the artifact's checksum and the library versions agree with it."""
    import sklearn

    from .. import __version__

    meta = metadata(name)
    artifact, _ = _paths(name)
    rebuild = meta.get("command", "the training command in its sidecar")
    actual = sha256(artifact)
    if actual != meta.get("sha256"):
        raise ModelError(
            f"{artifact} does not match the checksum in {name}.json (sha256 {actual[:12]}…, expected"
            f" {str(meta.get('sha256'))[:12]}…): the file was altered or is incomplete. Reinstall coach-cx or"
            f" rebuild it with `{rebuild}`"
        )
    wanted = meta.get("sklearn")
    if wanted != sklearn.__version__:
        raise ModelError(
            f"model {name!r} was pickled with scikit-learn {wanted}, but {sklearn.__version__} is installed;"
            f" install scikit-learn=={wanted}, or rebuild the model with `{rebuild}`"
        )
    if not _in_range(__version__, meta.get("coach", "")):
        raise ModelError(
            f"model {name!r} is for coach {meta.get('coach')!r}, this is coach {__version__};"
            f" reinstall coach-cx or rebuild the model with `{rebuild}`"
        )
    return meta


@functools.cache
def load(name: str) -> Any:
    """The estimator of model ``name``, after ``check`` passed. Cached per process."""
    import joblib

    check(name)
    artifact, _ = _paths(name)
    return joblib.load(artifact)


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", text)[:3])


def _in_range(version: str, spec: str) -> bool:
    """Whether ``version`` satisfies a spec like ``>=0.1,<0.2`` (only ``>=``, ``<``, ``==`` are used)."""
    if not spec:
        return False
    here = _version(version)
    for part in spec.split(","):
        part = part.strip()
        op = re.match(r"(>=|<=|==|<|>)", part)
        if op is None:
            return False
        bound = _version(part[op.end():])
        ok = {
            ">=": here >= bound,
            "<=": here <= bound,
            "==": here[: len(bound)] == bound,
            "<": here < bound,
            ">": here > bound,
        }[op.group()]
        if not ok:
            return False
    return True
