"""The opinion map on the projector: anonymous dots coloured by group, group sizes in
the legend, and beside them "ce qui nous divise" / "ce qui nous rassemble".

The dots and the lists are Bokeh sources (`dots`, `lists`) fed by the kind's
`OpinionTally.chart`, so the screen updates them live like any chart.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bokeh.layouts import row
from bokeh.models import ColumnDataSource, Range1d
from bokeh.plotting import figure
from bokeh.transform import factor_cmap

from crowd.views.charts import ACCENT, BACKGROUND, INK, _style, register

#: One colour per group (up to 5), told apart by people with colour-blindness (Okabe–Ito).
GROUP_COLORS = ["#56b4e9", "#e69f00", "#009e73", "#f0e442", "#cc79a7"]
MUTED = "#8a9aa6"


def _source(chart: Mapping[str, Mapping[str, list[Any]]], name: str,
            empty: dict[str, list[Any]]) -> ColumnDataSource:
    return ColumnDataSource(dict(chart.get(name) or empty), name=name)


def opinion(spec: Mapping[str, Any], snapshot: Mapping[str, Any],
            chart: Mapping[str, Mapping[str, list[Any]]]) -> Any:
    dots = _source(chart, "dots", {"x": [], "y": [], "group": []})
    lists = _source(chart, "lists", {"y": [], "text": [], "color": []})
    points = snapshot.get("points") or [[0.0, 0.0]]
    reach = max(1.0, max(max(abs(x), abs(y)) for x, y in points)) * 1.15
    plane = figure(width=760, height=720, x_range=Range1d(-reach, reach),
                   y_range=Range1d(-reach, reach), match_aspect=True,
                   sizing_mode="scale_height")
    plane.scatter(x="x", y="y", source=dots, size=16, alpha=0.8, line_color=BACKGROUND,
                  color=factor_cmap("group", GROUP_COLORS, [str(g) for g in range(5)]))
    plane.axis.visible = False
    _style(plane)
    plane.grid.visible = False
    side = figure(width=760, height=720, x_range=Range1d(0, 10), y_range=Range1d(0, 10))
    for y, heading, color in ((9.6, "Ce qui nous divise", ACCENT),
                              (4.6, "Ce qui nous rassemble", "#7fd17f")):
        side.text(x=[0.2], y=[y], text=[heading], text_color=color, text_font_size="34px",
                  text_font_style="bold", text_baseline="middle")
    side.text(x=0.4, y="y", text="text", source=lists, text_font_size="28px",
              text_baseline="top", text_line_height=1.15,
              text_color=factor_cmap("color", [INK, MUTED], ["ink", "muted"]))
    side.axis.visible = False
    _style(side)
    side.grid.visible = False
    return row(plane, side, sizing_mode="scale_height")


register("opinion", opinion)
