"""HTTP exports of a board: posts, votes, categories and links (JSON, CSV) and the
printable needs-and-offers sheet per category (crowd.views.board_export).

Without the animator secret, a board is exported only once its results are public
(revealed, or projected) and only with what the screens showed; with it, every post with
its status and the contacts people gave with their consent. A room animator's secret
opens its own rooms' boards only (`httpauth.animator_check` reads the path's room).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from crowd.core.errors import CrowdError
from crowd.server.httpauth import viewer
from crowd.views import board_export


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status)


async def _document(request: Request) -> dict[str, Any] | JSONResponse:
    animator = await viewer(request)  # first: a room animator's other rooms are refused
    if isinstance(animator, JSONResponse):
        return animator
    engine = request.app.state.hub.engine
    try:
        room = engine.room(request.path_params["code"])
        act = engine.activity(request.path_params["activity"])
    except CrowdError as exc:
        return _error(404, exc.code, exc.message)
    if act.room != room.code or act.kind != "board":
        return _error(404, "unknown_activity", "no board of this id in this room")
    if not animator and not engine.is_public(act):
        return _error(403, "not_public", "this board's results are not shown yet: send "
                      "the animator secret in the X-Crowd-Secret header")
    return board_export.board_document(act, public=not animator)


def _download(body: str, media_type: str, filename: str) -> Response:
    return Response(body, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store"})


async def board_json(request: Request) -> Response:
    doc = await _document(request)
    if isinstance(doc, JSONResponse):
        return doc
    return _download(board_export.board_json(doc), "application/json",
                     f"board-{doc['activity']}.json")


async def board_csv(request: Request) -> Response:
    doc = await _document(request)
    if isinstance(doc, JSONResponse):
        return doc
    sep = ";" if request.query_params.get("sep") == "semicolon" else ","
    return _download(board_export.board_csv(doc, sep), "text/csv; charset=utf-8",
                     f"board-{doc['activity']}.csv")


async def board_sheet(request: Request) -> Response:
    doc = await _document(request)
    if isinstance(doc, JSONResponse):
        return doc
    return HTMLResponse(board_export.needs_offers_sheet(doc),
                        headers={"Cache-Control": "no-store"})


def routes() -> list[Route]:
    return [Route("/api/rooms/{code}/board/{activity}.json", board_json),
            Route("/api/rooms/{code}/board/{activity}.csv", board_csv),
            Route("/api/rooms/{code}/board/{activity}/sheet", board_sheet)]
