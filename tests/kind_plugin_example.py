"""A kind of one's own, written as docs/kinds.md says, touching no file of crowd.

`tests/test_kind_plugin.py` runs this module in a fresh interpreter (registering a kind
is for the life of the process): it must be parsed, authorized, handled, logged,
replayed and welcomed without any central list knowing it.

The kind: a "clap-o-meter". Phones answer like any activity (a number of claps, 1 to
10); the animator has a command of the kind's own, `clap_reset`, which logs a
`claps_reset` event that empties the tally.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from crowd.activities import activity_type, register
from crowd.activities.base import ActivityType, Applier, Command, EngineAPI, Tally, integer
from crowd.core.authorization import Peer
from crowd.core.engine import Engine
from crowd.core.errors import BadValue, Forbidden
from crowd.core.events import Event
from crowd.core.protocol import Message, get_field, is_id, message_types, parse
from crowd.core.steps import Step
from crowd.core.types import Role

RESET = "claps_reset"


@dataclass(frozen=True, slots=True)
class ClapReset(Message):
    TYPE: ClassVar[str] = "clap_reset"
    ROLES: ClassVar[frozenset[Role]] = frozenset({Role.PANEL})
    activity: str


class ClapTally(Tally):
    def __init__(self) -> None:
        self.total = 0
        self.n = 0

    def add(self, value: Any) -> None:
        self.total += value
        self.n += 1

    def remove(self, value: Any) -> None:
        self.total -= value
        self.n -= 1

    def snapshot(self) -> dict[str, Any]:
        return {"n": self.n, "claps": self.total}


def reset(engine: EngineAPI, msg: ClapReset, peer: Peer, now: float) -> Step:
    act = engine.activity(msg.activity)
    step = Step()
    engine.commit(step, engine.event(RESET, act.room, {"id": act.id}, now, peer, msg.seq))
    engine.ack(step, peer, msg.seq, activity=act.id)
    return step


def on_reset(engine: EngineAPI, event: Event) -> None:
    act = engine.activities[event.data["id"]]
    act.responses.clear()
    act.tally = ClapTally()
    engine.dirty.add(act.id)


@register
class Claps(ActivityType):
    kind = "claps"
    messages: ClassVar[Mapping[str, Any]] = {
        "clap_reset": lambda raw: ClapReset(
            activity=get_field(raw, "activity", is_id, "an activity id"))}

    def normalize_spec(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        return {**super().normalize_spec(raw), "most": integer(raw, "most", 10, 1, 100)}

    def validate(self, spec: Mapping[str, Any], value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int) or not (
                1 <= value <= spec["most"]):
            raise BadValue(f"clap 1 to {spec['most']} times")
        return value

    def new_tally(self, spec: Mapping[str, Any]) -> Tally:
        return ClapTally()

    def commands(self) -> Mapping[type[Message], Command]:
        return {ClapReset: reset}

    def appliers(self) -> Mapping[str, Applier]:
        return {RESET: on_reset}


def main() -> None:
    assert "clap_reset" in message_types()
    engine = Engine(random.Random(1))
    panel, log = Peer(Role.PANEL, "panel"), []

    def do(raw: dict[str, Any], peer: Peer = panel) -> dict[str, Any]:
        step = engine.handle(parse({"seq": len(log) + 100, **raw}), peer, 1000.0 + len(log))
        log.extend(step.events)
        return next(m for _, m in step.sends if m["t"] == "ack")

    room = do({"t": "create_room", "title": "Applaudimètre"})["room"]
    act = do({"t": "activity_new", "room": room, "spec": {"kind": "claps", "prompt": "?"}})
    act = act["activity"]
    do({"t": "open", "activity": act})
    for n in range(3):
        do({"t": "respond", "activity": act, "value": n + 2}, Peer(Role.PHONE, f"d{n}", room))
    assert engine.activity(act).tally.snapshot() == {"n": 3, "claps": 9}
    try:
        do({"t": "clap_reset", "activity": act}, Peer(Role.PHONE, "d0", room))
    except Forbidden:
        pass
    else:
        raise AssertionError("a phone reset the claps")
    do({"t": "clap_reset", "activity": act})
    assert engine.activity(act).tally.snapshot() == {"n": 0, "claps": 0}
    replayed = Engine()
    replayed.replay(log)
    assert replayed.activity(act).tally.snapshot() == {"n": 0, "claps": 0}
    assert activity_type("claps").kind == "claps"
    print("a kind of one's own: parsed, authorized, handled, logged, replayed")


if __name__ == "__main__":
    main()
