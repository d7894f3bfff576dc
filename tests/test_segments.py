"""Cross-tab segments through the engine: a poll split by another poll's answer, kept
up to date incrementally (equal to a count from scratch however answers arrive), small
cells never shown, refusals, and replay == live."""

from __future__ import annotations

import random
from typing import Any

import pytest

from crowd.core.engine import Engine
from crowd.core.errors import Conflict
from crowd.core.protocol import ActivityNew, CreateRoom, Open, Respond, parse
from crowd.core.segments import SetSegment
from tests.test_engine import Log, phone, room_with, state_of

GROUPS = ["Producteurs", "Mangeurs"]
OPTIONS = ["Oui", "Non", "Je ne sais pas"]


def two_polls(log: Log, target_kind: str = "choice") -> tuple[str, str, str]:
    """A room with a source poll (who you are) and a target poll, both open."""
    room, source = room_with(log, "choice", options=GROUPS)
    target = log.ack(ActivityNew(room=room, spec={"kind": target_kind, "prompt": "Un marché ?",
                                                  "options": OPTIONS}, seq=10))["activity"]
    log.ack(Open(activity=source, seq=11))
    log.ack(Open(activity=target, seq=12))
    return room, source, target


def answer(log: Log, room: str, act: str, device: int, value: Any) -> None:
    log.do(Respond(activity=act, value=value, seq=None), phone(room, device))


def split_of(log: Log, act: str) -> dict[str, Any]:
    return log.engine.snapshot(log.engine.activity(act))["split"]


def from_scratch(log: Log, source: str, target: str) -> list[list[int]]:
    """Segments x options counted from the stored answers (no tally involved)."""
    src, tgt = log.engine.activity(source), log.engine.activity(target)
    table = [[0] * len(OPTIONS) for _ in GROUPS]
    for device, value in tgt.responses.items():
        if device in src.responses:
            table[src.responses[device]][value] += 1
    return table


def test_a_split_follows_answers_in_any_order_and_equals_a_count_from_scratch() -> None:
    log = Log()
    room, source, target = two_polls(log)
    rng = random.Random(4)
    # some answer before the split is chosen...
    for d in range(1, 30):
        answer(log, room, source, d, rng.randrange(2))
        answer(log, room, target, d, rng.randrange(3))
    log.ack(SetSegment(activity=target, by=source, seq=20))
    # ...and afterwards, in any order, changing their minds on either poll
    for d in rng.sample(range(1, 120), 119):
        if rng.random() < 0.8:
            answer(log, room, target, d, rng.randrange(3))
        if rng.random() < 0.8:
            answer(log, room, source, d, rng.randrange(2))
    for _ in range(60):
        d = rng.randrange(1, 120)
        answer(log, room, rng.choice([source, target]), d, rng.randrange(2))
    split = split_of(log, target)
    truth = from_scratch(log, source, target)
    assert split["by"] == source and [s["label"] for s in split["segments"]] == GROUPS
    for segment, row in zip(split["segments"], truth, strict=True):
        assert segment["n"] == sum(row)  # big enough here: every figure is shown
        assert segment["counts"] == row
        assert segment["shares"] == [round(c / sum(row), 4) for c in row]


def test_a_cell_of_four_never_shows() -> None:
    log = Log()
    room, source, target = two_polls(log)
    log.ack(SetSegment(activity=target, by=source, seq=20))
    # Producteurs: 10 say Oui, 4 say Non; Mangeurs: 12 Oui, 6 Non.
    plan = [(0, 0)] * 10 + [(0, 1)] * 4 + [(1, 0)] * 12 + [(1, 1)] * 6
    for d, (group, vote) in enumerate(plan, start=1):
        answer(log, room, source, d, group)
        answer(log, room, target, d, vote)
    split = split_of(log, target)
    producers, eaters = split["segments"]
    assert producers["n"] == 14 and eaters["n"] == 18
    # the 4 is hidden, and the 10 that with the 14 would give it away; then, column by
    # column, the eaters' 12 and 6: every line has two hidden cells or none
    assert producers["counts"] == [None, None, 0]
    assert eaters["counts"] == [None, None, 0]
    assert producers["shares"][1] is None
    flat = [c for s in split["segments"] for c in (s["counts"] or [])]
    assert 4 not in flat
    # a fifth Non among the producers: now shown
    answer(log, room, source, 99, 0)
    answer(log, room, target, 99, 1)
    assert split_of(log, target)["segments"][0]["counts"] == [10, 5, 0]


def test_a_segment_of_four_is_hidden_whole() -> None:
    log = Log()
    room, source, target = two_polls(log)
    log.ack(SetSegment(activity=target, by=source, seq=20))
    for d in range(1, 5):  # 4 producers
        answer(log, room, source, d, 0)
        answer(log, room, target, d, 0)
    for d in range(5, 30):  # 25 eaters
        answer(log, room, source, d, 1)
        answer(log, room, target, d, d % 2)
    producers, eaters = split_of(log, target)["segments"]
    assert producers["hidden"] and producers["n"] is None
    assert producers["counts"] == [None, None, None]
    # the only other segment goes too: the total would give the 4 away
    assert eaters["hidden"] and eaters["n"] is None


def test_refusals_change_nothing() -> None:
    log = Log()
    room, source, target = two_polls(log)
    words = log.ack(ActivityNew(room=room, spec={"kind": "words", "prompt": "Un mot"},
                                seq=30))["activity"]
    approval = log.ack(ActivityNew(room=room, spec={
        "kind": "approval", "prompt": "Lesquels ?", "options": OPTIONS}, seq=31))["activity"]
    other = log.ack(CreateRoom(title="Atelier", seq=32))["room"]
    elsewhere = log.ack(ActivityNew(room=other, spec={
        "kind": "choice", "prompt": "?", "options": GROUPS}, seq=33))["activity"]
    before = state_of(log.engine)
    for by, what in [(target, target), (approval, target), (source, words),
                     (elsewhere, target)]:
        with pytest.raises(Conflict):
            log.do(SetSegment(activity=what, by=by, seq=None))
    assert state_of(log.engine) == before
    msg = parse({"t": "segment", "activity": target, "by": source})
    assert isinstance(msg, SetSegment) and msg.by == source
    # an approval poll may be split (by a single choice)
    log.ack(SetSegment(activity=approval, by=source, seq=40))
    assert "split" in log.engine.snapshot(log.engine.activity(approval))
    log.ack(SetSegment(activity=approval, by=None, seq=41))
    assert "split" not in log.engine.snapshot(log.engine.activity(approval))


def test_replay_gives_the_same_split() -> None:
    log = Log()
    room, source, target = two_polls(log)
    rng = random.Random(9)
    for d in range(1, 40):
        answer(log, room, source, d, rng.randrange(2))
    log.ack(SetSegment(activity=target, by=source, seq=20))
    for d in range(1, 40):
        answer(log, room, target, d, rng.randrange(3))
    rebuilt = Engine()
    assert rebuilt.replay(log.events) == len(log.events)
    assert state_of(rebuilt) == state_of(log.engine)
    act = rebuilt.activity(target)
    assert rebuilt.snapshot(act)["split"] == split_of(log, target)


def test_an_opinion_maps_groups_as_segments() -> None:
    log = Log()
    room, opinion = room_with(log, "opinion", statements=["Un four", "En ligne", "Un livreur",
                                                          "La grange", "Une AG par an"])
    target = log.ack(ActivityNew(room=room, spec={"kind": "choice", "prompt": "Un marché ?",
                                                  "options": OPTIONS}, seq=10))["activity"]
    log.ack(Open(activity=opinion, seq=11))
    log.ack(Open(activity=target, seq=12))
    log.ack(SetSegment(activity=target, by=opinion, seq=13))
    # two camps: devices 1-8 agree with the first three statements and vote Oui;
    # devices 9-14 disagree and vote Non; everyone agrees with the last two
    for d in range(1, 15):
        camp = 1 if d <= 8 else -1
        for s in range(5):
            answer(log, room, opinion, d, {"statement": s, "vote": camp if s < 3 else 1})
        answer(log, room, target, d, 0 if camp == 1 else 1)
    engine = log.engine
    groups = engine.snapshot(engine.activity(opinion))["groups"]  # the map, computed
    assert [g["size"] for g in groups] == [8, 6]
    split = split_of(log, target)
    assert split["kind"] == "opinion" and [s["label"] for s in split["segments"]] == ["A", "B"]
    assert [s["n"] for s in split["segments"]] == [8, 6]
    assert split["segments"][0]["counts"] == [8, 0, 0]
    assert split["segments"][1]["counts"] == [0, 6, 0]
    # a device of the small camp changes sides on every statement: at the next map it is
    # in the other group, and the split follows (its vote on the poll stays Non)
    for s in range(3):
        answer(log, room, opinion, 14, {"statement": s, "vote": 1})
    engine.snapshot(engine.activity(opinion))
    split = split_of(log, target)
    assert [s["n"] for s in split["segments"]] == [9, 5]
    # A is 8 Oui and 1 Non: the 1 is hidden with the 8 (the 9 would give it away), then
    # the columns take B's 0 Oui and 5 Non with them ("?, ?, 0" of 5: two unknowns)
    assert split["segments"][0]["counts"] == [None, None, 0]
    assert split["segments"][1]["counts"] == [None, None, 0]
