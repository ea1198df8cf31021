"""Checks on the labelled stage training turns in training/stages/turns/.

The checks here are written independently of training/stages/stats.py (so a bug there cannot hide a bad
file); stats.py itself is also exercised, on the real files and on rows built to break each rule.
"""

from __future__ import annotations

import collections
import functools
import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STAGES_DIR = ROOT / "training" / "stages"
TURNS_DIR = STAGES_DIR / "turns"
SHARED_DATA = ROOT.parent / "shared" / "data"

STAGES = ("reassure", "listen", "confirm", "fix", "follow_up")
DOMAINS = {
    "telecom", "banking", "travel", "retail", "utilities", "software",
    "insurance", "healthcare", "food_delivery", "public_services",
}
KEYS = {"id", "text", "labels", "context", "position", "domain", "style", "source"}
TRAINING_CALLS = {"0f87dc392db84250", "0f8c2e76e42f44ad", "4640c702d4b3414d", "b0d63ed287c04649", "ff0296d00e5e4184"}
SOURCE = re.compile(
    r"^(written|multidogo:[a-z_]+(?:\.tsv\.gz|\.json):[^:]+:\d+|harper_valley:[0-9a-f]{16}:\d+(?:-\d+)?)$"
)
FILES = sorted(TURNS_DIR.glob("*.jsonl"))


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


ALL_ROWS = [row for path in FILES for row in _rows(path)]


@functools.cache
def _stats_module():
    # training/ is not a package: load stats.py by path (registered first, as dataclasses need it).
    spec = importlib.util.spec_from_file_location("training_stages_stats", STAGES_DIR / "stats.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _hv_id(source: str) -> str | None:
    return source.split(":")[1] if source.startswith("harper_valley:") else None


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_training_data_rows_follow_schema(path: Path) -> None:
    rows = _rows(path)
    assert rows, f"{path.name} is empty"
    kind = path.name.split("_")[0] if not path.name.startswith("harper_valley_") else "harper_valley"
    for row in rows:
        where = f"{path.name} {row.get('id')}"
        assert KEYS <= set(row) <= KEYS | {"context_source"}, where
        assert isinstance(row["text"], str) and row["text"].strip(), where
        assert isinstance(row["context"], str), where
        assert isinstance(row["labels"], list), where
        assert set(row["labels"]) <= set(STAGES), where
        assert row["labels"] == sorted(set(row["labels"]), key=STAGES.index), where
        assert isinstance(row["position"], int | float) and 0 <= row["position"] <= 1, where
        assert row["domain"] in DOMAINS, where
        assert row["style"] in {"chat", "voice"}, where
        assert SOURCE.match(row["source"]), where
        assert row["source"].split(":")[0] == kind, where
        if "context_source" in row:
            assert row["source"] == "written", where
            assert re.match(r"^multidogo:[a-z]+_train\.tsv\.gz:[^:]+:\d+$", row["context_source"]), where


def test_training_data_is_large_and_balanced() -> None:
    stage = collections.Counter(label for row in ALL_ROWS for label in row["labels"])
    none = sum(1 for row in ALL_ROWS if not row["labels"])
    multi = sum(1 for row in ALL_ROWS if len(row["labels"]) > 1)
    voice = sum(1 for row in ALL_ROWS if row["style"] == "voice")
    written = sum(1 for row in ALL_ROWS if row["source"] == "written")
    assert len(ALL_ROWS) >= 2000
    assert all(stage[name] >= 300 for name in STAGES), stage
    assert none >= 700
    assert multi >= 150
    assert voice / len(ALL_ROWS) >= 0.35
    assert written >= 1600
    assert {row["domain"] for row in ALL_ROWS} == DOMAINS


def test_training_data_ids_and_texts_are_unique() -> None:
    ids = collections.Counter(row["id"] for row in ALL_ROWS)
    assert [i for i, n in ids.items() if n > 1] == []
    texts = collections.Counter(" ".join(re.sub(r"[^\w\s]", " ", row["text"].lower()).split()) for row in ALL_ROWS)
    assert [t for t, n in texts.items() if n > 1] == []


def test_training_data_uses_only_the_five_training_calls() -> None:
    used = {_hv_id(row["source"]) for row in ALL_ROWS} - {None}
    assert used <= TRAINING_CALLS


def test_training_data_has_no_test_or_dev_set_calls() -> None:
    split_path = SHARED_DATA / "harper_valley" / "split.json"
    if not split_path.is_file():
        pytest.skip("shared Harper Valley data not present")
    split = json.loads(split_path.read_text(encoding="utf-8"))
    dev_set = set(sorted(split["train"] + split["dev"])[:40])
    forbidden = set(split["test"]) | dev_set
    used = {_hv_id(row["source"]) for row in ALL_ROWS} - {None}
    assert used and not used & forbidden
    assert set(sorted(split["train"] + split["dev"])[-5:]) == TRAINING_CALLS


def test_training_data_has_no_abcd_or_multidogo_test_files() -> None:
    for row in ALL_ROWS:
        provenance = f"{row['source']} {row.get('context_source', '')}".lower()
        assert "abcd" not in provenance, row["id"]
        for part in re.findall(r"multidogo:([^:]+):", provenance):
            assert re.fullmatch(r"[a-z]+_train\.tsv\.gz|dialogstudio_multidogo_(converted|original)_examples\.json",
                                part), row["id"]


def test_stats_check_passes_and_readme_is_current() -> None:
    stats = _stats_module()
    assert stats.check(stats.load()) == []
    assert stats.main(["--check-readme"]) == 0


def _turn(stats, **changes):
    row = {"id": "x-1", "text": "I've refunded the charge.", "labels": ["fix"], "context": "charged twice",
           "position": 0.5, "domain": "banking", "style": "chat", "source": "written"}
    row.update(changes)
    return stats.Turn("written_test.jsonl:1", row)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"labels": ["empathy"]}, "labels"),
        ({"labels": ["fix", "reassure"]}, "stage order"),
        ({"position": 1.5}, "position"),
        ({"domain": "gaming"}, "domain"),
        ({"style": "email"}, "style"),
        ({"source": "harper_valley:0002f70f7386445b:3"}, "not one of the five training calls"),
        ({"source": "multidogo:airline_test.tsv.gz:abc:3"}, "not a train file"),
        ({"source": "abcd:5798:2"}, "source"),
        ({"context_source": "multidogo:finance_dev.tsv.gz:abc:2"}, "context_source"),
    ],
)
def test_stats_check_reports_bad_rows(changes: dict, expected: str) -> None:
    stats = _stats_module()
    problems = stats.check([_turn(stats, **changes)])
    assert any(expected in problem for problem in problems), problems


def test_stats_check_reports_duplicate_texts() -> None:
    stats = _stats_module()
    first = _turn(stats)
    second = stats.Turn("written_test.jsonl:2", {**first.row, "id": "x-2", "text": "i've REFUNDED the charge!!"})
    assert any("duplicate text" in problem for problem in stats.check([first, second]))
