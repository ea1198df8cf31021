import datetime as dt
import json
from dataclasses import replace

import pytest
from render_samples import sample_report

from coach.errors import CoachError
from coach.outputs import report_row
from coach.render.aggregate import aggregate, anchor, from_reports, from_store, parse_date, quote_around, summarize
from coach.store import Scored, Store, content_key
from coach.transcript import Transcript


def _team(n=6):
    return [
        sample_report(id=f"c{i}", agent="Sam" if i % 2 else "Ann", when=f"2024-05-{i + 1:02d}T10:00:00Z",
                      present=("reassure", "fix", "confirm", "listen") if i % 3 else ("reassure",))
        for i in range(n)
    ]


def test_aggregate_coverage_and_clarity():
    agg = from_reports(_team())
    assert agg.coverage["reassure"] == 1.0
    assert agg.coverage["confirm"] == pytest.approx(4 / 6)
    assert agg.coverage["follow_up"] is None  # switched off in every call
    assert agg.clarity_scores == (58.0,) * 6 and agg.clarity_median == 58.0
    assert [a.agent for a in agg.agents] == ["Ann", "Sam"]


def test_aggregate_agent_filter_is_case_insensitive():
    agg = from_reports(_team(), agent="sam")
    assert {c.agent for c in agg.calls} == {"Sam"} and len(agg.calls) == 3
    assert agg.title == "Agent sam"


@pytest.mark.parametrize(
    ("since", "until", "ids", "excluded"),
    [
        ("2024-05-02", "2024-05-03", ["c1", "c2"], 1),  # the until day is included; the undated call left out
        (None, "2024-05-01", ["c0"], 1),
        (None, None, ["c0", "c1", "c2", "c3", "c4", "c5", "u"], 0),
    ],
)
def test_aggregate_period(since, until, ids, excluded):
    reports = [*_team(), sample_report(id="u", when=None)]
    agg = from_reports(reports, since=since, until=until)
    assert sorted(c.id for c in agg.calls) == ids
    assert agg.excluded == excluded


@pytest.mark.parametrize(
    ("days", "unit", "points"),
    [(1, "day", 6), (10, "week", None), (40, "month", None)],
)
def test_aggregate_period_unit(days, unit, points):
    start = dt.datetime(2024, 1, 1, 9)
    reports = [sample_report(id=f"c{i}", when=(start + dt.timedelta(days=i * days)).isoformat()) for i in range(6)]
    agg = from_reports(reports)
    assert agg.period_unit == unit
    assert sum(p.calls for p in agg.periods) == 6
    if points:
        assert len(agg.periods) == points


def test_aggregate_undated_calls_are_grouped_in_order():
    agg = from_reports([sample_report(id=f"c{i}", when=None) for i in range(20)])
    assert agg.period_unit == "calls in order"
    assert len(agg.periods) <= 8 and agg.periods[0].label == "calls 1–3"


def test_aggregate_actions_follow_the_data():
    agg = from_reports(_team())
    kinds = [a.kind for a in agg.actions]
    assert len(kinds) == 3 and len(set(kinds)) == 3
    # in every call the customer's problem went unconfirmed: that comes first, with the paraphrase to say
    assert kinds[0] == "confirm_back"
    assert agg.actions[0].example == "So your router drops every evening — is that right?"
    assert "jargon" in kinds
    jargon = next(a for a in agg.actions if a.kind == "jargon")
    assert "“finding the cause” instead of “RCA”" in jargon.example


def test_aggregate_actions_fill_with_strengths():
    perfect = replace(sample_report(present=("reassure", "listen", "confirm", "fix")), order=(), paraphrases=(),
                      clarity=replace(sample_report().clarity, turns=()))
    agg = from_reports([perfect])
    assert [a.kind for a in agg.actions][:1] == ["keep_reassure"] or all(a.kind.startswith("keep_") for a in agg.actions)
    assert len(agg.actions) == 3


def test_aggregate_jargon_counts():
    agg = from_reports(_team(4))
    terms = {j.term: (j.count, j.calls, j.plain) for j in agg.jargon}
    assert terms["RCA"] == (4, 4, "finding the cause")
    assert terms["SLA"] == (4, 4, "service agreement (SLA)")


def test_aggregate_moments_are_quoted_and_spread():
    agg = from_reports(_team())
    assert agg.best and agg.worst
    assert all(m.quote for m in agg.best + agg.worst)
    assert len({m.anchor for m in agg.best}) == len(agg.best)  # one moment per call while calls remain
    missed = next(m for m in agg.worst if m.kind == "missed_confirm")
    assert missed.speaker == "customer" and missed.suggestion.startswith("So your router")


def test_aggregate_anchor_is_safe_and_unique():
    a, b = anchor('"><script>', "x.json", 1), anchor('"><script>', "x.json", 2)
    assert a != b and set(a) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")


@pytest.mark.parametrize(
    ("value", "end", "expected"),
    [
        ("2024-05-31", False, dt.datetime(2024, 5, 31)),
        ("2024-05-31", True, dt.datetime(2024, 5, 31, 23, 59, 59, 999999)),
        ("2024-05-31T12:00:00+02:00", False, dt.datetime(2024, 5, 31, 10)),
        (None, False, None),
    ],
)
def test_aggregate_parse_date(value, end, expected):
    assert parse_date(value, end=end) == expected


def test_aggregate_quote_around_takes_the_sentence():
    text = "Hello there. I am sorry that happened to you. Let me check."
    at = text.index("sorry")
    assert quote_around(text, at, at + 5) == "I am sorry that happened to you."


def _store(tmp_path, reports, *, fingerprint="fp1", version="0.1.0"):
    db = tmp_path / "results.sqlite"
    with Store(db) as store:
        run = store.start_run(inputs=["x"], coach_version=version, config_fingerprint=fingerprint, language="en")
        items = []
        for report, source in reports:
            key = content_key(report.transcript, version, fingerprint, "en")
            items.append(Scored(report_row(report, source=source, index=1, key=key), report=report.to_dict()))
        store.write(run, items)
        store.finish_run(run, "completed")
    return db


def _call_file(tmp_path, name, report):
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(report.transcript.to_dict()), encoding="utf-8")
    return path


def test_aggregate_from_store_matches_reports(tmp_path):
    reports = _team()
    db = _store(tmp_path, [(r, str(_call_file(tmp_path, r.id, r))) for r in reports])
    stored = from_store(db)
    direct = from_reports(reports)
    assert stored.coverage == direct.coverage
    assert stored.clarity_scores == direct.clarity_scores
    assert {j.term: j.count for j in stored.jargon} == {j.term: j.count for j in direct.jargon}
    assert {c.id for c in stored.calls} == {c.id for c in direct.calls}
    assert stored.periods[0].label == direct.periods[0].label
    # quotes come from the source files, which still hold the exact text that was scored
    assert stored.best and all(m.quote for m in stored.best)
    assert stored.best[0].quote == "I'm sorry that happened — I'll make sure we sort this out today."


def test_aggregate_from_store_quotes_only_unchanged_sources(tmp_path):
    report = sample_report()
    path = _call_file(tmp_path, "call", report)
    db = _store(tmp_path, [(report, str(path))])
    changed = Transcript.from_dict({**report.transcript.to_dict(), "id": "edited"})
    path.write_text(json.dumps(changed.to_dict()), encoding="utf-8")
    stored = from_store(db)
    assert stored.best and all(m.quote is None for m in stored.best)


def test_aggregate_from_store_redacts(tmp_path):
    report = sample_report(id="ann@example.com", agent="ann@example.com",
                           greeting="I'm sorry that happened — call me on 555-123-4567.")
    report = replace(report, stages={**report.stages, "reassure": replace(report.stages["reassure"], evidence=(
        type(report.stages["reassure"].evidence[0])(0, 0, 40, "cue"),), turns=(0,))})
    db = _store(tmp_path, [(report, str(_call_file(tmp_path, "call", report)))])
    agg = from_store(db, redact=True)
    text = repr(agg)
    assert "ann@example.com" not in text and "555-123-4567" not in text
    assert any("[PHONE]" in (m.quote or "") for m in agg.best)


def test_aggregate_from_store_errors(tmp_path):
    with pytest.raises(CoachError, match="no such results store"):
        from_store(tmp_path / "missing.sqlite")
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"not sqlite at all" * 10)
    with pytest.raises(CoachError):
        from_store(bad)


def test_aggregate_summarize_out_of_range_turns_are_ignored():
    report = sample_report()
    t = report.transcript
    short = replace(report, transcript=Transcript(t.id, t.turns[:2], t.metadata))
    summary = summarize(short)
    assert all(m.turn is None or m.turn < 2 for m in summary.moments)
    assert aggregate([summary]).calls == (summary,)
