"""What happens by the clock: an activity opens or closes at the time its spec says.

A festival runs on a program: the plenary vote opens at 16:00 whoever is at the
panel, the workshop's poll closes at 11:30. An activity's spec may hold `open_at` and
`close_at` (seconds since the epoch); the hub's tick (once a second) calls `expire`
with the time, and an action whose time has come is logged like an animator's command:
an `opened` or `closed` event, followed by a `scheduled` event {id, action, at} that
says this action of this time is done; a vote that opens while its room's projector
shows nothing (or the closed vote the clock put there) is projected too (a `projected`
event). So it fires once: a replay, a checkpoint or a
restart rebuilds `Activity.scheduled` from the log, and an action due while the server
was down fires at the first tick after the start, once. Changing a draft's time makes
it due again (the record names the time it fired for).

The same tick closes a criée call whose deadline passed (its kind says when,
`ActivityType.closes_at`): both are "the time came" and share one walk of the
activities, O(activities) a second, never per input.

Validation lives here too: the kind's `normalize_spec` checks the fields are numbers
and that a close comes after an open (`schedule_fields`, crowd/activities/base.py);
what needs the time (not already long past, not absurdly far ahead) is `check`, called
by `Engine.handle` before the command runs, so a refusal changes nothing.

The room's screens, panels and phones learn the next scheduled actions (`upcoming`, in
the room's description and a `schedule` message when it changes) to show a countdown.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from crowd.activities import activity_type
from crowd.core import events as ev
from crowd.core.authorization import Peer
from crowd.core.errors import BadMessage, CrowdError, declare_reasons
from crowd.core.events import Event
from crowd.core.protocol import (
    ActivityNew,
    ActivityUpdate,
    AgendaImport,
    Message,
    out,
    register_state,
)
from crowd.core.steps import PANELS, PHONES, SCREENS, Step, Target, ToRoom
from crowd.core.types import State

if TYPE_CHECKING:
    from crowd.core.engine import Engine
    from crowd.core.room import Activity, Room

#: A time typed more than this before now is a mistake (yesterday's date, a wrong hour).
PAST_LIMIT_S = 3600.0
#: ... and more than this ahead too (a wrong year).
FUTURE_LIMIT_S = 90 * 86400.0
#: Upcoming actions a room's screens are told about.
UPCOMING = 3
#: The tick looks for changes of the upcoming actions at most this often.
TELL_EVERY_S = 1.0

FIELDS = ("open_at", "close_at")
ACTIONS = {"open_at": "open", "close_at": "close"}

declare_reasons({
    "schedule_past": "{field} is more than an hour ago",
    "schedule_far": "{field} is more than {days} days ahead",
})


# ---------------------------------------------------------------- validation


def check(msg: Message, now: float) -> None:
    """Refuse a schedule time far in the past or future, before anything changes."""
    if isinstance(msg, ActivityNew | ActivityUpdate):
        check_spec(msg.spec, now, None)
    elif isinstance(msg, AgendaImport):
        for position, raw in enumerate(msg.activities):
            if isinstance(raw, Mapping):
                check_spec(raw, now, position + 1)


def check_spec(raw: Mapping[str, Any], now: float, position: int | None = None) -> None:
    """One spec's times, against `now` (see `check`)."""
    for field in FIELDS:
        value = raw.get(field)
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue  # absent, or not a number: the kind's normalize_spec refuses it
        reason = None
        if value < now - PAST_LIMIT_S:
            reason = "schedule_past"
        elif value > now + FUTURE_LIMIT_S:
            reason = "schedule_far"
        if reason is not None:
            where = {} if position is None else {"position": position}
            raise BadMessage(reason=reason, field=field, days=int(FUTURE_LIMIT_S // 86400),
                             **where)


# ---------------------------------------------------------------- firing


def expire(engine: Engine, now: float, peer: Peer) -> Step:
    """Everything whose time came: scheduled opens and closes, criée deadlines."""
    step = Step()
    for act in list(engine.activities.values()):
        for action in due(act, now):
            _fire(engine, step, act, action, now, peer)
        if act.state is State.OPEN:
            closes_at = activity_type(act.kind).closes_at(act.spec)
            if closes_at is not None and closes_at <= now:
                engine.commit(step, engine.event(ev.CLOSED, act.room, {"id": act.id}, now,
                                                 peer, None))
                engine.activity_changed(step, act)
    return step


def due(act: Activity, now: float) -> list[str]:
    """The scheduled actions of an activity whose time came and that have not fired."""
    found = []
    for field in FIELDS:
        at = act.spec.get(field)
        action = ACTIONS[field]
        if at is not None and at <= now and act.scheduled.get(action) != at:
            found.append(action)
    return found


def _fire(engine: Engine, step: Step, act: Activity, action: str, now: float,
          peer: Peer) -> None:
    """Open or close the activity (if it is not already so), then record the action as
    done. An open its kind refuses now (a criée whose deadline passed) is recorded as
    skipped, with the reason, instead of being tried again every second."""
    record: dict[str, Any] = {"id": act.id, "action": action,
                              "at": act.spec[f"{action}_at"]}
    change = None
    if action == "open" and act.state is not State.OPEN:
        try:
            activity_type(act.kind).check_open(act, now)
            change = ev.OPENED
        except CrowdError as exc:
            record["skipped"] = exc.reason or exc.code
    elif action == "close" and act.state is State.OPEN:
        change = ev.CLOSED
    if change is not None:
        engine.commit(step, engine.event(change, act.room, {"id": act.id}, now, peer, None))
    if change == ev.OPENED and "close" not in due(act, now) and _takes_the_projector(engine, act):
        engine.commit(step, engine.event(ev.PROJECTED, act.room, {"id": act.id}, now, peer,
                                         None))
    engine.commit(step, engine.event(ev.SCHEDULED, act.room, record, now, peer, None))
    if change is not None:
        engine.activity_changed(step, act)


def _takes_the_projector(engine: Engine, act: Activity) -> bool:
    """Whether a vote that opens by the clock goes on its room's projector: when the
    projector shows nothing (its join code and the countdown to this very open), or the
    closed vote the clock put there before (a program of votes, one after the other), so
    the room sees the question it was told to wait for. A projector showing anything
    else keeps it: the animator chose it. (A result the control room pushes stays over
    the room's projection, this one included, until it is brought back.) A vote whose
    close is also due at this tick (a slot missed while the server was down) opens and
    closes without taking the projector."""
    room = engine.rooms.get(act.room)
    if room is None:
        return False
    shown = room.activities.get(room.projected) if room.projected else None
    return shown is None or (shown.state is not State.OPEN and "open" in shown.scheduled)


def on_scheduled(engine: Engine, event: Event) -> None:
    act = engine.activities.get(event.data["id"])
    if act is not None:
        act.scheduled[event.data["action"]] = event.data["at"]


# ---------------------------------------------------------------- what screens show


def upcoming(activities: Iterable[Activity]) -> list[dict[str, Any]]:
    """A room's next scheduled actions, soonest first (for a countdown): an open of an
    activity not open yet, a close of one that is open or will open."""
    found = []
    for act in activities:
        opens = act.spec.get("open_at")
        closes = act.spec.get("close_at")
        if opens is not None and act.scheduled.get("open") != opens and act.state is not State.OPEN:
            found.append({"activity": act.id, "action": "open", "at": opens})
        if closes is not None and act.scheduled.get("close") != closes and (
                act.state is State.OPEN or (opens is not None and act.state is State.DRAFT)):
            found.append({"activity": act.id, "action": "close", "at": closes})
    found.sort(key=lambda item: (item["at"], item["activity"]))
    return found[:UPCOMING]


_told: weakref.WeakKeyDictionary[Engine, dict[str, Any]] = weakref.WeakKeyDictionary()


def tick(engine: Engine, now: float, watched: Callable[[str], bool]
         ) -> list[tuple[Target, dict[str, Any]]]:
    """A room's `schedule` message to its screens, panels and phones when its upcoming
    actions changed (checked once a second, sent only on a change: a message per device
    per change, never per tick; a new device gets them in its welcome)."""
    told = _told.setdefault(engine, {"at": float("-inf"), "rooms": {}})
    if now - told["at"] < TELL_EVERY_S:
        return []
    told["at"] = now
    sends: list[tuple[Target, dict[str, Any]]] = []
    rooms: dict[str, list[dict[str, Any]]] = told["rooms"]
    for code, room in engine.rooms.items():
        current = upcoming(room.activities.values())
        if rooms.get(code, []) != current:
            rooms[code] = current
            sends.append((ToRoom(code, SCREENS | PANELS | PHONES), message(room, current)))
    return sends


register_state("schedule", "room")


def message(room: Room, current: list[dict[str, Any]]) -> dict[str, Any]:
    return out("schedule", room=room.code, schedule=current)


COMMANDS: dict[type[Message], Callable[..., Step]] = {}
APPLIERS = {ev.SCHEDULED: on_scheduled}
