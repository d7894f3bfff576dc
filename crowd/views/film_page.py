"""The closing film as one offline HTML file, from a `Film` (`crowd.views.film`).

The same projector figures as the live screen and the timelapse
(`crowd.views.charts.BUILDERS`), with every text at least FILM_MIN_PX (a hall watches
it on a 720p beamer); the frames are the timelapse's sampled columns. The page itself is
plain HTML (title cards, clock, finale, controls) around one Bokeh root; the player is
`static/film/film.js`, run once the Bokeh document is ready. French by default, English
with `?lang=en` or the language button. Pure: it reads the pages' files, nothing else.
"""

from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path
from typing import Any

from crowd.views.film import Film
from crowd.views.replay_page import _clean, _inline_resources, _json_for_script, _named_sources

FILM_MIN_PX = 24  # no text of the film is smaller (the plenary's minimum on a projector)
FONT_PROPS = ("major_label_text_font_size", "axis_label_text_font_size", "text_font_size",
              "label_text_font_size", "title_text_font_size")


@cache
def _static(name: str) -> str:
    from crowd.core.paths import static_dir

    return (static_dir() / "film" / name).read_text(encoding="utf-8")


TEMPLATE = """
{% from macros import embed %}
{% block preamble %}
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="crowd film">
<style>{{ film_css }}</style>
{% endblock %}
{% block contents %}
<main id="film">
  <header id="top">
    <p id="scene-title"></p>
    <p id="clock" class="clock" aria-label="heure"></p>
  </header>
  <div id="stage">
  {% for doc in docs %}{% for root in doc.roots %}{{ embed(root) }}{% endfor %}{% endfor %}
  </div>
  <section id="card" aria-live="polite">
    <p class="kicker"></p>
    <h1 class="card-title"></h1>
    <ul class="card-list"></ul>
    <p class="card-when"></p>
  </section>
  <section id="finale" hidden>
    <h1 class="finale-title"></h1>
    <div class="figures"></div>
    <p class="words"></p>
  </section>
  <nav id="controls" aria-label="film">
    <button type="button" data-action="prev"></button>
    <button type="button" data-action="play"></button>
    <button type="button" data-action="next"></button>
    <span class="where"></span>
    <button type="button" data-action="lang"></button>
    <button type="button" data-action="full"></button>
  </nav>
</main>
{% endblock %}
{% block postamble %}
<script>{{ numbers_js }}</script>
<script type="application/json" id="crowd-timeline">{{ crowd_json }}</script>
<script type="application/json" id="crowd-film">{{ film_json }}</script>
{% endblock %}
"""


def readable(model: Any, px: int = FILM_MIN_PX) -> None:
    """Every text of a built chart at least `px` (axis labels, glyph texts, legends)."""
    for item in model.references():
        for prop in FONT_PROPS:
            if prop not in item.properties():
                continue
            value = getattr(item, prop)
            size = value if isinstance(value, str) else getattr(value, "value", None)
            match = re.fullmatch(r"(\d+(?:\.\d+)?)px", size) if isinstance(size, str) else None
            if match is None or float(match.group(1)) < px:
                setattr(item, prop, f"{px}px")


def standalone_film(film: Film, title: str | None = None) -> str:
    """One self-contained HTML file: the film of the day, playing by itself, offline."""
    from bokeh.document import Document
    from bokeh.embed import file_html
    from bokeh.events import DocumentReady
    from bokeh.layouts import column
    from bokeh.models import ColumnDataSource, CustomJS, Div, GridBox, InlineStyleSheet
    from bokeh.settings import settings

    from crowd.views import charts

    timeline = film.timeline
    title = title or timeline.title
    ink = InlineStyleSheet(css=_static("film.css"))
    sources: list[dict[str, Any]] = []
    heads: list[Any] = []
    panels: list[Any] = []
    for track in timeline.tracks:
        builder = charts.BUILDERS.get(track.kind)
        head = Div(text=f'<div class="head">{html.escape(str(track.activity.get("prompt", "")))}'
                        "</div>", sizing_mode="stretch_width", stylesheets=[ink],
                   disable_math=True)
        named: dict[str, Any] = {}
        if builder is not None:
            body = builder(track.activity, track.snapshot, {})
            readable(body)
            named = _named_sources(body, ColumnDataSource)
            if hasattr(body, "height"):
                body.sizing_mode = "stretch_width"
                body.height = 400
        else:
            body = Div(text="", height=40)
        heads.append(head)
        sources.append(named)
        panels.append(column(head, body, sizing_mode="stretch_width",
                             name=f"panel-{track.id}"))
    first = film.scenes[0].tracks if film.scenes else ()
    grid = GridBox(children=[(panels[k], 0, j) for j, k in enumerate(first)],
                   sizing_mode="stretch_width", spacing=24, name="film-grid")
    doc = Document()
    doc.add_root(grid)
    doc.title = title
    doc.js_on_event(DocumentReady, CustomJS(
        args={"sources": sources, "heads": heads, "panels": panels, "grid": grid},
        code=_static("film.js")))
    data = _clean(timeline.to_json())
    film_data = _clean({**film.to_json(), "title": title})
    validation = settings.perform_document_validation
    validation.set_value(False)
    try:
        page = file_html(doc, _inline_resources(), title, template=TEMPLATE,
                         template_variables={"crowd_json": _json_for_script(data),
                                             "numbers_js": charts.axis_numbers_js(),
                                             "film_json": _json_for_script(film_data),
                                             "film_css": _static("film.css")})
    finally:
        validation.unset_value()
    return page.replace('<html lang="en">', '<html lang="fr">', 1)


def write_film(film: Film, path: str | Path, title: str | None = None) -> int:
    """Write the film file; returns its size in bytes."""
    data = standalone_film(film, title).encode("utf-8")
    Path(path).write_bytes(data)
    return len(data)


__all__ = ["FILM_MIN_PX", "readable", "standalone_film", "write_film"]
