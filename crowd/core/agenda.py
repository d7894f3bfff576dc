"""The agenda's commands, shared by every kind: go to the next activity, reorder, duplicate.

The animator runs a plenary from the agenda, a microphone in the other hand: "Suivant"
(`advance`) closes what is on, opens the next activity and projects it in one input, so
a phone never sees two questions open by mistake and the projector never lags behind.
Reordering is an event (`reordered`, the whole new order) so a restart and a replay put
the agenda back exactly; a duplicate is a fresh draft of the same spec (cleaned again by
its kind, so a second round's links or a criée's roster never come along), placed right
after its original.

Like the kinds' commands, each function gets the engine and checks everything before
its first `commit`: a refusal changes nothing. The engine routes to them
(`Engine._handlers`) and never needs to know how they work.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crowd.activities import activity_type
from crowd.core import events as ev
from crowd.core.authorization import Peer
from crowd.core.errors import Conflict, declare_reasons
from crowd.core.events import Event
from crowd.core.protocol import Advance, Duplicate, Reorder, out
from crowd.core.steps import PANELS, SCREENS, Step, ToRoom
from crowd.core.types import State

if TYPE_CHECKING:
    from crowd.core.engine import Engine
    from crowd.core.room import Activity, Room

declare_reasons({
    "agenda_empty": "the agenda has no activity yet",
    "agenda_end": "this is the last activity of the agenda",
    "agenda_start": "this is the first activity of the agenda",
    "order_mismatch": "the new order must name activities of this room, each once",
})


def current(room: Room) -> Activity | None:
    """What the presenter is on: the projected activity, else the first open one."""
    if room.projected is not None and room.projected in room.activities:
        return room.activities[room.projected]
    return next((a for a in room.activities.values() if a.state is State.OPEN), None)


def advance(engine: Engine, msg: Advance, peer: Peer, now: float) -> Step:
    """Close the current activity (one that is always on screen, a criée call, stays
    open), open the next (or previous) one of the agenda, project it."""
    room = engine.room(msg.room)
    order = list(room.activities)
    if not order:
        raise Conflict(reason="agenda_empty")
    on = current(room)
    if on is None:
        target_id = order[-1] if msg.back else order[0]
    else:
        index = order.index(on.id) + (-1 if msg.back else 1)
        if not 0 <= index < len(order):
            raise Conflict(reason="agenda_start" if msg.back else "agenda_end")
        target_id = order[index]
    target = room.activities[target_id]
    kind = activity_type(target.kind)
    if target.state is not State.OPEN:
        kind.check_open(target, now)  # a criée's passed deadline: refused, nothing done
    step = Step()
    events: list[tuple[str, dict[str, Any]]] = []
    if on is not None and on.state is State.OPEN and not activity_type(on.kind).on_screens:
        events.append((ev.CLOSED, {"id": on.id}))
    if target.state is not State.OPEN:
        events.append((ev.OPENED, {"id": target.id}))
    events.append((ev.PROJECTED, {"id": target.id}))
    _commit_all(engine, step, room.code, events, now, peer, msg.seq)
    engine.ack(step, peer, msg.seq, activity=target.id,
               previous=on.id if on is not None else None)
    if on is not None:
        engine.activity_changed(step, on)
    engine.activity_changed(step, target)
    step.send(ToRoom(room.code, SCREENS), out("projected",
                                              projection=engine.projection(room)))
    return step


def reorder(engine: Engine, msg: Reorder, peer: Peer, now: float) -> Step:
    """The listed activities take, in the listed order, the places they hold together;
    the others stay where they are. Two ids swap two neighbours (the up and down
    buttons), the whole agenda reorders it all (a drag), and an activity another panel
    added meanwhile keeps its place. The event holds the room's whole new order."""
    room = engine.room(msg.room)
    listed = set(msg.order)
    if not msg.order or len(listed) != len(msg.order) or not listed <= room.activities.keys():
        raise Conflict(reason="order_mismatch")
    order = list(room.activities)
    places = [i for i, aid in enumerate(order) if aid in listed]
    for place, aid in zip(places, msg.order, strict=True):
        order[place] = aid
    step = Step()
    engine.commit(step, engine.event(ev.REORDERED, room.code, {"order": order},
                                     now, peer, msg.seq))
    engine.ack(step, peer, msg.seq, order=list(room.activities))
    _tell_panels(engine, step, room)
    return step


def duplicate(engine: Engine, msg: Duplicate, peer: Peer, now: float) -> Step:
    original = engine.activity(msg.activity)
    room = engine.rooms[original.room]
    spec = activity_type(original.kind).normalize_spec(original.spec)
    spec = {k: v for k, v in spec.items() if k not in ("open_at", "close_at")}  # a new time
    step = Step()
    copy = engine.add_activity(step, room, spec, now, peer, None)
    order = list(room.activities)
    order.remove(copy.id)
    order.insert(order.index(original.id) + 1, copy.id)
    engine.commit(step, engine.event(ev.REORDERED, room.code, {"order": order}, now, peer,
                                     msg.seq))
    engine.ack(step, peer, msg.seq, activity=copy.id)
    _tell_panels(engine, step, room)
    return step


def on_reordered(engine: Engine, event: Event) -> None:
    """The room's agenda in the event's order (checked complete when it was logged)."""
    room = engine.rooms[event.room]
    room.activities = {aid: room.activities[aid] for aid in event.data["order"]}


def _commit_all(engine: Engine, step: Step, room: str, events: list[tuple[str, dict[str, Any]]],
                now: float, peer: Peer, seq: int | None) -> None:
    """Log several events for one input; its idempotency key rides on the last one."""
    for position, (type_, data) in enumerate(events):
        last = position == len(events) - 1
        engine.commit(step, engine.event(type_, room, data, now, peer, seq if last else None))


def _tell_panels(engine: Engine, step: Step, room: Room) -> None:
    step.send(ToRoom(room.code, PANELS), out("room", room=engine.room_state(
        room.code, for_panel=True)))


COMMANDS = {Advance: advance, Reorder: reorder, Duplicate: duplicate}
APPLIERS = {ev.REORDERED: on_reordered}
