"""The readable one-call summary ``coach analyze`` prints."""

from __future__ import annotations

from ..report import Report

__all__ = ["summary"]


def _seconds(value: float | None) -> str:
    if value is None:
        return "—"
    minutes, seconds = divmod(round(value), 60)
    return f"{minutes}:{seconds:02d}"


def summary(report: Report) -> str:
    """A plain-text summary of a Report: statistics, then every part the report carries."""
    s = report.stats
    lines = [f"Call {report.id}  ·  {s.turns} turns  ·  {s.words} words  ·  duration {_seconds(s.duration)}"]
    for role, rs in s.roles.items():
        talk = f", talk time {_seconds(rs.talk_time)}" if rs.talk_time is not None else ""
        lines.append(f"  {role:<9} {rs.turns:>4} turns {rs.words:>6} words{talk}")
    if s.longest_customer_monologue:
        first, last = s.longest_customer_monologue_turns
        span = f"turn {first}" if first == last else f"turns {first}–{last}"
        lines.append(f"  longest customer monologue: {s.longest_customer_monologue} words ({span})")
    return "\n".join(lines)
