"""The estimate's projector chart, with the influence round's two small charts under it.

Round 1 (and any estimate): the histogram of `crowd.views.charts`. A second round adds,
side by side under it (Jayles et al. 2017; Page 2007):
- **S**: how far each person moved towards the median shown, a histogram from -0.5 to
  1.5 with "a gardé" at 0 and "a adopté" at 1 (source `s_hist`);
- **the diversity bars**: per round a stacked bar, the crowd's error (the geometric
  mean's squared log error) below and the diversity of the estimates above; together they
  make each person's average error (the diversity prediction theorem), so "each of us got
  closer; did the crowd?" reads off the two bars (source `diversity`, empty until the
  truth is known).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bokeh.layouts import column, row
from bokeh.models import ColumnDataSource, FactorRange, Range1d
from bokeh.plotting import figure

from crowd.core.types import Kind
from crowd.views.charts import ACCENT, BAR, INK, MUTED, _histogram, _style, register

SMALL_HEIGHT = 230
TITLE_PX = "22px"


def _source(chart: Mapping[str, Mapping[str, list[Any]]], name: str,
            empty: dict[str, list[Any]]) -> ColumnDataSource:
    return ColumnDataSource(dict(chart.get(name) or empty), name=name)


def _titled(fig: Any, title: str) -> Any:
    fig.title.text = title
    fig.title.text_color = INK
    fig.title.text_font_size = TITLE_PX
    return _style(fig)


def sensitivity_chart(chart: Mapping[str, Mapping[str, list[Any]]]) -> Any:
    """S per person: spikes at 0 (kept) and 1 (adopted the median)."""
    source = _source(chart, "s_hist", {"left": [], "right": [], "count": []})
    fig = figure(sizing_mode="stretch_width", height=SMALL_HEIGHT, x_range=Range1d(-0.5, 1.5))
    fig.quad(left="left", right="right", bottom=0, top="count", source=source, color=ACCENT,
             line_color="#101418")
    fig.xaxis.ticker = [0, 1]
    fig.xaxis.major_label_overrides = {0: "a gardé", 1: "a adopté la médiane"}
    fig.yaxis.visible = False
    fig.y_range.start = 0
    return _titled(fig, "Qui a bougé vers la médiane ?")


def diversity_chart(chart: Mapping[str, Mapping[str, list[Any]]]) -> Any:
    """Per round: the crowd's error under the diversity, summing to the average error."""
    source = _source(chart, "diversity", {"round": [], "collective": [], "spread": [],
                                          "average": []})
    fig = figure(sizing_mode="stretch_width", height=SMALL_HEIGHT,
                 x_range=FactorRange("1er tour", "2e tour"))
    fig.vbar_stack(["collective", "spread"], x="round", width=0.6, source=source,
                   color=[BAR, MUTED], legend_label=["erreur de la foule", "diversité"])
    fig.scatter(x="round", y="average", source=source, marker="dash", size=60, line_width=4,
                color=INK, legend_label="erreur moyenne de chacun")
    fig.yaxis.visible = False
    fig.y_range.start = 0
    fig.y_range.range_padding = 1.5  # headroom above the bars: the legend sits there
    fig.legend.location = "top_right"
    fig.legend.background_fill_alpha = 0
    fig.legend.border_line_color = None
    fig.legend.label_text_color = INK
    fig.legend.label_text_font_size = "18px"
    return _titled(fig, "Chacun, et la foule (erreur en log²)")


def estimate(spec: Mapping[str, Any], snapshot: Mapping[str, Any],
             chart: Mapping[str, Mapping[str, list[Any]]]) -> Any:
    main = _histogram(spec, snapshot, chart)
    if spec.get("round") != 2:
        return main
    return column(main, row(sensitivity_chart(chart), diversity_chart(chart),
                            sizing_mode="stretch_width"), sizing_mode="stretch_both")


register(Kind.ESTIMATE, estimate)
