"""The agenda's commands in the engine (no server): "Suivant", reorder, duplicate.

Each refusal changes nothing; each accepted command is events in the log, and a replay
of those events rebuilds the same agenda (order, states, projection)."""

from __future__ import annotations

from typing import Any

import pytest

from crowd.core.engine import Engine, Peer
from crowd.core.errors import Conflict
from crowd.core.events import Event
from crowd.core.protocol import parse
from crowd.core.types import Role

PANEL = Peer(Role.PANEL, "panel-token")
CHOICE = {"kind": "choice", "options": ["oui", "non"]}


class Room:
    """An engine, its log, and one room of a few activities."""

    def __init__(self, kinds: list[dict[str, Any]] | None = None) -> None:
        self.engine = Engine()
        self.log: list[Event] = []
        self.now = 1_000.0
        self.seq = 0
        self.code = self.send({"t": "create_room", "title": "Plénière"})["room"]
        self.ids = [self.send({"t": "activity_new", "room": self.code,
                               "spec": {**spec, "prompt": f"Q{i + 1}"}})["activity"]
                    for i, spec in enumerate([CHOICE] * 3 if kinds is None else kinds)]

    def send(self, raw: dict[str, Any], peer: Peer = PANEL) -> dict[str, Any]:
        self.seq += 1
        self.now += 1.0
        step = self.engine.handle(parse({**raw, "seq": self.seq}), peer, self.now)
        self.log.extend(step.events)
        return next(m for _, m in step.sends if m["t"] == "ack")

    def order(self) -> list[str]:
        return list(self.engine.rooms[self.code].activities)

    def states(self) -> list[str]:
        return [a.state.value for a in self.engine.rooms[self.code].activities.values()]

    def projected(self) -> str | None:
        return self.engine.rooms[self.code].projected

    def picture(self) -> Any:
        return (self.order(), self.states(), self.projected(),
                self.engine.room_state(self.code, for_panel=True))

    def replayed(self) -> Any:
        other = Engine()
        other.replay(self.log)
        room = other.rooms[self.code]
        return (list(room.activities), [a.state.value for a in room.activities.values()],
                room.projected, other.room_state(self.code, for_panel=True))


def test_next_goes_through_the_agenda_closing_opening_and_projecting() -> None:
    room = Room()
    first, second, third = room.ids
    assert room.send({"t": "advance", "room": room.code}) | {"seq": 0} == {
        "v": 1, "t": "ack", "seq": 0, "activity": first, "previous": None}
    assert (room.states(), room.projected()) == (["open", "draft", "draft"], first)
    room.send({"t": "advance", "room": room.code})
    assert (room.states(), room.projected()) == (["closed", "open", "draft"], second)
    room.send({"t": "advance", "room": room.code})
    assert (room.states(), room.projected()) == (["closed", "closed", "open"], third)
    before = room.picture()
    with pytest.raises(Conflict) as refused:
        room.send({"t": "advance", "room": room.code})
    assert refused.value.reason == "agenda_end"
    assert room.picture() == before  # nothing changed
    # back: the current one closes, the previous one reopens and is projected
    ack = room.send({"t": "advance", "room": room.code, "back": True})
    assert ack["activity"] == second and ack["previous"] == third
    assert (room.states(), room.projected()) == (["closed", "open", "closed"], second)
    assert room.replayed() == room.picture()


def test_next_starts_from_the_open_activity_when_nothing_is_projected() -> None:
    room = Room()
    room.send({"t": "open", "activity": room.ids[1]})
    room.send({"t": "advance", "room": room.code})
    assert (room.states(), room.projected()) == (["draft", "closed", "open"], room.ids[2])
    empty = Room([])
    with pytest.raises(Conflict) as refused:
        empty.send({"t": "advance", "room": empty.code})
    assert refused.value.reason == "agenda_empty"


def test_next_leaves_a_criee_call_open() -> None:
    room = Room([{"kind": "call", "quota": 3}, CHOICE])
    room.send({"t": "advance", "room": room.code})
    room.send({"t": "advance", "room": room.code})
    assert room.states() == ["open", "open"]  # the call keeps gathering volunteers
    assert room.projected() == room.ids[1]


def test_reorder_swaps_neighbours_or_moves_all_and_replays_identically() -> None:
    room = Room([CHOICE] * 4)
    a, b, c, d = room.ids
    assert room.send({"t": "reorder", "room": room.code, "order": [c, b]})["order"] == [
        a, c, b, d]
    room.send({"t": "reorder", "room": room.code, "order": [d, c, b, a]})
    assert room.order() == [d, c, b, a]
    assert [x["id"] for x in room.engine.room_state(room.code, for_panel=True)[
        "activities"]] == [d, c, b, a]
    assert room.replayed() == room.picture()
    assert room.engine.handle(parse({"t": "agenda_export", "room": room.code}), PANEL,
                              room.now).sends[0][1]["agenda"]["activities"][0]["prompt"] == "Q4"
    # "Suivant" follows the new order
    room.send({"t": "advance", "room": room.code})
    assert room.projected() == d


@pytest.mark.parametrize("order", [[], ["XXXX-1"], ["SAME", "SAME"]])
def test_a_wrong_order_is_refused_and_changes_nothing(order: list[str]) -> None:
    room = Room()
    order = [room.ids[0], room.ids[0]] if order == ["SAME", "SAME"] else order
    before, logged = room.picture(), len(room.log)
    with pytest.raises(Conflict) as refused:
        room.send({"t": "reorder", "room": room.code, "order": order})
    assert refused.value.reason == "order_mismatch"
    assert (room.picture(), len(room.log)) == (before, logged)


def test_a_duplicated_closed_activity_is_a_fresh_draft_after_its_original() -> None:
    room = Room()
    first = room.ids[0]
    room.send({"t": "open", "activity": first})
    phone = Peer(Role.PHONE, "phone-1", room.code)
    room.send({"t": "respond", "activity": first, "value": 1}, phone)
    room.send({"t": "close", "activity": first})
    copy = room.send({"t": "duplicate", "activity": first})["activity"]
    assert room.order() == [first, copy, *room.ids[1:]]
    act = room.engine.activities[copy]
    assert act.state.value == "draft" and act.responses == {}
    assert act.spec == room.engine.activities[first].spec
    room.send({"t": "open", "activity": copy})
    assert room.engine.snapshot(act)["n"] == 0  # opens fresh
    room.send({"t": "respond", "activity": copy, "value": 0}, phone)
    assert room.engine.snapshot(act)["counts"] == [1, 0]
    assert room.engine.snapshot(room.engine.activities[first])["counts"] == [0, 1]
    assert room.replayed() == room.picture()


def test_a_duplicated_second_round_is_a_plain_estimate() -> None:
    room = Room([{"kind": "estimate", "unit": "kg"}])
    room.send({"t": "open", "activity": room.ids[0]})
    room.send({"t": "respond", "activity": room.ids[0], "value": 500},
              Peer(Role.PHONE, "p", room.code))
    second = room.send({"t": "influence_round", "activity": room.ids[0]})["activity"]
    copy = room.send({"t": "duplicate", "activity": second})["activity"]
    spec = room.engine.activities[copy].spec
    assert "previous" not in spec and "social" not in spec and spec["unit"] == "kg"
