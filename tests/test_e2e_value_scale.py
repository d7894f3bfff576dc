"""End to end: a value scale with the real server, real phones answering the pairs they
were asked, and a screen receiving the weights."""

from __future__ import annotations

import math

import pytest

from crowd.activities.value_scale import assigned_pairs
from crowd.clients import Panel, Phone, Screen
from crowd.core.errors import BadValue
from tests.support import ServerProcess

ITEMS = ["1 h de plomberie", "1 pain", "1 kg de tomates", "1 Ğ1"]
WORTH = [36.0, 1.0, 3.0, 1.5]  # in bread: a crowd that agrees with itself


async def test_phones_answer_their_pairs_and_the_screen_gets_the_weights(
        server: ServerProcess) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        room = await panel.create_room("Marché des savoirs")
        act = await panel.add_activity(room, kind="value_scale", prompt="Que vaut quoi ?",
                                       items=ITEMS, reference=1, per_phone=3)
        async with Phone.connect(server.url, room) as early:
            await panel.open(act)
            await panel.project(act)
            opened = await early.next_activity()
            assert opened["id"] == act and opened["state"] == "open"
            # a phone in the room before the opening asks what its welcome would say
            early_pairs = assigned_pairs(act, early.device, len(ITEMS), 3)
            async with Phone.connect(server.url, room, device=early.device) as again:
                assert again.welcome["pairs"] == {act: early_pairs}
            for a, b in early_pairs:
                await early.respond(act, {"pair": [a, b], "ratio": WORTH[a] / WORTH[b]})
            judged = {tuple(sorted(p)) for p in early_pairs}
            total = len(early_pairs)
            async with Screen.connect(server.url, room) as screen:
                for _ in range(7):
                    async with Phone.connect(server.url, room) as phone:
                        mine = phone.welcome["pairs"][act]
                        assert mine == assigned_pairs(act, phone.device, len(ITEMS), 3)
                        for a, b in mine:
                            await phone.respond(act, {"pair": [a, b],
                                                      "ratio": WORTH[a] / WORTH[b]})
                        judged |= {tuple(sorted(p)) for p in mine}
                        total += len(mine)
                        with pytest.raises(BadValue):
                            await phone.respond(act, {"pair": [0, 0], "ratio": 2})
                frame = await screen.frame_where(lambda f: f.get("judgments") == total)
    assert frame["n"] == 8 and frame["pairs_compared"] == len(judged)
    for item, weight in enumerate(frame["weights"]):
        if frame["linked"][item]:
            assert weight == pytest.approx(WORTH[item] / WORTH[1])
            assert frame["low"][item] == pytest.approx(weight)  # unanimous: no spread
            assert frame["high"][item] == pytest.approx(weight)
        else:
            assert weight is None
    assert frame["inconsistency"] == pytest.approx(0.0, abs=1e-12)
    assert frame["level"] == "coherent" and frame["contradiction"] is None
    assert math.isclose(frame["weights"][1], 1.0)
