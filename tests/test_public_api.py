import importlib
import subprocess
import sys

import coach


def test_public_api_all_is_sorted_and_complete():
    assert list(coach.__all__) == sorted(coach.__all__)
    # every class or function coach defines and exposes at the top level is listed
    ours = {
        n
        for n in dir(coach)
        if not n.startswith("_") and getattr(getattr(coach, n), "__module__", "").startswith("coach")
    }
    assert ours - set(coach.__all__) == set()
    for name in coach.__all__:
        assert hasattr(coach, name), name


def test_public_api_import_stays_light():
    code = "import sys, coach; print('spacy' in sys.modules, 'sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_public_api_every_module_imports():
    for name in ["coach.cli", "coach.analyzer", "coach.formats", "coach.report", "coach.config", "coach.nlp"]:
        importlib.import_module(name)
