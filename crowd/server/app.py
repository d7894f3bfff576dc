"""The Starlette application: pages, a small JSON API, BokehJS, and the websocket.

Everything a phone, a panel or a projector needs is served from here: the festival may
have no internet at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib.metadata
import logging
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import bokeh
from bokeh.util.paths import static_path as bokeh_static_path
from starlette.applications import Starlette
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute, request_response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from crowd.core.errors import CrowdError
from crowd.core.features import optional_module
from crowd.core.paths import static_dir
from crowd.core.protocol import Encoding, encode
from crowd.core.schedule import upcoming
from crowd.core.types import State, normalize_code
from crowd.server.assets import kind_preloads, preload_links, static_url
from crowd.server.edge import (
    RECOMPUTE_AFTER_S,
    AnonymousBudget,
    HostAllowList,
    Recent,
    SecurityHeaders,
)
from crowd.server.eventlog import EventLog
from crowd.server.httpauth import viewer
from crowd.server.httpconn import bounded_http
from crowd.server.hub import Hub
from crowd.server.netinfo import guess_public_url, qr_svg
from crowd.server.settings import Settings
from crowd.server.transport import STOCK, fast_protocol
from crowd.server.ws import websocket_endpoint
from crowd.views import charts

log = logging.getLogger(__name__)
BOKEH_URL = f"/bokeh/{bokeh.__version__}"
# Noto Sans (French and every Latin letter) and Noto Emoji, from the manimgx-fonts wheel
# (SIL OFL 1.1): a projector laptop without emoji fonts draws no empty boxes, offline.
FONTS_URL = f"/fonts/{importlib.metadata.version('manimgx-fonts')}"


def fonts_dir() -> Path:
    """Where pip put the bundled fonts."""
    import manimgx_fonts

    return Path(manimgx_fonts.__file__).parent


#: `<link rel="stylesheet" href="{{STATIC_URL}}/x.css" data-inline>`: put in the page itself.
INLINE_CSS = re.compile(
    r'<link rel="stylesheet" href="\{\{STATIC_URL\}\}/([^"]+\.css)" data-inline>')


def _inline_css(match: re.Match[str]) -> str:
    """A stylesheet the page cannot wait for: in a <style> of the page, one request less
    on a link where each costs 400 ms (the phone page's, a few KB compressed)."""
    path = (static_dir() / match.group(1)).resolve()
    if static_dir().resolve() not in path.parents:
        return ""
    return f"<style>\n{path.read_text(encoding='utf-8')}</style>"


@functools.cache
def _page(name: str) -> str:
    html = INLINE_CSS.sub(_inline_css, (static_dir() / name).read_text(encoding="utf-8"))
    entries = re.findall(r'src="\{\{STATIC_URL\}\}/([^"]+\.js)"', html)
    if entries:  # every module its scripts will import, asked for at once (crowd.server.assets)
        html = html.replace("</head>", preload_links(*entries) + "\n</head>", 1)
    return (html.replace("{{BOKEH_URL}}", BOKEH_URL).replace("{{FONTS_URL}}", FONTS_URL)
            .replace("{{STATIC_URL}}", static_url()))


def _html(name: str) -> HTMLResponse:
    return HTMLResponse(_page(name), headers={"Cache-Control": "no-cache"})


async def home(request: Request) -> Response:
    code = request.query_params.get("code")
    if code:
        return RedirectResponse(f"/r/{normalize_code(code)}", status_code=303)
    return _html("index.html")


async def phone_page(request: Request) -> Response:
    """The phone page, naming among its preloads the modules of the kinds the room shows
    now (its open and revealed activities), and the schedule's when the room has one:
    they come with the page's first wave."""
    room = _hub(request).engine.rooms.get(normalize_code(request.path_params["code"]))
    kinds = tuple(sorted({a.kind for a in room.activities.values()
                          if a.state is State.OPEN or a.revealed})) if room else ()
    extra = ("phone/upcoming.js",) if room and upcoming(room.activities.values()) else ()
    page = _page("phone/index.html")
    if kinds or extra:
        page = page.replace("</head>", kind_preloads("phone/app.js", kinds, *extra)
                            + "\n</head>", 1)
    return HTMLResponse(page, headers={"Cache-Control": "no-cache"})


#: `Sec-Fetch-Site` of a navigation another site started (a link, a popup, a redirect).
FOREIGN_ARRIVALS = {"cross-site", "same-site"}


@functools.cache
def _foreign_panel() -> str:
    """The panel page marked as reached from another site: its script then asks before
    using a secret found in the address (see static/panel/app.js)."""
    return _page("panel/index.html").replace("<html ", '<html data-arrival="foreign" ', 1)


async def panel_page(request: Request) -> Response:
    """A foreign page can open /panel#secret=wrongN in the animator's browser again and
    again; served to such a navigation, the panel does not try that secret by itself,
    so it can neither replace the remembered secret nor count guesses against the
    animator's address. Typed, bookmarked or scanned (`Sec-Fetch-Site: none`), or
    without the header (older browsers), the link logs in as before."""
    arrival = (request.headers.get("sec-fetch-site") or "").strip().lower()
    page = _foreign_panel() if arrival in FOREIGN_ARRIVALS else _page("panel/index.html")
    return HTMLResponse(page, headers={"Cache-Control": "no-cache", "Vary": "Sec-Fetch-Site"})


async def screen_page(request: Request) -> Response:
    return _html("screen/index.html")


async def regie_page(request: Request) -> Response:
    """The control room: it takes the organiser's secret the panel remembered on this
    device (never from its address), so nothing here can be triggered by another site."""
    return _html("regie/index.html")


def _hub(request: Request) -> Hub:
    hub: Hub = request.app.state.hub
    return hub


class RevalidatedStaticFiles(StaticFiles):
    """Pages' assets are revalidated on every load (cheap 304s): after an update during a
    festival, phones never keep running an old app.js."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "no-cache"
        return response


class VersionedStaticFiles(StaticFiles):
    """Files under a URL that carries their version (BokehJS, the fonts): a new version
    is a new URL, so browsers keep them for a year without asking again."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


def _compressed(app: ASGIApp) -> ASGIApp:
    """Static files gzipped on the way when the browser accepts it (a phone page's
    modules shrink to about a third; exports and the websocket are left alone)."""
    return GZipMiddleware(app, minimum_size=512)


def _not_found(exc: CrowdError) -> JSONResponse:
    return JSONResponse({"code": exc.code, "message": exc.message}, status_code=404)


async def room_info(request: Request) -> Response:
    hub = _hub(request)
    try:
        room = hub.engine.room(request.path_params["code"])
    except CrowdError as exc:
        return _not_found(exc)
    return JSONResponse({**room.describe(), "join_url": hub.join_url(room.code)})


async def room_qr(request: Request) -> Response:
    hub = _hub(request)
    try:
        room = hub.engine.room(request.path_params["code"])
    except CrowdError as exc:
        return _not_found(exc)
    refused = await viewer(request)  # the animator's, or within the address's budget
    if isinstance(refused, Response):
        return refused
    svg = qr_svg(hub.join_url(room.code))  # drawn once per URL
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "max-age=3600"})


async def activity_chart(request: Request) -> Response:
    """The projector chart of one activity as a Bokeh json_item (built once per spec),
    with its snapshot: the answer is kept while nothing changed, and for the public view
    for a second after (a screen's reload, or a loop, costs no tally work)."""
    hub = _hub(request)
    try:
        act = hub.engine.activity(request.path_params["activity"])
    except CrowdError as exc:
        return _not_found(exc)
    is_animator = await viewer(request)  # a guess counts as on the panel's socket
    if isinstance(is_animator, Response):
        return is_animator
    if not (hub.engine.is_public(act) or is_animator):
        # drafts and unrevealed results stay with the animators (ids are guessable)
        return JSONResponse({"code": "forbidden", "message": "not shown to the room yet"},
                            status_code=403)
    answers: Recent = request.app.state.computed
    version, now = hub.engine.applied, time.monotonic()
    key = ("chart", act.id)
    body = answers.get(key, version, now, 0.0 if is_animator else RECOMPUTE_AFTER_S)
    if body is None:
        try:
            body = await _chart_body(request, act)
        except Exception:  # one activity's bug: this answer fails, nothing else does
            log.exception("activity %s: chart failed", act.id)
            return JSONResponse({"code": "server_error", "message": "this activity's "
                                 "figures could not be computed"}, status_code=500)
        answers.put(key, version, now, body)
    return Response(body, media_type="application/json")


async def _chart_body(request: Request, act: Any) -> bytes:
    public = act.public()
    snapshot = act.tally.snapshot()
    chart = act.tally.chart(snapshot)
    cache: dict[Any, Any] = request.app.state.chart_cache
    key = (act.id, repr(sorted(act.spec.items())), bool(snapshot.get("log")))
    item = cache.get(key)
    if item is None:
        item = await asyncio.to_thread(charts.chart_item, public, snapshot, chart)
        cache[key] = item
    # The protocol's JSON: a NaN or an infinity in a figure is written null, not a 500.
    body = encode({"activity": public, "item": item, "snapshot": snapshot, "chart": chart},
                  Encoding.JSON)
    return body.encode() if isinstance(body, str) else body


async def healthz(request: Request) -> Response:
    hub = _hub(request)
    return JSONResponse(hub.health(),
                        status_code=200 if hub.ready and hub.failed is None else 503)


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    if not settings.public_url:
        settings.public_url = guess_public_url(settings.host, settings.port,
                                               settings.scheme)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        eventlog = EventLog(settings.db, commit_interval=settings.commit_interval_ms / 1000,
                            synchronous=settings.synchronous)
        hub = Hub(settings, eventlog)
        await hub.start()
        app.state.hub = hub
        app.state.chart_cache = {}
        app.state.computed = Recent()
        on_ready = getattr(app.state, "on_ready", None)
        if on_ready is not None:
            on_ready(hub)
        try:
            yield
        finally:
            _stop_features()
            await hub.stop()

    routes = [
        Route("/", home),
        Route("/r/{code}", _compressed(request_response(phone_page))),  # its styles inline
        Route("/panel", panel_page),
        Route("/screen/{code}", screen_page),
        Route("/regie", regie_page),
        Route("/healthz", healthz),
        Route("/api/rooms/{code}", room_info),
        Route("/api/rooms/{code}/qr.svg", room_qr),
        Route("/api/activities/{activity}/chart", activity_chart),
        WebSocketRoute("/ws", websocket_endpoint),
        Mount(static_url(), _compressed(VersionedStaticFiles(directory=static_dir())),
              name="versioned"),
        Mount("/static", _compressed(RevalidatedStaticFiles(directory=static_dir())),
              name="static"),
        Mount(BOKEH_URL, _compressed(VersionedStaticFiles(directory=bokeh_static_path())),
              name="bokeh"),
        Mount(FONTS_URL, _compressed(VersionedStaticFiles(directory=fonts_dir())),
              name="fonts"),
    ]
    routes[-2:-2] = _feature_routes()
    app = CrowdApp(routes=routes, lifespan=lifespan)
    app.state.settings = settings
    app.state.anonymous_budget = AnonymousBudget(
        exempt_loopback=settings.mint_exempt_loopback)
    return app


class CrowdApp(Starlette):
    """Starlette with the edge middlewares outside everything, its error pages included:
    every response carries the security headers, every request meets the Host check."""

    def build_middleware_stack(self) -> ASGIApp:
        settings: Settings = self.state.settings
        inner = super().build_middleware_stack()
        return HostAllowList(SecurityHeaders(inner), public_url=settings.public_url,
                             bind_host=settings.host, allowed=settings.allowed_hosts)


#: Modules that add HTTP routes of their own feature, each exposing `routes() -> list`.
FEATURE_ROUTES = ["crowd.server.export_routes", "crowd.server.program_routes",
                  "crowd.server.film_routes", "crowd.server.chart_routes",
                  "crowd.server.board_routes"]


def _feature_routes() -> list[Any]:
    found: list[Any] = []
    for module_name in FEATURE_ROUTES:
        module = optional_module(module_name)
        if module is not None:
            found.extend(module.routes())
    return found


def _stop_features() -> None:
    """Stop the feature modules' children (the export process, video renderers) with the
    app, not only at interpreter exit."""
    for module_name in FEATURE_ROUTES:
        module = optional_module(module_name)
        stop = getattr(module, "shutdown", None)
        if stop is not None:
            stop()


def uvicorn_config(settings: Settings) -> dict[str, Any]:
    """uvicorn options that matter for many small websocket messages (see docs/decisions),
    and the HTTP connections' bounds (crowd.server.httpconn).

    X-Forwarded-For is believed only from the proxies the operator names
    (`CROWD_FORWARDED_ALLOW_IPS`): uvicorn's default trusts any local client, which
    could then pick the address the lock-out and the caps count.
    """
    http = bounded_http(settings.request_timeout_s,
                        min(settings.request_timeout_s, settings.hello_timeout_s),
                        settings.max_http_per_address)
    proxies = [ip for ip in settings.forwarded_allow_ips if ip]
    ws = fast_protocol()
    # Ours can raise an animator's limit after the hello: every connection starts at
    # twice the anonymous frame limit (a frame between the two still gets a readable
    # `too_big`); the stock protocol cannot, so it keeps the animators' limit for all.
    ws_max_size = (2 * settings.max_phone_frame_bytes if ws is not STOCK
                   else settings.max_frame_bytes)
    return {
        "http": http,
        "host": settings.host, "port": settings.port, "ws": ws,
        "ws_max_size": ws_max_size, "ws_per_message_deflate": False,
        "ws_ping_interval": 20.0, "ws_ping_timeout": 20.0, "log_level": "warning",
        "lifespan": "on", "timeout_graceful_shutdown": 3,
        "timeout_keep_alive": settings.keep_alive_s,
        "proxy_headers": bool(proxies), "forwarded_allow_ips": proxies or None,
        "ssl_certfile": settings.certfile or None, "ssl_keyfile": settings.keyfile or None,
    }
