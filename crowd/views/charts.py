"""Bokeh figures for the projector, built once per activity and updated by name.

Each figure is built in Python and shipped with `bokeh.embed.json_item`; every data
source has a `name` so the screen page can find it with `doc.get_model_by_name` and set
`source.data` from our own websocket frames (`Tally.chart` produces those columns). This
keeps BokehJS as a renderer only: no Bokeh server, one websocket per screen.
"""

from __future__ import annotations

import functools
import math
import textwrap
from collections.abc import Mapping
from typing import Any

from bokeh.embed import json_item
from bokeh.layouts import column, row
from bokeh.models import (
    BasicTicker,
    ColumnDataSource,
    DataRange1d,
    FactorRange,
    LabelSet,
    LinearColorMapper,
    Range1d,
    Span,
)
from bokeh.palettes import Cividis256, RdYlGn11
from bokeh.plotting import figure
from bokeh.transform import dodge

from crowd.activities.gestures import DOT_ROWS
from crowd.core.types import Kind

BACKGROUND = "#101418"
INK = "#e8eef2"
ACCENT = "#ffb000"
BAR = "#3fa7d6"
MUTED = "#5c6b77"


def _style(fig: Any) -> Any:
    fig.background_fill_color = BACKGROUND
    fig.border_fill_color = BACKGROUND
    fig.outline_line_color = None
    fig.toolbar_location = None
    fig.min_border = 20
    for axis in (fig.xaxis, fig.yaxis):
        axis.major_label_text_color = INK
        axis.major_label_text_font_size = f"{LABEL_PX}px"
        axis.axis_line_color = MUTED
        axis.major_tick_line_color = MUTED
        axis.minor_tick_line_color = None
    fig.grid.grid_line_color = "#26313a"
    fig.xgrid.grid_line_color = None
    return fig


LABEL_PX = 24  # labels and figures: readable from the back of a hall on a 720p beamer
LINE_PX = 30  # one line of a label at LABEL_PX, with Bokeh's line height
WRAP = 52  # characters per label line (the replay's panels, the projector's stage)


def _wrap(label: str) -> str:
    """A long option on several lines, at word boundaries (words never cut)."""
    return "\n".join(textwrap.wrap(str(label), WRAP, break_long_words=False)) or " "


def _hbars(options: list[str], source: ColumnDataSource, length: str, text: str,
           top: float, mark: str | None = None) -> Any:
    """Horizontal bars, one per option, its wrapped label above it and its figure just
    after the bar's end; no interval whiskers (a line nobody explains tells the audience
    nothing, and a 0-vote option's interval reaches up to tens of percent).

    Rows are categories (the options, first on top) so that the frames' columns, which
    carry no positions, place everything; the figure grows with the labels' lines.
    """
    wrapped = [_wrap(o) for o in options]
    lines = max(label.count("\n") + 1 for label in wrapped) if wrapped else 1
    band = lines * LINE_PX + LINE_PX + 14  # label lines, the bar, a gap
    factors = list(reversed(options))
    fig = figure(y_range=FactorRange(*factors), x_range=Range1d(0, top * 1.3),
                 sizing_mode="stretch_width", height=max(300, band * len(options) + 40))
    bar_at = -0.5 + (LINE_PX * 0.5 + 7) / band  # the bar's centre, near the band's foot
    fig.hbar(y=dodge("label", bar_at, range=fig.y_range), left=0, right=length,
             height=LINE_PX * 0.8 / band, source=source, color=BAR)
    labels = ColumnDataSource({"label": options, "wrapped": wrapped}, name="bar-labels")
    fig.text(x=0, y=dodge("label", 0.5 - 6 / band, range=fig.y_range), text="wrapped",
             source=labels, color=INK, text_font_size=f"{LABEL_PX}px", text_baseline="top",
             text_font_style="bold")
    fig.text(x=length, y=dodge("label", bar_at, range=fig.y_range), text=text, source=source,
             color=ACCENT, text_font_size=f"{LABEL_PX}px", text_baseline="middle",
             text_font_style="bold", x_offset=10)
    if mark:  # a second figure per option as a tall tick across its bar
        fig.scatter(x=mark, y=dodge("label", bar_at, range=fig.y_range), source=source,
                    marker="dash", angle=math.pi / 2, size=LINE_PX * 1.4, line_width=5,
                    color=INK)
    fig.axis.visible = False
    fig.tags = ["natural-height"]  # the replay keeps this height: labels need it
    _style(fig)
    fig.grid.visible = False
    return fig


def _bars(spec: Mapping[str, Any], snapshot: Mapping[str, Any],
          chart: Mapping[str, Mapping[str, list[Any]]]) -> Any:
    """Choice and approval: each option's share of the ballots, with count and share."""
    options = list(spec["options"])
    zeros = [0] * len(options)
    source = _source(chart, "bars", {"label": options, "value": zeros, "share": zeros,
                                     "low": zeros, "high": zeros, "text": [""] * len(options)})
    return _hbars(options, source, "share", "text", 100)


def _ranking(spec: Mapping[str, Any], snapshot: Mapping[str, Any],
             chart: Mapping[str, Mapping[str, list[Any]]]) -> Any:
    """The Schulze ranking beside the Condorcet pairwise matrix (who beats whom, by how
    many voters), rows and columns in ranking order as it changes. The matrix names its
    rows and columns by place ("1.", "2." as in the ranking beside it): option names
    there, at a size readable from the back, would not fit."""
    options = list(spec["options"])
    k = len(options)
    place = [f"{i + 1}." for i in range(k)]
    order = _source(chart, "order", {"label": options, "place": place,
                                     "y": list(range(k, 0, -1))})
    cells = _source(chart, "pairwise", {"x": [], "y": [], "share": [], "text": []})
    rows = _source(chart, "rows", {"x": [-0.55] * k, "y": list(range(k - 1, -1, -1)),
                                   "label": options, "place": place})
    cols = _source(chart, "cols", {"x": list(range(k)), "y": [k - 0.45] * k, "label": options,
                                   "place": place})
    board = figure(width=420, sizing_mode="stretch_height", height=500,
                   x_range=Range1d(0, 4), y_range=Range1d(0.4, k + 0.6))
    board.text(x=0.2, y="y", text="place", source=order, color=ACCENT, text_font_size="34px",
               text_baseline="middle")
    board.text(x=0.9, y="y", text="label", source=order, color=INK, text_font_size="30px",
               text_baseline="middle")
    board.axis.visible = False
    matrix = figure(sizing_mode="stretch_both", height=500, x_range=Range1d(-1.1, k - 0.4),
                    y_range=Range1d(-0.5, k + 0.2))
    mapper = LinearColorMapper(palette=Cividis256, low=0, high=1)
    matrix.rect(x="x", y="y", width=0.95, height=0.95, source=cells,
                fill_color={"field": "share", "transform": mapper}, line_color=None)
    matrix.text(x="x", y="y", text="text", source=cells, color=INK, text_align="center",
                text_baseline="middle", text_font_size=f"{LABEL_PX}px")
    matrix.text(x="x", y="y", text="place", source=rows, color=ACCENT, text_align="right",
                text_baseline="middle", text_font_size=f"{LABEL_PX}px")
    matrix.text(x="x", y="y", text="place", source=cols, color=ACCENT, text_align="center",
                text_baseline="middle", text_font_size=f"{LABEL_PX}px")
    matrix.axis.visible = False
    for fig in (board, matrix):
        _style(fig)
        fig.grid.visible = False
    return row(board, matrix, sizing_mode="stretch_both")


def _grades(spec: Mapping[str, Any], snapshot: Mapping[str, Any],
            chart: Mapping[str, Mapping[str, list[Any]]]) -> Any:
    """Majority judgment's merit profile: stacked grade shares, the 50 % line, each
    option's majority grade; rows in majority-judgment order."""
    options = list(spec["options"])
    grades = list(spec["grades"])
    k = len(options)
    empty: dict[str, list[Any]] = {"y": list(range(k - 1, -1, -1)), "option": options,
                                   "majority": [""] * k}
    empty.update({f"g{g}": [0.0] * k for g in range(len(grades))})
    profile = _source(chart, "profile", empty)
    palette = _grade_palette(len(grades))
    fig = figure(x_range=Range1d(-45, 128), y_range=Range1d(-0.6, k - 0.4),
                 sizing_mode="stretch_both", height=500)
    fig.hbar_stack([f"g{g}" for g in range(len(grades))], y="y", height=0.7,
                   source=profile, color=palette, legend_label=grades, line_color=BACKGROUND)
    fig.text(x=-2, y="y", text="option", source=profile, color=INK, text_align="right",
             text_baseline="middle", text_font_size="24px")
    fig.text(x=102, y="y", text="majority", source=profile, color=ACCENT,
             text_baseline="middle", text_font_size=f"{LABEL_PX}px", text_font_style="bold")
    fig.add_layout(Span(location=50, dimension="height", line_color=INK, line_width=3,
                        line_dash="dashed"))
    fig.axis.visible = False
    fig.legend.orientation = "horizontal"
    fig.legend.background_fill_alpha = 0
    fig.legend.border_line_color = None
    fig.legend.label_text_color = INK
    fig.legend.label_text_font_size = "18px"
    fig.add_layout(fig.legend[0], "below")
    _style(fig)
    fig.grid.visible = False
    return fig


def _grade_palette(n: int) -> list[str]:
    """Red for the worst grade to deep green for the best, evenly spread over the scale."""
    scale = list(reversed(RdYlGn11))  # bokeh lists this palette green first
    if n == 1:
        return [scale[-1]]
    return [scale[round(i * (len(scale) - 1) / (n - 1))] for i in range(n)]


def _histogram(spec: Mapping[str, Any], snapshot: Mapping[str, Any],
               chart: Mapping[str, Mapping[str, list[Any]]]) -> Any:
    """Estimates: the histogram, the crowd's median and, for a second round, the first
    round behind it; the true value once the animator gives it. Log axis when the
    answers span orders of magnitude (decided when the chart is built)."""
    empty = {"left": [], "right": [], "count": []}
    hist = _source(chart, "hist", empty)
    hist1 = _source(chart, "hist1", empty)
    log = bool(snapshot.get("log"))
    fig = figure(sizing_mode="stretch_both", height=500,
                 x_axis_type="log" if log else "linear")
    fig.quad(left="left", right="right", bottom=0, top="count", source=hist1,
             fill_color=MUTED, fill_alpha=0.45, line_color=None)
    fig.quad(left="left", right="right", bottom=0, top="count", source=hist, color=BAR,
             fill_alpha=0.85, line_color=BACKGROUND)
    second_round = spec.get("round") == 2
    for name, color, dash, label in (("median1", MUTED, "dashed", "médiane 1er tour"),
                                     ("median", ACCENT, "solid", "médiane"),
                                     ("truth", "#7ee081", "solid", "vraie valeur")):
        # a legend entry only for lines this chart will draw
        shown = name == "median" or (name == "median1" and second_round) or (name == "truth" and (
            second_round or snapshot.get("truth") is not None))
        extra = {"legend_label": label} if shown else {}
        fig.ray(x="x", y=0, length=0, angle=math.pi / 2, source=_source(chart, name, {"x": []}),
                color=color, line_width=5, line_dash=dash, **extra)
    fig.y_range.start = 0
    fig.yaxis.ticker = BasicTicker(min_interval=1)  # answers: no fractional counts
    if spec.get("unit"):
        fig.xaxis.axis_label = spec["unit"]
        fig.xaxis.axis_label_text_color = INK
        fig.xaxis.axis_label_text_font_size = f"{LABEL_PX}px"
    fig.legend.location = "top_right"
    fig.legend.background_fill_alpha = 0
    fig.legend.border_line_color = None
    fig.legend.label_text_color = INK
    fig.legend.label_text_font_size = "20px"
    return _style(fig)


def _words(spec: Mapping[str, Any], snapshot: Mapping[str, Any],
           chart: Mapping[str, Mapping[str, list[Any]]]) -> Any:
    source = ColumnDataSource(data=dict(chart.get("words") or {"y": [], "label": [],
                                                               "value": []}), name="words")
    fig = figure(sizing_mode="stretch_both", height=500, y_range=Range1d(0.4, 12.6))
    fig.hbar(y="y", right="value", height=0.75, source=source, color=BAR)
    fig.add_layout(LabelSet(x=0, y="y", text="label", source=source, text_color=INK,
                            text_font_size="28px", x_offset=12, text_baseline="middle"))
    fig.x_range.start = 0
    fig.yaxis.visible = False
    return _style(fig)


def _source(chart: Mapping[str, Mapping[str, list[Any]]], name: str,
            empty: Mapping[str, list[Any]]) -> ColumnDataSource:
    return ColumnDataSource(data=dict(chart.get(name) or empty), name=name)


def _temperature(spec: Mapping[str, Any], snapshot: Mapping[str, Any],
                 chart: Mapping[str, Mapping[str, list[Any]]]) -> Any:
    """Density over a strip of dots, the mean, its trend, and a polarisation gauge."""
    density = _source(chart, "density", {"x": [], "y": []})
    dots = _source(chart, "dots", {"x": [], "row": []})
    mean = _source(chart, "mean", {"x": []})
    trend = _source(chart, "trend", {"t": [], "mean": [], "camps": []})
    gauge = _source(chart, "gauge", {"value": [0.0], "angle": [math.pi], "label": ["–"]})
    # y follows the density (up) and the dot strip (down), not the mean's infinite ray
    main = figure(sizing_mode="stretch_both", height=420, x_range=Range1d(-1.05, 1.05))
    area = main.varea(x="x", y1=0, y2="y", source=density, fill_color=BAR, fill_alpha=0.35)
    curve = main.line(x="x", y="y", source=density, color=BAR, line_width=4)
    strip = main.scatter(x="x", y="row", source=dots, size=9, color=INK, alpha=0.8)
    main.ray(x="x", y=-0.08 * (DOT_ROWS + 1), length=0, angle=math.pi / 2, source=mean,
             color=ACCENT, line_width=5)
    main.y_range = DataRange1d(renderers=[area, curve, strip])
    main.yaxis.visible = False
    main.xaxis.ticker = [-1, 0, 1]
    main.xaxis.major_label_overrides = {-1: spec.get("left", ""), 0: "", 1: spec.get("right", "")}
    trend_fig = figure(sizing_mode="stretch_width", height=160, y_range=Range1d(-1, 1))
    trend_fig.line(x="t", y="mean", source=trend, color=ACCENT, line_width=4)
    trend_fig.line(x="t", y="camps", source=trend, color=INK, line_width=3, line_dash="dashed")
    trend_fig.yaxis.ticker = [-1, 0, 1]
    trend_fig.yaxis.major_label_overrides = {-1: "\u22121", 0: "0", 1: "1"}
    trend_fig.xaxis.axis_label = "minutes"
    trend_fig.xaxis.axis_label_text_color = INK
    trend_fig.xaxis.axis_label_text_font_size = "20px"
    dial = figure(width=260, height=220, x_range=Range1d(-1.2, 1.2),
                  y_range=Range1d(-0.35, 1.2), title="camps")
    dial.annular_wedge(x=0, y=0, inner_radius=0.6, outer_radius=1.0, start_angle=0,
                       end_angle=math.pi, color="#26313a")
    dial.annular_wedge(x=0, y=0, inner_radius=0.6, outer_radius=1.0, start_angle="angle",
                       end_angle=math.pi, source=gauge, color=ACCENT)
    dial.text(x=0, y=-0.05, text="label", source=gauge, color=INK, text_align="center",
              text_baseline="middle", text_font_size="34px", text_font_style="bold")
    dial.axis.visible = False
    for fig in (main, trend_fig, dial):
        _style(fig)
    dial.grid.visible = False
    dial.title.text_color = INK
    dial.title.text_font_size = "20px"
    dial.title.align = "center"
    return row(column(main, trend_fig, sizing_mode="stretch_both"), dial,
               sizing_mode="stretch_both")


def _weighting(spec: Mapping[str, Any], snapshot: Mapping[str, Any],
               chart: Mapping[str, Mapping[str, list[Any]]]) -> Any:
    """Allocation: the mean share of the budget given to each option (percent), and a tick
    at its truthful share (Freeman et al.'s independent markets)."""
    options = list(spec["options"])
    shares = _source(chart, "shares", {"label": options, "value": [0] * len(options),
                                       "low": [0] * len(options), "high": [0] * len(options),
                                       "truthful": [None] * len(options)})
    return _hbars(options, shares, "value", "value", 100, mark="truthful")


def _orientation(spec: Mapping[str, Any], snapshot: Mapping[str, Any],
                 chart: Mapping[str, Mapping[str, list[Any]]]) -> Any:
    """Bokeh has no polar axes: a rose is annular wedges on a square range."""
    rose = _source(chart, "rose", {"start": [], "end": [], "outer": []})
    arrow = _source(chart, "arrow", {"x0": [], "y0": [], "x1": [], "y1": []})
    arc = _source(chart, "arc", {"start": [], "end": [], "outer": []})
    # wider than tall, same scale on both axes: room for the places' names on the sides
    fig = figure(width=900, height=640, x_range=Range1d(-2.18, 2.18),
                 y_range=Range1d(-1.55, 1.55), match_aspect=True, sizing_mode="scale_height")
    for radius in (0.25, 0.5, 0.75, 1.0):
        fig.circle(x=0, y=0, radius=radius, fill_color=None, line_color="#26313a")
    fig.annular_wedge(x=0, y=0, inner_radius=0.0, outer_radius="outer", start_angle="start",
                      end_angle="end", source=rose, color=BAR, alpha=0.8, line_color=BACKGROUND)
    fig.annular_wedge(x=0, y=0, inner_radius=0.0, outer_radius="outer", start_angle="start",
                      end_angle="end", source=arc, color=ACCENT, alpha=0.3)
    fig.segment(x0="x0", y0="y0", x1="x1", y1="y1", source=arrow, color=ACCENT, line_width=9)
    fig.scatter(x="x1", y="y1", source=arrow, size=22, color=ACCENT, marker="circle")
    marks = [("N", 0.0), ("E", 90.0), ("S", 180.0), ("O", 270.0)]
    places = [(p["label"], p["angle"]) for p in spec.get("options", [])]
    labels: dict[str, list[Any]] = {"x": [], "y": [], "text": [], "color": [], "align": []}
    # compass letters just outside the rose; places further out, written away from the
    # centre (left of the rose they end at their point, right of it they start there)
    for text_, deg, color, radius in ([(t, d, MUTED, 1.1) for t, d in marks]
                                      + [(t, d, INK, 1.24) for t, d in places]):
        a = math.radians(90.0 - deg)
        x = radius * math.cos(a)
        labels["x"].append(x)
        labels["y"].append(radius * math.sin(a) + (0.12 if color == INK else 0.0))
        labels["text"].append(text_)
        labels["color"].append(color)
        labels["align"].append("center" if color == MUTED or abs(x) < 0.3
                               else ("left" if x > 0 else "right"))
    fig.text(x="x", y="y", text="text", color="color", source=ColumnDataSource(labels),
             text_align="align", text_baseline="middle", text_font_size="26px")
    fig.axis.visible = False
    _style(fig)
    fig.grid.visible = False
    return fig


def _call(spec: Mapping[str, Any], snapshot: Mapping[str, Any],
          chart: Mapping[str, Mapping[str, list[Any]]]) -> Any:
    """A criée call: a fill gauge (places taken / quota), the waiting list, COMPLET."""
    gauge = _source(chart, "gauge", {"taken": [0], "quota": [spec["quota"]], "fill": [0.0],
                                     "label": [f"0 / {spec['quota']}"], "waiting": [""],
                                     "full": [""]})
    fig = figure(sizing_mode="stretch_both", height=300, x_range=Range1d(0, 1),
                 y_range=Range1d(-0.6, 1.3))
    fig.hbar(y=0.5, left=0, right=1, height=0.6, color="#26313a")
    fig.hbar(y=0.5, left=0, right="fill", height=0.6, source=gauge, color=ACCENT)
    fig.text(x=0.5, y=0.5, text="label", source=gauge, color=INK, text_align="center",
             text_baseline="middle", text_font_size="64px", text_font_style="bold")
    fig.text(x=0.5, y=1.05, text="full", source=gauge, color="#ff5c5c", text_align="center",
             text_baseline="middle", text_font_size="56px", text_font_style="bold")
    fig.text(x=0.0, y=-0.3, text="waiting", source=gauge, color="#c4ced6",
             text_baseline="middle", text_font_size="30px")
    fig.axis.visible = False
    _style(fig)
    fig.grid.visible = False
    return fig


BUILDERS: dict[str, Any] = {
    Kind.CHOICE: _bars, Kind.APPROVAL: _bars, Kind.RANKING: _ranking, Kind.GRADES: _grades,
    Kind.ESTIMATE: _histogram, Kind.WORDS: _words, Kind.TEMPERATURE: _temperature,
    Kind.WEIGHTING: _weighting, Kind.ORIENTATION: _orientation, Kind.CALL: _call,
}


def register(kind: str, builder: Any) -> None:
    """A new kind's projector chart: `builder(activity, snapshot, chart) -> figure`."""
    BUILDERS[kind] = builder


def chart_item(activity: Mapping[str, Any], snapshot: Mapping[str, Any],
               chart: Mapping[str, Mapping[str, list[Any]]]) -> dict[str, Any] | None:
    """A `json_item` for the activity's projector chart, or None if its kind has none."""
    builder = BUILDERS.get(activity["kind"])
    if builder is None:
        return None
    fig = builder(activity, snapshot, chart)
    return json_item(fig)


@functools.cache
def axis_numbers_js() -> str:
    """The script that writes the axes' numbers in the page's language ("12 000", "0,5"):
    `static/shared/bokeh_numbers.js`. The projector imports it; a standalone page (film,
    replay, report, chart image) inlines it after BokehJS."""
    from crowd.core.paths import static_dir

    return (static_dir() / "shared" / "bokeh_numbers.js").read_text(encoding="utf-8")


__all__ = ["ACCENT", "BACKGROUND", "INK", "Span", "axis_numbers_js", "chart_item", "register"]
