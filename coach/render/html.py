"""HTML trainer reports: one self-contained file per report, safe to open.

::

    from coach.render.html import call_html, agent_html
    Path("call.html").write_text(call_html(coach.analyze("call.json")), encoding="utf-8")

A report is one HTML file with inline CSS and inline SVG charts: no script, no font, image or style
fetched from anywhere, so it opens offline and prints cleanly. Transcript text is untrusted: every
value goes through Jinja2 autoescaping, direction-override characters are shown as visible
``[U+202E]`` markers (``coach.render._view.clean``), and a Content-Security-Policy forbids scripts
and remote loads even if markup ever slipped through. Needs the ``report`` extra (jinja2, matplotlib).
"""

from __future__ import annotations

import functools
from typing import Any

from ..errors import CoachError
from ..report import Report
from . import _view
from .aggregate import Aggregate

__all__ = ["agent_html", "call_html"]


@functools.cache
def _env() -> Any:
    try:
        import jinja2
        from markupsafe import Markup
    except ImportError:
        raise CoachError("HTML reports need jinja2: pip install 'coach-cx[report]'") from None

    def finalize(value: Any) -> Any:
        # runs on every {{ value }} before autoescaping; our own markup (the SVG charts) is Markup
        if isinstance(value, str) and not isinstance(value, Markup):
            return _view.clean(value)
        return value

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("coach.render", "templates"),
        autoescape=True,
        finalize=finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(_view.context())
    return env


def _svg(svg: str | None) -> Any:
    from markupsafe import Markup

    # matplotlib writes the SVG and escapes every text in it; labels never carry transcript text
    return None if svg is None else Markup(svg)


def call_html(report: Report, *, source: str | None = None, index: int | None = None, redacted: bool = False) -> str:
    """The per-call report as one HTML document: at a glance (done well, missing, what to say
    instead), the five-stage checklist with evidence and order findings, a stage timeline, the
    transcript with stage badges, highlighted clarity issues, plainer rewrites and confirming
    paraphrases, clarity per turn, and conversation statistics. ``redacted`` only adds a note: pass
    a report of a redacted transcript (``coach.redact``)."""
    view = _view.build_call(report, source=source, index=index)
    view = _replace_charts(view)
    return _env().get_template("call.html.j2").render(
        _view.context(call=view, version=report.version, redacted=redacted, stats_duration=report.stats.duration)
    )


def _replace_charts(view: _view.CallView) -> _view.CallView:
    from dataclasses import replace

    return replace(view, timeline=_svg(view.timeline), clarity_chart=_svg(view.clarity_chart))


def agent_html(agg: Aggregate, *, version: str = "", redacted: bool = False) -> str:
    """The per-agent (or team) report as one HTML document: three coaching actions, stage coverage
    overall and over time, clarity distribution and trend, frequent jargon with plain alternatives,
    best and worst moments quoted with links to their calls, and the calls of the period."""
    from dataclasses import replace

    view = _view.build_agent(agg)
    view = replace(view, charts={k: _svg(v) for k, v in view.charts.items()})
    return _env().get_template("agent.html.j2").render(
        _view.context(agg=agg, view=view, version=version or _version(), redacted=redacted)
    )


def _version() -> str:
    from .. import __version__

    return __version__
