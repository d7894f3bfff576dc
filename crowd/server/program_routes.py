"""The festival over HTTP: the public program (`/api/program`, the home page's "now /
next" and the printable `/program`), and a phone's own path (`POST /api/journey`,
the page `/parcours`).

The program is public (rooms, places, time slots, whether a vote is on, how many
phones are in each space): what a poster at the entrance would say. A journey is the
device's alone: the page sends the device token it keeps in its own storage, in the
body of a POST (never in an address: addresses end up in histories and logs), and the
server answers only for a token it signed itself. A token is unguessable and another
site's page cannot read it, so no other device can read a phone's answers.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from crowd.core.journey import journey
from crowd.core.types import State
from crowd.server.httpauth import error, is_foreign

#: A journey request is a token in a small JSON body.
MAX_BODY = 1024


def _hub(request: Request) -> Any:
    return request.app.state.hub


def public_program(hub: Any) -> dict[str, Any]:
    """Every room with its place, slots, whether something is open to answer now, and
    how many phones are there (crowd.server.presence: a count, never who)."""
    now = hub.clock()
    present = hub.presence.counts(now)
    rooms = []
    for room in hub.engine.rooms.values():
        live = any(act.state is State.OPEN for act in room.activities.values())
        rooms.append({"code": room.code, "title": room.title, "space": room.space,
                      "slots": room.slots, "live": live, "present": present.get(room.code, 0)})
    return {"now": now, "rooms": rooms}


async def program_json(request: Request) -> Response:
    return JSONResponse(public_program(_hub(request)), headers={"Cache-Control": "no-store"})


async def journey_json(request: Request) -> Response:
    if is_foreign(request):
        return error(403, "forbidden", "another site's page cannot ask for this")
    body = await request.body()
    if len(body) > MAX_BODY:
        return error(413, "too_big", "a journey request is a device token only")
    try:
        device = json.loads(body or b"{}").get("device")
    except (ValueError, AttributeError):
        device = None
    hub = _hub(request)
    if not isinstance(device, str) or len(device) > 200 or hub.tokens is None or (
            not hub.tokens.verify(device, "phone")):
        return error(403, "forbidden", "not a device token of this server")
    return JSONResponse({"rooms": journey(hub.engine, device)},
                        headers={"Cache-Control": "no-store"})


def _page(name: str) -> Response:
    from crowd.server.app import _page as page  # the pages' shared filling of URLs

    return HTMLResponse(page(name), headers={"Cache-Control": "no-cache"})


async def program_page(request: Request) -> Response:
    return _page("program.html")


async def journey_page(request: Request) -> Response:
    return _page("journey.html")


def routes() -> list[Route]:
    return [
        Route("/api/program", program_json),
        Route("/api/journey", journey_json, methods=["POST"]),
        Route("/program", program_page),
        Route("/parcours", journey_page),
    ]
