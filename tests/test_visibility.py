"""Results visibility in the engine: what screens may read of an activity's figures.

While figures are hidden (`after_close` before the close, `hidden` before a reveal),
every message a screen gets about the activity (frames, projections, a welcome) carries
the number of answers alone, and the public chart endpoint is refused; panels keep every
figure. An estimate's first round waits for the close by default.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from crowd.core import events as ev
from crowd.core import visibility
from crowd.core.engine import Engine, Peer, ToRoom
from crowd.core.errors import BadMessage, Forbidden
from crowd.core.protocol import (
    ActivityNew,
    Close,
    CreateRoom,
    Open,
    Project,
    Respond,
    Reveal,
    parse,
)
from crowd.core.types import Role

PANEL = Peer(Role.PANEL, "panel")
FIGURES = ("counts", "shares", "median", "mean", "q1", "q3", "hist")


class Hall:
    def __init__(self) -> None:
        self.engine = Engine(random.Random(3))
        self.events: list[ev.Event] = []
        self.seq = 0
        self.code = self.do(CreateRoom(title="Plénière"))[0]["room"]
        self.screen = Peer(Role.SCREEN, "screen", self.code)

    def do(self, msg: Any, peer: Peer = PANEL, now: float = 100.0) -> tuple[dict[str, Any], Any]:
        self.seq += 1
        object.__setattr__(msg, "seq", self.seq)
        step = self.engine.handle(msg, peer, now)
        self.events.extend(step.events)
        return next(m for _, m in step.sends if m["t"] == "ack"), step

    def activity(self, kind: str, **spec: Any) -> str:
        act = self.do(ActivityNew(room=self.code, spec={"kind": kind, "prompt": "Combien ?",
                                                        **spec}))[0]["activity"]
        self.do(Open(activity=act))
        self.do(Project(room=self.code, activity=act))
        return act

    def answer(self, act: str, values: list[Any]) -> None:
        for n, value in enumerate(values):
            self.do(Respond(activity=act, value=value), Peer(Role.PHONE, f"d{n}", self.code))

    def set_results(self, act: str, results: str, peer: Peer = PANEL) -> dict[str, Any]:
        msg = parse({"t": "set_results", "activity": act, "results": results})
        return self.do(msg, peer)[0]

    def screen_view(self, act: str) -> list[dict[str, Any]]:
        """Every figure-bearing message a screen of the room would get now: the
        projection in its welcome and the activity's frame as the hub passes it on."""
        activity = self.engine.activity(act)
        frames = [visibility.for_screens(activity, f.message)
                  for f in self.engine.current_frames(self.code) if f.activity == act]
        return [self.engine.welcome(self.screen)["projected"], *frames]


def has_figures(message: dict[str, Any]) -> bool:
    snapshot = message.get("snapshot") or {}
    return bool(message.get("chart")) or any(name in snapshot for name in FIGURES)


def test_an_estimates_first_round_shows_no_figures_before_the_close() -> None:
    hall = Hall()
    act = hall.activity("estimate")
    hall.answer(act, [1200, 1300, 1500])
    for message in hall.screen_view(act):
        assert message["snapshot"] == {"n": 3} and message["chart"] is None
        assert message["results"] == "after_close"
    assert not hall.engine.is_public(hall.engine.activity(act))  # the chart's HTTP door
    panel_frame = next(f for f in hall.engine.current_frames(hall.code) if f.activity == act)
    assert has_figures(panel_frame.message)  # the animator sees the median
    _, step = hall.do(Close(activity=act))
    projected = [m for t, m in step.sends if isinstance(t, ToRoom) and Role.SCREEN in t.roles]
    assert projected and has_figures(projected[0]["projection"])  # told at the close
    assert all(has_figures(m) and "results" not in m for m in hall.screen_view(act))
    assert hall.engine.is_public(hall.engine.activity(act))


def test_hidden_results_wait_for_the_reveal_and_live_shows_at_once() -> None:
    hall = Hall()
    act = hall.activity("choice", options=["oui", "non"])
    hall.answer(act, [0, 0, 1])
    assert all(has_figures(m) for m in hall.screen_view(act))  # choice: live by default
    ack = hall.set_results(act, "hidden")
    assert ack["results"] == "hidden"
    hall.do(Close(activity=act))
    for message in hall.screen_view(act):
        assert message["snapshot"] == {"n": 3} and message["chart"] is None
    hall.do(Reveal(activity=act, on=True))
    assert all(has_figures(m) for m in hall.screen_view(act))
    hall.do(Reveal(activity=act, on=False))
    hall.set_results(act, "live")
    assert all(has_figures(m) for m in hall.screen_view(act))


def test_changing_the_visibility_tells_screens_and_replays_the_same() -> None:
    hall = Hall()
    act = hall.activity("estimate")
    hall.answer(act, [10, 20])
    _, step = hall.do(parse({"t": "set_results", "activity": act, "results": "live"}))
    to_screens = [m for t, m in step.sends if isinstance(t, ToRoom) and Role.SCREEN in t.roles]
    assert to_screens and has_figures(to_screens[0]["projection"])
    assert hall.engine.activity(act).spec["results"] == "live"
    again = Engine()
    again.replay(hall.events)
    assert again.activity(act).spec == hall.engine.activity(act).spec
    assert visibility.figures_shown(again.activity(act))


def test_only_panels_change_it_and_bad_values_change_nothing() -> None:
    hall = Hall()
    act = hall.activity("estimate")
    before = (hall.engine.applied, dict(hall.engine.activity(act).spec))
    with pytest.raises(Forbidden):
        hall.set_results(act, "live", Peer(Role.PHONE, "d9", hall.code))
    with pytest.raises(Forbidden):
        hall.set_results(act, "live", hall.screen)
    with pytest.raises(BadMessage):
        parse({"t": "set_results", "activity": act, "results": "sometimes"})
    with pytest.raises(BadMessage) as refused:
        hall.do(ActivityNew(room=hall.code, spec={"kind": "choice", "prompt": "?",
                                                  "options": ["a", "b"], "results": "soon"}))
    assert refused.value.reason == "results_unknown"
    assert (hall.engine.applied, hall.engine.activity(act).spec) == before


def test_a_spec_may_choose_it_and_a_second_round_is_live_by_default() -> None:
    hall = Hall()
    act = hall.activity("estimate", results="hidden")
    assert visibility.results_of(hall.engine.activity(act).spec) == "hidden"
    assert visibility.results_of({"kind": "estimate", "round": 2}) == "live"
    assert visibility.results_of({"kind": "ranking"}) == "live"
