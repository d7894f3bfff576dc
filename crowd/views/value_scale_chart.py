"""The value scale on the projector: the items on a ratio (log) axis, each with its
interval, in units of the reference item, and below them how coherent the room is in
plain words with the pair it contradicts itself on most.

Registered with `crowd.views.charts` when `crowd.views` loads (its `__init__`); the
columns come from `ValueScaleTally.chart`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bokeh.layouts import column
from bokeh.models import DataRange1d, FixedTicker, Range1d, Span
from bokeh.plotting import figure

from crowd.views.charts import ACCENT, BACKGROUND, BAR, INK, MUTED, _source, _style, register

#: Ticks of the ratio axis, 1/10,000 to 10,000, labelled the French way: fractions
#: below one, narrow no-break spaces in thousands (fixed labels: the page's CSP allows no
#: JavaScript built from strings, so no custom tick formatter).
TICKS = [m * 10.0 ** e for e in range(-4, 4) for m in (1, 2, 5)] + [1e4]


def tick_label(x: float) -> str:
    if x >= 1:
        return f"{round(x):,}".replace(",", "\u202f")
    return "1/" + f"{round(1 / x):,}".replace(",", "\u202f")


def value_scale(spec: Mapping[str, Any], snapshot: Mapping[str, Any],
                chart: Mapping[str, Mapping[str, list[Any]]]) -> Any:
    items = list(spec["items"])
    reference = items[int(spec.get("reference", 0))]
    rows = max(len(items), 1)
    source = _source(chart, "items", {"y": [], "label": [], "weight": [], "low": [],
                                      "high": [], "text": [], "reference": []})
    main = figure(sizing_mode="stretch_both", height=480, x_axis_type="log",
                  y_range=Range1d(0.4, rows + 0.6))
    main.add_layout(Span(location=1, dimension="height", line_color=MUTED, line_width=2,
                         line_dash="dashed"))
    spread = main.segment(x0="low", x1="high", y0="y", y1="y", source=source, color=BAR,
                 line_width=12, line_alpha=0.55, line_cap="round")
    points = main.scatter(x="weight", y="y", source=source, size=26, color=ACCENT,
                 line_color=BACKGROUND, line_width=3)
    main.text(x="high", y="y", text="text", source=source, color=ACCENT, x_offset=16,
              text_baseline="middle", text_font_size="26px")
    # one row per item, in the animator's order: the names are the axis (fixed rows)
    main.yaxis.ticker = FixedTicker(ticks=[rows - i for i in range(len(items))])
    main.yaxis.major_label_overrides = {rows - i: name for i, name in enumerate(items)}
    # the items' values and intervals, and always the reference's 1, with room for labels
    main.x_range = DataRange1d(renderers=[spread, points], range_padding=0.25)
    main.xaxis.ticker = FixedTicker(ticks=TICKS)
    main.xaxis.major_label_overrides = {x: tick_label(x) for x in TICKS}
    main.xaxis.axis_label = f"valeur en « {reference} »  (échelle des rapports)"
    main.xaxis.axis_label_text_color = INK
    main.xaxis.axis_label_text_font_size = "24px"
    _style(main)
    # its ratio ticks stay at 22 px: at 24 px the axis leaves the items' rows no height
    # at 1280x720 under the coherence board (tests/browser/test_value_scale_pages.py)
    main.xaxis.major_label_text_font_size = "22px"
    main.yaxis.major_label_text_font_size = "28px"
    main.yaxis.major_label_text_font_style = "bold"
    main.yaxis.axis_line_color = None
    main.yaxis.major_tick_line_color = None
    main.ygrid.grid_line_color = "#1c252d"
    main.xgrid.grid_line_color = "#26313a"

    gauge = _source(chart, "gauge", {"fill": [0.0],
                                     "label": ["en attente des premières comparaisons"]})
    notes = _source(chart, "notes", {"title": [""], "contradiction": [""], "others": [""],
                                     "apart": [""]})
    board = figure(sizing_mode="stretch_width", height=230, x_range=Range1d(0, 1),
                   y_range=Range1d(-2.75, 1.0))
    board.text(x=0.0, y=0.65, text=["Cohérence de la salle"], color=MUTED,
               text_baseline="middle", text_font_size="22px")
    board.hbar(y=0.1, left=0, right=0.3, height=0.55, color="#26313a")
    board.hbar(y=0.1, left=0, right="fill", height=0.55, source=gauge, color=ACCENT,
               fill_alpha=0.9)
    board.text(x=0.32, y=0.1, text="label", source=gauge, color=INK, text_baseline="middle",
               text_font_size="32px", text_font_style="bold")
    board.text(x=0.0, y=-0.6, text="title", source=notes, color=MUTED,
               text_baseline="middle", text_font_size="22px")
    board.text(x=0.0, y=-1.15, text="contradiction", source=notes, color="#c4ced6",
               text_baseline="middle", text_font_size="26px")
    board.text(x=0.0, y=-1.7, text="others", source=notes, color="#c4ced6",
               text_baseline="middle", text_font_size="24px")
    board.text(x=0.0, y=-2.35, text="apart", source=notes, color=MUTED,
               text_baseline="middle", text_font_size="22px")
    board.axis.visible = False
    _style(board)
    board.grid.visible = False
    return column(main, board, sizing_mode="stretch_both")


register("value_scale", value_scale)
