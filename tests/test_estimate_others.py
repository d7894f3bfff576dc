"""The arms that show other people (`one_other`, `median_of_5`, after Becker, Brackbill &
Centola 2017): who each device is shown, that only it is told, that S uses what it was
shown, and that a replay draws the same others."""

from __future__ import annotations

import random
import statistics
from typing import Any

import pytest

from crowd.activities.estimate import MESSAGES, InfluenceRound, SetTruth, arm_of
from crowd.activities.estimate_others import OthersDraw
from crowd.activities.value_scale import fnv1a
from crowd.clients import Panel, Phone
from crowd.core import checkpoint
from crowd.core.engine import Engine, Peer, ToDevice
from crowd.core.errors import BadMessage, Conflict
from crowd.core.protocol import Close, CreateRoom, Open, Project, Reveal
from crowd.core.steps import SCREENS
from crowd.core.types import Role
from tests.support import ServerProcess
from tests.test_gestures import PANEL, Room


def test_worked_example_of_the_others_shown() -> None:
    # Six people answered 100..600: the median of 5 others is the median of everyone
    # else, whatever the random order: 100 is shown median(200..600) = 400, 600 is shown
    # median(100..500) = 300, 300 is shown median(100, 200, 400, 500, 600) = 400.
    six = OthersDraw.draw("a1", {f"p{v}": float(v) for v in range(100, 700, 100)})
    assert six.shown("p100", "median_of_5") == {"arm": "median_of_5", "value": 400.0, "n": 5}
    assert six.shown("p600", "median_of_5") == {"arm": "median_of_5", "value": 300.0, "n": 5}
    assert six.shown("p300", "median_of_5") == {"arm": "median_of_5", "value": 400.0, "n": 5}
    # one other: someone else's answer, never one's own
    for device, own in (("p100", 100.0), ("p400", 400.0)):
        info = six.shown(device, "one_other")
        assert info is not None and info["n"] == 1 and info["value"] != own
    # two people: each is shown the other; three: the median of the 2 others (fewer than 5)
    two = OthersDraw.draw("a1", {"x": 1000.0, "y": 2000.0})
    assert two.shown("x", "one_other")["value"] == 2000.0  # type: ignore[index]
    assert two.shown("y", "one_other")["value"] == 1000.0  # type: ignore[index]
    three = OthersDraw.draw("a1", {"x": 100.0, "y": 200.0, "z": 400.0})
    assert three.shown("x", "median_of_5") == {"arm": "median_of_5", "value": 300.0, "n": 2}
    # alone, or absent from round 1, or in an arm that shows nobody: nothing
    assert OthersDraw.draw("a1", {"x": 5.0}).shown("x", "one_other") is None
    assert three.shown("stranger", "one_other") is None
    assert three.shown("x", "median") is None and three.shown("x", "none") is None


def test_one_other_spreads_over_the_room() -> None:
    """Each person is the "other" of exactly one person: nobody is shown to everyone."""
    answers = {f"d{i}": float(i + 1) for i in range(300)}
    draw = OthersDraw.draw("a7", answers)
    shown = [draw.shown(d, "one_other")["value"] for d in answers]  # type: ignore[index]
    assert sorted(shown) == sorted(answers.values())
    assert all(v != answers[d] for d, v in zip(answers, shown, strict=True))


def test_the_four_arms_are_accepted_and_others_refused() -> None:
    room = Room()
    first = room.activity(kind="estimate")
    room.answer(first, 0, 10)
    arms = ("median", "none", "one_other", "median_of_5")
    assert MESSAGES["influence_round"]({"t": "influence_round", "activity": first, "seq": 1,
                                        "arms": list(arms)}).arms == arms  # type: ignore[attr-defined]
    for bad in (["median", "one_others"], ["one_other", "one_other"], ["median_of_5"]):
        with pytest.raises(BadMessage):
            MESSAGES["influence_round"]({"t": "influence_round", "activity": first, "seq": 1,
                                         "arms": bad})
    second = room.ack(InfluenceRound(activity=first, arms=arms))["activity"]
    assert room.engine.activity(second).spec["arms"] == list(arms)


ARMS = ("median_of_5", "one_other", "none")


def story() -> tuple[Room, str, str, list[Any], dict[int, float], Any]:
    """60 devices in three arms; the informed move half-way to what they were shown (in
    logs), the control keeps its estimate. Returns the room, both rounds, the events,
    the first answers and the step that opened round 2."""
    room = Room()
    sink: list[Any] = []
    room.engine = Engine(random.Random(5))
    original = room.engine.handle
    steps: list[Any] = []

    def handle(msg: Any, peer: Peer, now: float) -> Any:
        step = original(msg, peer, now)
        sink.extend(step.events)
        steps.append(step)
        return step

    room.engine.handle = handle  # type: ignore[method-assign]
    room.code = room.ack(CreateRoom(title="Bras"))["room"]
    first = room.activity(kind="estimate")
    rng = random.Random(17)
    guesses = {d: round(100 * 2 ** rng.uniform(-2, 2), 2) for d in range(60)}
    for d, g in guesses.items():
        room.answer(first, d, g)
    second = room.ack(InfluenceRound(activity=first, arms=ARMS))["activity"]
    opening = steps[-1]
    return room, first, second, sink, guesses, opening


def expected_info(first: str, guesses: dict[int, float], d: int) -> dict[str, Any] | None:
    """What device d must be shown, from the definition: the arm by the hash, the order of
    the others by the hash of each token, then the 1 or 5 following it."""
    arm = arm_of(first, f"d{d}", ARMS)
    if arm == "none":
        return None
    order = sorted((f"d{i}" for i in guesses), key=lambda t: (fnv1a(f"{first}|order|{t}"), t))
    place = order.index(f"d{d}")
    k = 5 if arm == "median_of_5" else 1
    values = [guesses[int(order[(place + 1 + i) % len(order)][1:])] for i in range(k)]
    return {"arm": arm, "value": float(statistics.median(values)), "n": k}


def test_each_device_is_told_its_own_information_and_only_it() -> None:
    room, first, second, _, guesses, opening = story()
    tally = room.engine.activity(second).tally
    told = {target.device: msg for target, msg in opening.sends if isinstance(target, ToDevice)}
    for d in guesses:
        want = expected_info(first, guesses, d)
        assert tally.shown_to(f"d{d}") == want  # type: ignore[attr-defined]
        if want is None:
            assert f"d{d}" not in told
        else:
            assert told[f"d{d}"] == {"v": 1, "t": "social_info", "activity": second, "info": want}
    assert {"one_other", "median_of_5", "none"} == {arm_of(first, f"d{d}", ARMS) for d in guesses}
    # the public spec carries no one's own information
    assert set(room.engine.activity(second).spec) & {"info", "shown", "others"} == set()
    # a phone's welcome carries its own information, and nobody else's
    for d in (0, 1, 2, 3):
        welcome = room.engine.welcome(Peer(Role.PHONE, f"d{d}", room.code), f"d{d}")
        want = expected_info(first, guesses, d)
        assert welcome["social_info"] == ({second: want} if want else {})


def test_round_one_figures_reach_only_the_median_arm() -> None:
    """With arms, the spec every phone receives keeps round 1's count only: the arm
    `median` is told the median and quartiles, each device alone (at the opening and in
    its welcome), and the arm `none` receives them nowhere. Without arms, the spec
    carries them for everyone, as before."""
    room = Room()
    first = room.activity(kind="estimate")
    for d, g in enumerate((80, 100, 120, 150, 200, 90)):
        room.answer(first, d, g)
    steps: list[Any] = []
    original = room.engine.handle

    def handle(msg: Any, peer: Peer, now: float) -> Any:
        steps.append(original(msg, peer, now))
        return steps[-1]

    room.engine.handle = handle  # type: ignore[method-assign]
    arms = ("median", "none")
    second = room.ack(InfluenceRound(activity=first, arms=arms))["activity"]
    act = room.engine.activity(second)
    figures = {"n": 6, "median": 110.0, "q1": 92.5, "q3": 142.5}
    assert act.spec["social"] == figures  # kept whole in the log
    assert act.public()["social"] == {"n": 6}
    told = {target.device: msg["info"] for target, msg in steps[-1].sends
            if isinstance(target, ToDevice)}
    for d in range(6):
        arm = arm_of(first, f"d{d}", arms)
        welcome = room.engine.welcome(Peer(Role.PHONE, f"d{d}", room.code), f"d{d}")
        if arm == "median":
            assert told[f"d{d}"] == {"arm": "median", **figures}
            assert welcome["social_info"] == {second: {"arm": "median", **figures}}
        else:
            assert f"d{d}" not in told and welcome["social_info"] == {}
            assert "110.0" not in repr(welcome)  # the median, nowhere in its welcome
    # what the room's phones and screens were sent about round 2: its count only
    public = [m["activity"] for _, m in steps[-1].sends
              if isinstance(m.get("activity"), dict) and m["activity"]["id"] == second]
    assert public and all(a["social"] == {"n": 6} for a in public)
    assert {arm_of(first, f"d{d}", arms) for d in range(6)} == {"median", "none"}
    plain = room.activity(kind="estimate")
    room.answer(plain, 0, 40)
    again = room.ack(InfluenceRound(activity=plain))["activity"]
    assert room.engine.activity(again).public()["social"]["median"] == 40


def test_no_screen_sees_round_one_as_the_experiment_starts() -> None:
    """Round 1 projected and open: the step that closes it and opens round 2 moves the
    projection first, so no screen is sent round 1's figures on the way; and a device
    that never answered round 1 (a fresh token) is shown nothing in any arm."""
    room = Room()
    first = room.activity(kind="estimate")
    room.ack(Project(room=room.code, activity=first))
    for d, g in enumerate((80, 100, 120, 150, 200, 90)):
        room.answer(first, d, g)
    step = room.engine.handle(InfluenceRound(activity=first, arms=("median", "none"),
                                             seq=999), PANEL, 1.0)
    second = next(m for _, m in step.sends if m["t"] == "ack")["activity"]
    projected = [m for target, m in step.sends if m["t"] == "projected"]
    assert projected and all(m["projection"]["activity"]["id"] == second for m in projected)
    assert "110.0" not in repr([m for target, m in step.sends
                                if getattr(target, "roles", None) == SCREENS])
    tally = room.engine.activity(second).tally
    for token in ("fresh-1", "fresh-2", "fresh-3", "fresh-4"):
        assert tally.shown_to(token) is None  # type: ignore[attr-defined]
        welcome = room.engine.welcome(Peer(Role.PHONE, token, room.code), token)
        assert welcome["social_info"] == {}


@pytest.mark.parametrize(("results", "close_first", "reveal", "accepted"), [
    (None, False, False, True),  # open, figures waiting for the close: the usual way
    ("hidden", True, False, True),  # closed, figures never shown
    ("live", False, False, False),  # open with figures on the projector
    (None, True, False, False),  # closed: after_close put them on the projector
    ("hidden", True, True, False),  # revealed: every phone has them
])
def test_arms_need_round_ones_figures_unseen(
        results: str | None, close_first: bool, reveal: bool, accepted: bool) -> None:
    room = Room()
    spec = {"kind": "estimate"} | ({"results": results} if results else {})
    first = room.activity(**spec)
    room.answer(first, 0, 10)
    if close_first:
        room.ack(Close(activity=first))
    if reveal:
        room.ack(Reveal(activity=first))
    before = (len(room.engine.activities), room.engine.activity(first).state)
    if accepted:
        room.ack(InfluenceRound(activity=first, arms=("median", "none")))
        return
    with pytest.raises(Conflict) as refused:
        room.engine.handle(InfluenceRound(activity=first, arms=("median", "none"), seq=99),
                           PANEL, 1.0)
    assert refused.value.reason == "arms_after_results"
    assert (len(room.engine.activities), room.engine.activity(first).state) == before
    room.ack(InfluenceRound(activity=first))  # without arms: as always


def test_sensitivity_uses_what_each_device_was_shown() -> None:
    room, first, second, _, guesses, _ = story()
    tally = room.engine.activity(second).tally
    for d, g in guesses.items():  # the informed go half-way (in logs) to their own M
        info = tally.shown_to(f"d{d}")  # type: ignore[attr-defined]
        room.answer(second, d, round((g * info["value"]) ** 0.5, 6) if info else g, now=2.0)
    paired = room.snap(second)["paired"]
    informed = sum(arm_of(first, f"d{d}", ARMS) != "none" for d in guesses)
    # S = 0.5 for every informed device with its own M; the room's median would give
    # other values (and the control, S = 0, is not counted)
    assert paired["n"] == informed and paired["s_median"] == pytest.approx(0.5, abs=1e-4)
    # nobody adopted, overshot or moved away (a device already within 2 % of its M
    # moves under 1 %: "kept")
    assert paired["adopt"] == paired["overshoot"] == paired["away"] == 0.0
    assert paired["compromise"] + paired["keep"] == pytest.approx(1.0)
    room.ack(SetTruth(activity=second, value=120))
    arms = room.snap(second)["paired"]["arms"]
    assert arms["names"] == list(ARMS) and sum(arms["n"]) == 60
    assert [r["name"] for r in arms["results"]] == list(ARMS)
    assert arms["results"][2]["improvement"] == 0.0  # the control kept its estimates
    assert all(r["interval"] is not None for r in arms["results"])


def test_the_others_replay_identically() -> None:
    room, first, second, sink, guesses, _ = story()
    room.ack(Open(activity=first))  # round 1 reopened: a late answer moves no draw
    room.answer(first, 99, 5000)
    room.answer(first, 0, 7000)
    tally = room.engine.activity(second).tally
    for d in guesses:  # drawn at the opening, from the answers then
        assert tally.shown_to(f"d{d}") == expected_info(first, guesses, d)  # type: ignore[attr-defined]
    assert tally.shown_to("d99") is None  # not in round 1 when the round opened
    for d, g in guesses.items():
        room.answer(second, d, g * 1.1, now=2.0)
    room.ack(SetTruth(activity=second, value=120))
    rebuilt = Engine()
    rebuilt.replay(sink)
    restarted = Engine()  # from a checkpoint of the live state, as after a restart
    checkpoint.restore(restarted, checkpoint.dump(room.engine))
    for engine in (rebuilt, restarted):
        assert engine.activity(second).tally.snapshot() == room.snap(second)
        for d in guesses:
            assert (engine.activity(second).tally.shown_to(f"d{d}")  # type: ignore[attr-defined]
                    == room.engine.activity(second).tally.shown_to(f"d{d}"))  # type: ignore[attr-defined]


async def test_a_phone_gets_its_own_number_and_no_other_phone_sees_it(
        server: ServerProcess) -> None:
    arms = ["one_other", "none"]
    async with Panel.connect(server.url, server.secret) as panel:
        room = await panel.create_room("Autres")
        first = await panel.add_activity(room, kind="estimate", prompt="Combien ?")
        await panel.open(first)
        phones = [Phone.connect(server.url, room) for _ in range(12)]
        clients = [await p.__aenter__() for p in phones]
        try:
            answers = {c.device: 1000.0 + 100 * i for i, c in enumerate(clients)}
            for c in clients:
                await c.respond(first, answers[c.device])
            reply = await panel.conn.request("influence_round", activity=first, arms=arms)
            second = reply["activity"]
            draw = OthersDraw.draw(first, answers)
            for c in clients:  # a round trip: whatever the opening sent is in by now
                await c.ping()
            informed = [c for c in clients if arm_of(first, c.device, arms) == "one_other"]
            assert informed, "12 phones, two arms: one of them is in one_other"
            for c in clients:
                got = c.conn.drain("social_info")
                if c in informed:
                    want = draw.shown(c.device, "one_other")
                    assert want is not None and want["value"] != answers[c.device]
                    assert want["value"] in answers.values()
                    assert got == [{"v": 1, "t": "social_info", "activity": second,
                                    "info": want, "ds": got[0]["ds"]}]
                else:
                    assert got == []  # nobody else's number ever reaches this phone
            # after a reload, the welcome gives each phone its own again
            for c in (informed[0], *[c for c in clients if c not in informed][:1]):
                async with Phone.connect(server.url, room, device=c.device) as again:
                    want = draw.shown(c.device, arm_of(first, c.device, arms))
                    assert again.welcome["social_info"] == ({second: want} if want else {})
        finally:
            for p in phones:
                await p.__aexit__(None, None, None)
