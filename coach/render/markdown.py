"""Markdown trainer reports: the same content as the HTML reports, as text a wiki or ticket can hold.

Charts become tables and text strips. Transcript text is untrusted: every value is escaped so it
stays literal text in any Markdown renderer — HTML tags and entities, emphasis, links, tables and
code spans cannot form, newlines cannot start a block, and direction overrides show as visible
``[U+202E]`` markers. Needs the ``report`` extra (jinja2).
"""

from __future__ import annotations

import functools
import re
from typing import Any

from ..errors import CoachError
from ..report import Report
from . import _view
from .aggregate import Aggregate

__all__ = ["agent_markdown", "call_markdown", "escape"]

# Inline syntax anywhere in a value; block syntax only where a value could start a line; URL
# schemes and "www." so no renderer turns customer text into a link.
_INLINE = re.compile(r"([\\`*_{}\[\]|~$<>&])")
_BLOCK_START = re.compile(r"^(\s*)(\d*)([#+>=.)-])(?!\d)")
_LINKY = re.compile(r"(?i)\b(javascript|vbscript|data|https?|ftp|file|mailto)(:)|\b(www)(\.)")
_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}


def escape(text: str) -> str:
    """``text`` as literal Markdown on one line: every character Markdown or HTML could act on is
    escaped (``<`` as ``&lt;``), so no tag, entity, emphasis, link, table cell or block can form."""
    text = re.sub(r"\s+", " ", _view.clean(text))
    text = _INLINE.sub(lambda m: _ENTITIES.get(m.group(1), "\\" + m.group(1)), text)
    text = _LINKY.sub(lambda m: f"{m.group(1)}\\:" if m.group(1) else f"{m.group(3)}\\.", text)
    return _BLOCK_START.sub(lambda m: f"{m.group(1)}{m.group(2)}\\{m.group(3)}", text)


@functools.cache
def _env() -> Any:
    try:
        import jinja2
    except ImportError:
        raise CoachError("Markdown reports need jinja2: pip install 'coach-cx[report]'") from None

    from markupsafe import Markup

    def finalize(value: Any) -> Any:
        # ``| safe`` marks text this module built itself (the timeline strip, bars)
        return escape(value) if isinstance(value, str) and not isinstance(value, Markup) else value

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("coach.render", "templates"),
        autoescape=False,  # Markdown, not HTML: ``finalize`` escapes every value instead
        finalize=finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(_view.context(bar=_bar, strip=_strip))
    return env


def _bar(share: float | None, width: int = 10) -> str:
    if share is None:
        return "—"
    filled = round(share * width)
    return "█" * filled + "░" * (width - filled) + f" {share:.0%}"


def _strip(view: _view.CallView) -> str:
    """The stage timeline as a monospace block: one column per turn, a glyph where a stage happened."""
    from .charts import STAGE_LABELS

    glyphs = {"reassure": "●", "listen": "■", "confirm": "◆", "fix": "▲", "follow_up": "▼"}
    width = max(len(str(len(view.turns) - 1)), 1) + 1
    lines = ["turn       " + "".join(f"{t.index:>{width}}" for t in view.turns)]
    lines.append("who        " + "".join(f"{t.role[:1].upper():>{width}}" for t in view.turns))
    for row in view.stages:
        marks = "".join(f"{glyphs[row.stage] if t.index in row.turns else '·':>{width}}" for t in view.turns)
        note = {"missing": "  ✗ missing", "off": "  (off)"}.get(row.status, "")
        lines.append(f"{STAGE_LABELS[row.stage]:<11}" + marks + note)
    return "\n".join(lines)


def call_markdown(report: Report, *, source: str | None = None, index: int | None = None, redacted: bool = False) -> str:
    """The per-call report as Markdown (same sections as ``coach.render.html.call_html``, charts as text)."""
    view = _view.build_call(report, source=source, index=index, charts=False)
    return _env().get_template("call.md.j2").render(
        call=view, version=report.version, redacted=redacted, stats_duration=report.stats.duration
    )


def agent_markdown(agg: Aggregate, *, version: str = "", redacted: bool = False) -> str:
    """The per-agent (or team) report as Markdown (same sections as ``coach.render.html.agent_html``)."""
    from .. import __version__

    view = _view.build_agent(agg, charts=False)
    return _env().get_template("agent.md.j2").render(agg=agg, view=view, version=version or __version__, redacted=redacted)
