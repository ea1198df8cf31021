import json
import subprocess
import sys

from coach.cli import main


def test_cli_analyze_prints_summary(examples_dir, capsys):
    assert main(["analyze", str(examples_dir / "router_dropping.json")]) == 0
    out = capsys.readouterr().out
    assert "call-router-0412" in out and "agent" in out


def test_cli_analyze_json(examples_dir, capsys):
    assert main(["analyze", str(examples_dir / "router_dropping.json"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["id"] == "call-router-0412"


def test_cli_bad_input_is_one_clear_line(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"turns": [', encoding="utf-8")
    assert main(["analyze", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("coach: error:") and "bad.json" in err and "line 1" in err
    assert "Traceback" not in err


def test_cli_formats_and_info(capsys):
    assert main(["formats"]) == 0
    assert "jsonl" in capsys.readouterr().out
    assert main(["info"]) == 0
    assert "spacy" in capsys.readouterr().out


def test_cli_python_dash_m(examples_dir):
    out = subprocess.run(
        [sys.executable, "-m", "coach", "analyze", str(examples_dir / "router_dropping.json")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "call-router-0412" in out
