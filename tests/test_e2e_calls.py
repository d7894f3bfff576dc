"""Criée end to end: 300 phones answer at once for 6 places, then withdraw, extend, restart."""

from __future__ import annotations

import asyncio
import contextlib

from crowd.clients import Panel, Phone, Screen
from crowd.core.errors import NotOpen
from tests.support import ServerProcess


async def test_criee_under_concurrency_survives_a_restart(fresh_server: ServerProcess) -> None:
    server = fresh_server
    async with Panel.connect(server.url, server.secret) as panel:
        room = await panel.create_room("Atelier pain")
        await panel.watch(room)
        async with contextlib.AsyncExitStack() as stack:
            phones = [await stack.enter_async_context(Phone.connect(server.url, room))
                      for _ in range(300)]
            screen = await stack.enter_async_context(Screen.connect(server.url, room))
            call = await panel.call(room, "6 bénévoles pour le pain, maintenant", quota=6,
                                    ask_contact=True)
            alerts = await asyncio.gather(*(p.next_call() for p in phones))
            assert {a["id"] for a in alerts} == {call}
            statuses = await asyncio.gather(*(
                p.volunteer(call, nickname=f"p{i}", contact=f"contact-{i}")
                for i, p in enumerate(phones)))
            confirmed = [i for i, s in enumerate(statuses) if s.status == "confirmed"]
            waiting = sorted((s.position, i) for i, s in enumerate(statuses)
                             if s.status == "waiting")
            assert len(confirmed) == 6 and len(waiting) == 294
            assert [pos for pos, _ in waiting] == list(range(1, 295))
            frame = await screen.frame_where(lambda f: f["activity"] == call and f["n"] == 300)
            assert (frame["confirmed"], frame["waiting"], frame["full"]) == (6, 294, True)
            assert "contact-" not in repr(frame)

            # a confirmed volunteer withdraws: the first waiting one is told it got the place
            first_waiting = phones[waiting[0][1]]
            await phones[confirmed[0]].withdraw(call)
            promoted = await first_waiting.next_call_status()
            assert promoted.status == "confirmed" and promoted.promoted
            second_waiting = phones[waiting[1][1]]
            moved = await second_waiting.next_call_status()
            assert (moved.status, moved.position) == ("waiting", 1)
            # raising the quota promotes the next two
            await panel.set_quota(call, 8)
            for _, i in waiting[1:3]:
                status = await phones[i].next_call_status()
                while not status.promoted:
                    status = await phones[i].next_call_status()
            roster = (await panel.next_volunteers())["volunteers"]
            while len([v for v in roster if v["status"] == "confirmed"]) != 8:
                roster = (await panel.next_volunteers())["volunteers"]
            assert roster[0]["contact"].startswith("contact-")
            await panel.close_call(call)
            try:
                await phones[confirmed[1]].volunteer(call)
            except NotOpen:
                pass  # already on the list: still refused once closed
            else:
                raise AssertionError("a closed call accepted an answer")
            expected = [v["nickname"] for v in roster if v["status"] == "confirmed"]

    server.kill()
    server.start()
    async with Panel.connect(server.url, server.secret) as panel:
        state = await panel.watch(room)
        call_state = next(a for a in state["activities"] if a["id"] == call)
        after = [v["nickname"] for v in call_state["volunteers"] if v["status"] == "confirmed"]
        assert after == expected and len(after) == 8
        assert call_state["state"] == "closed" and call_state["quota"] == 8
