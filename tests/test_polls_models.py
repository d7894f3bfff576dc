"""Poll tallies in the engine show the same figures as the batch models of crowd.models."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crowd.activities.polls import RankingTally
from crowd.models import voting
from tests.test_gestures import Room

OPTIONS = ["pain", "fromage", "vin", "cidre"]


def test_borda_of_partial_ballots_is_the_same_live_and_in_the_model() -> None:
    # Issue input: ballots [0], [1, 2], [2, 0, 1, 3], [3] over 4 options. The unranked
    # options share the points left: [0] gives 0 three points and 1, 2, 3 one each
    # ((4-1-1)/2); [1, 2] gives 1 three, 2 two, 0 and 3 half a point; [2, 0, 1, 3] gives
    # 3, 2, 1, 0; [3] gives 3 three and the others one. Totals: 0: 3 + 0.5 + 2 + 1 = 6.5,
    # 1: 1 + 3 + 1 + 1 = 6, 2: 1 + 2 + 3 + 1 = 7, 3: 1 + 0.5 + 0 + 3 = 4.5.
    ballots = [[0], [1, 2], [2, 0, 1, 3], [3]]
    room = Room()
    act = room.activity(kind="ranking", options=OPTIONS)
    for device, ballot in enumerate(ballots):
        room.answer(act, device, ballot)
    snap = room.snap(act)
    assert snap["borda"] == [6.5, 6.0, 7.0, 4.5]
    assert voting.borda(ballots, 4).scores == snap["borda"]


ballot = st.permutations(range(4)).flatmap(
    lambda p: st.integers(min_value=1, max_value=4).map(lambda r: list(p[:r])))


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(ballot, max_size=30), st.data())
def test_live_borda_equals_the_model_as_people_change_their_ballots(
    ballots: list[list[int]], data: st.DataObject
) -> None:
    tally = RankingTally(OPTIONS)
    kept = list(ballots)
    for b in ballots:
        tally.add(b)
    for i in range(len(kept)):
        if data.draw(st.booleans()):
            new = data.draw(ballot)
            tally.remove(kept[i])
            tally.add(new)
            kept[i] = new
    snap = tally.snapshot()
    assert snap["borda"] == pytest.approx(voting.borda(kept, 4).scores, abs=0)
    assert snap["pairwise"] == voting.pairwise(kept, 4)


def test_choice_snapshot_carries_the_leaders_margin() -> None:
    room = Room()
    act = room.activity(kind="choice", options=OPTIONS[:3])
    votes = [0] * 45 + [1] * 35 + [2] * 20
    for device, vote in enumerate(votes):
        room.answer(act, device, vote)
    m = room.snap(act)["margin"]  # the worked example of tests/models/test_voting.py
    assert m["leaders"] == [0] and m["runner_up"] == 1 and m["to_tie"] == 5
    assert (m["low"], m["high"]) == (-0.0742, 0.2742)
    room.answer(act, 0, 1, now=1.0)  # one voter moves: 44 / 36
    room.answer(act, 1, 1, now=1.0)  # ... and another: 43 / 37
    room.answer(act, 2, 1, now=1.0)
    room.answer(act, 3, 1, now=1.0)
    room.answer(act, 4, 1, now=1.0)  # 40 / 40: a tie, shown as one
    tie = room.snap(act)["margin"]
    assert tie["leaders"] == [0, 1] and tie["difference"] == 0.0
    approval = room.activity(kind="approval", options=OPTIONS[:3])
    room.answer(approval, 0, [0, 1])
    assert "margin" not in room.snap(approval)  # approvals are not shares of one vote


def test_ranking_without_condorcet_winner_names_its_cycle_and_ties() -> None:
    room = Room()
    act = room.activity(kind="ranking", options=OPTIONS)
    for device, ballot in enumerate([[0, 1, 2, 3], [1, 2, 0, 3], [2, 0, 1, 3]]):
        room.answer(act, device, ballot)
    snap = room.snap(act)
    assert snap["condorcet_winner"] is None and snap["smith"] == [0, 1, 2]
    assert snap["places"] == [1, 1, 1, 4]
    chart = room.engine.activity(act).tally.chart(snap)
    assert chart["order"]["place"] == ["1.", "1.", "1.", "4."]


def test_grades_snapshot_has_continuous_scores() -> None:
    room = Room()
    act = room.activity(kind="grades", options=OPTIONS[:2], grades=["a", "b", "c", "d", "e"])
    rows = [1, 3, 8, 5, 3]  # option 0's grades, the worked example: usual judgment 2.25
    device = 0
    for grade, count in enumerate(rows):
        for _ in range(count):
            room.answer(act, device, [grade, 2])
            device += 1
    snap = room.snap(act)
    assert snap["scores"] == [2.25, 2.0] and snap["majority"] == [2, 2]
