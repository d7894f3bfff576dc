"""Live results on phones: an open activity revealed keeps its phones' figures fresh.

At the tick, an open revealed activity whose figures changed sends its snapshot to the
room's phones, at most every two seconds; nothing goes for an activity that is not
revealed, closed, or a criée call, nor when nothing changed.
"""

from __future__ import annotations

import random
from typing import Any

from crowd.core.engine import Engine, Peer, ToRoom
from crowd.core.live_results import RESULTS_EVERY_S, LiveResults
from crowd.core.protocol import ActivityNew, Close, CreateRoom, Open, Respond, Reveal
from crowd.core.types import Role

PANEL = Peer(Role.PANEL, "panel")


class Room:
    def __init__(self) -> None:
        self.engine = Engine(random.Random(5))
        self.seq = 0
        self.code = self.do(CreateRoom(title="Plénière"))["room"]
        self.live = LiveResults()

    def do(self, msg: Any, peer: Peer = PANEL) -> dict[str, Any]:
        self.seq += 1
        object.__setattr__(msg, "seq", self.seq)
        step = self.engine.handle(msg, peer, 100.0)
        return next(m for _, m in step.sends if m["t"] == "ack")

    def answer(self, act: str, device: int, value: Any) -> None:
        self.do(Respond(activity=act, value=value), Peer(Role.PHONE, f"d{device}", self.code))

    def tick(self, now: float) -> list[tuple[Any, dict[str, Any]]]:
        """What the hub's tick at `now` sends phones (after building the frames)."""
        changed = [f.activity for f in self.engine.collect_frames()]
        return self.live.due(self.engine, changed, now)


def test_an_open_revealed_activity_sends_fresh_results_at_most_every_two_seconds() -> None:
    room = Room()
    act = room.do(ActivityNew(room=room.code, spec={"kind": "choice", "prompt": "?",
                                                    "options": ["a", "b"]}))["activity"]
    room.do(Open(activity=act))
    room.answer(act, 1, 0)
    assert room.tick(0.0) == []  # not revealed: phones see no figures
    room.do(Reveal(activity=act, on=True))
    room.answer(act, 2, 1)
    [(target, msg)] = room.tick(1.0)
    assert isinstance(target, ToRoom) and target.roles == {Role.PHONE}
    assert (msg["t"], msg["activity"], msg["snapshot"]["counts"]) == ("result", act, [1, 1])
    for n in range(3, 30):  # a rush: one message after two seconds, with the last count
        room.answer(act, n, 0)
        assert room.tick(1.0 + n / 100) == []
    [(_, later)] = room.tick(1.0 + RESULTS_EVERY_S)
    assert later["snapshot"]["n"] == 29
    assert room.tick(10.0) == []  # nothing changed: nothing sent
    room.answer(act, 40, 1)
    room.do(Close(activity=act))  # closed: the `activity` message carries the figures
    assert room.tick(20.0) == []
