"""Per-agent and per-team summaries for trainers, from Reports or from a results store.

::

    from coach.render.aggregate import from_reports, from_store
    team = from_reports(reports, since="2024-05-01", until="2024-05-31")
    sam = from_store("results.sqlite", agent="Sam")
    sam.coverage["confirm"]          # share of Sam's calls (0–1) where the agent confirmed
    sam.actions[0].title             # the first of three coaching actions chosen from the data

Each call becomes a ``CallSummary``; ``aggregate`` groups them over a period into an ``Aggregate``:
stage coverage overall and per period, clarity scores (distribution and trend), the most frequent
jargon with its plain alternatives, the best and worst moments quoted from the calls, and three
coaching actions. A call's date is its ``call_time`` (from the transcript's metadata); in a store,
calls without one are dated by when they were scored. Undated calls are grouped by their order.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import sqlite3
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..report import STAGES, Report
from ..transcript import Transcript

__all__ = [
    "Action",
    "Aggregate",
    "CallSummary",
    "Moment",
    "Period",
    "aggregate",
    "anchor",
    "from_reports",
    "from_store",
    "parse_date",
    "quote_around",
    "summarize",
]

log = logging.getLogger(__name__)

STAGE_LABELS = {"reassure": "Reassure", "listen": "Listen", "confirm": "Confirm", "fix": "Fix", "follow_up": "Follow-up"}
#: Clarity issue kinds whose flagged words are vocabulary the customer may not know.
JARGON_KINDS = ("jargon", "acronym")
#: How many best and worst moments an aggregate keeps.
MOMENTS = 5
#: At most this many points on an over-time chart; undated calls are grouped to fit.
MAX_PERIODS = 8
_QUOTE_CHARS = 220
_QUOTED = re.compile(r"\u201c(.+?)\u201d")


def anchor(call_id: str, source: str | None = None, index: int | None = None) -> str:
    """A stable HTML id for a call: a readable slug of its id plus a short hash of id, source and index
    (only ``[a-z0-9-]``, so it is safe in an ``href`` and unique within a report)."""
    slug = re.sub(r"[^a-z0-9]+", "-", call_id.lower()).strip("-")[:40] or "call"
    digest = hashlib.sha1(f"{call_id}\x00{source}\x00{index}".encode()).hexdigest()[:6]
    return f"call-{slug}-{digest}"


def parse_date(value: str | dt.date | dt.datetime | None, *, end: bool = False) -> dt.datetime | None:
    """A date or ISO 8601 date-time as a naive UTC datetime; a bare date with ``end=True`` means the
    end of that day (so ``--until 2024-05-31`` includes the 31st)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time.max if end else dt.time.min)
    else:
        text = value.strip()
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        if end and len(text) == 10:
            moment = dt.datetime.combine(moment.date(), dt.time.max)
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


def quote_around(text: str, start: int, end: int, limit: int = _QUOTE_CHARS) -> str:
    """The sentence(s) of ``text`` holding ``[start, end)``, shortened around the span to ``limit`` characters."""
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    left = max((m.end() for m in re.finditer(r"[.!?]\s+", text[:start])), default=0)
    right_match = re.search(r"[.!?](\s|$)", text[end:])
    right = end + right_match.end() if right_match else len(text)
    quote = text[left:right].strip()
    if len(quote) > limit:
        offset = max(0, (start - left) - limit // 3)
        quote = ("…" if offset else "") + quote[offset : offset + limit].rstrip() + "…"
    return " ".join(quote.split())


@dataclass(frozen=True, slots=True)
class Moment:
    """A quoted moment of a call. ``good`` moments show a stage done well or a clear explanation;
    the others a missed confirmation, an unclear turn or a stage out of order. ``score`` (0–1) ranks
    moments of the same polarity: higher is a stronger example. ``suggestion`` is what to say instead."""

    good: bool
    kind: str
    label: str
    call: str
    anchor: str
    turn: int | None
    quote: str | None
    note: str
    score: float
    suggestion: str | None = None
    speaker: str = "agent"
    span: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class CallSummary:
    """What an aggregate needs from one call. ``stages`` maps each stage to done (True), missing
    (False) or not checked (None); ``clarity`` is 0–100, higher is clearer."""

    id: str
    anchor: str
    agent: str | None
    when: dt.datetime | None
    source: str | None
    index: int | None
    stages: Mapping[str, bool | None]
    clarity: float | None
    grade: str | None
    order: tuple[str, ...] = ()
    jargon: tuple[tuple[str, str | None], ...] = ()
    issue_kinds: Mapping[str, int] = field(default_factory=dict)
    issue_advice: Mapping[str, str] = field(default_factory=dict)
    paraphrase_opportunities: int = 0
    paraphrases_missed: int = 0
    missed_examples: tuple[str, ...] = ()
    stage_examples: Mapping[str, str] = field(default_factory=dict)
    moments: tuple[Moment, ...] = ()
    turns: int = 0
    words: int = 0
    duration: float | None = None
    link: str | None = None

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(s for s in STAGES if self.stages.get(s) is False)


@dataclass(frozen=True, slots=True)
class Period:
    """One point of the over-time charts: its calls, stage coverage (0–1 per stage, ``None`` when no
    call checked it) and clarity (median and quartiles, 0–100, higher is clearer)."""

    label: str
    calls: int
    coverage: Mapping[str, float | None]
    clarity_median: float | None
    clarity_q1: float | None
    clarity_q3: float | None


@dataclass(frozen=True, slots=True)
class Action:
    """A coaching action chosen from the data: what to do, why (the numbers), what to say, and
    example calls (anchors). ``weight`` (0–1) is how much of the period it concerns; higher first."""

    kind: str
    title: str
    why: str
    example: str | None
    calls: tuple[str, ...]
    weight: float


@dataclass(frozen=True, slots=True)
class Jargon:
    """A jargon term or acronym: how often the agent said it, in how many calls, and the plain alternative."""

    term: str
    count: int
    calls: int
    plain: str | None


@dataclass(frozen=True, slots=True)
class AgentRow:
    """One agent in a team report: calls, mean stage coverage (0–1) and median clarity (0–100, higher is clearer)."""

    agent: str
    calls: int
    coverage: float | None
    clarity: float | None


@dataclass(frozen=True, slots=True)
class Aggregate:
    """Everything a per-agent or per-team report shows, for the calls of one period."""

    title: str
    agent: str | None
    since: dt.datetime | None
    until: dt.datetime | None
    calls: tuple[CallSummary, ...]
    periods: tuple[Period, ...]
    period_unit: str
    coverage: Mapping[str, float | None]
    clarity_scores: tuple[float, ...]
    clarity_median: float | None
    jargon: tuple[Jargon, ...]
    best: tuple[Moment, ...]
    worst: tuple[Moment, ...]
    actions: tuple[Action, ...]
    agents: tuple[AgentRow, ...]
    excluded: int = 0
    source: str = ""

    @property
    def first(self) -> dt.datetime | None:
        dates = [c.when for c in self.calls if c.when is not None]
        return min(dates) if dates else None

    @property
    def last(self) -> dt.datetime | None:
        dates = [c.when for c in self.calls if c.when is not None]
        return max(dates) if dates else None


# --------------------------------------------------------------------------- one call


def _stage_examples(report: Report) -> dict[str, str]:
    return {h.stage: h.example for h in report.hints if h.stage and h.example and h.kind == f"missing_{h.stage}"}


def summarize(report: Report, *, source: str | None = None, index: int | None = None, link: str | None = None) -> CallSummary:
    """The ``CallSummary`` of one analysed call, with its candidate best and worst moments quoted."""
    from ..outputs import call_time

    t = report.transcript
    turns = t.turns
    key = anchor(t.id, source, index)
    stages = {s: (r.present if r.enabled else None) for s, r in report.stages.items()}
    moments: list[Moment] = []
    for stage, r in report.stages.items():
        if r.enabled and r.present and r.evidence:
            ev = max(r.evidence, key=lambda e: (e.end - e.start > 0, e.turn in r.turns))
            if 0 <= ev.turn < len(turns):
                quote = quote_around(turns[ev.turn].text, ev.start, ev.end)
                moments.append(Moment(True, "stage", STAGE_LABELS.get(stage, stage), t.id, key, ev.turn, quote, ev.reason, r.confidence))
    jargon: list[tuple[str, str | None]] = []
    kinds: Counter[str] = Counter()
    advice: dict[str, str] = {}
    for tc in report.clarity.turns:
        if not 0 <= tc.index < len(turns):
            continue
        text = turns[tc.index].text
        for issue in tc.issues:
            kinds[issue.kind] += 1
            if issue.suggestion and issue.kind not in JARGON_KINDS:
                advice.setdefault(issue.kind, issue.suggestion)
            if issue.kind in JARGON_KINDS:
                jargon.append((text[issue.start : issue.end], issue.suggestion))
        if tc.score is None or tc.words < 6:
            continue
        if tc.issues and tc.score < 65:
            fixes = [f"{text[i.start:i.end]} → {i.suggestion}" for i in tc.issues if i.suggestion and i.end - i.start < 60]
            note = "; ".join(dict.fromkeys(i.message for i in tc.issues[:3]))
            moments.append(
                Moment(False, "clarity", f"Unclear ({tc.score:.0f}/100)", t.id, key, tc.index, quote_around(text, 0, 0, 10**6)[:_QUOTE_CHARS],
                       note, (100 - tc.score) / 100 * tc.confidence, "; ".join(fixes[:3]) or None)
            )
        elif not tc.issues and tc.score >= 80 and tc.words >= 12:
            moments.append(
                Moment(True, "clarity", f"Clear ({tc.score:.0f}/100)", t.id, key, tc.index, quote_around(text, 0, 0, 10**6)[:_QUOTE_CHARS],
                       "Plain words, short sentences, no jargon.", tc.score / 100 * tc.confidence * 0.9)
            )
    missed = [p for p in report.paraphrases if p.confirmed_by is None]
    for p in missed:
        if 0 <= p.source_turn < len(turns):
            moments.append(
                Moment(False, "missed_confirm", "Not confirmed", t.id, key, p.source_turn,
                       quote_around(turns[p.source_turn].text, 0, 0, 10**6)[:_QUOTE_CHARS],
                       "The customer explained this and the agent never checked it back.", max(p.score, 0.5), p.text, "customer")
            )
    for o in report.order:
        turn = o.turns[-1] if o.turns and 0 <= o.turns[-1] < len(turns) else None
        quote = quote_around(turns[turn].text, 0, 0, 10**6)[:_QUOTE_CHARS] if turn is not None else None
        moments.append(Moment(False, "order", "Out of order", t.id, key, turn, quote, o.message, 0.55))
    when = call_time(t.metadata)
    return CallSummary(
        id=t.id,
        anchor=key,
        agent=t.agent_name,
        when=parse_date(when) if when else None,
        source=source,
        index=index,
        stages=stages,
        clarity=report.clarity.score,
        grade=report.clarity.grade,
        order=tuple(o.message for o in report.order),
        jargon=tuple(jargon),
        issue_kinds=dict(kinds),
        issue_advice=advice,
        paraphrase_opportunities=len(report.paraphrases),
        paraphrases_missed=len(missed),
        missed_examples=tuple(p.text for p in sorted(missed, key=lambda p: -p.score)[:2]),
        stage_examples=_stage_examples(report),
        moments=tuple(moments),
        turns=report.stats.turns,
        words=report.stats.words,
        duration=report.stats.duration,
        link=link,
    )


# --------------------------------------------------------------------------- many calls


def _in_period(when: dt.datetime | None, since: dt.datetime | None, until: dt.datetime | None) -> bool:
    if since is None and until is None:
        return True
    if when is None:
        return False
    return (since is None or when >= since) and (until is None or when <= until)


def _coverage(calls: Sequence[CallSummary]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for stage in STAGES:
        checked = [c.stages.get(stage) for c in calls if c.stages.get(stage) is not None]
        out[stage] = sum(1 for v in checked if v) / len(checked) if checked else None
    return out


def _quartiles(scores: Sequence[float]) -> tuple[float | None, float | None, float | None]:
    if not scores:
        return None, None, None
    if len(scores) == 1:
        return scores[0], scores[0], scores[0]
    q1, median, q3 = statistics.quantiles(scores, n=4, method="inclusive")
    return median, q1, q3


def _period(label: str, calls: Sequence[CallSummary]) -> Period:
    scores = [c.clarity for c in calls if c.clarity is not None]
    median, q1, q3 = _quartiles(scores)
    return Period(label, len(calls), _coverage(calls), median, q1, q3)


def _periods(calls: Sequence[CallSummary]) -> tuple[tuple[Period, ...], str]:
    dated = sorted((c for c in calls if c.when is not None), key=lambda c: c.when)  # type: ignore[arg-type, return-value]
    if len(dated) >= 2 and len({c.when.date() for c in dated}) >= 2:  # type: ignore[union-attr]
        span = (dated[-1].when - dated[0].when).days  # type: ignore[operator]
        key: Callable[[dt.datetime], tuple[Any, str]]
        if span <= 14:
            unit, key = "day", lambda d: (d.date(), d.strftime("%d %b"))
        elif span <= 120:
            def key(d: dt.datetime) -> tuple[Any, str]:
                monday = d.date() - dt.timedelta(days=d.weekday())
                return monday, f"wk {monday:%d %b}"
            unit = "week"
        else:
            unit, key = "month", lambda d: ((d.year, d.month), d.strftime("%b %Y"))
        groups: dict[Any, tuple[str, list[CallSummary]]] = {}
        for c in dated:
            k, label = key(c.when)  # type: ignore[arg-type]
            groups.setdefault(k, (label, []))[1].append(c)
        return tuple(_period(label, members) for _, (label, members) in sorted(groups.items())), unit
    size = max(1, -(-len(calls) // MAX_PERIODS))
    out = []
    for start in range(0, len(calls), size):
        members = list(calls[start : start + size])
        first, last = start + 1, start + len(members)
        out.append(_period(f"call {first}" if first == last else f"calls {first}–{last}", members))
    return tuple(out), "calls in order"


def _jargon(calls: Sequence[CallSummary], limit: int = 10) -> tuple[Jargon, ...]:
    counts: Counter[str] = Counter()
    in_calls: dict[str, set[str]] = defaultdict(set)
    plain: dict[str, Counter[str]] = defaultdict(Counter)
    shown: dict[str, Counter[str]] = defaultdict(Counter)
    for c in calls:
        for term, suggestion in c.jargon:
            norm = term if term.isupper() else term.lower()
            key = norm.lower()
            counts[key] += 1
            in_calls[key].add(c.anchor)
            shown[key][norm] += 1
            if suggestion:
                plain[key][suggestion] += 1
    return tuple(
        Jargon(shown[k].most_common(1)[0][0], n, len(in_calls[k]), plain[k].most_common(1)[0][0] if plain[k] else None)
        for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], -len(in_calls[kv[0]]), kv[0]))[:limit]
    )


def _pick(moments: Iterable[Moment], quote: Callable[[Moment], Moment] | None = None, limit: int = MOMENTS) -> tuple[Moment, ...]:
    """The strongest moments, spread over calls and kinds: at most one per (call, label) pair, and a
    call appears twice only when there are not enough other calls. Quoted moments come first;
    ``quote`` fills in the quotes of the strongest candidates (a store reloads their transcripts)."""
    ranked = sorted(moments, key=lambda m: (-m.score, m.call, m.turn or 0))
    if quote is not None:
        ranked = [quote(m) for m in ranked[: 4 * limit]]
    ranked.sort(key=lambda m: m.quote is None)
    chosen: list[Moment] = []
    seen: set[tuple[str, str]] = set()
    for spread in (True, False):
        for m in ranked:
            if len(chosen) >= limit:
                break
            if m in chosen or (m.anchor, m.label) in seen or (m.quote and any(c.quote == m.quote for c in chosen)):
                continue
            if spread and (any(c.anchor == m.anchor for c in chosen) or any(c.label == m.label for c in chosen)):
                continue
            chosen.append(m)
            seen.add((m.anchor, m.label))
    return tuple(chosen)


def _generic_examples(language: str = "en") -> dict[str, str]:
    from .. import lang

    try:
        missing = lang.data(language, "stages_hints")["missing"]
    except Exception:  # a language without coaching text: actions go without an example
        return {}
    return {stage: entry.get("generic", "") for stage, entry in missing.items()}


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _actions(calls: Sequence[CallSummary], jargon: Sequence[Jargon], language: str = "en") -> tuple[Action, ...]:
    """Three coaching actions: the candidates (a missed stage, jargon, unconfirmed customer problems,
    stages out of order, a frequent clarity issue) are weighed by the share of calls they concern,
    and the three heaviest of different kinds are kept; strengths fill in when fewer problems exist."""
    n = len(calls)
    if not n:
        return ()
    generic = _generic_examples(language)
    candidates: list[Action] = []
    for stage in STAGES:
        checked = [c for c in calls if c.stages.get(stage) is not None]
        missed = [c for c in checked if c.stages.get(stage) is False]
        if not missed:
            continue
        examples = Counter(c.stage_examples[stage] for c in missed if stage in c.stage_examples)
        example = examples.most_common(1)[0][0] if examples else generic.get(stage) or None
        if stage == "confirm":
            said = [e for c in missed for e in c.missed_examples]
            example = said[0] if said else example
        candidates.append(
            Action(
                f"stage_{stage}",
                f"Add the {STAGE_LABELS[stage].lower()} step",
                f"{STAGE_LABELS[stage]} was missing in {len(missed)} of {_count(len(checked), 'call')}.",
                example,
                tuple(c.anchor for c in missed[:3]),
                len(missed) / len(checked),
            )
        )
    if jargon:
        top = jargon[0]
        with_jargon = [c for c in calls if c.jargon]
        swaps = [f"“{j.plain}” instead of “{j.term}”" for j in jargon[:3] if j.plain]
        candidates.append(
            Action(
                "jargon",
                f"Swap jargon for plain words, starting with “{top.term}”",
                f"Jargon or unexplained acronyms in {len(with_jargon)} of {_count(n, 'call')}; "
                f"“{top.term}” was said {_count(top.count, 'time')}.",
                "; ".join(swaps) or None,
                tuple(c.anchor for c in with_jargon if any(t.lower() == top.term.lower() for t, _ in c.jargon))[:3],
                0.8 * len(with_jargon) / n,
            )
        )
    opportunities = sum(c.paraphrase_opportunities for c in calls)
    missed_total = sum(c.paraphrases_missed for c in calls)
    if missed_total:
        with_missed = [c for c in calls if c.paraphrases_missed]
        said = [e for c in with_missed for e in c.missed_examples]
        candidates.append(
            Action(
                "confirm_back",
                "Say the customer's problem back before fixing it",
                f"{missed_total} of {_count(opportunities, 'customer problem')} were never confirmed back.",
                said[0] if said else generic.get("confirm") or None,
                tuple(c.anchor for c in with_missed[:3]),
                0.9 * missed_total / max(opportunities, 1),
            )
        )
    with_order = [c for c in calls if c.order]
    if with_order:
        common = Counter(m for c in with_order for m in c.order).most_common(1)[0][0]
        candidates.append(
            Action(
                "order",
                "Keep the stages in order: hear, confirm, then fix",
                f"Stages out of order in {len(with_order)} of {_count(n, 'call')}. For example: {common}",
                None,
                tuple(c.anchor for c in with_order[:3]),
                0.7 * len(with_order) / n,
            )
        )
    kinds: Counter[str] = Counter()
    for c in calls:
        kinds.update(k for k in c.issue_kinds if k not in JARGON_KINDS)
    if kinds:
        kind, count = kinds.most_common(1)[0]
        advice = next((c.issue_advice[kind] for c in calls if kind in c.issue_advice), None)
        candidates.append(
            Action(
                f"clarity_{kind}",
                f"Fix the most frequent clarity issue: {kind.replace('_', ' ')}",
                f"Found in {count} of {_count(n, 'call')}.",
                advice,
                tuple(c.anchor for c in calls if kind in c.issue_kinds)[:3],
                0.6 * count / n,
            )
        )
    chosen: list[Action] = []
    for action in sorted(candidates, key=lambda a: (-a.weight, a.kind)):
        if action.weight <= 0 or len(chosen) == 3:
            continue
        # a missed confirm stage and unconfirmed problems are one lesson: keep the heavier
        if {action.kind, *(a.kind for a in chosen)} >= {"stage_confirm", "confirm_back"}:
            continue
        chosen.append(action)
    coverage = _coverage(calls)
    strengths = sorted((v, s) for s, v in coverage.items() if v is not None and v >= 0.5)
    while len(chosen) < 3 and strengths:
        share, stage = strengths.pop()
        done = [c for c in calls if c.stages.get(stage)]
        chosen.append(
            Action(
                f"keep_{stage}",
                f"Keep doing the {STAGE_LABELS[stage].lower()} step",
                f"Done in {len(done)} of {_count(n, 'call')} ({share:.0%}): use these calls as examples for the team.",
                None,
                tuple(c.anchor for c in done[:3]),
                0.0,
            )
        )
    return tuple(chosen)


def _agents(calls: Sequence[CallSummary]) -> tuple[AgentRow, ...]:
    groups: dict[str, list[CallSummary]] = defaultdict(list)
    for c in calls:
        groups[c.agent or "(unnamed)"].append(c)
    rows = []
    for name, members in sorted(groups.items()):
        shares = [v for v in _coverage(members).values() if v is not None]
        scores = [c.clarity for c in members if c.clarity is not None]
        rows.append(
            AgentRow(name, len(members), sum(shares) / len(shares) if shares else None, statistics.median(scores) if scores else None)
        )
    return tuple(rows)


def aggregate(
    calls: Iterable[CallSummary],
    *,
    agent: str | None = None,
    since: str | dt.date | None = None,
    until: str | dt.date | None = None,
    title: str | None = None,
    language: str = "en",
    source: str = "",
    quote: Callable[[Moment], Moment] | None = None,
) -> Aggregate:
    """Group call summaries into the ``Aggregate`` of one agent (``agent``, matched case-insensitively)
    or of everyone, over ``[since, until]`` (dates or ISO date-times, inclusive). With a period set,
    calls without a date are left out and counted in ``excluded``. ``quote`` fills in the quote of a
    candidate moment that has none (see ``from_store``)."""
    start, stop = parse_date(since), parse_date(until, end=True)
    chosen: list[CallSummary] = []
    excluded = 0
    for c in calls:
        if agent is not None and (c.agent or "").casefold() != agent.casefold():
            continue
        if not _in_period(c.when, start, stop):
            excluded += c.when is None
            continue
        chosen.append(c)
    chosen.sort(key=lambda c: (c.when is None, c.when or dt.datetime.min))
    periods, unit = _periods(chosen)
    scores = tuple(c.clarity for c in chosen if c.clarity is not None)
    jargon = _jargon(chosen)
    return Aggregate(
        title=title or (f"Agent {agent}" if agent else "Team"),
        agent=agent,
        since=start,
        until=stop,
        calls=tuple(chosen),
        periods=periods,
        period_unit=unit,
        coverage=_coverage(chosen),
        clarity_scores=scores,
        clarity_median=statistics.median(scores) if scores else None,
        jargon=jargon,
        best=_pick((m for c in chosen for m in c.moments if m.good), quote),
        worst=_pick((m for c in chosen for m in c.moments if not m.good), quote),
        actions=_actions(chosen, jargon, language),
        agents=_agents(chosen),
        excluded=excluded,
        source=source,
    )


def from_reports(
    reports: Iterable[Report | tuple[Report, str | None, int | None]],
    **options: Any,
) -> Aggregate:
    """The aggregate of analysed calls: each a ``Report`` or ``(report, source, index)``; ``options`` as for ``aggregate``."""
    summaries = []
    for item in reports:
        report, source, index = item if isinstance(item, tuple) else (item, None, None)
        summaries.append(summarize(report, source=source, index=index))
    return aggregate(summaries, **options)


# --------------------------------------------------------------------------- results store


def _load_source(source: str, index: int, language: str) -> Transcript | None:
    from ..formats import load_all

    try:
        for i, transcript in enumerate(load_all(source, language=language), start=1):
            if i == index:
                return transcript
    except Exception as exc:  # the file moved, changed or no longer parses: quote nothing from it
        log.info("cannot reload %s #%s for quotes: %s", source, index, exc)
    return None


class _Quotes:
    """Quotes for moments of stored calls, from the transcripts reloaded from the files the store
    names. Each reloaded transcript is checked against the stored key (raw, or as redacted when the
    scoring run redacted), so a quote is only ever taken from the exact text that was scored."""

    def __init__(self, rows: Mapping[str, sqlite3.Row], mask: Callable[[str], str]) -> None:
        self.rows = rows
        self.mask = mask
        self.cache: dict[str, Transcript | None] = {}

    def transcript(self, row: sqlite3.Row) -> Transcript | None:
        key = row["key"]
        if key not in self.cache:
            from ..redact import redact_transcript
            from ..store import content_key

            found = None
            source = str(row["source"] or "")
            if source and row["idx"] and not source.startswith("<"):
                loaded = _load_source(source, row["idx"], row["language"])
                for candidate in () if loaded is None else (loaded, redact_transcript(loaded)):
                    if content_key(candidate, row["coach_version"], row["config_fingerprint"], row["language"]) == key:
                        found = candidate
                        break
            self.cache[key] = found
        return self.cache[key]

    def __call__(self, moment: Moment) -> Moment:
        row = self.rows.get(moment.anchor)
        if moment.quote is not None or row is None or moment.turn is None:
            return moment
        transcript = self.transcript(row)
        if transcript is None or not 0 <= moment.turn < len(transcript.turns):
            return moment
        text = transcript.turns[moment.turn].text
        start, end = moment.span or (0, len(text))
        quote = quote_around(text, start, end) if moment.span else quote_around(text, 0, 0, 10**6)[:_QUOTE_CHARS]
        speaker = transcript.turns[moment.turn].role.value
        return replace(moment, quote=self.mask(quote), speaker=speaker)


def _json(text: str | None, default: Any) -> Any:
    return default if text is None else json.loads(text)


def from_store(
    path: str | Path,
    *,
    agent: str | None = None,
    since: str | dt.date | None = None,
    until: str | dt.date | None = None,
    redact: bool = False,
    title: str | None = None,
    language: str = "en",
) -> Aggregate:
    """The aggregate of the calls in a results store (``coach score --db``), newest result per call.

    Numbers come from the store alone. Quotes are taken from the source files the store names when
    they still hold the exact text that was scored (checked against the stored key); a moment whose
    text cannot be had is shown without a quote. With ``redact``, quotes, call ids, agent names,
    sources and messages are masked (``coach.redact``).
    """
    from ..errors import CoachError
    from ..redact import redact_text

    path = Path(path)
    if not path.is_file():
        raise CoachError(f"{path}: no such results store")
    mask: Callable[[str], str] = redact_text if redact else str
    try:
        conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise CoachError(f"{path}: cannot open the results store ({exc})") from exc
    conn.row_factory = sqlite3.Row
    try:
        rows = conn.execute(
            "SELECT key, call_id, source, idx, agent, call_time, scored_at, language, coach_version,"
            " config_fingerprint, turns, words, duration, clarity_score, clarity_grade, row FROM calls"
            " ORDER BY scored_at, rowid"
        ).fetchall()
        details: dict[str, dict[str, list[sqlite3.Row]]] = defaultdict(lambda: defaultdict(list))
        for table in ("stage_findings", "order_findings", "clarity_issues"):
            for r in conn.execute(f"SELECT * FROM {table}"):
                details[r["key"]][table].append(r)
    except sqlite3.DatabaseError as exc:
        raise CoachError(f"{path}: not a coach results store ({exc})") from exc
    finally:
        conn.close()
    latest: dict[tuple[str, str, int], sqlite3.Row] = {}
    for r in rows:  # ordered by scored_at: a later result of the same call replaces the earlier one
        latest[(r["call_id"], r["source"], r["idx"])] = r
    summaries = []
    by_anchor: dict[str, sqlite3.Row] = {}
    for r in latest.values():
        found = details[r["key"]]
        summary = _stored_call(r, found["stage_findings"], found["order_findings"], found["clarity_issues"], mask)
        by_anchor[summary.anchor] = r
        summaries.append(summary)
    return aggregate(
        summaries, agent=agent, since=since, until=until, title=title, language=language, source=str(path),
        quote=_Quotes(by_anchor, mask),
    )


def _stored_call(
    r: sqlite3.Row,
    stage_rows: Sequence[sqlite3.Row],
    order_rows: Sequence[sqlite3.Row],
    issue_rows: Sequence[sqlite3.Row],
    mask: Callable[[str], str],
) -> CallSummary:
    row = json.loads(r["row"])
    call_id = mask(r["call_id"])
    source = mask(r["source"]) if r["source"] else None
    key = anchor(call_id, source, r["idx"])
    moments: list[Moment] = []
    stages: dict[str, bool | None] = {}
    for s in stage_rows:
        stages[s["stage"]] = bool(s["present"]) if s["enabled"] else None
        evidence = _json(s["evidence"], [])
        if s["enabled"] and s["present"] and evidence:
            ev = evidence[0]
            moments.append(
                Moment(True, "stage", STAGE_LABELS.get(s["stage"], s["stage"]), call_id, key, ev["turn"], None,
                       mask(ev["reason"]), float(s["confidence"]), span=(ev["start"], ev["end"]))
            )
    jargon: list[tuple[str, str | None]] = []
    kinds: Counter[str] = Counter()
    advice: dict[str, str] = {}
    per_turn: dict[int, list[sqlite3.Row]] = defaultdict(list)
    for i in issue_rows:
        kinds[i["kind"]] += 1
        per_turn[i["turn"]].append(i)
        if i["kind"] in JARGON_KINDS:
            quoted = _QUOTED.search(i["message"])
            if quoted:
                jargon.append((mask(quoted.group(1)), i["suggestion"]))
        elif i["suggestion"]:
            advice.setdefault(i["kind"], i["suggestion"])
    if per_turn:
        turn, worst = max(per_turn.items(), key=lambda kv: (len(kv[1]), -kv[0]))
        note = "; ".join(dict.fromkeys(mask(i["message"]) for i in worst[:3]))
        fixes = "; ".join(mask(i["suggestion"]) for i in worst[:3] if i["suggestion"]) or None
        moments.append(Moment(False, "clarity", _count(len(worst), "clarity issue"), call_id, key, turn, None, note,
                              min(1.0, 0.2 * len(worst)), fixes))
    for o in order_rows:
        turns = _json(o["turns"], [])
        moments.append(Moment(False, "order", "Out of order", call_id, key, turns[-1] if turns else None, None,
                              mask(o["message"]), 0.55))
    return CallSummary(
        id=call_id,
        anchor=key,
        agent=mask(r["agent"]) if r["agent"] else None,
        when=parse_date(r["call_time"] or r["scored_at"]),
        source=source,
        index=r["idx"],
        stages=stages,
        clarity=r["clarity_score"],
        grade=r["clarity_grade"],
        order=tuple(mask(o["message"]) for o in order_rows),
        jargon=tuple(jargon),
        issue_kinds=dict(kinds),
        issue_advice=advice,
        paraphrase_opportunities=int(row.get("paraphrase_opportunities") or 0),
        paraphrases_missed=int(row.get("paraphrases_missed") or 0),
        moments=tuple(moments),
        turns=r["turns"],
        words=r["words"],
        duration=r["duration"],
    )
