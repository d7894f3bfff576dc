"""Criée calls in the engine: quota exactness, waiting list, promotions, replay order."""

from __future__ import annotations

import random
from typing import Any

import pytest

from crowd.activities.calls import (
    CALLS,
    Call,
    Decline,
    SetQuota,
    Volunteer,
    Withdraw,
    waiting_moves,
)
from crowd.core import events as ev
from crowd.core.engine import Engine, Peer, ToDevice, ToRoom
from crowd.core.errors import BadMessage, BadValue, Conflict, NotOpen, UnknownActivity
from crowd.core.protocol import ActivityNew, Close, CreateRoom, Open, Respond
from crowd.core.types import Role

PANEL = Peer(Role.PANEL, "panel")


def moves(engine: Engine, limit: int = 100) -> list[Any]:
    """What the hub's next tick tells waiting phones about their new places."""
    return waiting_moves(engine, engine.kind_state(CALLS), limit)


class Hall:
    def __init__(self) -> None:
        self.engine = Engine(random.Random(1))
        self.events: list[ev.Event] = []
        self.seq = 0
        self.code = self.do(CreateRoom(title="Criée"))[0]["room"]

    def do(self, msg: Any, peer: Peer = PANEL, now: float = 100.0) -> tuple[dict[str, Any], Any]:
        self.seq += 1
        object.__setattr__(msg, "seq", self.seq)
        step = self.engine.handle(msg, peer, now)
        self.events.extend(step.events)
        return next(m for _, m in step.sends if m["t"] == "ack"), step

    def phone(self, n: int) -> Peer:
        return Peer(Role.PHONE, f"device-{n}", self.code)

    def call(self, quota: int = 6, **spec: Any) -> str:
        return self.do(Call(room=self.code, spec={"prompt": "Pain à 15 h", "quota": quota,
                                                  **spec}))[0]["call"]


def test_quota_is_exact_and_the_waiting_list_keeps_arrival_order() -> None:
    hall = Hall()
    call = hall.call(quota=6)
    statuses = [hall.do(Volunteer(call=call), hall.phone(n))[0] for n in range(300)]
    assert [s["status"] for s in statuses[:6]] == ["confirmed"] * 6
    assert all(s["status"] == "waiting" for s in statuses[6:])
    assert [s["position"] for s in statuses[6:]] == list(range(1, 295))
    snap = hall.engine.activity(call).tally.snapshot()
    assert snap == {"n": 300, "quota": 6, "confirmed": 6, "waiting": 294, "declined": 0,
                    "full": True}


def test_a_device_counts_once_whatever_it_resends() -> None:
    hall = Hall()
    call = hall.call(quota=2)
    first = hall.do(Volunteer(call=call), hall.phone(1))[0]
    again = hall.do(Volunteer(call=call, nickname="autre"), hall.phone(1))[0]
    assert first["status"] == again["status"] == "confirmed"
    assert len(hall.engine.activity(call).tally.volunteers) == 1
    assert sum(e.type == ev.VOLUNTEERED for e in hall.events) == 1


def test_withdrawal_promotes_the_first_waiting_and_tells_everyone_whose_place_moved() -> None:
    hall = Hall()
    call = hall.call(quota=2)
    for n in range(5):
        hall.do(Volunteer(call=call), hall.phone(n))
    ack, step = hall.do(Withdraw(call=call), hall.phone(0))
    assert ack["status"] == "withdrawn"
    told = {t.device: m for t, m in step.sends if isinstance(t, ToDevice)}
    assert told == {"device-2": {"v": 1, "t": "call_status", "call": call,
                                 "promoted": True, "status": "confirmed"}}
    # the others' new places follow at the hub's next second, each told once
    moved = {t.device: m for t, m in moves(hall.engine)}
    assert moved["device-3"]["position"] == 1 and moved["device-4"]["position"] == 2
    assert set(moved) == {"device-3", "device-4"}  # device-1 is still confirmed
    assert moves(hall.engine) == []  # nothing moved since
    tally = hall.engine.activity(call).tally
    assert tally.confirmed() == ["device-1", "device-2"]
    # withdrawing again or without having volunteered changes nothing
    hall.do(Withdraw(call=call), hall.phone(0))
    hall.do(Withdraw(call=call), hall.phone(99))
    assert tally.confirmed() == ["device-1", "device-2"]


def test_raising_the_quota_promotes_and_lowering_below_the_confirmed_is_refused() -> None:
    hall = Hall()
    call = hall.call(quota=2)
    for n in range(5):
        hall.do(Volunteer(call=call), hall.phone(n))
    _, step = hall.do(SetQuota(call=call, quota=4))
    promoted = sorted(t.device for t, m in step.sends
                      if isinstance(t, ToDevice) and m.get("promoted"))
    assert promoted == ["device-2", "device-3"]
    with pytest.raises(Conflict):
        hall.do(SetQuota(call=call, quota=3))
    assert hall.engine.activity(call).spec["quota"] == 4


def test_closed_unknown_and_past_calls_are_refused() -> None:
    hall = Hall()
    call = hall.call(quota=1)
    hall.do(Close(activity=call))
    with pytest.raises(NotOpen):
        hall.do(Volunteer(call=call), hall.phone(1))
    with pytest.raises(UnknownActivity):
        hall.do(Volunteer(call="NOPE-3"), hall.phone(1))
    poll = hall.do(ActivityNew(room=hall.code, spec={"kind": "choice", "prompt": "?",
                                                     "options": ["a", "b"]}))[0]["activity"]
    with pytest.raises(UnknownActivity):
        hall.do(Volunteer(call=poll), hall.phone(1))
    for spec in ({"quota": 0}, {"quota": -3}, {"quota": "6"}, {"deadline": 50.0}):
        with pytest.raises(BadMessage):
            hall.call(**{"quota": 6, **spec})
    with pytest.raises(BadValue):  # calls are answered by volunteer, not respond
        hall.do(Respond(activity=hall.call(quota=2), value=1), hall.phone(1))
    assert sum(e.type == ev.VOLUNTEERED for e in hall.events) == 0


def test_deadline_closes_the_call() -> None:
    hall = Hall()
    call = hall.call(quota=3, deadline=160.0)
    hall.do(Volunteer(call=call), hall.phone(1), now=150.0)
    with pytest.raises(NotOpen):
        hall.do(Volunteer(call=call), hall.phone(2), now=161.0)
    step = hall.engine.expire(161.0, PANEL)
    assert [e.type for e in step.events] == [ev.CLOSED]
    assert hall.engine.activity(call).state.value == "closed"
    assert hall.engine.expire(170.0, PANEL).events == []


def test_decline_is_counted_once_and_volunteering_after_clears_it() -> None:
    hall = Hall()
    call = hall.call(quota=3)
    hall.do(Decline(call=call), hall.phone(1))
    hall.do(Decline(call=call), hall.phone(1))
    assert hall.engine.activity(call).tally.snapshot()["declined"] == 1
    hall.do(Volunteer(call=call), hall.phone(1))
    snap = hall.engine.activity(call).tally.snapshot()
    assert (snap["declined"], snap["confirmed"]) == (0, 1)


def test_contacts_go_to_animators_only() -> None:
    hall = Hall()
    call = hall.call(quota=3, ask_contact=True, ask_nickname=True)
    _, step = hall.do(Volunteer(call=call, nickname="Léa", contact="06 12 34 56 78"),
                      hall.phone(1))
    for target, msg in step.sends:
        if "06 12" in repr(msg):
            assert isinstance(target, ToRoom) and target.roles == {Role.PANEL}
    frame = next(f for f in hall.engine.collect_frames() if f.activity == call)
    assert "06 12" not in repr(frame.message)
    phone_welcome = hall.engine.welcome(hall.phone(2), device="device-2")
    screen_welcome = hall.engine.welcome(Peer(Role.SCREEN, "s", hall.code))
    assert "06 12" not in repr(phone_welcome) + repr(screen_welcome)
    panel_state = hall.engine.room_state(hall.code, for_panel=True)
    assert panel_state["activities"][0]["volunteers"][0]["contact"] == "06 12 34 56 78"


def test_replay_confirms_the_same_volunteers_in_the_same_order() -> None:
    hall = Hall()
    call = hall.call(quota=6)
    order = list(range(40))
    random.Random(9).shuffle(order)
    for n in order:
        hall.do(Volunteer(call=call), hall.phone(n))
    for n in order[:3]:
        hall.do(Withdraw(call=call), hall.phone(n))
    hall.do(SetQuota(call=call, quota=8))
    rebuilt = Engine()
    rebuilt.replay(hall.events)
    live = hall.engine.activity(call).tally
    again = rebuilt.activity(call).tally
    assert again.confirmed() == live.confirmed() == [f"device-{n}" for n in order[3:11]]
    assert list(again.volunteers) == list(live.volunteers)


def test_a_prepared_call_opens_from_the_agenda_and_phones_are_told() -> None:
    hall = Hall()
    call = hall.do(ActivityNew(room=hall.code, spec={"kind": "call", "title": "2 chauffeurs",
                                                     "quota": 2}))[0]["activity"]
    _, step = hall.do(Open(activity=call))
    to_phones = [m for t, m in step.sends if isinstance(t, ToRoom) and Role.PHONE in t.roles]
    assert to_phones[0]["activity"]["kind"] == "call"
    assert to_phones[0]["activity"]["prompt"] == "2 chauffeurs"
    welcome = hall.engine.welcome(Peer(Role.SCREEN, "s", hall.code))
    assert [c["activity"]["id"] for c in welcome["calls"]] == [call]


def test_new_waiting_places_are_told_front_first_a_bounded_number_at_a_time() -> None:
    """One withdrawal moves every place behind it: the first 20 waiting phones are told
    each step, the others once their place improved by a tenth; never more than a
    hundred per tick, front of the list first, each once."""
    hall = Hall()
    call = hall.call(quota=2)
    for n in range(252):  # places 1 to 250 on the waiting list
        hall.do(Volunteer(call=call), hall.phone(n))
    hall.do(Withdraw(call=call), hall.phone(0))

    def drain() -> list[tuple[str, int]]:
        told: list[tuple[str, int]] = []
        while batch := moves(hall.engine):
            assert len(batch) <= 100
            told += [(t.device, m["position"]) for t, m in batch]
        return told

    # device-2 was promoted; device-3..22 now wait at 1..20; further back, one step
    assert drain() == [(f"device-{n}", n - 2) for n in range(3, 23)]
    # 100 more places: everyone moved a lot; told front first, in two ticks
    hall.do(SetQuota(call=call, quota=102))
    told = drain()
    assert told == [(f"device-{n}", n - 102) for n in range(103, 252)
                    if n - 102 <= 20 or n - 102 <= (n - 1) * 0.9]  # told n - 1 at volunteering
    assert len(told) > 100 and moves(hall.engine) == []


def places_news(hall: Hall, now: float) -> list[tuple[Any, dict[str, Any]]]:
    """The `call_places` of the hub's tick at `now`."""
    return [(t, m) for t, m in CALLS.tick(hall.engine, now, lambda room: False)
            if m["t"] == "call_places"]


def test_places_left_reach_every_phone_counts_only_at_most_once_a_second() -> None:
    """A phone that never answered still learns that the call filled up: one room
    broadcast to phones per call, carrying counts, never who or how to reach them."""
    hall = Hall()
    call = hall.call(quota=3, ask_contact=True)
    assert places_news(hall, 100.0) == []  # nothing changed since the call was shouted
    hall.do(Volunteer(call=call, nickname="Léa", contact="06 12 34 56 78"), hall.phone(1))
    [(target, msg)] = places_news(hall, 100.1)
    assert isinstance(target, ToRoom) and target.roles == {Role.PHONE}
    assert msg == {**msg, "call": call, "quota": 3, "confirmed": 1, "waiting": 0,
                   "full": False}
    assert "06 12" not in repr(msg) and "Léa" not in repr(msg)
    for n in range(2, 6):  # the call fills up, two wait: told after a second, once
        hall.do(Volunteer(call=call), hall.phone(n))
    assert places_news(hall, 100.5) == []
    [(_, later)] = places_news(hall, 101.2)
    assert (later["confirmed"], later["waiting"], later["full"]) == (3, 2, True)
    assert places_news(hall, 103.0) == []  # nothing new: nothing sent
    hall.do(Decline(call=call), hall.phone(9))  # a decline changes no place
    assert places_news(hall, 104.0) == []
    # A phone that (re)connects gets the places left in its welcome, with its own place.
    welcome = hall.engine.welcome(hall.phone(9), device="device-9")
    assert welcome["calls"][call] == {"status": "declined", "places": {
        "quota": 3, "confirmed": 3, "waiting": 2, "full": True}}
