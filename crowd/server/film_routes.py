"""HTTP routes for the closing film (`/film/CODE`, its download) and the whole
festival's report (`/api/festival/report`).

The film is built like the replay (`crowd.server.export_routes`): in the export child
process, one job at a time, refused with 503 and Retry-After when the queue is full.
Without the animator secret it shows the revealed activities only (what phones may see);
with it, every activity. A film is kept per rooms, view and log position; a public one
is reused while younger than `public_replay_max_age_s` even if the log moved on, so a
hall of phones opening the link builds it once; while a film is being built the public
gets the last one kept, or 503 with Retry-After, and never waits in line.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from crowd.core.types import normalize_code
from crowd.server.edge import REPLAY_CSP
from crowd.server.export_jobs import QueueFull
from crowd.server.export_routes import (
    _bokeh_js,
    _busy,
    _db,
    _download,
    _hub,
    _in_child,
    _kept,
    _last_id,
    _rooms_for,
    _times,
)
from crowd.server.httpauth import viewer
from crowd.views import exports

CACHE_SIZE = 8
#: The film's page may go full screen (F): the replay's policy, minus the sandbox that
#: forbids it; the page runs only its own inlined scripts and connects nowhere.
FILM_CSP = REPLAY_CSP.split("; sandbox")[0]

_cache: OrderedDict[tuple[Any, ...], tuple[bytes, int, float]] = OrderedDict()
_building = asyncio.Lock()


async def _film_html(request: Request) -> bytes | Response:
    rooms = _rooms_for(request)
    if isinstance(rooms, JSONResponse):
        return rooms
    animator = await viewer(request)
    if isinstance(animator, JSONResponse):
        return animator
    db = _db(request)
    last = await asyncio.to_thread(_last_id, db)
    key = (db, tuple(rooms or ()), bool(animator))
    max_age = _hub(request).settings.public_replay_max_age_s
    if _building.locked() and not animator:  # the public never queues behind a build
        entry = _cache.get(key)
        return entry[0] if entry is not None else _busy(request)
    async with _building:  # one film at a time; those waiting get the fresh one
        entry = _cache.get(key)
        if entry is not None and (entry[1] >= last or (
                not animator and time.monotonic() - entry[2] < max_age)):
            _cache.move_to_end(key)
            return entry[0]
        try:
            page: bytes = await _in_child(request, bool(animator), "build_film", db, rooms,
                                          not animator)
        except QueueFull as busy:
            return _busy(request, busy.retry_after)
        _cache[key] = (page, last, time.monotonic())
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
        return page


async def film_page(request: Request) -> Response:
    """The film, to play on the projector (F for full screen)."""
    page = await _film_html(request)
    if isinstance(page, Response):
        return page
    return HTMLResponse(page, headers={"Cache-Control": "no-store",
                                       "Content-Security-Policy": FILM_CSP})


async def film_download(request: Request) -> Response:
    """The same film as one file, to play from a USB stick with no server."""
    page = await _film_html(request)
    if isinstance(page, Response):
        return page
    name = normalize_code(request.path_params["code"]).lower()
    return _download(page, "text/html; charset=utf-8", f"crowd-{name}-film.html")


async def festival_report(request: Request) -> Response:
    """Every room's report on one page (`?lang=en` for English): the revealed activities,
    or every activity for an animator; it prints like a room's report."""
    animator = await viewer(request)
    if isinstance(animator, JSONResponse):
        return animator
    lang = "en" if request.query_params.get("lang") == "en" else "fr"
    hub = _hub(request)

    async def build() -> bytes:
        from crowd.views import charts
        from crowd.views.report import festival_report_html

        docs, times = [], {}
        for code in sorted(hub.engine.rooms):
            docs.append(exports.results(hub.engine, code, public=not animator))
            times.update(await asyncio.to_thread(_times, _db(request), code))
        title = "Le festival" if lang == "fr" else "The festival"
        return festival_report_html(docs, title=title, lang=lang, times=times,
                                    chart_item=charts.chart_item,
                                    bokeh_js=_bokeh_js()).encode()

    page = await _kept(request, f"festival-report-{lang}", "ALL", bool(animator), build)
    return HTMLResponse(page, headers={"Cache-Control": "no-store",
                                       "Content-Security-Policy": REPLAY_CSP})


def routes() -> list[Route]:
    return [Route("/film/{code}", film_page),
            Route("/api/rooms/{code}/film.html", film_download),
            Route("/api/festival/report", festival_report)]


def shutdown() -> None:
    """Forget the kept films (the app stops; the export child is export_routes')."""
    _cache.clear()
