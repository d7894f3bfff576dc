"""The board's synergy map on the projector: a live network of needs and offers.

Categories are the hubs (their names large), needs (orange) and offers (blue) the
nodes around them, sized by their votes; explicit links ("je peux aider", "ça
m'intéresse") are solid edges, suggested matches approved by an animator dashed ones,
and a person who answered without a post of their own is a small ring. The counts line
reads "23 besoins · 31 offres · 12 liens". The layout is the kind's
(`crowd.activities.board_map`); every text is a Bokeh text glyph (never HTML). The
questions and the ideas are drawn by the projector's page itself (static/screen/posts.js);
for the replay and the report they are rows of text, the most voted first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bokeh.models import ColumnDataSource, Range1d
from bokeh.plotting import figure
from bokeh.transform import factor_cmap

from crowd.activities.board_map import COLORS
from crowd.views.charts import INK, _style, register

EDGE = "#c4ced6"


def _source(chart: Mapping[str, Mapping[str, list[Any]]], name: str,
            empty: dict[str, list[Any]]) -> ColumnDataSource:
    return ColumnDataSource(dict(chart.get(name) or empty), name=name)


def board_figure(spec: Mapping[str, Any], snapshot: Mapping[str, Any],
                 chart: Mapping[str, Mapping[str, list[Any]]]) -> Any:
    """The synergy map for needs and offers, the most voted posts for the others."""
    if spec.get("mode") == "needs_offers":
        return synergy_map(spec, snapshot, chart)
    return post_rows(chart)


def post_rows(chart: Mapping[str, Mapping[str, list[Any]]]) -> Any:
    """Questions or ideas as rows: votes on the left, the text beside (the replay and
    the report; the projector's page draws its own)."""
    rows = _source(chart, "rows", {"y": [], "text": [], "votes": []})
    fig = figure(width=1380, height=600, x_range=Range1d(0, 10), y_range=Range1d(0.4, 8.6),
                 sizing_mode="stretch_both")
    fig.text(x=1.9, y="y", text="votes", source=rows, text_color="#ffb000",
             text_font_size="26px", text_font_style="bold", text_align="right",
             text_baseline="middle")
    fig.text(x=2.1, y="y", text="text", source=rows, text_color=INK, text_font_size="28px",
             text_baseline="middle")
    fig.axis.visible = False
    _style(fig)
    fig.grid.visible = False
    return fig


def synergy_map(spec: Mapping[str, Any], snapshot: Mapping[str, Any],
                chart: Mapping[str, Mapping[str, list[Any]]]) -> Any:
    fig = figure(width=1380, height=640, x_range=Range1d(-6.2, 6.2), y_range=Range1d(-5.4, 5.6),
                 sizing_mode="stretch_both", match_aspect=True)
    solid = _source(chart, "solid", {"xs": [], "ys": []})
    dashed = _source(chart, "dashed", {"xs": [], "ys": []})
    fig.multi_line(xs="xs", ys="ys", source=solid, line_color=EDGE, line_width=3, alpha=0.9)
    fig.multi_line(xs="xs", ys="ys", source=dashed, line_color=EDGE, line_width=3,
                   line_dash="dashed", alpha=0.9)
    hubs = _source(chart, "hubs", {"x": [], "y": [], "text": []})
    fig.scatter(x="x", y="y", source=hubs, size=26, color="#26313a", line_color=INK,
                line_width=2)
    nodes = _source(chart, "nodes", {"x": [], "y": [], "type": [], "size": [], "id": []})
    fig.scatter(x="x", y="y", source=nodes, size="size", alpha=0.9, line_color="#101418",
                color=factor_cmap("type", list(COLORS.values()), list(COLORS)))
    people = _source(chart, "people", {"x": [], "y": []})
    fig.scatter(x="x", y="y", source=people, size=12, fill_color=None, line_color=EDGE,
                line_width=2)
    labels = _source(chart, "labels", {"x": [], "y": [], "text": []})
    fig.text(x="x", y="y", text="text", source=labels, text_color=INK, x_offset=14,
             text_font_size="20px", text_baseline="middle")
    fig.text(x="x", y="y", text="text", source=hubs, text_color=INK, y_offset=-24,
             text_font_size="30px", text_font_style="bold", text_align="center",
             text_baseline="bottom")
    counts = _source(chart, "counts", {"text": [""]})
    fig.text(x=-6.0, y=5.3, text="text", source=counts, text_color=INK,
             text_font_size="34px", text_font_style="bold", text_baseline="middle")
    legend = ColumnDataSource({"x": [3.2, 4.9], "y": [5.3, 5.3], "type": list(COLORS),
                               "text": ["besoin", "offre"]}, name="legend")
    fig.scatter(x="x", y="y", source=legend, size=20,
                color=factor_cmap("type", list(COLORS.values()), list(COLORS)))
    fig.text(x="x", y="y", text="text", source=legend, x_offset=16, text_color=INK,
             text_font_size="24px", text_baseline="middle")
    fig.axis.visible = False
    _style(fig)
    fig.grid.visible = False
    fig.min_border = 10
    return fig


register("board", board_figure)
