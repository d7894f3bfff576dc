"""A choice poll that also asks for predicted shares, through the engine: the choice
contract unchanged, predictions folded per device (latest wins), refusals that change
nothing, the verdict equal to the model on the stored answers, and replay == live."""

from __future__ import annotations

import pytest

from crowd.core.engine import Engine
from crowd.core.errors import BadValue
from crowd.core.protocol import Open, Respond
from crowd.models.surprise import surprisingly_popular
from tests.test_engine import Log, phone, room_with, state_of

OPTIONS = ["Philadelphie", "Harrisburg", "Pittsburgh"]


def opened(log: Log, **spec: object) -> tuple[str, str]:
    room, act = room_with(log, "choice", options=OPTIONS, **spec)
    log.ack(Open(activity=act, seq=3))
    return room, act


def answer(log: Log, room: str, act: str, n: int, value: object) -> None:
    log.do(Respond(activity=act, value=value, seq=n), phone(room, n))


def test_the_spec_option_is_kept_only_when_asked_and_only_for_choice() -> None:
    log = Log()
    _, plain = room_with(log, "choice", options=OPTIONS)
    assert "predict" not in log.engine.activity(plain).spec  # old specs stay the same
    log2 = Log()
    _, asked = room_with(log2, "choice", options=OPTIONS, predict=True)
    assert log2.engine.activity(asked).spec["predict"] is True
    log3 = Log()
    _, approval = room_with(log3, "approval", options=OPTIONS, predict=True)
    assert "predict" not in log3.engine.activity(approval).spec


def test_answers_with_and_without_predictions_count_and_the_verdict_is_the_models() -> None:
    log = Log()
    room, act = opened(log, predict=True)
    # 12 phones say Philadelphie expecting it to win; 8 say Harrisburg knowing the room
    # will not; 3 old clients send a bare index (no prediction).
    for n in range(1, 13):
        answer(log, room, act, n, {"choice": 0, "predicted": [90, 5, 5]})
    for n in range(13, 21):
        answer(log, room, act, n, {"choice": 1, "predicted": [70, 25, 5]})
    for n in range(21, 24):
        answer(log, room, act, n, 2)
    snap = log.engine.snapshot(log.engine.activity(act))
    assert snap["n"] == 23 and snap["counts"] == [12, 8, 3]
    s = snap["surprise"]
    assert s["n"] == 20  # the bare indices count for the majority, not for the surprise
    stored = log.engine.activity(act).responses
    predicted = [v for v in stored.values() if isinstance(v, dict)]
    model = surprisingly_popular([v["choice"] for v in predicted],
                                 [[p / 100 for p in v["predicted"]] for v in predicted], 3)
    assert s["excess"] == pytest.approx(model.excess, abs=1e-4)
    assert s["answer"] == model.answer == 1 and s["reason"] == "supported"
    assert s["predicted"][1] == pytest.approx((12 * 0.05 + 8 * 0.25) / 20)
    assert snap["margin"]["leaders"] == [0]  # the majority is still Philadelphie


def test_a_changed_answer_replaces_the_previous_prediction() -> None:
    log = Log()
    room, act = opened(log, predict=True)
    answer(log, room, act, 1, {"choice": 0, "predicted": [50, 50, 0]})
    log.do(Respond(activity=act, value={"choice": 2, "predicted": [0, 0, 100]}, seq=2),
           phone(room, 1))
    snap = log.engine.snapshot(log.engine.activity(act))
    assert snap["counts"] == [0, 0, 1]
    assert snap["surprise"]["n"] == 1 and snap["surprise"]["predicted"] == [0.0, 0.0, 1.0]
    log.do(Respond(activity=act, value=1, seq=3), phone(room, 1))  # now no prediction
    snap = log.engine.snapshot(log.engine.activity(act))
    assert snap["counts"] == [0, 1, 0] and snap["surprise"]["n"] == 0


@pytest.mark.parametrize("value", [
    {"choice": 0, "predicted": [50, 50]},  # one per option
    {"choice": 0, "predicted": [50, 40, 5]},  # 95, not 100
    {"choice": 3, "predicted": [50, 50, 0]},  # no such option
    {"choice": 0, "predicted": [50.5, 49.5, 0]},  # whole percentages
    {"choice": 0, "predicted": [120, -20, 0]},
    {"choice": 0, "predicted": [True, 99, 0]},
    {"choice": 0},
    {"choice": 0, "predicted": [50, 50, 0], "extra": 1},
    "0",
])
def test_bad_predictions_are_refused_and_change_nothing(value: object) -> None:
    log = Log()
    room, act = opened(log, predict=True)
    before = state_of(log.engine)
    with pytest.raises(BadValue):
        log.do(Respond(activity=act, value=value, seq=1), phone(room))
    assert state_of(log.engine) == before


def test_a_poll_without_the_option_refuses_predictions() -> None:
    log = Log()
    room, act = opened(log)
    with pytest.raises(BadValue):
        log.do(Respond(activity=act, value={"choice": 0, "predicted": [100, 0, 0]}, seq=1),
               phone(room))
    answer(log, room, act, 1, 1)
    snap = log.engine.snapshot(log.engine.activity(act))
    assert snap["counts"] == [0, 1, 0] and "surprise" not in snap


def test_replay_gives_the_same_verdict() -> None:
    log = Log()
    room, act = opened(log, predict=True)
    for n in range(1, 16):
        answer(log, room, act, n, {"choice": n % 3, "predicted": [60, 30, 10]})
    rebuilt = Engine()
    assert rebuilt.replay(log.events) == len(log.events)
    assert state_of(rebuilt) == state_of(log.engine)


def test_the_simulated_crowd_predicts_as_the_phone_sends() -> None:
    """`crowd swarm`/`crowd demo` phones on a poll with predictions: every answer is
    accepted as it is (whole steps of 5 adding up to 100), seeded, and people expect more
    of their own answer than the others do (the false-consensus effect)."""
    from crowd.activities import activity_type
    from crowd.clients.swarm.behaviours import plan_answers
    from crowd.clients.swarm.crowd_model import CrowdModel

    kind = activity_type("choice")
    spec = kind.normalize_spec({"kind": "choice", "prompt": "?", "options": OPTIONS,
                                "predict": True})
    activity = {"id": "ROOM-3", **spec}
    tally = kind.new_tally(spec)
    own, others = [], []
    for index in range(200):
        for action in plan_answers(CrowdModel(seed=5), index, activity):
            value = kind.validate(spec, action.value)
            assert all(p % 5 == 0 for p in value["predicted"])
            tally.add(value)
            for k, p in enumerate(value["predicted"]):
                (own if k == value["choice"] else others).append(p)
    snap = tally.snapshot()
    assert snap["surprise"]["n"] == snap["n"] > 150
    assert sum(own) / len(own) > sum(others) / len(others) + 10
    again = [a.value for a in plan_answers(CrowdModel(seed=5), 7, activity)]
    assert again == [a.value for a in plan_answers(CrowdModel(seed=5), 7, activity)]


def test_the_printed_report_names_the_surprising_answer_only_when_supported() -> None:
    from crowd.views import exports, report

    log = Log()
    room, act = opened(log, predict=True)
    for n in range(1, 10):
        answer(log, room, act, n, {"choice": 0, "predicted": [90, 5, 5]})
    doc = exports.results(log.engine, room, public=False)
    first = report._sentence(doc["activities"][0], "fr")
    assert "surprenante" not in first  # 9 predictions: too few to say anything
    for n in range(10, 13):
        answer(log, room, act, n, {"choice": 0, "predicted": [90, 5, 5]})
    for n in range(13, 21):
        answer(log, room, act, n, {"choice": 1, "predicted": [70, 25, 5]})
    doc = exports.results(log.engine, room, public=False)
    s = doc["activities"][0]["snapshot"]["surprise"]
    assert s["answer"] == 1
    french = report._sentence(doc["activities"][0], "fr")
    assert french.endswith(f"réponse surprenante\u202f: Harrisburg "
                           f"({round(100 * s['actual'][1])}\u202f%, la salle en prévoyait "
                           f"{round(100 * s['predicted'][1])}\u202f%)")
    english = report._sentence(doc["activities"][0], "en")
    assert "surprisingly popular: Harrisburg (40%, the room expected 13%)" in english
