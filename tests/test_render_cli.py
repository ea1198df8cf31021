import argparse
import json
from pathlib import Path

import pytest
from render_samples import sample_report

from coach.analyzer import Coach
from coach.render.cli import EXIT_ERROR, EXIT_FAILED, EXIT_OK, EXIT_USAGE, add_report_parser, report_command

pytest.importorskip("jinja2")
pytest.importorskip("matplotlib")


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="coach")
    add_report_parser(parser.add_subparsers())
    args = parser.parse_args(["report", *map(str, argv)])
    return report_command(args)


@pytest.fixture
def fake_analysis(monkeypatch):
    """The renderers' plumbing without the analysis engine: each call gets the sample findings."""
    monkeypatch.setattr(Coach, "analyze", lambda self, t, **kw: sample_report(transcript=t))


def _calls(folder: Path, n: int = 3, *, customer: str = "My router keeps dropping. Email ann@example.com") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        turns = [
            {"speaker": "agent", "text": "Hi, this is Sam."},
            {"speaker": "customer", "text": customer},
            {"speaker": "agent", "text": "I'm sorry that happened — I'll make sure we sort this out today."},
            {"speaker": "agent", "text": "Pursuant to our SLA the ticket will be escalated to tier 2 for RCA."},
        ]
        data = {"id": f"call-{i}", "agent": "Sam" if i % 2 else "Ann", "start_time": f"2024-05-0{i + 1}T10:00:00Z", "turns": turns}
        (folder / f"call-{i}.json").write_text(json.dumps(data), encoding="utf-8")
    return folder


def test_render_cli_one_call_gives_the_call_report(tmp_path, fake_analysis):
    calls = _calls(tmp_path / "in", 1)
    out = tmp_path / "call.html"
    assert run(calls / "call-0.json", "-o", out) == EXIT_OK
    assert 'id="transcript"' in out.read_text(encoding="utf-8")


def test_render_cli_many_calls_give_the_team_report_with_call_pages(tmp_path, fake_analysis):
    calls = _calls(tmp_path / "in")
    out = tmp_path / "team.md"
    assert run(calls, "-o", out, "--calls", tmp_path / "pages") == EXIT_OK
    md = out.read_text(encoding="utf-8")
    assert "## Three coaching actions" in md
    pages = sorted((tmp_path / "pages").glob("*.md"))
    assert len(pages) == 3
    assert f"(pages/{pages[0].name})" in md


@pytest.mark.parametrize(("agent", "count"), [("sam", 1), ("Ann", 2)])
def test_render_cli_agent_filter(tmp_path, fake_analysis, agent, count):
    out = tmp_path / "a.md"
    assert run(_calls(tmp_path / "in"), "-o", out, "--agent", agent) == EXIT_OK
    assert f"· {count} call" in out.read_text(encoding="utf-8")


def test_render_cli_refuses_to_overwrite(tmp_path, fake_analysis, capsys):
    calls = _calls(tmp_path / "in", 1)
    out = tmp_path / "call.html"
    out.write_text("keep me", encoding="utf-8")
    assert run(calls, "-o", out) == EXIT_ERROR
    assert "--force" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "keep me"
    assert run(calls, "-o", out, "--force") == EXIT_OK
    assert out.read_text(encoding="utf-8") != "keep me"


@pytest.mark.parametrize(
    ("extra", "status"),
    [
        (["-o", "report.pdf"], EXIT_USAGE),
        (["-o", "report.txt", "--format", "md"], EXIT_OK),
        (["-o", "r.md", "--since", "May 1st"], EXIT_USAGE),
        (["-o", "r.md", "--kind", "call"], EXIT_ERROR),  # three calls, one per-call report
    ],
)
def test_render_cli_options(tmp_path, fake_analysis, monkeypatch, extra, status):
    calls = _calls(tmp_path / "in")
    monkeypatch.chdir(tmp_path)
    assert run(calls, *extra) == status


def test_render_cli_redacts_every_output(tmp_path, fake_analysis):
    calls = _calls(tmp_path / "in", 2, customer="Card 4111 1111 1111 1111, mail ann@example.com, phone 555-123-4567.")
    out = tmp_path / "team.html"
    assert run(calls, "-o", out, "--redact", "--calls", tmp_path / "pages") == EXIT_OK
    texts = [out.read_text(encoding="utf-8")] + [p.read_text(encoding="utf-8") for p in (tmp_path / "pages").iterdir()]
    for text in texts:
        assert "4111" not in text and "ann@example.com" not in text and "555-123-4567" not in text
    assert any("[CARD]" in t and "[EMAIL]" in t for t in texts)


def test_render_cli_bad_input_is_named_and_the_rest_reported(tmp_path, fake_analysis, capsys):
    calls = _calls(tmp_path / "in", 2)
    (calls / "broken.json").write_text("{not json", encoding="utf-8")
    out = tmp_path / "team.md"
    assert run(calls, "-o", out) == EXIT_FAILED
    assert "broken.json" in capsys.readouterr().err
    assert out.exists()


def test_render_cli_store_input(tmp_path):
    from coach.outputs import report_row
    from coach.store import Scored, Store, content_key

    db = tmp_path / "results.sqlite"
    with Store(db) as store:
        run_id = store.start_run(inputs=["x"], coach_version="0.1.0", config_fingerprint="fp", language="en")
        reports = [sample_report(id=f"c{i}") for i in range(2)]
        rows = [Scored(report_row(r, source="x", index=i, key=content_key(r.transcript, "0.1.0", "fp")), report=r.to_dict())
                for i, r in enumerate(reports, start=1)]
        store.write(run_id, rows)
    out = tmp_path / "team.html"
    assert run(db, "-o", out, "--agent", "Sam") == EXIT_OK
    assert "Agent Sam" in out.read_text(encoding="utf-8")
    assert run(db, "-o", tmp_path / "c.html", "--kind", "call") == EXIT_ERROR
    assert run(db, tmp_path, "-o", tmp_path / "x.html") == EXIT_USAGE


def test_render_cli_real_analysis_of_the_examples(tmp_path, examples_dir):
    out = tmp_path / "team.html"
    assert run(examples_dir, "-o", out) in (EXIT_OK, EXIT_FAILED)
    html = out.read_text(encoding="utf-8")
    assert 'id="actions"' in html and "<script" not in html
