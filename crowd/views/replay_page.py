"""The closing timelapse as one offline HTML file, from a `Timeline` (`crowd.views.timelapse`).

BokehJS inlined (only the components it needs), one projector figure per activity built
by `crowd.views.charts.BUILDERS` (no second chart implementation), the sampled columns as
JSON, and the player controls (play/pause, speed, scrubber, activity marks, clock) driven
by CustomJS (`static/replay/replay.js`). Every kind works through its tally's `chart()`
columns. Pure: it reads the pages' files, nothing else.
"""

from __future__ import annotations

import html
import json
import math
import time
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from crowd.core.types import State
from crowd.views.timelapse import SPEEDS, Sample, Timeline, Track

INLINE_COMPONENTS = ("bokeh", "bokeh-widgets")
MARK_ROW_PX = 26  # a row of the "when was it open" strip: its activity's name fits in


@cache
def _replay_js() -> str:
    from crowd.core.paths import static_dir

    return (static_dir() / "replay" / "replay.js").read_text(encoding="utf-8")


@cache
def _replay_css() -> str:
    from crowd.core.paths import static_dir

    return (static_dir() / "replay" / "replay.css").read_text(encoding="utf-8")


TEMPLATE = """
{% block preamble %}
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="crowd timelapse">
<style>{{ crowd_css }}</style>
{% endblock %}
{% block postamble %}
<script>{{ numbers_js }}</script>
<script type="application/json" id="crowd-timeline">{{ crowd_json }}</script>
{% endblock %}
"""


def _json_for_script(data: Any) -> str:
    """JSON safe inside <script>: no '<' can close the element or open a comment."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False,
                      default=_json_default)
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace(
        "\u2029", "\\u2029")


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _clean(value: Any) -> Any:
    """Non-finite floats become null: JSON has no NaN and a chart shows nothing for it."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _clock_label(timeline: Timeline, p: float) -> str:
    t = timeline.event_time(p) + timeline.utc_offset
    return time.strftime("%H:%M:%S", time.gmtime(t))


def _duration_label(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def standalone_html(timeline: Timeline, title: str | None = None, *,
                    columns: int | None = None) -> str:
    """One self-contained HTML file that replays `timeline` offline, with no server."""
    from bokeh.document import Document
    from bokeh.embed import file_html
    from bokeh.events import DocumentReady
    from bokeh.layouts import column, row
    from bokeh.models import (
        CheckboxGroup,
        ColumnDataSource,
        CustomJS,
        Div,
        GridBox,
        HoverTool,
        InlineStyleSheet,
        Range1d,
        Select,
        Slider,
        Span,
        Toggle,
    )
    from bokeh.plotting import figure
    from bokeh.settings import settings

    from crowd.views import charts

    title = title or timeline.title
    ink = InlineStyleSheet(css=_replay_css())
    tracks_models: list[dict[str, Any]] = []
    heads: list[Any] = []
    panels: list[Any] = []
    kept = timeline.tracks
    for tr in kept:
        try:
            builder = charts.BUILDERS.get(tr.kind)
        except ValueError:
            builder = None
        head = Div(text=_head_html(tr, None), sizing_mode="stretch_width",
                   stylesheets=[ink], disable_math=True)
        body: Any
        sources: dict[str, Any] = {}
        if builder is not None:
            body = builder(tr.activity, tr.snapshot, {})
            sources = _named_sources(body, ColumnDataSource)
            if hasattr(body, "height"):
                body.sizing_mode = "stretch_width"
                # option bars are as tall as their wrapped labels need
                body.height = max(320, body.height) if "natural-height" in body.tags else 320
        else:
            body = Div(text="", height=40)
        heads.append(head)
        tracks_models.append(sources)
        panels.append(column(head, body, sizing_mode="stretch_width", name=f"panel-{tr.id}"))

    ncols = columns or (1 if len(panels) <= 1 else 2 if len(panels) <= 4 else 3)
    grid = GridBox(children=[(p, i // ncols, i % ncols) for i, p in enumerate(panels)],
                   sizing_mode="stretch_width", spacing=16, name="crowd-grid")

    duration = max(timeline.duration, 0.001)
    slider = Slider(start=0.0, end=duration, value=_first_opening(kept), step=0.01, title="",
                    show_value=False, sizing_mode="stretch_width", name="crowd-scrubber")
    play = Toggle(label="▶ Lecture", button_type="success", width=140, name="crowd-play")
    speed = Select(value="1", width=200, name="crowd-speed", options=[
        (f"{s:g}", f"×{s:g} · {_duration_label(duration / (timeline.pace * s))}")
        for s in SPEEDS])
    focus = Toggle(label="En cours seulement", width=220, name="crowd-focus", active=True)
    clock = Div(text=f'<span class="clock">{_clock_label(timeline, slider.value)}</span>',
                stylesheets=[ink], name="crowd-clock", width=360, disable_math=True)
    choice = CheckboxGroup(labels=[tr.label for tr in kept], active=list(range(len(kept))),
                           inline=True, sizing_mode="stretch_width", stylesheets=[ink],
                           name="crowd-choice")

    marks_src = ColumnDataSource(data=_marks_columns(kept, timeline), name="crowd-marks")
    marks_title = Div(text="<p class=\"strip\">Quand chaque activité était ouverte "
                           "(cliquez pour y aller)</p>", sizing_mode="stretch_width",
                      stylesheets=[ink], disable_math=True, name="crowd-timeline-title")
    marks = figure(height=16 + MARK_ROW_PX * max(1, len(kept)), sizing_mode="stretch_width",
                   x_range=Range1d(0, duration), y_range=Range1d(-0.5, max(1, len(kept)) - 0.5),
                   toolbar_location=None, tools="", name="crowd-timeline")
    marks.hbar(y="row", left="left", right="right", height=0.7, source=marks_src,
               color=charts.BAR)
    marks.text(x="left", y="row", text="id", source=marks_src, color=charts.INK,
               text_font_size="18px", text_baseline="middle", x_offset=6)
    marks.add_tools(HoverTool(tooltips=[("", "@label")]))
    cursor = Span(location=0.0, dimension="height", line_color=charts.ACCENT, line_width=3,
                  name="crowd-cursor")
    marks.add_layout(cursor)
    marks.axis.visible = False
    marks.grid.grid_line_color = None
    marks.background_fill_color = charts.BACKGROUND
    marks.border_fill_color = charts.BACKGROUND
    marks.outline_line_color = None
    marks.min_border = 4

    header = Div(text=_header_html(timeline, title), sizing_mode="stretch_width",
                 stylesheets=[ink], name="crowd-header", disable_math=True)
    top = row(header, clock, sizing_mode="stretch_width", name="crowd-top")
    controls = row(play, speed, focus, sizing_mode="stretch_width", name="crowd-controls")
    page = column(top, controls, slider, marks_title, marks, choice, grid,
                  sizing_mode="stretch_width",
                  name="crowd-page")

    args = {"tracks": tracks_models, "heads": heads, "panels": panels, "grid": grid,
            "slider": slider, "play": play, "speed": speed, "focus": focus, "clock": clock,
            "choice": choice, "cursor": cursor, "ncols": ncols}
    poke = "if (window.crowdReplay) window.crowdReplay.%s()"
    slider.js_on_change("value", CustomJS(code=poke % "update"))
    play.js_on_change("active", CustomJS(code=poke % "onPlay"))
    speed.js_on_change("value", CustomJS(code=poke % "onSpeed"))
    focus.js_on_change("active", CustomJS(code=poke % "relayout"))
    choice.js_on_change("active", CustomJS(code=poke % "relayout"))
    marks.js_on_event("tap", CustomJS(args={"slider": slider}, code=(
        "slider.value = Math.max(slider.start, Math.min(slider.end, cb_obj.x))")))

    doc = Document()
    doc.add_root(page)
    doc.title = title
    doc.js_on_event(DocumentReady, CustomJS(args=args, code=_replay_js()))
    resources = _inline_resources()
    data = _clean(timeline.to_json())
    # The figures come from crowd.views.charts' builders, which the projector validates live;
    # checking the whole document again here costs a second for 40 figures.
    validation = settings.perform_document_validation
    validation.set_value(False)
    try:
        page = file_html(doc, resources, title, template=TEMPLATE, template_variables={
            "crowd_json": _json_for_script(data), "crowd_css": _replay_css(),
            "numbers_js": charts.axis_numbers_js()})
    finally:
        validation.unset_value()
    return page.replace('<html lang="en">', '<html lang="fr">', 1)  # Bokeh's template


def _first_opening(tracks: list[Track]) -> float:
    """Where the scrubber starts: the first frame of the day, not a screen of drafts."""
    firsts = [tr.samples[0].p for tr in tracks if tr.samples]
    return round(min(firsts), 2) if firsts else 0.0


def _named_sources(body: Any, cds: type) -> dict[str, Any]:
    """The named data sources of a built chart, found without walking every model.

    A figure's sources hang off its renderers and annotations; anything else (a layout a
    future builder may return) is searched the slow way.
    """
    from bokeh.models import Plot

    if not isinstance(body, Plot):
        return {src.name: src for src in body.select({"type": cds}) if src.name}
    found: dict[str, Any] = {}
    for item in [*body.renderers, *body.center, *body.above, *body.below, *body.left,
                 *body.right]:
        for attr in ("data_source", "source"):
            src = getattr(item, attr, None)
            if isinstance(src, cds) and src.name:
                found[src.name] = src
    return found


def _header_html(timeline: Timeline, title: str) -> str:
    day = time.strftime("%d/%m/%Y", time.gmtime(timeline.start + timeline.utc_offset))
    rooms = ", ".join(f"{code} ({name})" for code, name in timeline.rooms.items())
    n_events = f"{timeline.events:,}".replace(",", "\u202f")
    return (f"<h1>{html.escape(title)}</h1><p class=\"sub\">{html.escape(rooms)} · {day} · "
            f"{n_events} événements rejoués</p>")


def _inline_resources() -> Any:
    """BokehJS inlined, limited to the components we name (no MathJax: 3.9 MB).

    `file_html` first removes the components a document does not use and fails on one it
    was never given, so start from all of them and keep only ours when it clones.
    """
    from bokeh.resources import Resources

    class NamedInline(Resources):
        def clone(self, *, components: list[Any] | None = None) -> Resources:
            wanted = components if components is not None else list(self.components)
            return Resources(mode="inline", components=[
                c for c in wanted if c in INLINE_COMPONENTS])

    return NamedInline(mode="inline")


def _head_html(track: Track, sample: Sample | None) -> str:
    state = sample.state if sample else State.DRAFT.value
    n = "" if sample is None or sample.n is None else f" · {sample.n}"
    return (f'<div class="head"><b>{html.escape(track.id)}</b> '
            f'{html.escape(str(track.activity.get("prompt", "")))}'
            f'<span class="state {html.escape(state)}">{html.escape(state)}{n}</span></div>')


def _marks_columns(tracks: list[Track], timeline: Timeline) -> dict[str, list[Any]]:
    """One bar per open interval of each activity, on the play axis (first row on top)."""
    rows: dict[str, list[Any]] = {"row": [], "left": [], "right": [], "label": [], "id": []}
    for i, tr in enumerate(tracks):
        spans = [(timeline.play_time(a), timeline.play_time(b)) for a, b in tr.spans]
        if not spans and tr.samples:
            spans = [(tr.samples[0].p, tr.samples[-1].p)]
        for left, right in spans:
            rows["row"].append(len(tracks) - 1 - i)
            rows["left"].append(left)
            rows["right"].append(max(right, left + 0.5))
            rows["label"].append(tr.label)
            rows["id"].append(tr.id)
    return rows


def write_standalone(timeline: Timeline, path: str | Path, title: str | None = None) -> int:
    """Write the replay file; returns its size in bytes."""
    data = standalone_html(timeline, title).encode("utf-8")
    Path(path).write_bytes(data)
    return len(data)


__all__ = ["standalone_html", "write_standalone"]
