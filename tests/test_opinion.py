"""The opinion map: the model on matrices whose answer can be checked by hand, its
invariances, and the kind in the engine (votes by parts, submissions reviewed, replay)."""

from __future__ import annotations

import asyncio
import contextlib
import random
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crowd.activities.opinion import ReviewStatement, SubmitStatement
from crowd.core import events as ev
from crowd.core.engine import Engine, Peer
from crowd.core.errors import BadValue, Conflict, RateLimited
from crowd.core.protocol import ActivityNew, CreateRoom, Open, Respond
from crowd.core.types import Role
from crowd.models.opinion import opinion_map, project, silhouette

NAN = np.nan

# Two camps of three on four statements: the first three statements split them, the last
# one everybody agrees with. Hand-checkable: groups {0,1,2} and {3,4,5}; group 0 (the
# first rows, listed first among equals) agrees with 0 and 1 and rejects 2; the other
# group the reverse; statement 3 is the consensus.
TWO_CAMPS = np.array([
    [1, 1, -1, 1],
    [1, 1, -1, 1],
    [1, 0, -1, 1],
    [-1, -1, 1, 1],
    [-1, -1, 1, 1],
    [-1, 0, 1, 1],
], dtype=float)


def test_two_camps_by_hand() -> None:
    found = opinion_map(TWO_CAMPS)
    assert sorted(map(sorted, (g.members.tolist() for g in found.groups))) == [
        [0, 1, 2], [3, 4, 5]]
    first = found.groups[int(found.labels[0])]
    other = found.groups[int(found.labels[3])]
    assert set(first.representative) <= {0, 1, 2} and 0 in first.representative
    assert dict(zip(first.representative, first.stance, strict=True)).get(2, -1) == -1
    assert 2 in other.representative
    assert found.consensus == [3]
    assert 0 in found.divisive and 3 not in found.divisive
    # agree shares smoothed as (agree + 1) / (votes + 2): statement 0 is agreed by 3 of 3
    # in the first group (4/5) and by 0 of 3 outside it (1/5); statement 3 by all (4/5)
    assert first.agree[0] == pytest.approx(0.8) and first.outside[0] == pytest.approx(0.2)
    assert first.agree[3] == pytest.approx(0.8) and first.outside[3] == pytest.approx(0.8)
    assert other.outside[2] == pytest.approx(0.2)  # the first group rejects 2
    # the two camps sit on opposite sides of the first axis
    xs = found.points[:, 0]
    assert (np.sign(xs[:3]) == -np.sign(xs[3:])).all()


def test_pca_matches_numpys_svd_and_the_polis_scaling() -> None:
    rng = np.random.default_rng(3)
    votes = rng.choice([-1.0, 0.0, 1.0], size=(30, 8))
    votes[rng.random(votes.shape) < 0.3] = NAN
    points = project(votes)
    answered = ~np.isnan(votes)
    means = np.nanmean(votes, axis=0)
    centred = np.where(answered, votes, means) - means
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    scale = np.sqrt(votes.shape[1] / answered.sum(axis=1))
    expected = (centred @ vt[:2].T) * scale[:, None]
    # same axes up to their sign
    for axis in range(2):
        assert np.allclose(np.abs(points[:, axis]), np.abs(expected[:, axis]), atol=1e-9)


def test_silhouette_against_its_definition() -> None:
    points = np.array([[0.0, 0.0], [0.0, 1.0], [5.0, 0.0], [5.0, 1.0], [5.0, 2.0]])
    labels = np.array([0, 0, 1, 1, 1])
    # point 0: a = 1, b = mean(5, √26, √29); etc. (Rousseeuw 1987)
    def width(i: int) -> float:
        same = [np.linalg.norm(points[i] - points[j]) for j in range(5)
                if labels[j] == labels[i] and j != i]
        other = [np.linalg.norm(points[i] - points[j]) for j in range(5)
                 if labels[j] != labels[i]]
        a, b = np.mean(same), np.mean(other)
        return (b - a) / max(a, b)
    assert silhouette(points, labels) == pytest.approx(np.mean([width(i) for i in range(5)]))


def test_a_room_of_one_mind_is_one_group() -> None:
    rng = np.random.default_rng(5)
    votes = np.where(rng.random((60, 10)) < 0.9, 1.0, -1.0)
    found = opinion_map(votes)
    assert found.groups == [] and (found.labels == 0).all()
    assert len(found.consensus) > 0  # everyone agrees: that is what bridges the room


def test_participants_with_too_few_votes_are_not_mapped() -> None:
    votes = np.full((10, 8), NAN)
    votes[:6, :6] = 1.0  # six answered six statements
    votes[6:, :2] = -1.0  # four answered only two
    found = opinion_map(votes)
    assert found.mapped.tolist() == [0, 1, 2, 3, 4, 5]


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_permutations_change_only_labels(seed: int) -> None:
    rng = np.random.default_rng(seed)
    camp = rng.integers(0, 3, 45)
    stance = rng.choice([-1.0, 1.0], size=(3, 12))
    votes = np.where(rng.random((45, 12)) < 0.85, stance[camp], rng.choice([-1.0, 0, 1], (45, 12)))
    base = opinion_map(votes)
    columns = rng.permutation(12)
    permuted = opinion_map(votes[:, columns])
    # the same participants end up together, the same statements bridge the room
    same = base.labels[:, None] == base.labels[None, :]
    same_permuted = permuted.labels[:, None] == permuted.labels[None, :]
    assert (same == same_permuted).mean() > 0.97
    assert sorted(columns[permuted.consensus].tolist()) == sorted(base.consensus)


# ---------------------------------------------------------------- the kind in the engine

PANEL = Peer(Role.PANEL, "panel")


class Room:
    def __init__(self, **spec: Any) -> None:
        self.engine = Engine(random.Random(1))
        self.events: list[ev.Event] = []
        self.now = 100.0
        self.code = self.do(CreateRoom(title="Plénière"))["room"]
        self.act = self.do(ActivityNew(room=self.code, spec={
            "kind": "opinion", "prompt": "Notre coopérative", **spec}))["activity"]
        self.do(Open(activity=self.act))

    def do(self, msg: Any, peer: Peer = PANEL) -> dict[str, Any]:
        self.now += 0.01
        step = self.engine.handle(msg, peer, self.now)
        self.events.extend(step.events)
        return next(m for _, m in step.sends if m["t"] in ("ack", "error"))

    def phone(self, n: int) -> Peer:
        return Peer(Role.PHONE, f"device-{n}", self.code)

    def vote(self, n: int, statement: int, vote: int) -> dict[str, Any]:
        return self.do(Respond(activity=self.act, value={"statement": statement,
                                                          "vote": vote}), self.phone(n))

    def snapshot(self) -> dict[str, Any]:
        return self.engine.snapshot(self.engine.activity(self.act))


STATEMENTS = ["Mutualiser le four", "Un seul site", "Vendre en ligne", "Garder l'AG",
              "Salarier un livreur"]


def test_votes_arrive_by_parts_and_the_latest_wins() -> None:
    room = Room(statements=STATEMENTS)
    for s in range(5):
        assert room.vote(1, s, 1)["t"] == "ack"
    room.vote(1, 2, -1)  # changes her mind on one statement only
    act = room.engine.activity(room.act)
    assert act.responses["device-1"] == {"0": 1, "1": 1, "2": -1, "3": 1, "4": 1}
    snap = room.snapshot()
    assert snap["n"] == 1 and snap["votes"] == 5 and snap["statement_votes"] == [1] * 5
    for bad in ({"statement": 5, "vote": 1}, {"statement": 0, "vote": 2},
                {"statement": True, "vote": 1}, {"statement": 0}, [0, 1]):
        with pytest.raises(BadValue):
            room.engine.handle(Respond(activity=room.act, value=bad), room.phone(1), 200.0)


def test_two_camps_through_the_engine_and_replay() -> None:
    room = Room(statements=STATEMENTS)
    for n in range(12):
        camp = 1 if n < 6 else -1
        for s in range(5):
            room.vote(n, s, camp if s < 3 else 1)
    snap = room.snapshot()
    assert snap["mapped"] == 12 and len(snap["points"]) == 12
    assert sorted(g["size"] for g in snap["groups"]) == [6, 6]
    assert set(snap["consensus"]) == {3, 4}
    again = Engine(random.Random(1))
    again.replay(room.events)
    assert again.snapshot(again.activity(room.act)) == snap


def test_submissions_wait_for_review_then_join() -> None:
    room = Room(statements=STATEMENTS, submissions=True)
    phone = room.phone(7)
    ack = room.do(SubmitStatement(activity=room.act, text="  Une   cagnotte commune "), phone)
    assert ack["t"] == "ack"
    act = room.engine.activity(room.act)
    assert act.spec["statements"] == STATEMENTS  # not shown before review
    pending = act.tally.panel_fields()["submissions_pending"]
    assert [p["text"] for p in pending] == ["Une cagnotte commune"]
    with pytest.raises(BadValue):
        room.engine.handle(Respond(activity=room.act, value={"statement": 5, "vote": 1}),
                           phone, 300.0)
    room.do(ReviewStatement(activity=room.act, submission=pending[0]["submission"],
                            accept=True))
    assert act.spec["statements"][-1] == "Une cagnotte commune"
    assert room.vote(7, 5, 1)["t"] == "ack"
    assert room.snapshot()["statement_votes"][5] == 1
    # rejected ones never show; the queue and the limits hold
    room.do(SubmitStatement(activity=room.act, text="insulte"), phone)
    rejected = act.tally.panel_fields()["submissions_pending"][0]["submission"]
    room.do(ReviewStatement(activity=room.act, submission=rejected, accept=False))
    assert "insulte" not in act.spec["statements"]
    assert act.tally.panel_fields()["submissions_pending"] == []
    for _ in range(3):
        room.do(SubmitStatement(activity=room.act, text=f"idée {_}"), phone)
    with pytest.raises(RateLimited):
        room.engine.handle(SubmitStatement(activity=room.act, text="une de trop"), phone, 400.0)
    again = Engine(random.Random(1))
    again.replay(room.events)
    replayed = again.activity(room.act)
    assert replayed.spec["statements"] == act.spec["statements"]
    assert replayed.tally.panel_fields() == act.tally.panel_fields()


def test_submissions_only_when_allowed_and_only_phones_submit() -> None:
    room = Room(statements=STATEMENTS)
    with pytest.raises(Conflict):
        room.engine.handle(SubmitStatement(activity=room.act, text="x"), room.phone(1), 200.0)


# ---------------------------------------------------------------- end to end


async def raw_frame(screen: Any, wanted: Any) -> dict[str, Any]:
    """The next whole frame (snapshot and chart columns) whose snapshot is `wanted`."""
    async def wait() -> dict[str, Any]:
        while True:
            frame = await screen.conn.next("frame", 20)
            if wanted(frame.get("snapshot") or {}):
                return frame
    return await asyncio.wait_for(wait(), 20)


async def test_a_room_maps_itself_live(tmp_path) -> None:
    """Real phones vote in two camps; the projector's frames show two groups of the right
    sizes and the bridging statement; a phone's proposal reaches phones only once an
    animator accepts it, then gets votes like the others."""
    from crowd.clients import Panel, Phone, Screen
    from tests.inprocess import SECRET, in_process_server

    async with in_process_server(tmp_path / "opinion.db") as (url, _hub), \
            Panel.connect(url, SECRET) as panel:
        room = await panel.create_room("Coopératives")
        act = await panel.add_activity(room, "opinion", "Et demain ?", submissions=True,
                                       statements=STATEMENTS)
        await panel.open(act)
        await panel.project(act)
        async with Screen.connect(url, room) as screen, contextlib.AsyncExitStack() as stack:
            phones = [await stack.enter_async_context(Phone.connect(url, room))
                      for _ in range(16)]

            for n, phone in enumerate(phones):
                camp = 1 if n < 10 else -1
                for s in range(5):
                    vote = camp if s < 3 else 1
                    await phone.respond(act, {"statement": s, "vote": vote})
            frame = await raw_frame(screen, lambda s: s.get("votes") == 80)
            snap = frame["snapshot"]
            assert sorted(g["size"] for g in snap["groups"]) == [6, 10]
            assert set(snap["consensus"]) == {3, 4} and snap["mapped"] == 16
            assert len(snap["points"]) == 16 and "device" not in repr(snap)
            dots = frame["chart"]["dots"]
            assert len(dots["x"]) == 16 and set(dots["group"]) == {"0", "1"}
            assert "Garder l'AG" in "".join(frame["chart"]["lists"]["text"])

            await phones[0].statement(act, "Une cagnotte commune")
            state = await panel.watch(room)
            pending = next(a for a in state["activities"] if a["id"] == act)[
                "submissions_pending"]
            assert [p["text"] for p in pending] == ["Une cagnotte commune"]
            await panel.review_statement(act, pending[0]["submission"], accept=True)
            changed = await phones[1].conn.next("activity")
            while changed["activity"].get("id") != act:
                changed = await phones[1].conn.next("activity")
            assert changed["activity"]["statements"][-1] == "Une cagnotte commune"
            await phones[1].respond(act, {"statement": 5, "vote": 1})
            frame = await raw_frame(screen, lambda s: s.get("votes") == 81)
            assert frame["snapshot"]["statement_votes"][5] == 1
