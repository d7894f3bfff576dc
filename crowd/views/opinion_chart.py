"""The opinion map on the projector: anonymous dots coloured by group on the left, and
"ce qui nous divise" / "ce qui nous rassemble" on the right, in one figure.

The dots and the lists are Bokeh sources (`dots`, `lists`) fed by the kind's
`OpinionTally.chart`, which fits the dots into the square [0, 10]² and places the lists
in fixed rows: the screen updates them live like any chart, and one figure keeps text
and map from squeezing each other whatever the stage's size.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bokeh.models import ColumnDataSource, Range1d
from bokeh.plotting import figure
from bokeh.transform import factor_cmap

from crowd.views.charts import ACCENT, BACKGROUND, INK, _style, register

#: One colour per group (up to 5), told apart by people with colour-blindness (Okabe–Ito).
GROUP_COLORS = ["#56b4e9", "#e69f00", "#009e73", "#f0e442", "#cc79a7"]
MUTED = "#8a9aa6"
UNITES = "#7fd17f"
WIDTH = 23.0  # the map's 10 units, a gap, the lists' 12


def _source(chart: Mapping[str, Mapping[str, list[Any]]], name: str,
            empty: dict[str, list[Any]]) -> ColumnDataSource:
    return ColumnDataSource(dict(chart.get(name) or empty), name=name)


def opinion(spec: Mapping[str, Any], snapshot: Mapping[str, Any],
            chart: Mapping[str, Mapping[str, list[Any]]]) -> Any:
    dots = _source(chart, "dots", {"x": [], "y": [], "group": []})
    lists = _source(chart, "lists", {"y": [], "text": [], "color": []})
    legend = _source(chart, "legend", {"x": [], "y": [], "text": [], "group": []})
    fig = figure(width=1380, height=600, x_range=Range1d(0, WIDTH), y_range=Range1d(0, 10),
                 sizing_mode="stretch_both")
    fig.rect(x=5, y=5, width=10, height=10, fill_color="#161c21", line_color="#26313a")
    fig.scatter(x="x", y="y", source=dots, size=16, alpha=0.85, line_color=BACKGROUND,
                color=factor_cmap("group", GROUP_COLORS, [str(g) for g in range(5)]))
    # the map's square keeps a band at its foot for the groups' sizes
    groups = factor_cmap("group", GROUP_COLORS, [str(g) for g in range(5)])
    fig.scatter(x="x", y="y", source=legend, size=18, color=groups, line_color=None)
    fig.text(x="x", y="y", text="text", source=legend, x_offset=16, text_color=INK,
             text_font_size="24px", text_baseline="middle")
    for y, heading, color in ((9.7, "Ce qui nous divise", ACCENT),
                              (4.7, "Ce qui nous rassemble", UNITES)):
        fig.text(x=[10.8], y=[y], text=[heading], text_color=color, text_font_size="32px",
                 text_font_style="bold", text_baseline="middle")
    fig.text(x=11.1, y="y", source=lists, text="text", text_font_size="26px",
             text_baseline="top", text_line_height=1.1,
             text_color=factor_cmap("color", [INK, MUTED], ["ink", "muted"]))
    fig.axis.visible = False
    _style(fig)
    fig.grid.visible = False
    fig.min_border = 10
    return fig


register("opinion", opinion)
