"""The per-call view both report writers (HTML, Markdown) render: a ``Report`` laid out for a trainer.

Nothing here formats markup: it decides what to show (which words to highlight, which rewrite to
propose, what went well and what to say instead) and leaves escaping to the templates.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Any

from ..report import Issue, Report
from .aggregate import STAGE_LABELS, anchor, quote_around

__all__ = ["CallView", "build_call", "clean", "duration", "kind_label"]

#: Issue kinds whose suggestion replaces the flagged words (the others give advice about a sentence).
REPLACING_KINDS = frozenset({"jargon", "acronym", "legalese", "hedge", "hidden_verb"})
#: Longer flagged spans are sentence-level (long sentence, wall of text): listed, not highlighted.
HIGHLIGHT_CHARS = 80
_ROLE_LABELS = {"agent": "Agent", "customer": "Customer", "bot": "Bot", "system": "System"}
#: Metadata keys worth a line in the report header.
_META_KEYS = ("channel", "domain", "queue", "language", "team", "outcome")

# Characters that change the direction or visibility of text (the "Trojan Source" set and friends):
# transcript text carrying them could make a report show something other than what was said.
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean(text: str) -> str:
    """Untrusted text made inert for display: direction overrides and isolates become a visible
    ``[U+202E]`` marker, and other control characters (except newline and tab) are dropped."""
    text = _BIDI.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)
    return "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc")


def duration(seconds: float | None) -> str:
    """``m:ss`` (``h:mm:ss`` past an hour), or an em dash when unknown."""
    if seconds is None:
        return "—"
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def kind_label(kind: str) -> str:
    return kind.replace("_", " ").capitalize()


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of a turn's text; ``mark`` is the number of the issue it shows (or, in a rewrite,
    ``0`` for words the rewrite put in)."""

    text: str
    mark: int | None = None
    kind: str | None = None


@dataclass(frozen=True, slots=True)
class IssueView:
    number: int
    kind: str
    label: str
    said: str
    message: str
    suggestion: str | None
    highlighted: bool


@dataclass(frozen=True, slots=True)
class ParaphraseView:
    text: str
    confirmed_by: int | None
    alternatives: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TurnView:
    index: int
    role: str
    role_label: str
    speaker: str | None
    time: str | None
    segments: tuple[Segment, ...]
    badges: tuple[str, ...]
    issues: tuple[IssueView, ...]
    rewrite: tuple[Segment, ...] | None
    score: float | None
    grade: str | None
    paraphrase: ParaphraseView | None
    confirms: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class StageRow:
    stage: str
    label: str
    status: str  # done | missing | off
    turns: tuple[int, ...]
    confidence: float
    quote: str | None
    quote_turn: int | None
    reason: str | None
    advice: str | None
    example: str | None


@dataclass(frozen=True, slots=True)
class Glance:
    """The three lists at the top of a call report."""

    well: tuple[tuple[str, str | None, int | None], ...]  # (what, quote, turn)
    missing: tuple[tuple[str, str | None, int | None], ...]  # (what, advice, turn)
    instead: tuple[tuple[str | None, str, int | None], ...]  # (said, say instead, turn)


@dataclass(frozen=True, slots=True)
class CallView:
    id: str
    anchor: str
    agent: str | None
    when: str | None
    source: str | None
    meta: tuple[tuple[str, str], ...]
    stages: tuple[StageRow, ...]
    done: int
    checked: int
    order: tuple[tuple[str, tuple[int, ...]], ...]
    hints: tuple[tuple[str, str | None, int | None], ...]
    turns: tuple[TurnView, ...]
    clarity: float | None
    grade: str | None
    issue_counts: tuple[tuple[str, int], ...]
    paraphrases: int
    unconfirmed: int
    glance: Glance
    stats: tuple[tuple[str, str], ...]
    timeline: str | None
    clarity_chart: str | None
    version: str


def _segments(text: str, issues: list[tuple[int, Issue]]) -> tuple[tuple[Segment, ...], set[int]]:
    """The text cut into plain and highlighted pieces; overlapping or sentence-long issues are not highlighted."""
    out: list[Segment] = []
    shown: set[int] = set()
    pos = 0
    for number, issue in sorted(issues, key=lambda x: (x[1].start, x[1].end)):
        start, end = max(issue.start, 0), min(issue.end, len(text))
        if start < pos or end <= start or end - start > HIGHLIGHT_CHARS:
            continue
        if start > pos:
            out.append(Segment(text[pos:start]))
        out.append(Segment(text[start:end], number, issue.kind))
        shown.add(number)
        pos = end
    if pos < len(text):
        out.append(Segment(text[pos:]))
    return tuple(out), shown


def _replacement(issue: Issue) -> str | None:
    """The words that replace the flagged ones, when the suggestion is a replacement (not advice)."""
    s = issue.suggestion
    if issue.kind not in REPLACING_KINDS or s is None:
        return None
    s = s.strip()
    if len(s) > 40 or s.endswith((".", "…", "!", "?", ":")) or "\u201c" in s:
        return None
    return s


def _rewrite(text: str, issues: list[Issue]) -> tuple[Segment, ...] | None:
    """The turn with each replaceable issue swapped for its plainer words (inserted words marked ``0``)."""
    swaps = [(i, r) for i in sorted(issues, key=lambda i: i.start) if (r := _replacement(i)) is not None]
    if not swaps:
        return None
    out: list[Segment] = []
    pos = 0
    for issue, words in swaps:
        if issue.start < pos or issue.end > len(text):
            continue
        before = text[pos : issue.start]
        if words and text[issue.start : issue.start + 1].isupper() and not before.rstrip()[-1:].isalnum():
            words = words[:1].upper() + words[1:]
        if not words:  # a deletion: drop the space it leaves behind
            before = before.rstrip(" ") if text[issue.end : issue.end + 1] in (" ", ",", ".", "") else before
        out.append(Segment(before))
        if words:
            out.append(Segment(words, 0, issue.kind))
        pos = issue.end
    out.append(Segment(text[pos:]))
    return tuple(s for s in out if s.text)


def _when(iso: str | None) -> str | None:
    """An ISO 8601 call time as ``2024-05-02 10:00`` (``UTC`` added when the source gave a zone)."""
    if iso is None:
        return None
    import datetime as dt

    moment = dt.datetime.fromisoformat(iso)
    zone = " UTC" if moment.tzinfo is not None else ""
    return f"{moment:%Y-%m-%d %H:%M}{zone}"


def _time(start: float | None) -> str | None:
    return None if start is None else duration(start)


def _stats(report: Report) -> tuple[tuple[str, str], ...]:
    s = report.stats
    rows = [("Turns", str(s.turns)), ("Words", str(s.words)), ("Duration", duration(s.duration))]
    total = sum(r.words for r in s.roles.values()) or 1
    for role, r in s.roles.items():
        label = _ROLE_LABELS.get(role, role)
        talk = f", talk time {duration(r.talk_time)}" if r.talk_time is not None else ""
        rows.append((label, f"{r.turns} turns, {r.words} words ({r.words / total:.0%} of words){talk}"))
    if s.longest_customer_monologue and s.longest_customer_monologue_turns:
        first, last = s.longest_customer_monologue_turns[0], s.longest_customer_monologue_turns[-1]
        span = f"turn {first}" if first == last else f"turns {first}–{last}"
        rows.append(("Longest customer monologue", f"{s.longest_customer_monologue} words ({span})"))
    return tuple(rows)


def build_call(report: Report, *, source: str | None = None, index: int | None = None, charts: bool = True) -> CallView:
    """The view of one call. ``charts=False`` skips matplotlib (the Markdown report has no charts)."""
    from ..outputs import call_time

    t = report.transcript
    turns = t.turns
    n = len(turns)
    badges: dict[int, list[str]] = {}
    stages: list[StageRow] = []
    missing_hints = {h.stage: h for h in report.hints if h.stage and h.kind == f"missing_{h.stage}"}
    for stage, r in report.stages.items():
        for turn in r.turns:
            badges.setdefault(turn, []).append(stage)
        ev = next((e for e in r.evidence if 0 <= e.turn < n), None)
        hint = missing_hints.get(stage)
        stages.append(
            StageRow(
                stage=stage,
                label=STAGE_LABELS.get(stage, stage),
                status="off" if not r.enabled else "done" if r.present else "missing",
                turns=tuple(x for x in r.turns if 0 <= x < n),
                confidence=r.confidence,
                quote=quote_around(turns[ev.turn].text, ev.start, ev.end) if ev else None,
                quote_turn=ev.turn if ev else None,
                reason=ev.reason if ev else None,
                advice=hint.message if hint else None,
                example=hint.example if hint else None,
            )
        )
    clarity_of = {tc.index: tc for tc in report.clarity.turns if 0 <= tc.index < n}
    paraphrase_of = {p.source_turn: p for p in report.paraphrases if 0 <= p.source_turn < n}
    confirms: dict[int, list[int]] = {}
    for p in report.paraphrases:
        if p.confirmed_by is not None:
            confirms.setdefault(p.confirmed_by, []).append(p.source_turn)
    number = 0
    views: list[TurnView] = []
    counts: Counter[str] = Counter()
    swaps: list[tuple[str | None, str, int | None]] = []
    for i, turn in enumerate(turns):
        tc = clarity_of.get(i)
        numbered: list[tuple[int, Issue]] = []
        for issue in tc.issues if tc else ():
            number += 1
            numbered.append((number, issue))
            counts[issue.kind] += 1
        segments, shown = _segments(turn.text, numbered)
        issue_views = tuple(
            IssueView(
                k,
                issue.kind,
                kind_label(issue.kind),
                quote_around(turn.text, issue.start, issue.end, 120) if k not in shown else turn.text[issue.start : issue.end],
                issue.message,
                issue.suggestion,
                k in shown,
            )
            for k, issue in numbered
        )
        for _, issue in numbered:
            words = _replacement(issue)
            if words:
                swaps.append((turn.text[issue.start : issue.end], words, i))
        p = paraphrase_of.get(i)
        views.append(
            TurnView(
                index=i,
                role=turn.role.value,
                role_label=_ROLE_LABELS.get(turn.role.value, turn.role.value),
                speaker=turn.speaker,
                time=_time(turn.start),
                segments=segments,
                badges=tuple(sorted(badges.get(i, ()), key=list(STAGE_LABELS).index)),
                issues=issue_views,
                rewrite=_rewrite(turn.text, [x for _, x in numbered]),
                score=tc.score if tc else None,
                grade=tc.grade if tc else None,
                paraphrase=ParaphraseView(p.text, p.confirmed_by, tuple(p.alternatives)) if p else None,
                confirms=tuple(sorted(confirms.get(i, ()))),
            )
        )
    well: list[tuple[str, str | None, int | None]] = [
        (f"{row.label}", row.quote, row.quote_turn) for row in stages if row.status == "done"
    ]
    confirmed = [p for p in report.paraphrases if p.confirmed_by is not None]
    if confirmed:
        well.append((f"Confirmed {len(confirmed)} of {len(report.paraphrases)} customer problems back", None, confirmed[0].confirmed_by))
    if report.clarity.score is not None and report.clarity.score >= 65:
        well.append((f"Spoke clearly: {report.clarity.score:.0f}/100 ({report.clarity.grade})", None, None))
    missing: list[tuple[str, str | None, int | None]] = [
        (row.label, row.advice, missing_hints[row.stage].turn if row.stage in missing_hints else None)
        for row in stages
        if row.status == "missing"
    ]
    missing += [("Order", o.message, o.turns[0] if o.turns else None) for o in report.order]
    unconfirmed = [p for p in report.paraphrases if p.confirmed_by is None]
    if unconfirmed:
        missing.append(
            (f"{len(unconfirmed)} customer problem{'s' if len(unconfirmed) != 1 else ''} never confirmed back", None, unconfirmed[0].source_turn)
        )
    # an unconfirmed customer problem already says how to confirm: it replaces the generic confirm example
    instead: list[tuple[str | None, str, int | None]] = [
        (None, row.example, missing_hints[row.stage].turn if row.stage in missing_hints else None)
        for row in stages
        if row.status == "missing" and row.example and not (row.stage == "confirm" and unconfirmed)
    ]
    instead += [(None, p.text, p.source_turn) for p in unconfirmed[:2]]
    instead += list(dict.fromkeys(swaps))[:4]
    other_hints = tuple((h.message, h.example, h.turn) for h in report.hints if h.stage not in missing_hints or h.kind != f"missing_{h.stage}")
    timeline = clarity_chart = None
    if charts and n:
        from . import charts as ch

        key = anchor(t.id, source, index)
        timeline = ch.stage_timeline(
            [turn.role.value for turn in turns],
            {s: r.turns for s, r in report.stages.items()},
            {s: r.enabled for s, r in report.stages.items()},
            name=f"{key}-timeline",
        ) if report.stages else None
        points = [(tc.index, tc.score) for tc in report.clarity.turns if tc.score is not None]
        if points:
            clarity_chart = ch.turn_clarity(points, report.clarity.score, name=f"{key}-clarity")
    meta = tuple((k, str(t.metadata[k])) for k in _META_KEYS if k in t.metadata and isinstance(t.metadata[k], str | int | float))
    return CallView(
        id=t.id,
        anchor=anchor(t.id, source, index),
        agent=t.agent_name,
        when=_when(call_time(t.metadata)),
        source=source,
        meta=meta,
        stages=tuple(stages),
        done=sum(1 for r in stages if r.status == "done"),
        checked=sum(1 for r in stages if r.status != "off"),
        order=tuple((o.message, o.turns) for o in report.order),
        hints=other_hints,
        turns=tuple(views),
        clarity=report.clarity.score,
        grade=report.clarity.grade,
        issue_counts=tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))),
        paraphrases=len(report.paraphrases),
        unconfirmed=len(unconfirmed),
        glance=Glance(tuple(well), tuple(missing), tuple(instead[:6])),
        stats=_stats(report),
        timeline=timeline,
        clarity_chart=clarity_chart,
        version=report.version,
    )


def context(**values: Any) -> dict[str, Any]:
    """Template context shared by both writers: stage labels and helpers."""
    return {"STAGE_LABELS": STAGE_LABELS, "duration": duration, "kind_label": kind_label, **values}


@dataclass(frozen=True, slots=True)
class AgentView:
    """What the per-agent report adds to an ``Aggregate``: period text, tables and charts (SVG text)."""

    period: str
    coverage: tuple[tuple[str, str, int, int, float | None], ...]  # stage, label, done, checked, share
    periods: tuple[tuple[str, int, tuple[float | None, ...], float | None], ...]
    calls: tuple[tuple[Any, tuple[tuple[str, bool | None], ...]], ...]
    links: dict[str, str]
    charts: dict[str, str]


def _day(moment: Any) -> str:
    return moment.strftime("%d %b %Y") if moment is not None else "…"


def build_agent(agg: Any, *, charts: bool = True) -> AgentView:
    """The view of an ``Aggregate``. ``charts=False`` skips matplotlib (the Markdown report has no charts)."""
    from ..report import STAGES

    if agg.since or agg.until:
        period = f"{_day(agg.since)} – {_day(agg.until)}"
    elif agg.first is not None:
        period = f"{_day(agg.first)} – {_day(agg.last)}"
    else:
        period = "all calls (undated)"
    coverage = []
    for stage in STAGES:
        checked = [c for c in agg.calls if c.stages.get(stage) is not None]
        done = sum(1 for c in checked if c.stages.get(stage))
        coverage.append((stage, STAGE_LABELS[stage], done, len(checked), agg.coverage.get(stage)))
    periods = tuple((p.label, p.calls, tuple(p.coverage.get(s) for s in STAGES), p.clarity_median) for p in agg.periods)
    calls = tuple((c, tuple((s, c.stages.get(s)) for s in STAGES)) for c in agg.calls)
    links = {c.anchor: (c.link or f"#{c.anchor}") for c in agg.calls}
    out: dict[str, str] = {}
    if charts and agg.calls:
        from .. import lang
        from . import charts as ch

        out["coverage"] = ch.coverage_bars(agg.coverage, name="agg-coverage")
        if len(agg.periods) >= 2:
            out["coverage_trend"] = ch.coverage_trend(
                [p.label for p in agg.periods], {s: [p.coverage.get(s) for p in agg.periods] for s in STAGES}, name="agg-coverage-trend"
            )
        if agg.clarity_scores:
            try:
                grades = [tuple(g) for g in lang.data("en", "clarity_score")["grades"]]
            except Exception:  # no grade table: one band per 20 points
                grades = [(float(b), f"{b}+") for b in range(0, 100, 20)]
            out["clarity_distribution"] = ch.clarity_distribution(agg.clarity_scores, grades, name="agg-clarity-dist")
            if len(agg.periods) >= 2:
                out["clarity_trend"] = ch.clarity_trend(
                    [p.label for p in agg.periods],
                    [p.clarity_median for p in agg.periods],
                    [p.clarity_q1 for p in agg.periods],
                    [p.clarity_q3 for p in agg.periods],
                    name="agg-clarity-trend",
                )
    return AgentView(period, tuple(coverage), periods, calls, links, out)
