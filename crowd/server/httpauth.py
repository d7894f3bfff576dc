"""The animator secret over HTTP: one rule for every route that takes it.

The secret travels in the `X-Crowd-Secret` header only. An address can be put in a page
by anyone: `<img src="http://server/...?secret=guessN">` on a foreign page would make
the animator's own browser send guesses, count them against the animator's address and
lock the animator out. A browser sends a custom header cross-site only after a CORS
preflight, which this server never grants; and a request that says it comes from
another site (Origin, Sec-Fetch-Site) is refused before its secret is looked at, so it
counts for nothing. A page opened in a new tab, where no header can go, gets a signed
link instead (`SignedLinks`, `POST /api/links`).

A room link's secret is taken in the same header, counted by the same guard: a room
animator is an animator for the routes of its rooms only (`scope_refusal`: 403
`forbidden` for any other room and for the whole festival's replay).

Every route that computes its answer from the room (results, summary, chart, QR code,
replay) asks `viewer`: the animator, or the public view within the address's anonymous
budget (crowd.server.edge.AnonymousBudget).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from crowd.core.errors import BadSecret, LockedOut
from crowd.core.types import normalize_code
from crowd.server.access import Grant
from crowd.server.edge import AnonymousBudget
from crowd.server.security import SignedLinks, foreign_request

SECRET_HEADER = "x-crowd-secret"
LINK_PARAM = "link"


def error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status,
                        headers={"Cache-Control": "no-store"})


def client_address(request: Request) -> str:
    return request.client.host if request.client else "?"


def links(request: Request) -> SignedLinks:
    hub: Any = request.app.state.hub
    return SignedLinks(hub.animator_secret)


def is_foreign(request: Request) -> bool:
    settings: Any = request.app.state.settings
    return foreign_request(request.headers.get("origin"),
                           request.headers.get("sec-fetch-site"),
                           request.headers.get("host"), settings.allowed_origins)


async def animator_check(request: Request) -> bool | JSONResponse:
    """True for the animator, False for no claim at all (the public view), or the
    refusal to send: a wrong secret (403, counted by the guard), a locked-out address
    (429), a secret in the address (400), a stale link or a foreign page (403, neither
    counted)."""
    if "secret" in request.query_params:
        return error(400, "secret_in_url", "the animator secret goes in the X-Crowd-Secret "
                     "header, never in an address (addresses end up in histories and logs)")
    given = request.headers.get(SECRET_HEADER)
    link = request.query_params.get(LINK_PARAM)
    if not given and link is not None and request.method in ("GET", "HEAD"):
        if links(request).verify(request.url.path, link, time.time()):
            return True
        return error(403, "link_expired", "this link has expired: open it again from the panel")
    if not given:
        return False
    if is_foreign(request):
        return error(403, "cross_origin", "the animator secret is only taken from this "
                     "server's own pages")
    hub: Any = request.app.state.hub
    try:  # the organiser's secret or a room link's, one guard (crowd.server.access)
        grant = await hub.access.prove(client_address(request), given, time.time())
    except LockedOut:
        return _locked_out()
    except BadSecret as exc:
        return error(403, "bad_secret", exc.message)
    request.state.grant = grant
    if grant.organiser:
        return True
    refused = scope_refusal(grant, request.url.path, request.path_params)
    return True if refused is None else refused


def scope_refusal(grant: Grant, path: str, params: Mapping[str, Any]) -> JSONResponse | None:
    """A room animator's request about a room not its own (or about no room: the whole
    festival's replay), refused; None when it is about its rooms. `POST /api/links`
    names its room in its body (`link_create` asks `path_room`), a video job in its
    record (the job routes ask `grant.allows(job.room)`)."""
    if grant.organiser or path == "/api/links" or path.startswith("/api/video-jobs/"):
        return None
    room = None
    if isinstance(params.get("code"), str):
        room = normalize_code(params["code"])
    elif isinstance(params.get("activity"), str):
        room = normalize_code(params["activity"].rsplit("-", 1)[0])
    if room is None or room == "ALL":
        return error(403, "forbidden", "for the festival's organisers only")
    if not grant.allows(room):
        return error(403, "forbidden", "this room is not one of your room link's")
    return None


def room_refusal(request: Request, room: str) -> JSONResponse | None:
    """After `animator_check`: a room animator asking about a room not its own (a video
    job's, a signed link's path), refused."""
    grant = getattr(request.state, "grant", None)
    if grant is not None and not grant.allows(room):
        return error(403, "forbidden", "this room is not one of your room link's")
    return None


def path_room(path: str) -> str | None:
    """The room a linkable path names (/replay/CODE, /api/rooms/CODE/...), if any."""
    parts = path.strip("/").split("/")
    if len(parts) >= 2 and parts[0] == "replay":
        return normalize_code(parts[1])
    if len(parts) >= 3 and parts[:2] == ["api", "rooms"]:
        return normalize_code(parts[2])
    return None


def _locked_out() -> JSONResponse:
    return error(429, "locked_out", "too many wrong secrets: try again in a few minutes")


async def viewer(request: Request) -> bool | JSONResponse:
    """`animator_check`, then for the public view the address's budget of anonymous
    requests: True (the animator), False (the public view, a token spent), or the
    refusal to send (429 with Retry-After beyond the budget)."""
    who = await animator_check(request)
    if who is False:
        refused = anonymous_budget(request)
        if refused is not None:
            return refused
    return who


def anonymous_budget(request: Request) -> JSONResponse | None:
    """None if this anonymous request may be computed, else the 429 to send."""
    budget: AnonymousBudget = request.app.state.anonymous_budget
    wait = budget.wait(client_address(request), time.monotonic())
    if wait <= 0:
        return None
    response = error(429, "too_many_requests", "too many requests from this address: "
                     "wait a moment (see Retry-After) and try again")
    response.headers["Retry-After"] = str(max(1, math.ceil(wait)))
    return response
