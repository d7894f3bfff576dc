"""Moderation through a real server: the animator's export keeps what the screen never
showed, marked (the public side is checked in tests/browser/test_panel_moderation.py)."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from crowd.clients import Panel, Phone


async def test_the_animators_export_keeps_what_was_held_back_and_marks_it(
        server: Any) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Export animateur")
        act = await panel.add_activity(code, "words", "Un mot ?", moderation="approve")
        await panel.open(act)
        async with Phone.connect(server.url, code) as phone:
            await phone.respond(act, ["salope"])
        request = urllib.request.Request(
            f"{server.url}/api/rooms/{code}/export/results.json",
            headers={"X-Crowd-Secret": server.secret})
        with urllib.request.urlopen(request, timeout=10) as reply:
            doc = json.loads(reply.read())
        result = doc["activities"][0]
        assert result["snapshot"]["words"] == []
        assert result["moderation"]["entries"][0] | {"count": 1} == {
            "entry": "salope", "count": 1, "total": 1, "status": "waiting", "flagged": True}
