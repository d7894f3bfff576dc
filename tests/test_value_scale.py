"""The value scale through the engine: pairs per phone, judgments folded per device,
figures equal to an independent computation, refusals, and replay == live."""

from __future__ import annotations

import math
import random
from collections import Counter
from typing import Any

import numpy as np
import pytest

from crowd.activities import value_scale as vs
from crowd.core.engine import Engine
from crowd.core.errors import BadMessage, BadValue
from crowd.core.protocol import ActivityNew, Close, Open, Respond
from crowd.models import ratios
from tests.test_engine import Log, phone, room_with, state_of

ITEMS = ["1 h de plomberie", "1 pain", "1 kg de tomates", "1 Ğ1", "1 €"]


def opened(log: Log, **spec: Any) -> tuple[str, str]:
    room, act = room_with(log, "value_scale", items=ITEMS, reference=1, **spec)
    log.ack(Open(activity=act, seq=3))
    return room, act


def test_a_phone_learns_its_pairs_in_its_welcome() -> None:
    log = Log()
    room, act = room_with(log, "value_scale", items=ITEMS, reference=1, per_phone=4)
    assert log.engine.welcome(phone(room), device="device-1")["pairs"] == {}  # a draft
    log.ack(Open(activity=act, seq=3))
    welcome = log.engine.welcome(phone(room), device="device-1")
    mine = welcome["pairs"][act]
    assert mine == vs.assigned_pairs(act, "device-1", len(ITEMS), 4)
    assert len(mine) == 4 and len({tuple(sorted(p)) for p in mine}) == 4
    assert all(a != b and 0 <= a < 5 and 0 <= b < 5 for a, b in mine)
    other = log.engine.welcome(phone(room, 2), device="device-2")["pairs"][act]
    assert other == vs.assigned_pairs(act, "device-2", len(ITEMS), 4)
    log.ack(Close(activity=act, seq=4))
    assert log.engine.welcome(phone(room), device="device-1")["pairs"] == {}


def test_every_pair_is_in_as_many_windows_and_a_crowd_covers_them_all() -> None:
    k, per_phone = 6, 3
    order = vs.pair_order("ROOM-1", k)
    assert sorted(order) == [(i, j) for i in range(k) for j in range(i + 1, k)]
    assert order == vs.pair_order("ROOM-1", k) != vs.pair_order("ROOM-2", k)
    asked = Counter(tuple(sorted(p)) for d in range(60)
                    for p in vs.assigned_pairs("ROOM-1", f"phone-{d}", k, per_phone))
    assert len(asked) == k * (k - 1) // 2  # 60 phones x 3 pairs cover all 15 pairs
    assert sum(asked.values()) == 180
    # each pair is in exactly per_phone of the m windows (one window per start)
    m = len(order)
    windows = Counter(order[(s + t) % m] for s in range(m) for t in range(per_phone))
    assert set(windows.values()) == {per_phone}


def expected_weights(answers: dict[str, dict[tuple[int, int], float]], k: int,
                     ref: int) -> list[float | None]:
    """Geometric mean per pair of the devices' latest judgments, then least squares by
    numpy.linalg.lstsq on the compared pairs (independent of the tally's running sums)."""
    per_pair: dict[tuple[int, int], list[float]] = {}
    for said in answers.values():
        for pair, r in said.items():
            per_pair.setdefault(pair, []).append(math.log(r))
    pairs = sorted(per_pair)
    design = np.zeros((len(pairs), k))
    y = np.zeros(len(pairs))
    for row, (a, b) in enumerate(pairs):
        design[row, a], design[row, b] = 1.0, -1.0
        y[row] = np.mean(per_pair[(a, b)])
    keep = [c for c in range(k) if c != ref]
    solution, *_ = np.linalg.lstsq(design[:, keep], y, rcond=None)
    v = np.zeros(k)
    v[keep] = solution
    return list(np.exp(v))


def scripted(seed: int, phones: int = 30, rounds: int = 150) -> tuple[Log, str, dict]:
    rng = random.Random(seed)
    log = Log()
    room, act = opened(log)
    truth = [40.0, 1.0, 3.0, 0.8, 1.1]
    answers: dict[str, dict[tuple[int, int], float]] = {}
    seqs: Counter[int] = Counter()
    for _ in range(rounds):
        n = rng.randrange(phones)
        device = f"device-{n}"
        a, b = rng.choice(vs.assigned_pairs(act, device, len(ITEMS), 3))
        r = min(100.0, max(0.01, truth[a] / truth[b] * math.exp(rng.gauss(0, 0.5))))
        seqs[n] += 1
        log.ack(Respond(activity=act, value={"pair": [a, b], "ratio": r}, seq=seqs[n]),
                phone(room, n))
        key, ratio = ((a, b), r) if a < b else ((b, a), 1 / r)
        answers.setdefault(device, {})[key] = ratio  # latest wins, per pair
    return log, act, answers


@pytest.mark.parametrize("seed", [1, 2])
def test_judgments_fold_per_device_and_give_the_least_squares_weights(seed: int) -> None:
    log, act, answers = scripted(seed)
    activity = log.engine.activity(act)
    snap = activity.tally.snapshot()
    assert snap["n"] == len(answers)
    assert snap["judgments"] == sum(len(s) for s in answers.values())
    assert snap["weights"] == pytest.approx(expected_weights(answers, len(ITEMS), 1))
    assert snap["weights"][1] == 1.0 and snap["reference"] == 1
    for w, lo, hi in zip(snap["weights"], snap["low"], snap["high"], strict=True):
        assert lo <= w * 1.000001 and w <= hi * 1.000001
    # what the engine holds for one device: its latest judgment of each pair
    device, said = next(iter(answers.items()))
    assert activity.responses[device] == {"answers": sorted(
        [a, b, pytest.approx(r)] for (a, b), r in said.items())}
    frame = log.engine.collect_frames()[0].message
    assert frame["chart"]["items"]["label"] == ITEMS  # one row each, the animator's order
    assert frame["chart"]["items"]["y"] == [5, 4, 3, 2, 1]


@pytest.mark.parametrize("seed", [1, 2])
def test_replay_equals_live(seed: int) -> None:
    live, _, _ = scripted(seed)
    rebuilt = Engine()
    rebuilt.replay(live.events)
    assert state_of(rebuilt) == state_of(live.engine)


def test_a_large_scale_refreshes_its_intervals_every_twentieth() -> None:
    """The intervals come from a copy of the judgments refreshed when 5 % of them changed:
    the same live and at replay, and never more than 5 % behind the answers."""
    rng = random.Random(5)
    log = Log()
    room, act = opened(log, per_phone=4)
    tally = log.engine.activity(act).tally
    copies = []
    for n in range(400):
        for seq, (a, b) in enumerate(vs.assigned_pairs(act, f"device-{n}", 5, 4), start=1):
            log.ack(Respond(activity=act, value={"pair": [a, b], "ratio": math.exp(
                rng.gauss(0, 1))}, seq=seq), phone(room, n))
            copies.append(tally._freezes)
            assert tally._since < max(1, vs.REFRESH_SHARE * tally.judgments)
    # every answer while small, then rarer: about 20 ln(n / 20) + 20 copies for n
    assert copies[19] == 20 and copies[-1] <= 20 * math.log(1600 / 20) + 21
    live = tally.snapshot()
    rebuilt = Engine()
    rebuilt.replay(log.events)
    assert rebuilt.activity(act).tally.snapshot() == live
    assert all(x is not None for x in live["low"])


@pytest.mark.parametrize("bad", [
    {"pair": [0, 0], "ratio": 2}, {"pair": [0, 9], "ratio": 2}, {"pair": [0, 1], "ratio": 0},
    {"pair": [0, 1], "ratio": 1000}, {"pair": [0, 1], "ratio": "2"}, {"pair": [0], "ratio": 2},
    {"pair": [True, 1], "ratio": 2}, {"pair": [0, 1]}, {"pair": [0, 1], "ratio": math.inf},
    {"pair": [0, 1], "ratio": 2, "extra": 1}, [0, 1, 2], 3,
])
def test_bad_answers_change_nothing(bad: Any) -> None:
    log = Log()
    room, act = opened(log)
    log.ack(Respond(activity=act, value={"pair": [2, 1], "ratio": 3}, seq=1), phone(room))
    before = state_of(log.engine)
    with pytest.raises(BadValue):
        log.do(Respond(activity=act, value=bad, seq=2), phone(room))
    assert state_of(log.engine) == before


def test_a_pair_answered_either_way_is_the_same_judgment() -> None:
    log = Log()
    room, act = opened(log)
    log.ack(Respond(activity=act, value={"pair": [2, 1], "ratio": 4}, seq=1), phone(room, 1))
    log.ack(Respond(activity=act, value={"pair": [1, 2], "ratio": 0.25}, seq=1), phone(room, 2))
    snap = log.engine.activity(act).tally.snapshot()
    assert snap["weights"][2] == pytest.approx(4.0) and snap["pairs_compared"] == 1
    assert snap["weights"][0] is None and snap["linked"][0] is False  # not compared yet
    assert snap["inconsistency"] == 0.0 and snap["contradiction"] is None
    assert snap["low"][2] == pytest.approx(4.0) == snap["high"][2]


def test_the_crowd_contradicting_itself_is_named() -> None:
    log = Log()
    room, act = opened(log)
    said = [((0, 1), 10.0), ((1, 2), 2.0), ((0, 2), 1.0), ((2, 3), 1.0), ((1, 3), 2.0)]
    for n, (pair, r) in enumerate(said):
        log.ack(Respond(activity=act, value={"pair": list(pair), "ratio": r}, seq=1),
                phone(room, n))
    snap = log.engine.activity(act).tally.snapshot()
    assert snap["level"] in {"hesitant", "contradictory"}
    f = ratios.fit(5, [0, 1, 0, 2, 1], [1, 2, 2, 3, 3], np.log([r for _, r in said]), 1)
    worst = said[f.contradiction][0]
    assert snap["contradiction"]["pair"] == list(worst)
    chart = log.engine.activity(act).tally.chart(snap)
    assert chart["notes"]["others"][0].startswith("les autres paires disent")
    assert chart["notes"]["contradiction"][0].startswith(ITEMS[worst[0]] + " = ")
    assert "1 €" in chart["notes"]["apart"][0]  # never compared: said, not placed


def test_bad_specs_are_refused() -> None:
    log = Log()
    room, _ = room_with(log)
    for spec in ({"items": ["a"]}, {"items": ["a", "b"], "reference": 2},
                 {"items": ["a", "a"]}, {"items": ["a", "b"], "per_phone": 0},
                 {"items": [f"x{i}" for i in range(vs.MAX_ITEMS + 1)]}):
        with pytest.raises(BadMessage):
            log.do(ActivityNew(room=room, spec={"kind": "value_scale", "prompt": "?", **spec},
                               seq=9))


def test_french_numbers() -> None:
    assert vs.french_number(24.0) == "24" and vs.french_number(1.0) == "1"
    assert vs.french_number(2.04) == "2"
    assert vs.french_number(2.345) == "2,3"
    assert vs.french_number(0.0123) == "0,012"
    assert vs.french_number(12345.0) == "12\u202f345"


def test_the_simulated_crowd_answers_pairs_the_kind_accepts() -> None:
    """`crowd demo`'s phones: a few pairs each, accepted as they are, and a room that
    roughly agrees with itself (shared values seen through personal noise)."""
    from crowd.activities import activity_type
    from crowd.clients.swarm.behaviours import plan_answers
    from crowd.clients.swarm.crowd_model import CrowdModel

    kind = activity_type("value_scale")
    spec = kind.normalize_spec({"kind": "value_scale", "prompt": "?", "items": ITEMS,
                                "reference": 1})
    activity = {"id": "ROOM-6", **spec}
    tally = kind.new_tally(spec)
    model = CrowdModel(seed=3)
    answered = 0
    for phone_index in range(200):
        merged = None
        plan = plan_answers(model, phone_index, activity)
        assert len(plan) <= spec["per_phone"]
        for action in plan:
            value = kind.validate(spec, action.value)
            stored = kind.merge(merged, value)  # as Activity.set_response
            tally.respond(f"phone-{phone_index}", merged, stored, value)
            merged = stored
        answered += merged is not None
    snap = tally.snapshot()
    assert snap["n"] == answered > 150 and snap["pairs_compared"] == 10
    assert snap["level"] in {"coherent", "fair"}
    again = [a.value for a in plan_answers(CrowdModel(seed=3), 7, activity)]
    assert again == [a.value for a in plan_answers(model, 7, activity)]  # seeded
