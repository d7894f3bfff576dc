"""The HTTP side: pages, BokehJS served locally, QR codes, chart items, health."""

from __future__ import annotations

import bokeh
import httpx

from crowd.clients import Panel, Phone
from tests.support import ServerProcess


async def test_pages_and_bokeh_are_served_locally(server: ServerProcess) -> None:
    async with httpx.AsyncClient(base_url=server.url) as http:
        for path in ("/", "/panel", "/r/ABCD", "/screen/ABCD"):
            page = await http.get(path)
            assert page.status_code == 200 and "<html" in page.text.lower(), path
            assert "cdn." not in page.text and "https://" not in page.text, path
        screen = (await http.get("/screen/ABCD")).text
        assert f"/bokeh/{bokeh.__version__}/js/bokeh.min.js" in screen
        js = await http.get(f"/bokeh/{bokeh.__version__}/js/bokeh.min.js")
        assert js.status_code == 200 and len(js.content) > 100_000
        redirect = await http.get("/?code=kx t4", follow_redirects=False)
        assert redirect.status_code == 303 and redirect.headers["location"] == "/r/KXT4"


async def test_room_qr_chart_and_health(server: ServerProcess) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        room = await panel.create_room("Santé")
        act = await panel.add_activity(room, kind="choice", prompt="?", options=["a", "b"])
        await panel.open(act)
        async with Phone.connect(server.url, room) as phone:
            await phone.respond(act, 1)
            async with httpx.AsyncClient(base_url=server.url) as http:
                info = (await http.get(f"/api/rooms/{room.lower()}")).json()
                assert info["code"] == room and info["join_url"].endswith(f"/r/{room}")
                qr = await http.get(f"/api/rooms/{room}/qr.svg")
                assert qr.headers["content-type"].startswith("image/svg+xml")
                assert "<svg" in qr.text
                hidden = await http.get(f"/api/activities/{act}/chart")
                assert hidden.status_code == 403  # not projected nor revealed: animators only
                chart = (await http.get(f"/api/activities/{act}/chart",
                                        headers={"X-Crowd-Secret": server.secret})).json()
                assert chart["snapshot"]["counts"] == [0, 1]
                names = {ref.get("attributes", {}).get("name") for ref in
                         _walk(chart["item"]["doc"])}
                assert "bars" in names
                assert (await http.get("/api/rooms/ZZZZ")).status_code == 404
                assert (await http.get("/api/activities/ZZZZ-1/chart")).status_code == 404
                await panel.project(act)
                shown = await http.get(f"/api/activities/{act}/chart")
                assert shown.status_code == 200  # projected: the screen may fetch it
                health = (await http.get("/healthz")).json()
                assert health["status"] == "ok" and health["rooms"] >= 1
                assert health["connections"]["phone"] >= 1
                assert health["connections"]["panel"] >= 1


def _walk(node: object) -> list[dict]:
    """Every dict in a nested JSON document (Bokeh models are dicts with attributes)."""
    found: list[dict] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found.append(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found
