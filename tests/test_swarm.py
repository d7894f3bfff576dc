"""The simulated crowd: deterministic with a seed, shaped by crowd models, and a real client.

Pure checks draw thousands of planned answers without a network; the rest runs a few
dozen virtual phones against the session's real server at 1/50 of real time.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from crowd.clients import Panel
from crowd.clients.swarm import (
    BEHAVIOURS,
    COW_QUANTILES_LB,
    CrowdModel,
    Swarm,
    cow_estimates,
    plan_answers,
)
from crowd.models.scales import BIMODALITY_THRESHOLD, summarize
from tests.support import ServerProcess

FAST = {"tempo": 0.02, "naps_per_min": 0.0}
TEMPERATURE = {"id": "ROOM-1", "kind": "temperature", "state": "open"}
ESTIMATE = {"id": "ROOM-2", "kind": "estimate", "state": "open", "min": 0, "max": 5000}


def first_values(model: CrowdModel, activity: dict[str, Any], phones: int = 2000) -> list[Any]:
    plans = (plan_answers(model, i, activity) for i in range(phones))
    return [plan[0].value for plan in plans if plan]


# ---------------------------------------------------------------- pure: the crowd models


def test_same_seed_same_plans_other_seed_other_plans() -> None:
    a = [plan_answers(CrowdModel(seed=4), i, TEMPERATURE) for i in range(50)]
    b = [plan_answers(CrowdModel(seed=4), i, TEMPERATURE) for i in range(50)]
    c = [plan_answers(CrowdModel(seed=5), i, TEMPERATURE) for i in range(50)]
    assert a == b
    assert a != c


def test_polarised_temperature_is_bimodal_and_a_consensual_one_is_not() -> None:
    split = summarize(first_values(CrowdModel(seed=1, polarisation=0.9), TEMPERATURE))
    calm = summarize(first_values(CrowdModel(seed=1, polarisation=0.0), TEMPERATURE))
    assert split.bimodality_coefficient is not None and calm.bimodality_coefficient is not None
    assert split.bimodality_coefficient > BIMODALITY_THRESHOLD
    assert calm.bimodality_coefficient < BIMODALITY_THRESHOLD
    assert split.std is not None and calm.std is not None and split.std > 2 * calm.std


def test_estimates_are_drawn_from_the_real_cow_crowd() -> None:
    data = cow_estimates()
    assert data is not None, "crowd/data/cow_guesses_lb.txt ships with crowd"
    guesses = first_values(CrowdModel(seed=2, estimates=data), ESTIMATE)
    median = statistics.median(guesses)
    assert abs(median - statistics.median(data)) < 0.08 * statistics.median(data)
    assert all(0 <= g <= 5000 for g in guesses)
    assert set(guesses) <= {round(x, 2) for x in data}  # resampled, never invented


def test_without_the_data_file_the_quantile_table_keeps_the_crowd_shape() -> None:
    model = CrowdModel(seed=3, estimates=None)
    guesses = first_values(model, ESTIMATE)
    table_median = COW_QUANTILES_LB[len(COW_QUANTILES_LB) // 2]
    assert abs(statistics.median(guesses) - table_median) < 0.08 * table_median
    assert min(guesses) < 600 < 2100 < max(guesses)  # the tails of a real crowd


def test_simulated_phones_revise_on_what_their_arm_shows_them() -> None:
    """A second round split into arms: a phone moves towards round 1's median only if
    its `social_info` says it, towards another person's answer in `one_other`, and
    answers again alone when shown nothing (the spec keeps round 1's count only)."""
    second = {**ESTIMATE, "id": "ROOM-3", "previous": "ROOM-2", "round": 2,
              "arms": ["median", "none", "one_other"], "social": {"n": 40}}
    model = CrowdModel(seed=6)
    own = 1000.0
    moved = {"median": [], "none": [], "one_other": []}
    shown = {"median": {"arm": "median", "n": 40, "median": 2000.0, "q1": 1500.0, "q3": 2500.0},
             "none": None, "one_other": {"arm": "one_other", "value": 2000.0, "n": 1}}
    for i in range(300):
        for arm, info in shown.items():
            plan = plan_answers(model, i, second, own=own, shown=info)
            if plan:
                moved[arm].append(plan[0].value - own)
    assert moved["none"] and all(m == 0 for m in moved["none"])
    for arm in ("median", "one_other"):
        assert moved[arm] and all(m >= 0 for m in moved[arm]) and max(moved[arm]) > 0


def test_estimates_move_into_the_activity_bounds() -> None:
    percent = {"id": "ROOM-3", "kind": "estimate", "min": 0, "max": 100}
    guesses = first_values(CrowdModel(seed=2), percent)
    assert all(0 <= g <= 100 for g in guesses)
    assert 30 < statistics.median(guesses) < 70


def test_each_poll_kind_gets_values_of_its_shape() -> None:
    options = ["a", "b", "c", "d"]
    model = CrowdModel(seed=9)
    shapes: dict[str, tuple[dict[str, Any], Callable[[Any], bool]]] = {
        "choice": ({"options": options}, lambda v: v in range(4)),
        "approval": ({"options": options, "max": 2},
                     lambda v: 1 <= len(v) <= 2 and len(set(v)) == len(v)),
        "ranking": ({"options": options}, lambda v: len(set(v)) == len(v) and set(v) <= {
            0, 1, 2, 3}),
        "grades": ({"options": options, "grades": ["x", "y", "z"]},
                   lambda v: len(v) == 4 and all(g in range(3) for g in v)),
        "words": ({"max_words": 2}, lambda v: 1 <= len(v) <= 2),
        "weighting": ({"options": options, "budget": 100},
                      lambda v: len(v) == 4 and min(v) >= 0 and sum(v) <= 100),
        "orientation": ({"options": []}, lambda v: 0 <= v["angle"] < 360
                        and 0 <= v["strength"] <= 1),
    }
    for kind, (spec, fits) in shapes.items():
        activity = {"id": "ROOM-4", "kind": kind, **spec}
        values = [a.value for i in range(300) for a in plan_answers(model, i, activity)]
        assert values and all(fits(v) for v in values), kind


def test_a_choice_room_leans_somewhere_rather_than_uniform_noise() -> None:
    activity = {"id": "ROOM-5", "kind": "choice", "options": ["a", "b", "c", "d"]}
    votes = first_values(CrowdModel(seed=11), activity)
    shares = sorted((votes.count(i) / len(votes) for i in range(4)), reverse=True)
    assert shares[0] > 0.35  # uniform noise would give 0.25 each


def test_unknown_kinds_get_no_answer_and_calls_have_a_strategy() -> None:
    assert plan_answers(CrowdModel(), 0, {"id": "R-1", "kind": "séance de yoga"}) == []
    assert "call" in BEHAVIOURS
    bold = CrowdModel(seed=1, volunteers=1.0)
    actions = plan_answers(bold, 0, {"id": "R-6", "kind": "call", "ask_nickname": True})
    assert actions[0].type == "volunteer" and actions[0].fields is not None
    assert actions[0].fields["call"] == "R-6" and actions[0].fields["nickname"]


# ---------------------------------------------------------------- against the real server


async def frame_of(panel: Panel, activity: str, predicate: Callable[[dict[str, Any]], bool],
                   timeout: float = 10.0) -> dict[str, Any]:
    while True:
        frame = await panel.next_frame(timeout)
        if frame["activity"] == activity and predicate(frame):
            return frame


async def run_agenda(server: ServerProcess, seed: int, phones: int = 24
                     ) -> tuple[Swarm, dict[str, Any]]:
    """Temperature, then an estimate and its influence round (the crowd's first answer
    shown, everyone answers again); returns the swarm and the server's last frames."""
    frames: dict[str, Any] = {}
    async with Panel.connect(server.url, server.secret) as panel:
        room = await panel.create_room(f"swarm {seed}")
        await panel.watch(room)
        temperature = await panel.add_activity(room, "temperature", "Chaud ?")
        estimate = await panel.add_activity(room, "estimate", "La vache ?", min=0, max=5000)
        async with Swarm(server.url, room, phones, CrowdModel(seed=seed, **FAST),
                         arrival_s=1.0) as swarm:
            await swarm.wait_connected(timeout=20)
            for activity in (temperature, estimate):
                await panel.open(activity)
                await swarm.wait_seen(activity)
                await swarm.settle()
            await panel.close(temperature)
            reply = await panel.conn.request("influence_round", activity=estimate)
            second = str(reply["activity"])
            await swarm.wait_seen(second)
            await swarm.settle()
            await panel.close(second)
            for activity in (temperature, estimate, second):
                answered = len(swarm.latest(activity))
                frames[activity] = await frame_of(panel, activity,
                                                  lambda f, a=answered: f["n"] == a)
    return swarm, frames


async def test_same_seed_same_sequence_of_values_through_the_server(
        server: ServerProcess) -> None:
    first, _ = await run_agenda(server, seed=21)
    again, _ = await run_agenda(server, seed=21)
    other, _ = await run_agenda(server, seed=22)
    assert first.values() == again.values()
    assert len(first.values()) > 24  # gestures move more than once
    assert first.values() != other.values()
    assert all(s.status == "ok" for s in first.samples)


async def test_herding_pulls_estimates_towards_the_crowds_median(
        server: ServerProcess) -> None:
    swarm, frames = await run_agenda(server, seed=23, phones=40)
    first, second = [a for a, f in frames.items() if "q1" in f]
    before = swarm.latest(first)
    after = swarm.latest(second)
    shown = swarm.phones[0].activities[second]["social"]["median"]
    assert abs(shown - statistics.median(before.values())) < 1e-6
    moved = kept = 0
    for phone, value in after.items():  # each revision lies between own guess and the crowd
        if phone in before:
            lo, hi = sorted((before[phone], shown))
            assert lo - 0.01 <= value <= hi + 0.01
            moved += value != before[phone]
            kept += value == before[phone]
    assert moved and kept  # most listen, the stubborn repeat themselves
    spread_before = statistics.fmean(abs(v - shown) for v in before.values())
    spread_after = statistics.fmean(abs(v - shown) for v in after.values())
    assert spread_after < spread_before
    assert frames[second]["round"] == 2 and frames[second]["n"] == len(after)


async def test_sleepy_phones_come_back_and_lose_nothing(server: ServerProcess) -> None:
    model = CrowdModel(seed=31, tempo=0.05, naps_per_min=12.0, nap_median_s=6.0)
    async with Panel.connect(server.url, server.secret) as panel:
        room = await panel.create_room("naps")
        await panel.watch(room)
        activity = await panel.add_activity(room, "temperature", "Chaud ?")
        await panel.open(activity)
        async with Swarm(server.url, room, 30, model, arrival_s=1.0) as swarm:
            await swarm.wait_connected(count=20, timeout=20)
            await swarm.settle(timeout=30)
            assert swarm.stats.naps > 0 and swarm.stats.reconnects > 0
            assert all(s.status in {"ok", "dup"} for s in swarm.samples)
            assert not swarm.stats.refused
            answered = len(swarm.latest(activity))
            await frame_of(panel, activity, lambda f: f["n"] == answered)


async def test_volunteers_answer_a_call(server: ServerProcess) -> None:
    model = CrowdModel(seed=41, tempo=0.02, naps_per_min=0.0, volunteers=0.3)
    async with Panel.connect(server.url, server.secret) as panel:
        room = await panel.create_room("criée")
        await panel.watch(room)
        try:
            call = await panel.add_activity(room, "call", "Qui aide à ranger ?", quota=3,
                                            ask_nickname=True)
        except Exception:  # a server without calls: the hook stays idle
            pytest.skip("this server has no criée calls")
        async with Swarm(server.url, room, 30, model, arrival_s=0.5) as swarm:
            await swarm.wait_connected(timeout=20)
            await panel.open(call)
            await swarm.wait_seen(call)
            await swarm.settle()
            joined = sum(1 for s in swarm.samples if s.type == "volunteer" and s.status == "ok")
            left = sum(1 for s in swarm.samples if s.type == "withdraw" and s.status == "ok")
            assert joined >= 3
            await frame_of(panel, call, lambda f: f["n"] == joined - left)


async def test_swarm_command_joins_a_running_server(server: ServerProcess) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        room = await panel.create_room("rehearsal")
        activity = await panel.add_activity(room, "choice", "?", options=["a", "b"])
        await panel.open(activity)
        done = subprocess.run(
            [sys.executable, "-m", "crowd", "swarm", "--url", server.url, "--room", room,
             "--phones", "12", "--duration", "2", "--arrival", "0.5", "--tempo", "0.05"],
            capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert "12/12 online" in done.stdout or "acked" in done.stdout
        state = await panel.watch(room)
        assert next(a for a in state["activities"] if a["id"] == activity)["n"] >= 10


def test_demo_runs_one_cycle_of_every_kind() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "crowd", "demo", "--phones", "30", "--cycles", "1",
         "--step", "0.4", "--tempo", "0.03", "--port", "0"],
        capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert "/screen/" in out and "/panel#secret=" in out
    for kind in ("choice", "estimate", "words", "temperature"):
        assert kind in out
    assert "(after seeing the crowd)" in out
    assert "predictions" in out  # the poll with predictions was answered with them
    assert "crowd demo: done." in out


def test_the_cli_rehearses_a_festival_of_several_rooms(server: ServerProcess) -> None:
    """`crowd swarm --rooms 3` creates three rooms with the organiser's secret and puts
    phones in each (the room animators' and the control room's rehearsal)."""
    done = subprocess.run(
        [sys.executable, "-m", "crowd", "swarm", "--url", server.url, "--rooms", "3",
         "--secret", server.secret, "--phones", "4", "--duration", "2", "--arrival", "0.3",
         "--tempo", "0.05"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    finals = [line for line in done.stdout.splitlines() if line.startswith("swarm: done.")]
    codes = {line.split()[2] for line in finals}
    assert len(codes) == 3, done.stdout
    assert all("4/4 online" in line for line in finals), done.stdout
    titles = {httpx.get(f"{server.url}/api/rooms/{code}").json()["title"] for code in codes}
    assert titles == {"Atelier 1", "Atelier 2", "Atelier 3"}
