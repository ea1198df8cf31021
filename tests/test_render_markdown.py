import re

import pytest
from render_samples import INJECTIONS, sample_report

from coach.render.aggregate import from_reports
from coach.render.markdown import agent_markdown, call_markdown, escape

pytest.importorskip("jinja2")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain words", "plain words"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("a & b", "a &amp; b"),
        ("[click](javascript:alert(1))", "\\[click\\](javascript\\:alert(1))"),
        ("see https://x.example or www.x.example", "see https\\://x.example or www\\.x.example"),
        ("**bold** _it_ `code` | ~x~ $m$", "\\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\| \\~x\\~ \\$m\\$"),
        ("# heading", "\\# heading"),
        ("- item", "\\- item"),
        ("1. first", "1\\. first"),
        ("> quote", "&gt; quote"),
        ("two\nlines\n\n# not a heading", "two lines # not a heading"),
        ("time 10:30 costs 3.5", "time 10:30 costs 3.5"),
        ("rtl \u202eevil", "rtl \\[U+202E\\]evil"),
    ],
)
def test_render_markdown_escape(text, expected):
    assert escape(text) == expected


def test_render_markdown_call_has_every_section():
    md = call_markdown(sample_report(), source="calls/a.json")
    for heading in ("# Call call-1", "## At a glance", "## Five-stage checklist", "## Stage timeline", "## Transcript",
                    "## Clarity", "## Conversation statistics"):
        assert heading in md
    assert "**Pursuant to**<sup>1</sup> our" in md  # highlighted issue, spacing kept
    assert "*Plainer:* **Under** our" in md
    assert "*Confirm it back:* “So your router drops every evening — is that right?” — ✗ never confirmed" in md
    assert "Reassure   " in md and "✗ missing" in md  # the timeline strip, unescaped inside its code block


def test_render_markdown_agent_has_every_section():
    reports = [sample_report(id=f"c{i}", agent="Sam" if i % 2 else "Ann", when=f"2024-05-{i + 1:02d}T10:00:00Z") for i in range(4)]
    md = agent_markdown(from_reports(reports))
    for heading in ("## Three coaching actions", "## Stage coverage", "## Clarity", "## Most frequent jargon",
                    "## Best moments", "## To work on", "## Agents", "## Calls"):
        assert heading in md
    assert "| “RCA” | 4 | 4 | **finding the cause** |" in md
    assert "██████████ 100%" in md


@pytest.mark.parametrize("payload", INJECTIONS)
def test_render_markdown_escapes_transcript_text(payload):
    md = call_markdown(sample_report(id=payload, agent=payload, customer=payload, greeting=payload), source=payload)
    md += agent_markdown(from_reports([sample_report(id=payload, agent=payload, customer=payload)]))
    assert not re.search(r"<(?!sup>|/sup>)[a-z/!]", md, re.I), "no raw HTML tag but our <sup>"
    assert not re.search(r"(?<!\\)\]\(", md), "no link can form"
    assert "javascript:" not in md and "\u202e" not in md
