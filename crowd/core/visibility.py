"""Results visibility: when the projector may show an activity's figures.

A live median on the big screen makes the hall copy itself: the second half of an
estimate answers the first half's median, and the wisdom of the crowd that crowd offers
is gone. So each activity has a results visibility, the spec field `results`, that the
animator may change live (`set_results`):

- `live`: figures on the projector as the answers come (the default of most kinds);
- `after_close`: the question, the number of answers and how to answer, no figures until
  voting closes (the default of an estimate's first round);
- `hidden`: no figures until the animator reveals them.

A revealed activity shows its figures whatever its visibility, and so does an open criée
call (its places are its point). While figures are hidden, screens receive none: their
frames and projections carry the number of answers only (`snapshot: {n}`, `chart: null`,
and `results` saying why), and the chart's HTTP endpoint refuses the public, so nothing
can be read from the page's data either. Panels always get everything.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from crowd.activities import activity_type
from crowd.core import events as ev
from crowd.core import protocol
from crowd.core.authorization import Peer
from crowd.core.events import Event
from crowd.core.protocol import Message
from crowd.core.steps import Step
from crowd.core.types import Kind, Results, Role, State

if TYPE_CHECKING:
    from crowd.core.engine import Engine
    from crowd.core.room import Activity

_VALUES = tuple(str(r) for r in Results)


@dataclass(frozen=True, slots=True)
class SetResults(Message):
    """When the projector shows this activity's figures: live, after_close or hidden."""

    TYPE: ClassVar[str] = "set_results"
    ROLES: ClassVar[frozenset[Role]] = frozenset({Role.PANEL})
    activity: str
    results: str


def _parse(raw: Mapping[str, Any]) -> SetResults:
    return SetResults(
        activity=protocol.get_field(raw, "activity", protocol.is_id, "an activity id"),
        results=protocol.get_field(raw, "results", lambda v: v in _VALUES,
                                   "live, after_close or hidden"))


protocol.register(SetResults.TYPE, _parse, SetResults)


def results_of(spec: Mapping[str, Any]) -> Results:
    """The activity's visibility: the animator's choice, else the kind's default (an
    estimate's first round waits for the close; everything else is live)."""
    chosen = spec.get("results")
    if chosen in _VALUES:
        return Results(chosen)
    if spec.get("kind") == Kind.ESTIMATE and spec.get("round", 1) == 1:
        return Results.AFTER_CLOSE
    return Results.LIVE


def figures_shown(act: Activity) -> bool:
    """May the room's screens (and the public) see this activity's figures now?"""
    if act.revealed or activity_type(act.kind).on_screens:
        return True
    results = results_of(act.spec)
    if results is Results.LIVE:
        return True
    return results is Results.AFTER_CLOSE and act.state is State.CLOSED


def for_screens(act: Activity, message: dict[str, Any]) -> dict[str, Any]:
    """A frame or a projection as screens may get it: unchanged when the figures are
    shown, else the number of answers alone (`snapshot: {n}`, `chart: None`) and the
    visibility that hides them. O(1): the message is copied, never the figures."""
    if figures_shown(act):
        return message
    snapshot = message.get("snapshot")
    n = snapshot.get("n", len(act.responses)) if isinstance(snapshot, Mapping) else len(
        act.responses)
    return {**message, "snapshot": {"n": n}, "chart": None,
            "results": str(results_of(act.spec))}


def projection(act: Activity, frame: Mapping[str, Any]) -> dict[str, Any]:
    """What screens get of the projected activity (`projected`, a screen's welcome)."""
    return for_screens(act, {"activity": act.public(), "snapshot": frame["snapshot"],
                             "chart": frame["chart"]})


# ---------------------------------------------------------------- the command


def set_results(engine: Engine, msg: SetResults, peer: Peer, now: float) -> Step:
    act = engine.activity(msg.activity)
    step = Step()
    engine.commit(step, engine.event(ev.RESULTS_SET, act.room,
                                     {"id": act.id, "results": msg.results}, now, peer, msg.seq))
    engine.ack(step, peer, msg.seq, activity=act.id, results=msg.results)
    engine.activity_changed(step, act)  # panels, and the projection screens now get
    return step


def on_results_set(engine: Engine, event: Event) -> None:
    act = engine.activities[event.data["id"]]
    act.spec = {**act.spec, "results": event.data["results"]}
    engine.dirty.add(act.id)  # a fresh frame, with or without figures


COMMANDS: dict[type[Message], Callable[..., Step]] = {SetResults: set_results}
APPLIERS: dict[str, Callable[..., None]] = {ev.RESULTS_SET: on_results_set}
