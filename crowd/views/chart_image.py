"""One activity's projector chart alone on a page, to be saved as PNG or SVG.

For slides and newsletters: the chart the projector showed (`crowd.views.charts`), at a
slide's size (1280x720 by default), on the projector's dark background, with the
question above it. The page is printed by headless Chromium in a child process
(`crowd.server.chart_render`): PNG is a screenshot of the question and the chart; SVG is
BokehJS's own SVG export of the chart (every figure drawn with the SVG backend), which
stays editable in a vector editor. Pure: builds text, reads nothing.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from typing import Any

WIDTH, HEIGHT = 1280, 720
FORMATS = {"png": "image/png", "svg": "image/svg+xml"}

CSS = """
html, body { margin: 0; background: #101418; color: #e8eef2;
             font-family: "DejaVu Sans", system-ui, sans-serif; }
#frame { width: %(w)dpx; box-sizing: border-box; padding: 24px 32px; }
h1 { font-size: 34px; line-height: 1.2; margin: 0 0 12px; }
#chart { width: 100%%; height: %(h)dpx; }
#chart.natural { height: auto; }
"""


def chart_model(activity: Mapping[str, Any], snapshot: Mapping[str, Any],
                chart: Mapping[str, Any], *, svg: bool) -> Any:
    """The projector's figure of an activity, stretched to the page; None without one."""
    from bokeh.models import Plot

    from crowd.views import charts

    builder = charts.BUILDERS.get(str(activity.get("kind", "")))
    if builder is None:
        return None
    model = builder(activity, snapshot, chart)
    natural = "natural-height" in getattr(model, "tags", [])
    model.sizing_mode = "stretch_width" if natural else "stretch_both"
    if svg:
        for plot in model.select({"type": Plot}):
            plot.output_backend = "svg"
    return model


def chart_page(activity: Mapping[str, Any], snapshot: Mapping[str, Any],
               chart: Mapping[str, Any], *, bokeh_js: str, svg: bool = False,
               width: int = WIDTH, height: int = HEIGHT) -> str | None:
    """The page Chromium saves; None if the activity's kind has no chart."""
    from bokeh.embed import json_item

    model = chart_model(activity, snapshot, chart, svg=svg)
    if model is None:
        return None
    natural = ' class="natural"' if model.sizing_mode == "stretch_width" else ""
    item = json.dumps(json_item(model)).replace("</", "<\\/")
    prompt = html.escape(str(activity.get("prompt", "")))
    return (f'<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>{prompt}'
            f"</title><style>{CSS % {'w': width, 'h': height - 120}}</style></head><body>"
            f'<div id="frame"><h1>{prompt}</h1><div id="chart"{natural}></div></div>'
            f"<script>{bokeh_js}</script><script>"
            f'Bokeh.embed.embed_item({item}, "chart").then((views) => {{'
            "  window.chartViews = views; window.chartReady = true })"
            "</script></body></html>")


__all__ = ["FORMATS", "HEIGHT", "WIDTH", "chart_model", "chart_page"]
