"""Gesture kinds and the estimate influence round, in the engine, against the batch models."""

from __future__ import annotations

import math
import random
from typing import Any

import numpy as np
import pytest

from crowd.activities.estimate import InfluenceRound, SetTruth
from crowd.core.engine import Engine, Peer
from crowd.core.errors import BadMessage, BadValue, Conflict
from crowd.core.protocol import ActivityNew, Close, CreateRoom, Open, Respond
from crowd.core.types import Role
from crowd.models import budget, camps, circular, estimates, influence, phantoms, scales
from crowd.views import report

PANEL = Peer(Role.PANEL, "panel")


class Room:
    def __init__(self) -> None:
        self.engine = Engine(random.Random(3))
        self.seq = 0
        self.code = self.ack(CreateRoom(title="Gestes"))["room"]

    def ack(self, msg: Any, peer: Peer = PANEL, now: float = 0.0) -> dict[str, Any]:
        if msg.seq is None:
            self.seq += 1
            object.__setattr__(msg, "seq", self.seq)
        step = self.engine.handle(msg, peer, now)
        return next(m for _, m in step.sends if m["t"] == "ack")

    def activity(self, **spec: Any) -> str:
        act = self.ack(ActivityNew(room=self.code, spec={"prompt": "?", **spec}))["activity"]
        self.ack(Open(activity=act))
        return act

    def answer(self, act: str, device: int, value: Any, now: float = 0.0) -> None:
        self.seq += 1  # one counter for every client keeps each client's seqs increasing
        self.ack(Respond(activity=act, value=value, seq=self.seq),
                 Peer(Role.PHONE, f"d{device}", self.code), now)

    def snap(self, act: str) -> dict[str, Any]:
        return self.engine.activity(act).tally.snapshot()


def test_temperature_matches_the_batch_model_and_refuses_bad_values() -> None:
    room = Room()
    act = room.activity(kind="temperature", left="contre", right="pour")
    rng = random.Random(5)
    values = [max(-1.0, min(1.0, rng.choice([-0.7, 0.7]) + rng.gauss(0, 0.15)))
              for _ in range(300)]
    for device, value in enumerate(values):
        room.answer(act, device, value)
    for device in range(0, 300, 3):  # a third of the room moves: latest wins
        values[device] = 0.0
        room.answer(act, device, 0.0, now=1.0)
    snap = room.snap(act)
    batch = scales.summarize([round(v, 4) for v in values])
    assert snap["n"] == 300
    assert snap["mean"] == pytest.approx(batch.mean, abs=1e-3)
    assert snap["std"] == pytest.approx(batch.std, abs=1e-3)
    assert sum(snap["histogram"]) == 300
    assert len(snap["density"]) == 81 and max(snap["density"]) > 0
    for bad in (1.5, -1.01, float("nan"), float("inf"), "0.5", [0.1], True):
        with pytest.raises(BadValue):
            room.answer(act, 999, bad)
    assert room.snap(act)["n"] == 300


def test_temperature_polarisation_tells_split_from_consensus() -> None:
    room = Room()
    split = room.activity(kind="temperature")
    agree = room.activity(kind="temperature")
    rng = random.Random(11)
    for device in range(100):
        room.answer(split, device, -0.9 if device % 2 else 0.9)
        room.answer(agree, device, 0.3 + rng.gauss(0, 0.05))  # one bell-shaped camp
    assert room.snap(split)["polarisation"] > 0.9 and room.snap(split)["bimodal"]
    assert room.snap(agree)["polarisation"] < 0.1 and not room.snap(agree)["bimodal"]


def test_temperature_near_unanimous_room_keeps_its_digits() -> None:
    # Issue input: 180 answers at -1.0 and 20 at -0.9995 (BC 0.98817, see
    # tests/models/test_scales.py); float power sums gave -0.507. No split is shown.
    room = Room()
    act = room.activity(kind="temperature")
    for device, value in enumerate([-1.0] * 180 + [-0.9995] * 20):
        room.answer(act, device, value)
    snap = room.snap(act)
    assert snap["bimodality"] == pytest.approx(0.9882, abs=1e-4)
    assert snap["bimodal"] is False and snap["camps"] == 0.0
    assert snap["pole_low"] == 1.0 and snap["pole_high"] == 0.0


def test_temperature_flag_ignores_invisible_differences() -> None:
    # Issue input: 99 answers at +1.0 and one at 0.95 gave BC 0.98 and "bimodal".
    room = Room()
    act = room.activity(kind="temperature")
    for device, value in enumerate([1.0] * 99 + [0.95]):
        room.answer(act, device, value)
    snap = room.snap(act)
    assert snap["bimodality"] > 5 / 9 and snap["bimodal"] is False


def test_temperature_pole_shares_are_exact_as_people_move() -> None:
    room = Room()
    act = room.activity(kind="temperature")
    rng = random.Random(8)
    values = [round(rng.uniform(-1, 1), 4) for _ in range(120)]
    values[:3] = [-0.5, 0.5, 0.5001]  # the poles themselves count for neither side
    for device, value in enumerate(values):
        room.answer(act, device, value)
    for device in range(0, 120, 4):
        values[device] = round(rng.uniform(-1, 1), 4)
        room.answer(act, device, values[device], now=2.0)
    snap = room.snap(act)
    tally = room.engine.activity(act).tally
    assert tally.coarse == list(camps.coarsen(tally.acc.counts, scales.bin_centers(41))[0])
    low, high = camps.pole_shares(values)
    assert (snap["pole_low"], snap["pole_high"]) == (round(low, 4), round(high, 4))


def test_temperature_trend_shows_a_room_splitting_around_a_steady_mean() -> None:
    # Minute 0: everybody mild (around 0); then, minute by minute, pairs leave for the two
    # ends. The mean stays at 0 while the camps indicator and the pole shares rise.
    room = Room()
    act = room.activity(kind="temperature")
    for device in range(40):
        room.answer(act, device, 0.05 if device % 2 else -0.05, now=device / 10)
    for minute in range(1, 5):
        for device in range(10 * (minute - 1), 10 * minute):
            room.answer(act, device, 0.9 if device % 2 else -0.9,
                        now=60.0 * minute + 5 * (device // 2 % 5))  # a pair per step
    trend = room.snap(act)["trend"]
    assert all(abs(m) < 1e-9 for m in trend["mean"])
    assert trend["camps"] == sorted(trend["camps"]) and trend["camps"][-1] > 0.9
    assert trend["camps"][0] == 0.0
    assert trend["pole_high"][-1] == 0.5
    assert room.snap(act)["bimodal"] is True


def test_temperature_flag_replays_identically() -> None:
    room = Room()
    sink: list[Any] = []
    original = room.engine.handle

    def handle(msg: Any, peer: Peer, now: float) -> Any:
        step = original(msg, peer, now)
        sink.extend(step.events)
        return step

    room.engine.handle = handle  # type: ignore[method-assign]
    room.code = room.ack(CreateRoom(title="R"))["room"]
    act = room.activity(kind="temperature")
    rng = random.Random(4)
    for i in range(300):  # a room drifting in and out of two camps
        camp = rng.choice([-0.7, 0.7]) if (i // 60) % 2 else rng.gauss(0, 0.3)
        room.answer(act, rng.randrange(80), max(-1.0, min(1.0, camp)), now=float(i))
    rebuilt = Engine()
    rebuilt.replay(sink)
    assert rebuilt.activity(act).tally.snapshot() == room.snap(act)


def test_temperature_trend_follows_time() -> None:
    room = Room()
    act = room.activity(kind="temperature")
    for minute in range(4):
        for device in range(10):
            room.answer(act, device, -0.5 + minute * 0.3, now=60.0 * minute + device)
    trend = room.snap(act)["trend"]
    assert len(trend["t"]) >= 4
    assert trend["mean"] == sorted(trend["mean"])  # the room warmed up minute by minute
    assert trend["mean"][-1] == pytest.approx(0.4, abs=1e-6)


def test_weighting_budget_and_shares() -> None:
    room = Room()
    act = room.activity(kind="weighting", options=["pain", "fromage", "vin"], budget=10)
    allocations = [[5, 3, 2], [10, 0, 0], [2, 2, 2], [0, 0, 10]]
    for device, allocation in enumerate(allocations):
        room.answer(act, device, allocation)
    snap = room.snap(act)
    batch = budget.summarize(allocations, 10)
    assert snap["mean_shares"] == pytest.approx(list(batch.mean_shares), abs=1e-4)
    assert snap["ranking"] == list(batch.ranking)
    # the truthful aggregate next to the mean: the one who kept 4 points of 10 adds an
    # "unspent" option, as in the batch model on complete divisions
    complete = [[x / 10 for x in a] + [1 - sum(a) / 10] for a in allocations]
    truthful = phantoms.independent_markets(complete)
    assert truthful is not None
    assert snap["truthful_shares"] == pytest.approx(list(truthful.shares[:3]), abs=1e-4)
    assert snap["truthful_unspent"] == pytest.approx(truthful.shares[3], abs=1e-4)
    for bad in ([5, 5, 1], [-1, 5, 5], [1, 2], [1, 2, float("nan")], "5,3,2", [1, 2, "3"]):
        with pytest.raises(BadValue):
            room.answer(act, 99, bad)
    with pytest.raises(BadMessage):
        room.activity(kind="weighting", options=["a", "b"], budget=0)


def test_orientation_normalises_angles_and_matches_scipy() -> None:
    room = Room()
    act = room.activity(kind="orientation",
                        options=[{"label": "bar", "angle": 450}, {"label": "scène", "angle": 0}])
    assert room.engine.activity(act).spec["options"][0]["angle"] == 90
    angles = [350, 10, 20, 370, -15, 5]
    for device, angle in enumerate(angles):
        room.answer(act, device, {"angle": angle, "strength": 1})
    snap = room.snap(act)
    expected = math.degrees(float(np.angle(np.exp(1j * np.radians(angles)).mean()))) % 360
    assert snap["mean_deg"] == pytest.approx(expected, abs=0.01)
    batch = circular.summarize(angles)
    assert snap["resultant_length"] == pytest.approx(batch.resultant_length, abs=1e-4)
    assert snap["rayleigh_p"] < 0.05 and snap["verdict"] == "la foule s'accorde"
    for bad in ({"angle": float("nan")}, {"angle": 10, "strength": 2}, {"strength": 1},
                "north", {"angle": "10"}):
        with pytest.raises(BadValue):
            room.answer(act, 99, bad)


def test_orientation_without_common_direction() -> None:
    room = Room()
    act = room.activity(kind="orientation")
    for device, angle in enumerate(range(0, 360, 30)):
        room.answer(act, device, angle)  # a bare number is an angle at full strength
    snap = room.snap(act)
    assert snap["resultant_length"] < 0.01 and snap["verdict"] == "pas de direction commune"


def test_orientation_two_exits_read_as_two_directions_whatever_the_strengths() -> None:
    room = Room()
    act = room.activity(kind="orientation")
    rng = random.Random(9)
    for device in range(120):
        exit_ = 90 if device % 2 else 270
        room.answer(act, device, {"angle": (exit_ + rng.gauss(0, 12)) % 360,
                                  "strength": rng.choice([0.1, 0.5, 1.0])})
    snap = room.snap(act)
    assert snap["verdict_code"] == "two" and snap["verdict"] == "deux directions"
    assert snap["resultant_length"] < 0.2 and snap["arc_deg"] is None
    assert sorted(round(lobe["mean_deg"] / 90) for lobe in snap["lobes"]) == [1, 3]
    assert sum(snap["rose_counts"]) == 120 and snap["rose_test"]["p"] < 0.001
    # The printed report says the same as the projector, in both languages.
    act_doc = {"kind": "orientation", "snapshot": snap}
    assert report._sentence(act_doc, "fr") == "deux directions"
    assert report._sentence(act_doc, "en") == "two directions"


def test_orientation_agreement_needs_a_tight_rose_and_reports_its_arc() -> None:
    room = Room()
    act = room.activity(kind="orientation")
    rng = random.Random(10)
    angles = [(30 + rng.gauss(0, 25)) % 360 for _ in range(40)]
    strengths = [rng.random() for _ in angles]
    for device, (angle, strength) in enumerate(zip(angles, strengths, strict=True)):
        room.answer(act, device, {"angle": angle, "strength": strength})
    snap = room.snap(act)
    batch = circular.summarize([round(a, 2) for a in angles])  # unweighted: agreement
    assert snap["verdict_code"] == "agree"
    assert report._sentence({"kind": "orientation", "snapshot": snap}, "en").startswith(
        "mean direction")
    assert snap["resultant_length"] == pytest.approx(batch.resultant_length, abs=1e-4)
    assert snap["arc_deg"] == pytest.approx(batch.arc_deg, abs=1e-2)
    # the mean vector: sum of strength-weighted unit vectors over n (agreement x conviction)
    vec = sum(round(s, 3) * np.exp(1j * np.radians(round(a, 2)))
              for a, s in zip(angles, strengths, strict=True)) / len(angles)
    assert snap["mean_vector"]["length"] == pytest.approx(abs(vec), abs=1e-4)


def test_orientation_with_a_true_bearing_reports_the_v_test_and_the_compass_theorem() -> None:
    # "Point to the town hall", which lies at 10 degrees; the arrows 10, 350, 0 and 0
    # give u = 2.80694 and p = 0.00250 towards 0 (tests/models/test_orientation.py).
    room = Room()
    act = room.activity(kind="orientation")
    angles = [10, 350, 0, 0]
    for device, angle in enumerate(angles):
        room.answer(act, device, angle)
    assert room.snap(act)["v_test"] is None
    room.ack(SetTruth(activity=act, value=360))  # any angle: normalised to 0
    snap = room.snap(act)
    assert snap["truth"] == 0.0
    assert snap["v_test"]["u"] == pytest.approx(2.8069, abs=1e-4)
    assert snap["v_test"]["p"] == pytest.approx(0.0025, abs=1e-4)
    # mean(1 - cos(theta_i - T)) = (1 - cos 10) / 2 = 0.0075961; the crowd's mean points
    # exactly at T, so the collective error is 0 and diversity is all of it.
    compass = snap["compass"]
    assert compass["average_error"] == pytest.approx((1 - math.cos(math.radians(10))) / 2,
                                                     abs=1e-4)
    assert compass["collective_error"] == pytest.approx(0.0, abs=1e-4)
    assert compass["diversity"] == pytest.approx(compass["average_error"], abs=1e-4)
    with pytest.raises(BadValue):
        room.ack(SetTruth(activity=act, value=float("inf")))
    temp = room.activity(kind="temperature")
    with pytest.raises(Conflict):
        room.ack(SetTruth(activity=temp, value=0.5))


def test_influence_round_links_rounds_and_measures_the_shift() -> None:
    room = Room()
    first = room.activity(kind="estimate", unit="lb")
    guesses = [900, 1100, 1200, 1300, 1500, 2500, 3000]
    for device, guess in enumerate(guesses):
        room.answer(first, device, guess)
    second = room.ack(InfluenceRound(activity=first))["activity"]
    assert room.engine.activity(first).state.value == "closed"
    spec = room.engine.activity(second).spec
    assert spec["round"] == 2 and spec["previous"] == first
    assert spec["social"]["median"] == 1300
    revised = [1200, 1250, 1300, 1300, 1400, 1800, 2000]
    for device, guess in enumerate(revised):
        room.answer(second, device, guess, now=5.0)
    room.ack(SetTruth(activity=second, value=1355))
    snap = room.snap(second)
    expected = estimates.influence(guesses, revised, 1355)
    assert snap["round"] == 2 and snap["round1"]["median"] == 1300
    assert snap["influence"]["shift"] == expected.shift == 0
    assert snap["influence"]["spread_change"] == pytest.approx(expected.spread_change)
    assert snap["influence"]["spread_change"] < 0  # the crowd narrowed
    assert room.snap(first)["truth"] == 1355
    assert sum(snap["counts"]) == 7 and sum(snap["round1"]["counts"]) == 7
    with pytest.raises(Conflict):
        room.ack(InfluenceRound(activity=second))
    with pytest.raises(Conflict, match="already"):
        room.ack(InfluenceRound(activity=first))  # one second round per estimate
    choice = room.activity(kind="choice", options=["a", "b"])
    with pytest.raises(Conflict):
        room.ack(SetTruth(activity=choice, value=1))


def test_influence_round_pairs_the_devices_that_answered_both_rounds() -> None:
    room = Room()
    first = room.activity(kind="estimate", unit="lb")
    guesses = [900, 1100, 1200, 1300, 1500, 2500, 3000]  # the crowd's median: 1,300
    for device, guess in enumerate(guesses):
        room.answer(first, device, guess)
    second = room.ack(InfluenceRound(activity=first))["activity"]
    room.answer(second, 0, 2000, now=5.0)  # changes its mind twice: the latest counts
    room.answer(second, 0, 900, now=6.0)  # kept (S = 0)
    room.answer(second, 1, 1300, now=6.0)  # adopted (S = 1)
    room.answer(second, 5, round(math.sqrt(2500 * 1300), 4), now=6.0)  # half-way in logs
    room.answer(second, 6, 1000, now=6.0)  # overshoot: (ln 1000 - ln 3000)/(ln 1300 - ln 3000)
    room.answer(second, 99, 1355, now=6.0)  # a newcomer has no first estimate: not paired
    room.ack(SetTruth(activity=second, value=1355))
    paired = room.snap(second)["paired"]
    assert paired["n"] == 4 and paired["shown"] == 1300
    assert (paired["keep"], paired["adopt"], paired["compromise"], paired["overshoot"]) == (
        0.25, 0.25, 0.25, 0.25)
    before = influence.diversity_theorem([900, 1100, 2500, 3000], 1355)
    after = influence.diversity_theorem([900, 1300, math.sqrt(2500 * 1300), 1000], 1355)
    assert before is not None and after is not None
    assert paired["before"]["average_error"] == pytest.approx(before.average_error)
    assert paired["after"]["collective_error"] == pytest.approx(after.collective_error,
                                                                rel=1e-6)
    assert paired["closer"] == 0.75  # all but the one who kept 900
    centres = room.snap(second)["centres"]
    assert centres["median"]["log_error"] == pytest.approx(
        math.log(np.median([900, 1300, math.sqrt(2500 * 1300), 1000, 1355]) / 1355), rel=1e-6)


def test_influence_round_replays_identically() -> None:
    room = Room()
    room.engine = Engine(random.Random(3))
    # rebuild with an event sink: run the same story through handle and keep the events
    sink: list[Any] = []
    original = room.engine.handle

    def handle(msg: Any, peer: Peer, now: float) -> Any:
        step = original(msg, peer, now)
        sink.extend(step.events)
        return step

    room.engine.handle = handle  # type: ignore[method-assign]
    room.code = room.ack(CreateRoom(title="R"))["room"]
    first = room.activity(kind="estimate")
    for device in range(20):
        room.answer(first, device, 100 + device)
    second = room.ack(InfluenceRound(activity=first))["activity"]
    for device in range(20):
        room.answer(second, device, 110 + device / 2, now=2.0)
    room.ack(SetTruth(activity=first, value=112))
    room.ack(Close(activity=second))
    rebuilt = Engine()
    rebuilt.replay(sink)
    assert rebuilt.activity(second).tally.snapshot() == room.snap(second)
    assert rebuilt.activity(second).tally.snapshot()["truth"] == 112


def test_estimate_log_scale_when_answers_span_decades() -> None:
    room = Room()
    act = room.activity(kind="estimate")
    for device, guess in enumerate([3, 30, 300, 3000, 30000, 12, 120, 1200, 12000]):
        room.answer(act, device, guess)
    snap = room.snap(act)
    assert snap["log"] is True
    ratios = {round(snap["edges"][i + 1] / snap["edges"][i], 6) for i in range(3)}
    assert len(ratios) == 1  # evenly spaced in log
