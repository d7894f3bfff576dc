"""Scheduled open and close in the engine (no server, time as an argument).

An activity whose spec holds `open_at` / `close_at` opens and closes at the tick that
comes at or after that time, once; the actions are events in the log, so a replay (or a
restart) rebuilds the same state and never fires them a second time; bad times are
refused with an error code and change nothing."""

from __future__ import annotations

from typing import Any

import pytest

from crowd.core.engine import Engine, Peer
from crowd.core.errors import BadMessage, CrowdError
from crowd.core.events import Event
from crowd.core.protocol import parse
from crowd.core.steps import PANELS, PHONES, SCREENS, ToRoom
from crowd.core.types import Role

PANEL = Peer(Role.PANEL, "panel-token")
CLOCK = Peer(Role.PANEL, "deadline")
START = 1_790_000_000.0  # a day of the festival, in seconds since the epoch


class Festival:
    """An engine, its log, and the hub's tick played by hand at chosen times."""

    def __init__(self) -> None:
        self.engine = Engine()
        self.log: list[Event] = []
        self.seq = 0
        self.code = self.send({"t": "create_room", "title": "Plénière"}, START)["room"]

    def send(self, raw: dict[str, Any], now: float, peer: Peer = PANEL) -> dict[str, Any]:
        self.seq += 1
        step = self.engine.handle(parse({**raw, "seq": self.seq}), peer, now)
        self.log.extend(step.events)
        return next(m for _, m in step.sends if m["t"] == "ack")

    def add(self, now: float = START, **times: float) -> str:
        spec = {"kind": "choice", "prompt": "On mange dehors ?", "options": ["oui", "non"],
                **times}
        return str(self.send({"t": "activity_new", "room": self.code, "spec": spec},
                             now)["activity"])

    def tick(self, now: float) -> list[Event]:
        step = self.engine.expire(now, CLOCK)
        self.log.extend(step.events)
        return step.events

    def state(self, activity: str) -> str:
        return self.engine.activities[activity].state.value


def test_an_activity_opens_at_its_time_and_closes_at_its_time_once() -> None:
    fest = Festival()
    vote = fest.add(open_at=START + 600, close_at=START + 900)
    assert fest.tick(START + 599.9) == []
    assert fest.state(vote) == "draft"
    opened = fest.tick(START + 600.4)
    # the projector showed nothing (the countdown): the vote goes on it
    assert [e.type for e in opened] == ["opened", "projected", "scheduled"]
    assert opened[2].data == {"id": vote, "action": "open", "at": START + 600}
    assert fest.state(vote) == "open"
    assert fest.engine.rooms[fest.code].projected == vote
    # the next ticks do nothing more, even after the animator closes it by hand
    assert fest.tick(START + 601) == []
    fest.send({"t": "close", "activity": vote}, START + 700)
    assert fest.tick(START + 701) == []
    assert fest.state(vote) == "closed"
    # reopened by hand: the scheduled close closes it at its time, once
    fest.send({"t": "open", "activity": vote}, START + 800)
    closed = fest.tick(START + 900)
    assert [e.type for e in closed] == ["closed", "scheduled"]
    assert fest.state(vote) == "closed"
    fest.send({"t": "open", "activity": vote}, START + 950)
    assert fest.tick(START + 960) == [] and fest.state(vote) == "open"


def test_a_scheduled_open_never_takes_the_projector_from_what_it_shows() -> None:
    """Projected only on a projector that shows nothing: what the animator put on it
    stays, and so does a vote opened earlier by the clock."""
    fest = Festival()
    shown = fest.add()
    fest.send({"t": "open", "activity": shown}, START)
    fest.send({"t": "project", "room": fest.code, "activity": shown}, START)
    later = fest.add(open_at=START + 60)
    assert [e.type for e in fest.tick(START + 60)] == ["opened", "scheduled"]
    assert fest.engine.rooms[fest.code].projected == shown
    fest.send({"t": "project", "room": fest.code, "activity": None}, START + 70)
    first = fest.add(open_at=START + 90)
    second = fest.add(open_at=START + 90)
    fired = fest.tick(START + 90)
    assert [(e.type, e.data["id"]) for e in fired if e.type != "scheduled"] == [
        ("opened", first), ("projected", first), ("opened", second)]
    assert fest.engine.rooms[fest.code].projected == first
    assert fest.state(later) == fest.state(second) == "open"
    # a program of votes: the next one the clock opens replaces the closed one the clock
    # projected, not the one the animator projected
    fest.send({"t": "close", "activity": first}, START + 100)
    then = fest.add(open_at=START + 120)
    assert [e.type for e in fest.tick(START + 120)] == ["opened", "projected", "scheduled"]
    assert fest.engine.rooms[fest.code].projected == then
    fest.send({"t": "project", "room": fest.code, "activity": shown}, START + 130)
    fest.send({"t": "close", "activity": shown}, START + 130)
    last = fest.add(open_at=START + 140)
    assert [e.type for e in fest.tick(START + 140)] == ["opened", "scheduled"]
    assert fest.engine.rooms[fest.code].projected == shown and fest.state(last) == "open"


def test_a_phone_can_answer_only_between_the_open_and_the_close() -> None:
    fest = Festival()
    vote = fest.add(open_at=START + 60, close_at=START + 120)
    phone = Peer(Role.PHONE, "device-1", fest.code)
    with pytest.raises(CrowdError) as early:
        fest.send({"t": "respond", "activity": vote, "value": 0}, START + 30, phone)
    assert early.value.code == "not_open"
    fest.tick(START + 60)
    fest.send({"t": "respond", "activity": vote, "value": 0}, START + 61, phone)
    fest.tick(START + 120)
    with pytest.raises(CrowdError) as late:
        fest.send({"t": "respond", "activity": vote, "value": 1}, START + 121, phone)
    assert late.value.code == "not_open"
    assert fest.engine.activities[vote].responses == {"device-1": 0}


def test_both_actions_due_at_one_tick_fire_in_order() -> None:
    """A server down over the whole slot: at its first tick the vote opens then closes."""
    fest = Festival()
    vote = fest.add(open_at=START + 60, close_at=START + 120)
    fired = fest.tick(START + 5000)
    assert [(e.type, e.data.get("action")) for e in fired] == [
        ("opened", None), ("scheduled", "open"), ("closed", None), ("scheduled", "close")]
    assert fest.engine.rooms[fest.code].projected is None  # a missed slot takes no screen
    assert fest.state(vote) == "closed"
    assert fest.tick(START + 5001) == []


def test_a_replay_equals_live_and_never_fires_again() -> None:
    fest = Festival()
    first = fest.add(open_at=START + 60, close_at=START + 120)
    second = fest.add(open_at=START + 100)
    for now in (START + 30, START + 60, START + 110, START + 130):
        fest.tick(now)
    replayed = Engine()
    replayed.replay(fest.log)
    live = fest.engine
    assert ({a: (x.state, x.scheduled) for a, x in replayed.activities.items()}
            == {a: (x.state, x.scheduled) for a, x in live.activities.items()})
    assert replayed.activities[first].state.value == "closed"
    assert replayed.activities[second].state.value == "open"
    assert replayed.room_state(fest.code, for_panel=True) == live.room_state(
        fest.code, for_panel=True)
    # a restart later in the day: nothing due fires twice
    assert replayed.expire(START + 10_000, CLOCK).events == []


def test_a_new_time_on_a_draft_is_due_again_and_a_duplicate_has_none() -> None:
    fest = Festival()
    vote = fest.add(close_at=START + 60)
    fired = fest.tick(START + 61)  # a draft's close passes: recorded, nothing to close
    assert [e.type for e in fired] == ["scheduled"]
    fest.send({"t": "activity_update", "activity": vote,
               "spec": {"open_at": START + 100, "close_at": START + 200}}, START + 70)
    assert [e.type for e in fest.tick(START + 100)] == ["opened", "projected", "scheduled"]
    copy = fest.send({"t": "duplicate", "activity": vote}, START + 150)["activity"]
    assert "open_at" not in fest.engine.activities[copy].spec
    fest.tick(START + 300)
    assert fest.state(copy) == "draft"


def test_the_room_tells_its_next_scheduled_actions() -> None:
    fest = Festival()
    later = fest.add(open_at=START + 900)
    sooner = fest.add(open_at=START + 300, close_at=START + 600)
    described = fest.engine.rooms[fest.code].describe()["schedule"]
    assert described == [
        {"activity": sooner, "action": "open", "at": START + 300},
        {"activity": sooner, "action": "close", "at": START + 600},
        {"activity": later, "action": "open", "at": START + 900}]
    sends = fest.engine.tick(START + 1, lambda room: True)
    told = [(target, m) for target, m in sends if m["t"] == "schedule"]
    assert [m for _, m in told] == [
        {"v": 1, "t": "schedule", "room": fest.code, "schedule": described}]
    # the projector counts down, the panel shows it, the phones say the next vote
    assert told[0][0] == ToRoom(fest.code, SCREENS | PANELS | PHONES)
    assert [m for _, m in fest.engine.tick(START + 3, lambda room: True)
            if m["t"] == "schedule"] == []  # unchanged: not told again
    fest.tick(START + 300)
    told = [m for _, m in fest.engine.tick(START + 301, lambda room: True)
            if m["t"] == "schedule"]
    assert [item["action"] for item in told[0]["schedule"]] == ["close", "open"]


@pytest.mark.parametrize(("times", "reason"), [
    ({"open_at": START + 600, "close_at": START + 300}, "schedule_order"),
    ({"open_at": START + 600, "close_at": START + 600}, "schedule_order"),
    ({"open_at": START - 2 * 3600}, "schedule_past"),
    ({"close_at": START + 400 * 86400}, "schedule_far"),
    ({"open_at": "16:00"}, "field_not_number"),
    ({"close_at": True}, "field_not_number"),
    ({"open_at": float("nan")}, "field_not_number"),
])
def test_bad_times_are_refused_with_a_code_and_change_nothing(
        times: dict[str, Any], reason: str) -> None:
    fest = Festival()
    before = (len(fest.log), fest.engine.applied)
    with pytest.raises(BadMessage) as refused:
        fest.add(**times)
    assert refused.value.code == "bad_message" and refused.value.reason == reason
    assert (len(fest.log), fest.engine.applied) == before
    # the same in an agenda import, which names the item
    with pytest.raises(BadMessage) as refused:
        fest.send({"t": "agenda_import", "room": fest.code, "activities": [
            {"kind": "choice", "prompt": "A", "options": ["a", "b"]},
            {"kind": "choice", "prompt": "B", "options": ["a", "b"], **times}]}, START)
    assert refused.value.code == "bad_message"
    assert (len(fest.log), fest.engine.applied) == before
