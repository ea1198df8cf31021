from dataclasses import replace
from html.parser import HTMLParser

import pytest
from render_samples import INJECTIONS, sample_report

from coach.render.aggregate import from_reports
from coach.render.html import agent_html, call_html
from coach.report import CallClarity, Report, Stats
from coach.transcript import Role, Transcript, Turn

pytest.importorskip("jinja2")
pytest.importorskip("matplotlib")


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text outside tags."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def ids(self) -> list[str]:
        return [a["id"] for _, a in self.tags if a.get("id")]


def _assert_inert(html: str) -> Tags:
    tags = Tags(html)
    names = {t for t, _ in tags.tags}
    assert not names & {"script", "iframe", "object", "embed", "img", "textarea", "link", "base", "form"}
    for tag, attrs in tags.tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        for key in ("href", "src", "xlink:href", "action"):
            value = (attrs.get(key) or "").strip().lower()
            assert not value.startswith(("javascript:", "data:", "http:", "https:", "//")), (tag, attrs)
    assert "\u202e" not in html and "\u2066" not in html
    return tags


def test_render_html_call_has_every_section():
    html = call_html(sample_report(), source="calls/a.json")
    tags = _assert_inert(html)
    ids = tags.ids()
    for section in ("glance", "stages", "timeline", "transcript", "clarity", "stats", "turn-0", "turn-5"):
        assert section in ids
    assert len(ids) == len(set(ids)), "ids must be unique"
    text = " ".join(tags.text)
    assert "Pursuant to" in text and "under" in text  # the issue and its plainer rewrite
    assert "So your router drops every evening — is that right?" in text  # the confirming paraphrase
    assert "never confirmed" in text
    assert "The fix (turn 5) came before the problem was confirmed." in text
    assert html.count("<svg") == 2 and 'role="img"' in html and "<title" in html
    assert "Content-Security-Policy" in html and "default-src 'none'" in html


def test_render_html_marks_issues_and_badges():
    html = call_html(sample_report())
    assert '<mark class="issue" title="Legalese">Pursuant to<sup>1</sup></mark>' in html
    assert "<ins>Under</ins>" in html and "<ins>finding the cause</ins>" in html
    assert html.count('class="badge reassure"') >= 2  # checklist row and turn 2


@pytest.mark.parametrize("payload", INJECTIONS)
def test_render_html_call_escapes_transcript_text(payload):
    report = sample_report(id=payload, agent=payload, customer=payload, greeting=payload)
    html = call_html(report, source=payload)
    _assert_inert(html)
    assert "<script>" not in html and "</textarea>" not in html


@pytest.mark.parametrize("payload", INJECTIONS)
def test_render_html_agent_escapes_transcript_text(payload):
    reports = [sample_report(id=f"{payload}{i}", agent=payload, customer=payload) for i in range(3)]
    html = agent_html(from_reports(reports))
    _assert_inert(html)


def test_render_html_direction_overrides_become_visible():
    html = call_html(sample_report(customer="pay \u202etxt.exe"))
    assert "pay [U+202E]txt.exe" in html


def test_render_html_is_deterministic():
    assert call_html(sample_report()) == call_html(sample_report())
    reports = [sample_report(id=f"c{i}", when=f"2024-05-0{i + 1}T09:00:00Z") for i in range(3)]
    assert agent_html(from_reports(reports)) == agent_html(from_reports(reports))


def test_render_html_empty_report():
    t = Transcript("empty", (Turn(Role.CUSTOMER, "Hello?"),))
    report = Report(t, Stats(1, 1, {}, None, 1, (0, 0)), clarity=CallClarity(None, None))
    html = call_html(report)
    _assert_inert(html)
    assert "No stage analysis in this report." in html and "The agent said nothing to score." in html


def test_render_html_agent_has_every_section():
    reports = [
        sample_report(id=f"c{i}", agent="Sam" if i % 2 else "Ann", when=f"2024-05-{i + 1:02d}T10:00:00Z",
                      present=("reassure", "fix", "confirm") if i % 3 else ("reassure",))
        for i in range(6)
    ]
    html = agent_html(from_reports(reports))
    tags = _assert_inert(html)
    ids = tags.ids()
    for section in ("actions", "coverage", "clarity", "jargon", "moments", "agents", "calls"):
        assert section in ids
    assert len(ids) == len(set(ids))
    assert html.count("<svg") == 4  # coverage, coverage over time, clarity distribution, clarity trend
    text = " ".join(tags.text)
    assert "Swap jargon for plain words" in text and "finding the cause" in text
    # every moment links to a call listed in the page
    call_rows = {a["id"] for t, a in tags.tags if t == "tr" and a.get("id")}
    links = {a["href"][1:] for t, a in tags.tags if t == "a" and a.get("href", "").startswith("#call-")}
    assert links and links <= call_rows


def test_render_html_agent_links_to_call_pages():
    summaries = from_reports([sample_report(id="c1"), sample_report(id="c2")])
    calls = tuple(replace(c, link=f"calls/{c.anchor}.html") for c in summaries.calls)
    html = agent_html(replace(summaries, calls=calls))
    assert f'href="calls/{calls[0].anchor}.html"' in html
