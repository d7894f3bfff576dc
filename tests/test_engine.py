"""The room engine without a server: life cycle, idempotency, refusals, replay == live."""

from __future__ import annotations

import random
from typing import Any

import pytest

from crowd.core import events as ev
from crowd.core.engine import Engine, Peer, Reply, Step, ToRoom
from crowd.core.errors import BadMessage, BadValue, Conflict, Forbidden, NotOpen, UnknownActivity
from crowd.core.protocol import (
    ActivityDelete,
    ActivityNew,
    ActivityUpdate,
    AgendaExport,
    AgendaImport,
    Close,
    CreateRoom,
    Nick,
    Open,
    Project,
    Respond,
    Reveal,
)
from crowd.core.types import Role, State

PANEL = Peer(Role.PANEL, "panel-1")


class Log:
    """An engine plus the events it produced, as the hub would store them."""

    def __init__(self) -> None:
        self.engine = Engine(random.Random(7))
        self.events: list[ev.Event] = []
        self.now = 1000.0

    def do(self, msg: Any, peer: Peer = PANEL) -> Step:
        self.now += 1
        step = self.engine.handle(msg, peer, self.now)
        self.events.extend(step.events)
        return step

    def ack(self, msg: Any, peer: Peer = PANEL) -> dict[str, Any]:
        replies = [m for target, m in self.do(msg, peer).sends if isinstance(target, Reply)]
        assert len(replies) == 1 and replies[0]["t"] == "ack"
        return replies[0]


def room_with(log: Log, kind: str = "choice", **spec: Any) -> tuple[str, str]:
    room = log.ack(CreateRoom(title="Plénière", seq=1))["room"]
    spec = {"kind": kind, "prompt": "?", **spec}
    if kind in {"choice", "approval", "ranking", "grades"} and "options" not in spec:
        spec["options"] = ["a", "b", "c"]
    act = log.ack(ActivityNew(room=room, spec=spec, seq=2))["activity"]
    return room, act


def phone(room: str, n: int = 1) -> Peer:
    return Peer(Role.PHONE, f"device-{n}", room)


def test_life_cycle_draft_open_closed_reopen() -> None:
    log = Log()
    room, act = room_with(log)
    activity = log.engine.activity(act)
    assert activity.state is State.DRAFT
    with pytest.raises(NotOpen):
        log.do(Respond(activity=act, value=0, seq=1), phone(room))
    log.ack(Open(activity=act, seq=3))
    assert activity.state is State.OPEN
    with pytest.raises(Conflict):
        log.do(Open(activity=act, seq=4))
    log.ack(Respond(activity=act, value=2, seq=1), phone(room))
    log.ack(Close(activity=act, seq=5))
    with pytest.raises(NotOpen, match="closed"):
        log.do(Respond(activity=act, value=1, seq=2), phone(room))
    assert activity.tally.snapshot()["counts"] == [0, 0, 1]
    log.ack(Open(activity=act, seq=6))  # reopened: answers count again
    log.ack(Respond(activity=act, value=1, seq=3), phone(room))
    assert activity.tally.snapshot()["counts"] == [0, 1, 0]


def test_open_tells_phones_and_panels() -> None:
    log = Log()
    _, act = room_with(log)
    sends = log.do(Open(activity=act, seq=3)).sends
    phone_msgs = [m for t, m in sends if isinstance(t, ToRoom) and Role.PHONE in t.roles]
    assert phone_msgs[0]["t"] == "activity" and phone_msgs[0]["activity"]["state"] == "open"
    assert any(m["t"] == "room" for t, m in sends if isinstance(t, ToRoom)
               and Role.PANEL in t.roles)


def test_latest_answer_wins_and_one_voice_per_device() -> None:
    log = Log()
    room, act = room_with(log)
    log.ack(Open(activity=act, seq=3))
    for seq, value in enumerate([0, 1, 2, 1], start=1):
        log.ack(Respond(activity=act, value=value, seq=seq), phone(room, 1))
    log.ack(Respond(activity=act, value=0, seq=1), phone(room, 2))
    snap = log.engine.activity(act).tally.snapshot()
    assert snap["n"] == 2 and snap["counts"] == [1, 1, 0]


def test_resent_seq_is_acknowledged_again_never_counted_twice() -> None:
    log = Log()
    room, act = room_with(log, "words")
    log.ack(Open(activity=act, seq=3))
    first = log.ack(Respond(activity=act, value=["pain"], seq=41), phone(room))
    again = log.ack(Respond(activity=act, value=["pain"], seq=41), phone(room))
    older = log.ack(Respond(activity=act, value=["vin"], seq=40), phone(room))
    assert "dup" not in first and again["dup"] and older["dup"]
    assert log.engine.activity(act).tally.snapshot()["counts"] == [1]
    assert sum(e.type == ev.RESPONDED for e in log.events) == 1


def test_panel_command_resent_returns_the_same_result() -> None:
    log = Log()
    first = log.ack(CreateRoom(title="A", seq=9))
    again = log.ack(CreateRoom(title="A", seq=9))
    assert again["room"] == first["room"] and again["dup"]
    assert len(log.engine.rooms) == 1


@pytest.mark.parametrize(("kind", "spec", "bad", "good"), [
    ("choice", {}, [3, -1, "a", 1.5, True, [0]], [0, 2]),
    ("approval", {"max": 2}, [[0, 0], [0, 1, 2], [5], 1], [[0, 2], []]),
    ("ranking", {}, [[0, 0], [], [3], [0, "b"]], [[2, 0, 1], [1]]),
    ("grades", {"grades": ["-", "+"]}, [[0, 1], [0, 1, 2], [0, 1, True]], [[0, 1, 1]]),
    ("estimate", {"min": 0, "max": 2000}, [-1, 2001, "12", float("nan"), float("inf")],
     [0, 1355.5]),
    ("words", {"max_words": 2}, [["a", "b", "c"], [""], ["x" * 31], [1]], [["Pain!"], "vin"]),
])
def test_values_checked_per_kind(kind: str, spec: dict[str, Any], bad: list[Any],
                                 good: list[Any]) -> None:
    log = Log()
    room, act = room_with(log, kind, **spec)
    log.ack(Open(activity=act, seq=3))
    before = len(log.events)
    for seq, value in enumerate(bad, start=1):
        with pytest.raises(BadValue):
            log.do(Respond(activity=act, value=value, seq=seq), phone(room))
    assert len(log.events) == before
    assert log.engine.activity(act).responses == {}
    for seq, value in enumerate(good, start=100):
        log.ack(Respond(activity=act, value=value, seq=seq), phone(room))


def test_words_are_normalised() -> None:
    log = Log()
    room, act = room_with(log, "words")
    log.ack(Open(activity=act, seq=3))
    log.ack(Respond(activity=act, value=["  Solidarité!", "solidarité", "PAIN"], seq=1),
            phone(room, 1))
    log.ack(Respond(activity=act, value=["pain"], seq=1), phone(room, 2))
    snap = log.engine.activity(act).tally.snapshot()
    # one word in any case counts once; shown in its most frequent spelling (ties: the
    # first in code-point order)
    assert dict(zip(snap["words"], snap["counts"], strict=True)) == {"PAIN": 2, "Solidarité": 1}


def test_estimate_quartiles_and_grades_majority() -> None:
    log = Log()
    room, est = room_with(log, "estimate")
    grades = log.ack(ActivityNew(room=room, spec={
        "kind": "grades", "prompt": "?", "options": ["x", "y"],
        "grades": ["bad", "ok", "good"]}, seq=4))["activity"]
    log.ack(Open(activity=est, seq=5))
    log.ack(Open(activity=grades, seq=6))
    for i, value in enumerate([10, 20, 30, 40, 1000]):
        log.ack(Respond(activity=est, value=value, seq=1), phone(room, i))
        log.ack(Respond(activity=grades, value=[i % 3, 2], seq=2), phone(room, i))
    snap = log.engine.activity(est).tally.snapshot()
    assert (snap["q1"], snap["median"], snap["q3"]) == (20, 30, 40)
    grade_snap = log.engine.activity(grades).tally.snapshot()
    # x got grades 0,1,2,0,1 -> lower median is 1 ("ok"); y got 2 five times
    assert grade_snap["majority"] == [1, 2]
    assert grade_snap["counts"] == [[2, 2, 1], [0, 0, 5]]


def test_roles_and_rooms_are_enforced() -> None:
    log = Log()
    room, act = room_with(log)
    other = log.ack(CreateRoom(title="Autre", seq=10))["room"]
    log.ack(Open(activity=act, seq=11))
    with pytest.raises(Forbidden):
        log.do(Close(activity=act, seq=1), phone(room))
    with pytest.raises(Forbidden):
        log.do(Respond(activity=act, value=0, seq=12))
    with pytest.raises(UnknownActivity):  # an activity of another room
        log.do(Respond(activity=act, value=0, seq=1), phone(other))


def test_editing_and_deleting_follow_the_state() -> None:
    log = Log()
    room, act = room_with(log)
    log.ack(ActivityUpdate(activity=act, spec={"prompt": "Nouveau ?"}, seq=3))
    assert log.engine.activity(act).spec["prompt"] == "Nouveau ?"
    with pytest.raises(BadMessage):
        log.do(ActivityUpdate(activity=act, spec={"options": ["seul"]}, seq=4))
    log.ack(Open(activity=act, seq=5))
    with pytest.raises(Conflict):
        log.do(ActivityUpdate(activity=act, spec={"prompt": "x"}, seq=6))
    with pytest.raises(Conflict):
        log.do(ActivityDelete(activity=act, seq=7))
    log.ack(Close(activity=act, seq=8))
    log.ack(Project(room=room, activity=act, seq=9))
    log.ack(ActivityDelete(activity=act, seq=10))
    assert log.engine.rooms[room].projected is None
    with pytest.raises(UnknownActivity):
        log.engine.activity(act)


def test_bad_specs_are_refused_with_a_reason() -> None:
    log = Log()
    room = log.ack(CreateRoom(title="R", seq=1))["room"]
    for seq, spec in enumerate([
        {"kind": "nope", "prompt": "?"},
        {"kind": "choice", "prompt": "?", "options": ["a"]},
        {"kind": "choice", "prompt": "?", "options": ["a", "a"]},
        {"kind": "choice", "options": ["a", "b"]},
        {"kind": "estimate", "prompt": "?", "min": 5, "max": 1},
        {"kind": "words", "prompt": "?", "max_words": 9},
    ], start=2):
        with pytest.raises(BadMessage):
            log.do(ActivityNew(room=room, spec=spec, seq=seq))
    assert log.engine.rooms[room].activities == {}


def test_agenda_round_trip_is_all_or_nothing() -> None:
    log = Log()
    room, act = room_with(log, "grades")
    agenda = log.ack(AgendaExport(room=room, seq=3))["agenda"]
    target = log.ack(CreateRoom(title="Copie", seq=4))["room"]
    ids = log.ack(AgendaImport(room=target, activities=agenda["activities"], seq=5))[
        "activities"]
    assert [log.engine.activity(i).spec for i in ids] == [log.engine.activity(act).spec]
    with pytest.raises(BadMessage, match="activity 2"):
        log.do(AgendaImport(room=target, activities=[
            {"kind": "choice", "prompt": "ok", "options": ["a", "b"]}, {"kind": "??"}], seq=6))
    assert len(log.engine.rooms[target].activities) == 1


def test_reveal_sends_results_to_phones() -> None:
    log = Log()
    room, act = room_with(log)
    with pytest.raises(Conflict):
        log.do(Reveal(activity=act, seq=3))  # a draft has nothing to reveal
    log.ack(Open(activity=act, seq=4))
    log.ack(Respond(activity=act, value=1, seq=1), phone(room))
    sends = log.do(Reveal(activity=act, seq=5)).sends
    results = [m for _, m in sends if m["t"] == "result"]
    assert results[0]["snapshot"]["counts"] == [0, 1, 0]
    welcome = log.engine.welcome(phone(room, 9), device="device-9")
    assert welcome["results"][act]["counts"] == [0, 1, 0]


def test_welcome_restores_a_phone() -> None:
    log = Log()
    room, act = room_with(log)
    log.ack(Open(activity=act, seq=3))
    log.ack(Respond(activity=act, value=2, seq=1), phone(room))
    log.ack(Nick(name="  Léa   M ", seq=2), phone(room))
    welcome = log.engine.welcome(phone(room), device="device-1")
    assert welcome["mine"] == {act: 2} and welcome["nick"] == "Léa M"
    assert [a["id"] for a in welcome["activities"]] == [act]


def scripted_session(seed: int) -> Log:
    """A random but legal session touching every message type."""
    rng = random.Random(seed)
    log = Log()
    room, act = room_with(log)
    log.ack(Open(activity=act, seq=3))
    est = log.ack(ActivityNew(room=room, spec={"kind": "estimate", "prompt": "?"}, seq=4))[
        "activity"]
    log.ack(Open(activity=est, seq=5))
    log.ack(Project(room=room, activity=act, seq=6))
    seqs: dict[int, int] = {}
    for _ in range(300):
        n = rng.randrange(25)
        seqs[n] = seqs.get(n, 0) + 1
        if rng.random() < 0.5:
            log.ack(Respond(activity=act, value=rng.randrange(3), seq=seqs[n]), phone(room, n))
        else:
            log.ack(Respond(activity=est, value=rng.gauss(100, 20), seq=seqs[n]),
                    phone(room, n))
    log.ack(Close(activity=act, seq=7))
    log.ack(Reveal(activity=act, seq=8))
    return log


def state_of(engine: Engine) -> Any:
    return (
        {code: (r.title, r.projected, r.nicks, list(r.activities)) for code, r in
         engine.rooms.items()},
        {i: (a.state, a.revealed, a.spec, a.responses, a.tally.snapshot()) for i, a in
         engine.activities.items()},
        engine.last_seq,
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_replay_equals_live_state(seed: int) -> None:
    live = scripted_session(seed)
    rebuilt = Engine()
    assert rebuilt.replay(live.events) == len(live.events)
    assert state_of(rebuilt) == state_of(live.engine)


def test_frames_only_for_changed_activities() -> None:
    log = Log()
    room, act = room_with(log)
    log.ack(Open(activity=act, seq=3))
    log.engine.collect_frames()
    assert log.engine.collect_frames() == []
    log.ack(Respond(activity=act, value=0, seq=1), phone(room))
    frames = log.engine.collect_frames()
    assert [f.activity for f in frames] == [act]
    assert frames[0].message["snapshot"]["counts"] == [1, 0, 0]
    assert frames[0].message["chart"]["bars"]["value"] == [1, 0, 0]


def test_tools_skip_a_stored_event_that_does_not_apply() -> None:
    """A row damaged under a checkpoint is never set aside by a hub start: the timelapse
    and the export skip it and count it instead of failing whole."""
    from crowd.views.timelapse import TimelineBuilder

    log = Log()
    room, act = room_with(log)
    stray = ev.Event(ev.RESPONDED, room, {"id": "NOPE-9", "device": "d", "value": 0}, 1.0,
                  "d", 1)
    builder = TimelineBuilder()
    for event in [*log.events[:2], stray, *log.events[2:]]:
        builder.feed(event)
    assert builder.engine.skipped == 1
    assert act in builder.engine.activities
