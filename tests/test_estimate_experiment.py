"""The influence round as an experiment through the engine: confidence ratings with the
estimates, and devices split at random into arms that replay identically."""

from __future__ import annotations

import random
from typing import Any

import pytest

from crowd.activities.estimate import MESSAGES, InfluenceRound, SetTruth, arm_of
from crowd.core import visibility
from crowd.core.engine import Engine, Peer
from crowd.core.errors import BadMessage, BadValue
from crowd.core.protocol import Close, CreateRoom
from crowd.models import experiment, influence
from tests.test_gestures import Room


def test_confidence_rides_with_the_estimate_and_shows_the_confidence_effect() -> None:
    room = Room()
    first = room.activity(kind="estimate", unit="kg", confidence=True)
    for device, (x, c) in enumerate([(80, 3), (100, 3), (100, 4), (200, 2)]):
        room.answer(first, device, {"value": x, "confidence": c})
    room.answer(first, 4, 150)  # the rating is optional: a plain number still counts
    snap = room.snap(first)
    assert snap["n"] == 5 and snap["median"] == 100
    # refused, and nothing changes: a rating out of 1-6, a stray field, a nested value
    for bad in ({"value": 90, "confidence": 7}, {"value": 90, "confidence": 2.5},
                {"value": 90, "confidence": True}, {"value": 90, "confidence": 3, "x": 1},
                {"value": {"value": 9, "confidence": 1}, "confidence": 3}):
        with pytest.raises(BadValue):
            room.answer(first, 9, bad)
    assert room.snap(first) == snap
    second = room.ack(InfluenceRound(activity=first))["activity"]
    for device, (x, c) in enumerate([(80, 4), (141, 5), (100, 5), (100, 3)]):
        room.answer(second, device, {"value": x, "confidence": c}, now=2.0)
    room.answer(second, 4, 120, now=2.0)  # unrated in both rounds: not in the effect
    room.ack(SetTruth(activity=second, value=120))
    conf = room.snap(second)["paired"]["confidence"]
    # by hand: 3,3,4,2 -> 4,5,5,3 (devices 0-3); medians of their estimates 100 -> 100
    assert (conf["n"], conf["before"], conf["after"], conf["change"]) == (4, 3.0, 4.25, 1.25)
    assert conf["interval"]["low"] >= 1.0 and conf["crowd_closer"] is False
    assert conf["effect"] is True


def test_a_rating_is_refused_where_the_activity_asks_none() -> None:
    room = Room()
    act = room.activity(kind="estimate")
    with pytest.raises(BadValue):
        room.answer(act, 0, {"value": 10, "confidence": 3})
    assert room.snap(act)["n"] == 0
    assert "confidence" not in room.engine.activity(act).spec  # older specs unchanged


def test_arms_are_checked() -> None:
    for arms in (["median"], ["median", "median"], ["median", "others"], "median", [1, 2]):
        with pytest.raises(BadMessage):
            MESSAGES["influence_round"]({"t": "influence_round", "activity": "a1", "seq": 1,
                                         "arms": arms})


def story() -> tuple[Room, str, str, list[Any]]:
    """200 devices, split in two arms; the informed move half-way to the median in logs,
    the others keep their estimate. Returns the room, both rounds and the events."""
    room = Room()
    sink: list[Any] = []
    room.engine = Engine(random.Random(3))
    original = room.engine.handle

    def handle(msg: Any, peer: Peer, now: float) -> Any:
        step = original(msg, peer, now)
        sink.extend(step.events)
        return step

    room.engine.handle = handle  # type: ignore[method-assign]
    room.code = room.ack(CreateRoom(title="Bras"))["room"]
    first = room.activity(kind="estimate")
    rng = random.Random(11)
    guesses = {d: round(100 * 2 ** rng.uniform(-2, 2), 2) for d in range(200)}
    for d, g in guesses.items():
        room.answer(first, d, g)
    second = room.ack(InfluenceRound(activity=first, arms=("median", "none")))["activity"]
    shown = room.snap(first)["median"]
    for d, g in guesses.items():
        arm = arm_of(first, f"d{d}", ["median", "none"])
        room.answer(second, d, round((g * shown) ** 0.5, 4) if arm == "median" else g, now=2.0)
    return room, first, second, sink


def test_arms_split_the_devices_and_only_the_informed_arm_has_a_sensitivity() -> None:
    room, first, second, _ = story()
    spec = room.engine.activity(second).spec
    assert spec["arms"] == ["median", "none"] and spec["previous"] == first
    arms = {d: arm_of(first, f"d{d}", spec["arms"]) for d in range(200)}
    informed = sum(a == "median" for a in arms.values())
    assert 70 <= informed <= 130  # binomial(200, 1/2): far inside 5 sigma
    paired = room.snap(second)["paired"]
    assert paired["arms"]["n"] == [informed, 200 - informed]
    assert paired["arms"]["results"] is None  # no truth yet: no improvement claimed
    # S on the informed arm only: all of them moved half-way (the control kept: S = 0)
    assert paired["n"] == informed and paired["compromise"] == pytest.approx(
        1.0, abs=2 / informed)
    assert paired["keep"] == 0.0
    room.ack(SetTruth(activity=second, value=150))
    res = room.snap(second)["paired"]["arms"]
    first_values = room.engine.activity(first).responses
    second_values = room.engine.activity(second).responses
    split = {name: ([first_values[d] for d in sorted(second_values) if arms[int(d[1:])] == name],
                    [second_values[d] for d in sorted(second_values) if arms[int(d[1:])] == name])
             for name in ("median", "none")}
    results, diff = experiment.arm_results(split, 150)
    assert [r["improvement"] for r in res["results"]] == pytest.approx(
        [r.improvement for r in results])
    assert res["results"][1]["improvement"] == 0.0  # the control did not move
    assert res["difference"]["value"] == pytest.approx(diff.value if diff else None)
    low, high = res["difference"]["interval"]["low"], res["difference"]["interval"]["high"]
    assert low <= res["difference"]["value"] <= high
    # sensitivity figures agree with the model on the informed arm alone
    assert paired["s_median"] == pytest.approx(influence.paired_influence(
        split["median"][0], split["median"][1], room.snap(first)["median"]).s_median)


def test_an_experiments_figures_wait_for_the_close_on_the_projector() -> None:
    """Round 1's median on the big screen would inform the arm shown nothing: a second
    round split into arms shows its figures after the close; without arms, live."""
    room, _, second, _ = story()
    assert room.engine.activity(second).spec["results"] == "after_close"
    act = room.engine.activity(second)
    assert not visibility.figures_shown(act)
    plain = room.activity(kind="estimate")
    room.answer(plain, 1, 40.0)
    again = room.ack(InfluenceRound(activity=plain))["activity"]
    assert visibility.figures_shown(room.engine.activity(again))
    room.ack(Close(activity=second))
    assert visibility.figures_shown(act)


def test_arms_replay_identically() -> None:
    room, _, second, sink = story()
    room.ack(SetTruth(activity=second, value=150))
    room.ack(Close(activity=second))
    rebuilt = Engine()
    rebuilt.replay(sink)
    assert rebuilt.activity(second).tally.snapshot() == room.snap(second)
