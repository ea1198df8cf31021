"""The readable summaries the CLI prints: one call (``coach analyze``) and one text (``coach clarity``)."""

from __future__ import annotations

import textwrap

from ..report import Clarity, Report
from ._view import duration
from .aggregate import STAGE_LABELS as _NAMES

__all__ = ["clarity_summary", "summary"]


def _quote(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return f"“{textwrap.shorten(text, width, placeholder='…')}”"


def summary(report: Report) -> str:
    """A plain-text summary of a Report: the five-stage checklist with evidence, order findings,
    coaching hints, clarity with its top issues, confirming paraphrases, and call statistics."""
    turns = report.transcript.turns
    s = report.stats
    lines = [f"Call {report.id}  ·  {s.turns} turns  ·  {s.words} words  ·  duration {duration(s.duration)}", ""]
    if report.stages:
        lines.append("Five stages")
        for stage, result in report.stages.items():
            if not result.enabled:
                lines.append(f"  -  {_NAMES[stage]:<10} (disabled)")
                continue
            mark = "✓" if result.present else "✗"
            where = f"turn {', '.join(map(str, result.turns))}" if result.turns else "not found"
            lines.append(f"  {mark}  {_NAMES[stage]:<10} {where:<18} confidence {result.confidence:.2f}")
            for ev in result.evidence[:1]:
                lines.append(f"       {_quote(turns[ev.turn].text[ev.start:ev.end], 70)}  ({ev.reason})")
        lines.append(f"  missing: {', '.join(_NAMES[m] for m in report.missing) or 'none'}")
        for finding in report.order:
            lines.append(f"  order: {finding.message}")
        lines.append("")
    if report.hints:
        lines.append("Coaching")
        for hint in report.hints:
            at = f"at turn {hint.turn}: " if hint.turn is not None else ""
            lines.append(f"  • {at}{hint.message}")
            if hint.example:
                lines.append(f"      e.g. {_quote(hint.example, 100)}")
        lines.append("")
    clarity = report.clarity
    if clarity.score is not None:
        lines.append(f"Clarity  {clarity.score:.0f}/100 ({clarity.grade})")
        issues = [(t.index, i) for t in clarity.turns for i in t.issues]
        for index, issue in issues[:6]:
            said = turns[index].text[issue.start : issue.end]
            fix = f" → {issue.suggestion}" if issue.suggestion else ""
            lines.append(f"  turn {index:>3}  {issue.kind:<16} {_quote(said, 50)}{fix}")
        if len(issues) > 6:
            lines.append(f"  … and {len(issues) - 6} more (--json for all)")
        lines.append("")
    if report.paraphrases:
        lines.append("Confirming paraphrases")
        for p in sorted(report.paraphrases, key=lambda p: p.source_turn):
            status = f"confirmed at turn {p.confirmed_by}" if p.confirmed_by is not None else "never confirmed"
            lines.append(f"  turn {p.source_turn:>3}  {_quote(p.text, 100)}  [{status}]")
        lines.append("")
    lines.append("Conversation")
    for role, rs in s.roles.items():
        talk = f", talk time {duration(rs.talk_time)}" if rs.talk_time is not None else ""
        lines.append(f"  {role:<9} {rs.turns:>4} turns {rs.words:>6} words{talk}")
    if s.longest_customer_monologue:
        first, last = s.longest_customer_monologue_turns
        span = f"turn {first}" if first == last else f"turns {first}–{last}"
        lines.append(f"  longest customer monologue: {s.longest_customer_monologue} words ({span})")
    return "\n".join(lines)


def clarity_summary(text: str, clarity: Clarity) -> str:
    """The score of one text and each issue with the words it concerns and the plainer alternative."""
    if clarity.score is None:
        return "Clarity: — (no words)"
    lines = [f"Clarity {clarity.score:.0f}/100 ({clarity.grade}), confidence {clarity.confidence:.2f}"]
    for issue in clarity.issues:
        said = text[issue.start : issue.end]
        fix = f"  → {issue.suggestion}" if issue.suggestion else ""
        lines.append(f"  {issue.kind:<16} {_quote(said, 50)}  {issue.message}{fix}")
    if not clarity.issues:
        lines.append("  no issues found")
    return "\n".join(lines)
