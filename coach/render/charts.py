"""Charts for the trainer reports, drawn with matplotlib and returned as inline SVG text.

Every chart is colour-blind safe (the Okabe–Ito palette) and never relies on colour alone: each
stage also has its own marker shape and a text label, bars carry their values as text. Text stays
text in the SVG (``svg.fonttype = none``), so it is searchable, sharp in print and read by screen
readers; each SVG has a ``<title>`` and ``role="img"``. Output is deterministic (fixed hash salt,
no date), and every ``id`` in an SVG is prefixed with the chart's name so several charts can sit in
one HTML page. matplotlib is imported on first use (extra ``coach-cx[report]``).
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from typing import Any
from xml.sax.saxutils import escape

from ..errors import CoachError
from ..report import STAGES

__all__ = [
    "STAGE_COLORS",
    "STAGE_LABELS",
    "STAGE_MARKERS",
    "clarity_distribution",
    "clarity_trend",
    "coverage_bars",
    "coverage_trend",
    "stage_timeline",
    "turn_clarity",
]

#: Okabe–Ito colours, one per stage, distinguishable with the common colour-vision deficiencies.
STAGE_COLORS = {
    "reassure": "#E69F00",
    "listen": "#56B4E9",
    "confirm": "#009E73",
    "fix": "#0072B2",
    "follow_up": "#CC79A7",
}
#: A marker shape per stage, so the stages differ in shape as well as colour.
STAGE_MARKERS = {"reassure": "o", "listen": "s", "confirm": "D", "fix": "^", "follow_up": "v"}
STAGE_LABELS = {"reassure": "Reassure", "listen": "Listen", "confirm": "Confirm", "fix": "Fix", "follow_up": "Follow-up"}

_INK = "#1f2328"
_MUTED = "#57606a"
_GRID = "#d0d7de"
_AGENT = "#0072B2"
_CUSTOMER = "#E69F00"
_MISSING = "#D55E00"

_RC = {
    "svg.fonttype": "none",
    "text.parse_math": False,  # transcript-derived labels may hold "$"; never read them as TeX
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
    "font.size": 10,
    "axes.edgecolor": _GRID,
    "axes.labelcolor": _INK,
    "xtick.color": _MUTED,
    "ytick.color": _MUTED,
    "text.color": _INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _matplotlib() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise CoachError("charts need matplotlib: pip install 'coach-cx[report]'") from None
    return matplotlib


def _figure(width: float, height: float) -> tuple[Any, Any]:
    _matplotlib()
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=96)
    return fig, fig.add_subplot()


_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r'(url\(#|href="#)([^")]+)')


def _svg(fig: Any, name: str, title: str) -> str:
    """The figure as an inline ``<svg>`` element: no XML prolog, ids prefixed, a ``<title>``."""
    matplotlib = _matplotlib()
    out = io.StringIO()
    with matplotlib.rc_context({**_RC, "svg.hashsalt": name}):
        fig.savefig(out, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    text = out.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)
    text = _ID.sub(lambda m: f'id="{name}-{m.group(1)}"', text)
    text = _REF.sub(lambda m: f"{m.group(1)}{name}-{m.group(2)}", text)
    # scale with the page: keep the viewBox, drop the fixed size
    head_end = text.index(">")
    head = re.sub(r'\s(width|height)="[^"]*"', "", text[:head_end])
    label = escape(title)
    box = re.search(r'viewBox="[\d.]+ [\d.]+ ([\d.]+)', head)
    width = round(float(box.group(1)) * 4 / 3) if box else 800  # points to CSS pixels
    head += (
        f' role="img" aria-labelledby="{name}-title" class="chart" preserveAspectRatio="xMinYMin meet"'
        f' style="width:100%;max-width:{width}px;height:auto"'
    )
    return f'{head}><title id="{name}-title">{label}</title>{text[head_end + 1 :]}'


def _style(ax: Any) -> None:
    ax.grid(axis="y", color=_GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(length=0)


def _apply_rc() -> Any:
    return _matplotlib().rc_context(_RC)


def stage_timeline(
    roles: Sequence[str],
    stage_turns: Mapping[str, Sequence[int]],
    enabled: Mapping[str, bool],
    *,
    name: str = "timeline",
) -> str:
    """Where in the call each stage happened: one row per stage (marker at each turn where it was
    found, "missing" written in the row of a stage never found), and a bottom row showing who spoke
    each turn (agent bars solid, customer bars hatched)."""
    with _apply_rc():
        n = max(len(roles), 1)
        fig, ax = _figure(8.6, 2.9)
        rows = list(STAGES)
        y_of = {stage: len(rows) - i for i, stage in enumerate(rows)}
        for stage in rows:
            y = y_of[stage]
            turns = list(stage_turns.get(stage, ()))
            ax.axhline(y, color=_GRID, linewidth=0.6, zorder=0)
            if not enabled.get(stage, True):
                ax.text(n / 2, y, "switched off", va="center", ha="center", color=_MUTED, fontsize=9)
            elif turns:
                ax.scatter(
                    turns,
                    [y] * len(turns),
                    s=70,
                    marker=STAGE_MARKERS[stage],
                    color=STAGE_COLORS[stage],
                    edgecolor=_INK,
                    linewidth=0.7,
                    zorder=3,
                )
            else:
                ax.text(
                    n / 2, y, "✗ missing", va="center", ha="center", color=_MISSING, fontsize=9, fontweight="bold"
                )
        for i, role in enumerate(roles):
            agent = role == "agent"
            ax.bar(
                i,
                0.55,
                bottom=-0.55,
                width=0.8,
                color=_AGENT if agent else "white",
                edgecolor=_AGENT if agent else _CUSTOMER,
                hatch=None if agent else "////",
                linewidth=0.8,
            )
        ax.set_yticks([y_of[s] for s in rows] + [-0.275], [STAGE_LABELS[s] for s in rows] + ["Who spoke"])
        ax.set_ylim(-0.8, len(rows) + 0.6)
        ax.set_xlim(-0.8, n - 0.2)
        ax.set_xlabel("turn (solid bar: agent · hatched: customer)", color=_MUTED)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.spines["left"].set_visible(False)
        ax.tick_params(length=0)
        return _svg(fig, name, "Stage timeline: which turns carried each of the five stages")


def turn_clarity(points: Sequence[tuple[int, float]], call_score: float | None, *, name: str = "turn-clarity") -> str:
    """Clarity (0–100, higher is clearer) of each agent turn as a labelled bar, with the call's score as a line."""
    with _apply_rc():
        fig, ax = _figure(8.6, 2.3)
        xs = [str(turn) for turn, _ in points]
        ys = [score for _, score in points]
        bars = ax.bar(xs, ys, color=_AGENT, width=0.6)
        ax.bar_label(bars, labels=[f"{v:.0f}" for v in ys], padding=2, fontsize=8, color=_INK)
        if call_score is not None:
            ax.axhline(call_score, color=_MISSING, linestyle="--", linewidth=1)
            ax.text(
                len(xs) - 0.5, call_score + 2, f"call {call_score:.0f}", ha="right", va="bottom", color=_MISSING, fontsize=8
            )
        ax.set_ylim(0, 108)
        ax.set_ylabel("clarity (higher is clearer)")
        ax.set_xlabel("agent turn")
        _style(ax)
        return _svg(fig, name, "Clarity of each agent turn, 0 to 100, higher is clearer")


def coverage_bars(shares: Mapping[str, float | None], *, name: str = "coverage") -> str:
    """Share of calls (0–1) in which each stage was done, as labelled horizontal bars."""
    with _apply_rc():
        fig, ax = _figure(6.4, 2.4)
        stages = [s for s in STAGES if shares.get(s) is not None]
        ys = list(range(len(stages)))[::-1]
        values = [100 * float(shares[s] or 0.0) for s in stages]
        bars = ax.barh(
            ys,
            values,
            color=[STAGE_COLORS[s] for s in stages],
            edgecolor=_INK,
            linewidth=0.5,
            height=0.6,
        )
        ax.bar_label(bars, labels=[f"{v:.0f}%" for v in values], padding=3, fontsize=9, color=_INK)
        ax.set_yticks(ys, [STAGE_LABELS[s] for s in stages])
        ax.set_xlim(0, 112)
        ax.set_xlabel("% of calls where the agent did it")
        ax.grid(axis="x", color=_GRID, linewidth=0.6)
        ax.set_axisbelow(True)
        ax.tick_params(length=0)
        return _svg(fig, name, "Stage coverage: share of calls in which each stage was done")


def coverage_trend(
    labels: Sequence[str], shares: Mapping[str, Sequence[float | None]], *, name: str = "coverage-trend"
) -> str:
    """Share of calls (0–100 %) with each stage per period: one line per stage with its own marker,
    labelled by name at its last point."""
    with _apply_rc():
        fig, ax = _figure(8.6, 3.0)
        xs = list(range(len(labels)))
        for stage in STAGES:
            values = shares.get(stage)
            if values is None:
                continue
            ys = [None if v is None else 100 * v for v in values]
            ax.plot(
                xs,
                [float("nan") if v is None else v for v in ys],
                marker=STAGE_MARKERS[stage],
                color=STAGE_COLORS[stage],
                markeredgecolor=_INK,
                markeredgewidth=0.5,
                linewidth=1.8,
                label=STAGE_LABELS[stage],
            )
        ax.set_xticks(xs, list(labels), rotation=0 if len(labels) <= 6 else 30, ha="center" if len(labels) <= 6 else "right")
        ax.set_ylim(-5, 105)
        ax.set_ylabel("% of calls")
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
        if len(xs) == 1:
            ax.set_xlim(-0.5, 0.5)
        _style(ax)
        return _svg(fig, name, "Stage coverage over time: percent of calls per period in which each stage was done")


def _bands(grades: Sequence[tuple[float, str]]) -> list[tuple[float, float, str]]:
    bounds = sorted(grades)
    return [(low, bounds[i + 1][0] if i + 1 < len(bounds) else 100.0, word) for i, (low, word) in enumerate(bounds)]


def clarity_distribution(
    scores: Sequence[float], grades: Sequence[tuple[float, str]], *, name: str = "clarity-distribution"
) -> str:
    """How many calls fall in each clarity grade band (scores 0–100, higher is clearer), counts written on the bars."""
    with _apply_rc():
        fig, ax = _figure(6.4, 2.4)
        bands = _bands(grades)
        counts = [sum(1 for s in scores if low <= s < high or (high == 100.0 and s == 100.0)) for low, high, _ in bands]
        xs = [f"{word}\n{low:.0f}–{high:.0f}" for low, high, word in bands]
        shades = ["#D55E00", "#E69F00", "#F0E442", "#56B4E9", "#0072B2"]
        colors = [shades[round(i * (len(shades) - 1) / max(len(bands) - 1, 1))] for i in range(len(bands))]
        bars = ax.bar(xs, counts, color=colors, edgecolor=_INK, linewidth=0.5, width=0.7)
        ax.bar_label(bars, labels=[str(c) for c in counts], padding=2, fontsize=9, color=_INK)
        ax.set_ylabel("calls")
        ax.set_ylim(0, max([*counts, 1]) * 1.25)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.tick_params(axis="x", labelsize=8)
        _style(ax)
        return _svg(fig, name, "Clarity distribution: number of calls per clarity grade")


def clarity_trend(
    labels: Sequence[str],
    medians: Sequence[float | None],
    lows: Sequence[float | None],
    highs: Sequence[float | None],
    *,
    name: str = "clarity-trend",
) -> str:
    """Median call clarity per period (0–100, higher is clearer) with the middle half of calls as a
    vertical bar, each median written beside its point."""
    with _apply_rc():
        fig, ax = _figure(8.6, 2.6)
        xs = list(range(len(labels)))
        known = [(x, m, lo, hi) for x, m, lo, hi in zip(xs, medians, lows, highs, strict=True) if m is not None]
        if known:
            kx, km, klo, khi = zip(*known, strict=True)
            err = [[m - (lo if lo is not None else m) for m, lo in zip(km, klo, strict=True)],
                   [(hi if hi is not None else m) - m for m, hi in zip(km, khi, strict=True)]]
            ax.errorbar(kx, km, yerr=err, color=_AGENT, marker="o", markersize=6, capsize=4, linewidth=1.8,
                        markeredgecolor=_INK, markeredgewidth=0.5)
            for x, m in zip(kx, km, strict=True):
                ax.annotate(f"{m:.0f}", (x, m), textcoords="offset points", xytext=(7, 4), fontsize=8, color=_INK)
        ax.set_xticks(xs, list(labels), rotation=0 if len(labels) <= 6 else 30, ha="center" if len(labels) <= 6 else "right")
        if len(xs) == 1:
            ax.set_xlim(-0.5, 0.5)
        ax.set_ylim(0, 105)
        ax.set_ylabel("clarity (median)")
        _style(ax)
        return _svg(fig, name, "Clarity trend: median call clarity per period, with the middle half of calls")
