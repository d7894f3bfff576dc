"""What the control room puts on projectors: another room's result, a festival criée.

**Pushing a result.** For the restitution plenary, the organiser shows a result of one
room (a revealed activity's chart, a criée call's roster count) on the projectors of
another. It is an event of the *target* room's log (`shown`), so a replay of that room
shows what its projectors showed; it goes over the room's own projection until the
organiser brings the projector back (`shown` with no id), and the room's own `project`
commands meanwhile change what comes back. Only what its own room has seen may be
shown elsewhere: a revealed activity, or a criée call (always on its room's screens).

**The festival criée.** A call to every projector and every phone of every room ("2
drivers to the station, now"): one `festival_called` event per room, so each room's
log (and replay) has it, and a phone or a projector that connects later gets it in its
welcome.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from crowd.activities import activity_type
from crowd.core.errors import Conflict
from crowd.core.events import Event
from crowd.core.festival import FestivalCall, Push
from crowd.core.protocol import out
from crowd.core.room import Activity, Room
from crowd.core.steps import EVERYONE, PANELS, SCREENS, Step, ToRoom

if TYPE_CHECKING:
    from crowd.core.authorization import Peer
    from crowd.core.engine import Engine

SHOWN: Final = "shown"  # {id | None}: a result of another room on this room's screens
FESTIVAL_CALLED: Final = "festival_called"  # {text | None}


def on_screen(engine: Engine, room: Room) -> Activity | None:
    """What this room's projectors show: a pushed result first, else its projection."""
    if room.shown is not None and room.shown in engine.activities:
        return engine.activities[room.shown]
    return engine.activities.get(room.projected) if room.projected is not None else None


def pushable(engine: Engine, act: Activity) -> bool:
    return act.revealed or activity_type(act.kind).on_screens


def push(engine: Engine, msg: Push, peer: Peer, now: float) -> Step:
    room = engine.room(msg.room)
    if msg.activity is not None:
        act = engine.activity(msg.activity)
        if not pushable(engine, act):
            raise Conflict(reason="push_not_shown", seq=msg.seq)
    step = Step()
    engine.commit(step, engine.event(SHOWN, room.code, {"id": msg.activity}, now, peer,
                                     msg.seq))
    engine.ack(step, peer, msg.seq, room=room.code, activity=msg.activity)
    step.send(ToRoom(room.code, SCREENS), out("projected",
                                              projection=engine.projection(room)))
    step.send(ToRoom(room.code, PANELS), out("shown", room=room.code, activity=msg.activity))
    return step


def festival_call(engine: Engine, msg: FestivalCall, peer: Peer, now: float) -> Step:
    step = Step()
    for room in list(engine.rooms.values()):
        engine.commit(step, engine.event(FESTIVAL_CALLED, room.code, {"text": msg.text},
                                         now, peer, None))
        step.send(ToRoom(room.code, EVERYONE), out("festival_call",
                                                   call=room.festival_call))
    engine.ack(step, peer, msg.seq, call={"text": msg.text, "at": now} if msg.text else None,
               rooms=len(engine.rooms))
    return step


def on_shown(engine: Engine, event: Event) -> None:
    engine.rooms[event.room].shown = event.data["id"]


def on_festival_called(engine: Engine, event: Event) -> None:
    text = event.data["text"]
    engine.rooms[event.room].festival_call = {"text": text, "at": event.ts} if text else None


def welcome(room: Room) -> dict[str, Any]:
    """What a phone's or a screen's welcome adds: the festival criée, if one is up."""
    return {"festival_call": room.festival_call} if room.festival_call else {}


COMMANDS = {Push: push, FestivalCall: festival_call}
APPLIERS = {SHOWN: on_shown, FESTIVAL_CALLED: on_festival_called}
