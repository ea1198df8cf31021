"""Reports built by hand for the renderer tests: every section filled, text the tests can inject into."""

from __future__ import annotations

from coach.report import (
    CallClarity,
    Evidence,
    Hint,
    Issue,
    OrderFinding,
    Paraphrase,
    Report,
    RoleStats,
    StageResult,
    Stats,
    TurnClarity,
)
from coach.transcript import Role, Transcript, Turn

AGENT_TECH = "Pursuant to our SLA the ticket will be escalated to tier 2 for RCA."


def sample_report(
    *,
    id: str = "call-1",
    agent: str = "Sam",
    when: str | None = "2024-05-02T10:00:00Z",
    customer: str = "My router keeps dropping the connection every evening and I work from home.",
    greeting: str = "Hi, this is Sam from Acme support. How can I help?",
    present: tuple[str, ...] = ("reassure", "fix"),
    transcript: Transcript | None = None,
) -> Report:
    """A six-turn call with stages, a missed confirmation, an order finding and four clarity issues.

    ``customer`` and ``greeting`` replace the texts of turns 1 and 0, so tests can inject anything there.
    """
    turns = (
        Turn(Role.AGENT, greeting, "Sam", 0.0, 3.0),
        Turn(Role.CUSTOMER, customer, "Customer", 3.5, 9.0),
        Turn(Role.AGENT, "I'm sorry that happened — I'll make sure we sort this out today.", "Sam", 9.5, 12.0),
        Turn(Role.AGENT, AGENT_TECH, "Sam", 12.5, 17.0),
        Turn(Role.CUSTOMER, "What does that mean? Will it work tonight?", "Customer", 17.5, 19.0),
        Turn(Role.AGENT, "I've reset the line and sent a new router; it arrives on Tuesday.", "Sam", 19.5, 24.0),
    )
    metadata = {"agent": agent, "channel": "voice"}
    if when:
        metadata["start_time"] = when
    t = transcript or Transcript(id, turns, metadata)
    where = {"reassure": 2, "listen": 2, "confirm": 5, "fix": 5, "follow_up": 5}
    stages = {}
    for stage, turn in where.items():
        found = stage in present
        evidence = (Evidence(turn, 0, 20, f"cue for {stage}"),) if found else ()
        stages[stage] = StageResult(stage, found, (turn,) if found else (), 0.9 if found else 0.7, evidence, stage != "follow_up")
    hints = tuple(
        Hint(f"missing_{s}", f"Do the {s} step after turn 1.", f"Example for {s}: so your router drops — is that right?", 2, s)
        for s in where
        if s not in present and s != "follow_up"
    )
    text = t.turns[3].text if len(t.turns) > 3 else AGENT_TECH
    issues = []
    for kind, words, suggestion in (
        ("legalese", "Pursuant to", "under"),
        ("acronym", "SLA", "service agreement (SLA)"),
        ("passive_voice", "will be escalated", "Say who does it: “we sent it”, not “it was sent”."),
        ("jargon", "RCA", "finding the cause"),
    ):
        if words in text:
            at = text.index(words)
            issues.append(Issue(kind, at, at + len(words), f"{kind}: “{words}”.", suggestion))
    clarity = CallClarity(
        58.0,
        "fairly clear",
        (
            TurnClarity(80.0, "very clear", 0.6, (), 10, index=0),
            TurnClarity(85.0, "very clear", 0.7, (), 12, index=2),
            TurnClarity(30.0, "very unclear", 0.8, tuple(issues), 14, index=3),
            TurnClarity(75.0, "clear", 0.8, (), 13, index=5),
        ),
    )
    paraphrases = (Paraphrase("So your router drops every evening — is that right?", 1, 0.8, None, ("So it keeps dropping?",)),)
    order = (OrderFinding("fix_before_confirm", "The fix (turn 5) came before the problem was confirmed.", (5,)),)
    stats = Stats(6, 70, {"agent": RoleStats(4, 50, 15.0), "customer": RoleStats(2, 20, 7.0)}, 24.0, 14, (1, 1))
    return Report(t, stats, stages, order, hints, clarity, paraphrases, "en", "0.1.0")


#: Text that must never become markup in a report.
INJECTIONS = (
    "<script>alert('x')</script>",
    "</textarea><img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "' onmouseover='alert(1)",
    "[click](javascript:alert(1))",
    "<a href=\"javascript:alert(1)\">link</a>",
    "javascript:alert(document.cookie)",
    "abc\u202edcba\u2066x\u2069",
    "{{ 7*7 }} {% raw %}",
    "&lt;script&gt;",
)
