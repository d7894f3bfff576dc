"""HTTP routes for an activity's chart as an image: `/api/rooms/CODE/charts/ID.png|svg`.

For slides and newsletters. The chart is the projector's (`crowd.views.chart_image`),
saved by headless Chromium in a child process bound to the server
(`crowd.server.chart_render`). One Chromium at a time for PDFs and images together
(`export_routes._printing`): a request that finds it busy gets 503 with Retry-After, and
without Chromium 503 says what is missing. The public view has the revealed activities
only; an animator's (secret or signed link), every activity of the room.
"""

from __future__ import annotations

import asyncio
import functools
import secrets
import shutil

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from crowd.core.errors import CrowdError
from crowd.server import lifeline
from crowd.server.export_routes import (
    _busy,
    _download,
    _error,
    _hub,
    _kept,
    _printing,
    _room_view,
    _work_dir,
)
from crowd.views import exports
from crowd.views.chart_image import FORMATS, chart_page

RENDER_TIMEOUT_S = 60


class NotRendered(Exception):
    """Chromium could not save the chart: the reason, for the 503."""


@functools.cache
def _bokeh_js() -> str:
    from crowd.views.report import bokeh_inline_js

    return bokeh_inline_js()


async def chart_image(request: Request) -> Response:
    from crowd.server import pdf

    view = await _room_view(request)
    if isinstance(view, JSONResponse):
        return view
    code, animator = view
    activity_id, _, fmt = request.path_params["name"].rpartition(".")
    if fmt not in FORMATS:
        return _error(404, "not_found", "a chart is ID.png or ID.svg")
    engine = _hub(request).engine
    try:
        act = engine.activity(activity_id)
    except CrowdError as exc:
        return _error(404, exc.code, exc.message)
    if act.room != code or not (animator or act.revealed):
        return _error(404, "activity_unknown", "no such activity shown in this room")
    result = exports.activity_result(act, exports.device_tokens(engine.room(code)),
                                     public=not animator)
    page = chart_page(result["spec"], result["snapshot"], result["chart"],
                      bokeh_js=_bokeh_js(), svg=fmt == "svg")
    if page is None:
        return _error(404, "no_chart", "this kind of activity has no chart")
    lacks = pdf.missing()
    if lacks:
        return _error(503, "unavailable", "chart images need " + "; ".join(lacks))
    if _printing.locked():  # one Chromium at a time for PDFs and images
        return _busy(request)

    async def build() -> bytes:
        async with _printing:
            return await _render(page, fmt)

    try:
        body = await _kept(request, f"chart-{act.id}.{fmt}", code, animator, build)
    except NotRendered as exc:
        return _error(503, "unavailable", str(exc))
    return _download(body, FORMATS[fmt], f"crowd-{act.id.lower()}.{fmt}")


async def _render(page: str, fmt: str) -> bytes:
    folder = _work_dir() / f"chart-{secrets.token_hex(8)}"
    folder.mkdir()
    try:
        source, out = folder / "chart.html", folder / f"chart.{fmt}"
        source.write_text(page, encoding="utf-8")
        child = await asyncio.create_subprocess_exec(
            *lifeline.command("crowd.server.chart_render", str(source), str(out)),
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        try:
            _, err = await asyncio.wait_for(child.communicate(), RENDER_TIMEOUT_S)
        except TimeoutError:
            lifeline.kill_now(child.pid)
            raise NotRendered("the chart took too long to draw: try again") from None
        if child.returncode != 0 or not out.exists():
            raise NotRendered((err or b"").decode(errors="replace")[-300:]
                              or "the chart could not be saved")
        return out.read_bytes()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def routes() -> list[Route]:
    return [Route("/api/rooms/{code}/charts/{name}", chart_image)]
