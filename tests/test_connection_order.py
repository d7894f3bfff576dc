"""One connection, two writers: the reader writes its own acks, a sender task writes what
other tasks queue (broadcasts). Whoever writes, the wire order is the outbox order.

A phone votes as fast as its acks come back while a panel keeps changing another
activity (each change is a numbered `activity` broadcast to the room's phones): the
phone must see every numbered message exactly once, in order, and every ack in the order
of its inputs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from crowd.clients import Panel, Phone
from tests.support import SECRET, ServerProcess

VOTES = 400
CHANGES = 150


@pytest.fixture
def unlimited(tmp_path: Path) -> Iterator[ServerProcess]:
    """A server whose phones may send as fast as they like (no rate limit in the way)."""
    server = ServerProcess(tmp_path / "order.db", secret=SECRET,
                           env={"CROWD_PHONE_RATE": "1000000", "CROWD_PHONE_BURST": "1000000"})
    server.start()
    yield server
    server.stop()


async def test_acks_and_broadcasts_to_one_phone_keep_their_order(
        unlimited: ServerProcess) -> None:
    server = unlimited
    async with Panel.connect(server.url, server.secret) as panel:
        room = await panel.create_room("Ordre")
        voted, changed = [await panel.add_activity(room, kind="choice", prompt=p,
                                                   options=["a", "b"]) for p in ("V", "C")]
        await panel.open(voted)
        await panel.open(changed)
        async with Phone.connect(server.url, room) as phone:
            start = phone.conn.rs
            acked: list[int] = []

            async def vote() -> None:
                for i in range(VOTES):
                    reply = await phone.respond(voted, i % 2)
                    acked.append(int(reply["seq"]))

            async def change() -> None:
                for i in range(CHANGES):
                    await panel.reveal(changed, on=i % 2 == 0)

            await asyncio.gather(vote(), change())
            async with Phone.connect(server.url, room) as newcomer:
                head = newcomer.welcome["rs"]
            assert head - start >= CHANGES  # an activity each, a result with each reveal
            await asyncio.wait_for(_until(lambda: phone.conn.rs >= head), 10)
            seen = [n for stream, n in phone.conn.numbered if stream == "rs"]
    assert seen == list(range(start + 1, head + 1))
    assert acked == sorted(acked) and len(set(acked)) == VOTES


async def _until(done: object) -> None:
    while not done():  # type: ignore[operator]
        await asyncio.sleep(0.01)  # polling a counter the client's reader task advances
