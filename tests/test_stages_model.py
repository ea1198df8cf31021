"""The shipped stage model: its loader's checks, and inference equal to scikit-learn's decision."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from coach import models
from coach.config import DEFAULT
from coach.errors import ModelError
from coach.lang import data
from coach.report import STAGES
from coach.stages._text import normalizer
from coach.stages.cues import KINDS, cue_matcher
from coach.stages.features import NOTHING, counts, heard, turn_features
from coach.stages.model import stage_model

TEXTS = [
    ("I've refunded the second charge; you'll see it in 3–5 days.", "I was charged twice"),
    ("so you lost your card is that right", "i lost my card"),
    ("mm-hmm take your time", ""),
    ("I'll call you on Friday to make sure the router is holding up!!", "my router keeps dropping"),
    ("zzz qqq unseen words only", "nothing here"),
    ("", ""),
]


@pytest.mark.parametrize(("text", "context"), TEXTS)
def test_model_equals_sklearn_decision_function(text, context):
    model = stage_model()
    norm = normalizer("en")
    words = norm(text)
    cues = cue_matcher("en", DEFAULT)(words)
    before = heard(norm(context), "en") if norm(context).words else NOTHING
    ngrams = tuple(model.meta["features"]["char_ngrams"])
    expected = models.load("stages").decision_function([counts(words, cues, before, "en", ngrams)])[0]
    ours = model.logits(words, turn_features(words, cues, before, "en"))
    np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-9)


def test_model_sidecar_has_what_design_asks_for():
    meta = models.metadata("stages")
    for key in ("version", "coach", "sklearn", "sha256", "training_data", "command", "cv", "offsets", "classes"):
        assert key in meta, key
    assert meta["classes"] == list(STAGES)
    assert meta["sha256"] == models.sha256(models.MODELS_DIR / "stages.joblib")
    assert meta["training_data"]["sha256"] and meta["training_data"]["rows"] > 0


@pytest.fixture
def copied(tmp_path, monkeypatch):
    for name in ("stages.joblib", "stages.json"):
        shutil.copy(models.MODELS_DIR / name, tmp_path / name)
    monkeypatch.setattr(models, "MODELS_DIR", tmp_path)
    models.metadata.cache_clear()
    models.load.cache_clear()
    yield tmp_path
    models.metadata.cache_clear()
    models.load.cache_clear()


def test_models_refuse_an_altered_artifact(copied):
    blob = (copied / "stages.joblib").read_bytes()
    (copied / "stages.joblib").write_bytes(blob[:-1] + bytes([blob[-1] ^ 1]))
    with pytest.raises(ModelError, match="checksum"):
        models.load("stages")


def test_models_refuse_another_sklearn_version(copied):
    meta = json.loads((copied / "stages.json").read_text())
    meta["sklearn"] = "0.0.1"
    (copied / "stages.json").write_text(json.dumps(meta))
    with pytest.raises(ModelError, match=r"scikit-learn==0\.0\.1"):
        models.load("stages")


def test_models_refuse_another_coach_version(copied):
    meta = json.loads((copied / "stages.json").read_text())
    meta["coach"] = ">=9.0,<10"
    (copied / "stages.json").write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="coach"):
        models.load("stages")


@pytest.mark.parametrize("name", ["../stages", "/etc/passwd", "Stages", "stages.joblib", "missing"])
def test_models_load_only_their_own_files(name):
    with pytest.raises(ModelError):
        models.load(name)


def test_stages_language_data_is_well_formed():
    norm = normalizer("en")
    table = data("en", "stages")
    assert set(table["stages"]) == set(STAGES)
    assert 0 < table["weights"]["counter_cap"] < 0.5 < table["weights"]["strong"] <= 1
    for stage, entry in table["stages"].items():
        for kind in KINDS:
            for cue in entry[kind]:
                assert norm.phrase(cue), (stage, kind, cue)
        for item in entry["patterns"]:
            assert item["strength"] in KINDS, item["id"]
            for slot in item["pattern"].split():
                name = slot.strip("?")
                if name.startswith("$"):
                    assert name[1:] in table["sets"], (stage, item["id"], name)
    # Building the matcher expands every template and fails loudly on a bad one.
    assert cue_matcher("en", DEFAULT)(norm("I have refunded it")).get("fix").strong


TRAINING = Path(__file__).resolve().parents[1] / "training" / "stages" / "turns"


def test_cue_matches_equal_spacy_phrase_matcher():
    """The cue matcher's dictionary lookups find exactly what spaCy's ``PhraseMatcher`` finds over
    the same phrases and words (the oracle), on the training turns."""
    from spacy.matcher import PhraseMatcher
    from spacy.tokens import Doc

    from coach.nlp import pipeline

    norm = normalizer("en")
    matcher = cue_matcher("en", DEFAULT)
    vocab = pipeline("en").vocab
    oracle = PhraseMatcher(vocab)
    by_key: dict[str, list] = {}
    for phrase, labels in matcher._built[0].items():
        for label in labels:
            by_key.setdefault("|".join(label), []).append(Doc(vocab, words=list(phrase)))
    for key, docs in by_key.items():
        oracle.add(key, docs)
    turns = [json.loads(line)["text"] for path in sorted(TRAINING.glob("*.jsonl")) for line in path.read_text("utf-8").splitlines()]
    with_cues = 0
    for text in [t for t, _ in TEXTS] + turns[::5]:
        words = norm(text).words
        ours = sorted(matcher.matches(words))
        found = oracle(Doc(vocab, words=list(words))) if words else []
        assert ours == sorted((tuple(vocab.strings[m].split("|")), s, e) for m, s, e in found), text
        with_cues += bool(ours)
    assert with_cues > 100
