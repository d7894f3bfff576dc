"""Bokeh figures for the projector, built once per activity and updated by name.

Each figure is built in Python and shipped with `bokeh.embed.json_item`; every data
source has a `name` so the screen page can find it with `doc.get_model_by_name` and set
`source.data` from our own websocket frames (`Tally.chart` produces those columns). This
keeps BokehJS as a renderer only: no Bokeh server, one websocket per screen.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bokeh.embed import json_item
from bokeh.models import ColumnDataSource, LabelSet, Range1d, Span
from bokeh.plotting import figure

from crowd.types import Kind

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
        axis.major_label_text_font_size = "22px"
        axis.axis_line_color = MUTED
        axis.major_tick_line_color = MUTED
        axis.minor_tick_line_color = None
    fig.grid.grid_line_color = "#26313a"
    fig.xgrid.grid_line_color = None
    return fig


def _bars(spec: Mapping[str, Any], snapshot: Mapping[str, Any],
          chart: Mapping[str, Mapping[str, list[Any]]]) -> Any:
    options = list(spec["options"])
    data = chart.get("bars") or {"label": options, "value": [0] * len(options)}
    source = ColumnDataSource(data=dict(data), name="bars")
    fig = figure(x_range=options, sizing_mode="stretch_both", height=500)
    fig.vbar(x="label", top="value", width=0.7, source=source, color=BAR)
    fig.add_layout(LabelSet(x="label", y="value", text="value", source=source,
                            text_color=INK, text_font_size="26px", text_align="center",
                            y_offset=6))
    fig.y_range.start = 0
    if spec["kind"] == Kind.GRADES:
        grades = spec["grades"]
        fig.y_range = Range1d(0, len(grades) + 0.5)
        fig.yaxis.ticker = list(range(1, len(grades) + 1))
        fig.yaxis.major_label_overrides = {i + 1: g for i, g in enumerate(grades)}
    return _style(fig)


def _histogram(spec: Mapping[str, Any], snapshot: Mapping[str, Any],
               chart: Mapping[str, Mapping[str, list[Any]]]) -> Any:
    hist = ColumnDataSource(data=dict(chart.get("hist") or {"left": [], "right": [],
                                                            "count": []}), name="hist")
    median = ColumnDataSource(data=dict(chart.get("median") or {"x": []}), name="median")
    fig = figure(sizing_mode="stretch_both", height=500)
    fig.quad(left="left", right="right", bottom=0, top="count", source=hist, color=BAR,
             line_color=BACKGROUND)
    fig.ray(x="x", y=0, length=0, angle=1.5708, source=median, color=ACCENT, line_width=5)
    fig.y_range.start = 0
    if spec.get("unit"):
        fig.xaxis.axis_label = spec["unit"]
        fig.xaxis.axis_label_text_color = INK
    return _style(fig)


def _words(spec: Mapping[str, Any], snapshot: Mapping[str, Any],
           chart: Mapping[str, Mapping[str, list[Any]]]) -> Any:
    source = ColumnDataSource(data=dict(chart.get("words") or {"y": [], "label": [],
                                                               "value": []}), name="words")
    fig = figure(sizing_mode="stretch_both", height=500, y_range=Range1d(0.4, 12.6))
    fig.hbar(y="y", right="value", height=0.75, source=source, color=BAR)
    fig.add_layout(LabelSet(x=0, y="y", text="label", source=source, text_color=INK,
                            text_font_size="28px", x_offset=12, y_offset=-14))
    fig.x_range.start = 0
    fig.yaxis.visible = False
    return _style(fig)


BUILDERS = {
    Kind.CHOICE: _bars, Kind.APPROVAL: _bars, Kind.RANKING: _bars, Kind.GRADES: _bars,
    Kind.ESTIMATE: _histogram, Kind.WORDS: _words,
}


def register(kind: Kind, builder: Any) -> None:
    """Lets an activity family add its own projector chart."""
    BUILDERS[kind] = builder


def chart_item(activity: Mapping[str, Any], snapshot: Mapping[str, Any],
               chart: Mapping[str, Mapping[str, list[Any]]]) -> dict[str, Any] | None:
    """A `json_item` for the activity's projector chart, or None if its kind has none."""
    builder = BUILDERS.get(Kind(activity["kind"]))
    if builder is None:
        return None
    fig = builder(activity, snapshot, chart)
    return json_item(fig)


__all__ = ["ACCENT", "BACKGROUND", "INK", "Span", "chart_item", "register"]
