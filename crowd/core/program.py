"""The festival's program: each room's place and time slots, and the whole festival as
one file (rooms, slots, agendas) to prepare beforehand and import on the day.

A room has a `space` ("salle 2", "la grange") and `slots`: the sessions it holds,
[{start, end, title}] in seconds since the epoch, sorted. They are set by a
`room_programmed` event {key?, space, slots}, the latest wins, so a replay rebuilds
them; `key` is the organiser's name for the room in the program file ("atelier-pain"),
kept so a second import of the same file finds the same room.

The file (`crowd-program`, version 1, docs/protocol.md "Festival: program"):

    {"format": "crowd-program", "version": 1,
     "rooms": [{"key": "pain", "title": "Atelier pain", "space": "salle 2",
                "slots": [{"start": 1790000000, "end": 1790005400, "title": "Le levain"}],
                "activities": [<spec>, ...]}]}

Import is idempotent and whole: everything is checked before anything changes (a
refusal names the room and the item), then a room is found by its key (or its code)
or created, its place and slots set if they changed, and each activity of the file
is matched to the room's activity of the same kind and prompt: the same spec is left
alone, a changed draft is updated, one that already ran is kept as it is, a new one is
added. So importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from crowd.activities import activity_type
from crowd.core import events as ev
from crowd.core import schedule
from crowd.core.authorization import Peer
from crowd.core.errors import BadMessage, CrowdError, declare_reasons
from crowd.core.events import Event
from crowd.core.protocol import Message, ack, out, register
from crowd.core.steps import PANELS, PHONES, REPLY, SCREENS, Step, ToAllPanels, ToRoom
from crowd.core.types import Role, State, normalize_code

if TYPE_CHECKING:
    from crowd.core.engine import Engine
    from crowd.core.room import Room

FORMAT = "crowd-program"
VERSION = 1
MAX_ROOMS = 100
MAX_SLOTS = 50
MAX_ACTIVITIES = 200  # per room, as an agenda import
MAX_KEY = 40
MAX_SPACE = 80
MAX_TITLE = 120

declare_reasons({
    "program_format": "not a crowd program file (format {format!r}, version {version})",
    "program_rooms": "'rooms' must be a list of 1 to {max} rooms",
    "program_room": "room {position} ({name}): {detail}",
    "program_key_twice": "two rooms have the key {key!r}",
    "program_text": "'{field}' must be a text of at most {limit} characters",
    "program_text_missing": "'{field}' is required",
    "program_list": "'{field}' must be a list of at most {max} entries",
    "program_map": "each entry of '{field}' must be a map",
    "program_time": "'{field}' must be a time in seconds since 1970",
    "program_slot": "slot {position}: {detail}",
    "program_slot_order": "it must end after it starts",
    "program_item": "activity {position}: {detail}",
})

_PANEL = frozenset({Role.PANEL})


@dataclass(frozen=True, slots=True)
class ProgramSet(Message):
    """Set one room's place and time slots (the panel's program editor)."""

    TYPE: ClassVar[str] = "program_set"
    ROLES: ClassVar[frozenset[Role]] = _PANEL
    room: str
    space: str
    slots: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class ProgramExport(Message):
    TYPE: ClassVar[str] = "program_export"
    ROLES: ClassVar[frozenset[Role]] = _PANEL
    ORGANISER: ClassVar[bool] = True  # the whole festival (crowd.core.authorization)


@dataclass(frozen=True, slots=True)
class ProgramImport(Message):
    TYPE: ClassVar[str] = "program_import"
    ROLES: ClassVar[frozenset[Role]] = _PANEL
    ORGANISER: ClassVar[bool] = True  # it creates rooms (crowd.core.authorization)
    program: dict[str, Any]


def _field(raw: Mapping[str, Any], name: str, check: Callable[[Any], bool], what: str,
           default: Any = None) -> Any:
    value = raw.get(name, default)
    if value is None or not check(value):
        raise BadMessage(reason="message_field_invalid", field=name, what=what)
    return value


register("program_set", lambda raw: ProgramSet(
    room=_field(raw, "room", lambda v: isinstance(v, str) and 0 < len(v) <= 64, "a room code"),
    space=_field(raw, "space", lambda v: isinstance(v, str), "a text", ""),
    slots=_field(raw, "slots", lambda v: isinstance(v, list), "a list of slots", [])),
    ProgramSet)
register("program_export", lambda raw: ProgramExport(), ProgramExport)
register("program_import", lambda raw: ProgramImport(
    program=_field(raw, "program", lambda v: isinstance(v, dict), "a program map")),
    ProgramImport)


# ---------------------------------------------------------------- checking a program


def _text(raw: Mapping[str, Any], name: str, limit: int, *, required: bool = False) -> str:
    value = raw.get(name, "")
    if not isinstance(value, str) or len(value) > limit:
        raise BadMessage(reason="program_text", field=name, limit=limit)
    if required and not value.strip():
        raise BadMessage(reason="program_text_missing", field=name)
    return " ".join(value.split())


def clean_slots(raw: Any) -> list[dict[str, Any]]:
    """A room's slots, checked and sorted by start; raises BadMessage naming the slot."""
    if not isinstance(raw, list) or len(raw) > MAX_SLOTS:
        raise BadMessage(reason="program_list", field="slots", max=MAX_SLOTS)
    slots = []
    for position, item in enumerate(raw, 1):
        try:
            if not isinstance(item, Mapping):
                raise BadMessage(reason="program_map", field="slots")
            times = []
            for name in ("start", "end"):
                value = item.get(name)
                if isinstance(value, bool) or not isinstance(value, int | float) or not (
                        0 < value < 1e11):
                    raise BadMessage(reason="program_time", field=name)
                times.append(float(value))
            if times[1] <= times[0]:
                raise BadMessage(reason="program_slot_order")
            slots.append({"start": times[0], "end": times[1],
                          "title": _text(item, "title", MAX_TITLE)})
        except BadMessage as exc:
            raise BadMessage(reason="program_slot", position=position,
                             detail=exc.message, cause=exc.details()) from None
    slots.sort(key=lambda s: (s["start"], s["end"]))
    return slots


@dataclass(slots=True)
class PlannedRoom:
    key: str
    title: str
    space: str
    slots: list[dict[str, Any]]
    specs: list[dict[str, Any]]


def check_program(program: Mapping[str, Any], now: float) -> list[PlannedRoom]:
    """The whole file checked before anything changes; raises BadMessage naming where."""
    if program.get("format") != FORMAT or program.get("version") != VERSION:
        raise BadMessage(reason="program_format", format=str(program.get("format"))[:40],
                         version=str(program.get("version"))[:10])
    rooms = program.get("rooms")
    if not isinstance(rooms, list) or not 0 < len(rooms) <= MAX_ROOMS:
        raise BadMessage(reason="program_rooms", max=MAX_ROOMS)
    planned: list[PlannedRoom] = []
    keys: set[str] = set()
    for position, raw in enumerate(rooms, 1):
        name = str(raw.get("key") or raw.get("title") or "?")[:40] if isinstance(
            raw, Mapping) else "?"
        try:
            if not isinstance(raw, Mapping):
                raise BadMessage(reason="program_map", field="rooms")
            room = _check_room(raw, now)
        except BadMessage as exc:
            raise BadMessage(reason="program_room", position=position, name=name,
                             detail=exc.message, cause=exc.details()) from None
        if room.key in keys:
            raise BadMessage(reason="program_key_twice", key=room.key)
        keys.add(room.key)
        planned.append(room)
    return planned


def _check_room(raw: Mapping[str, Any], now: float) -> PlannedRoom:
    title = _text(raw, "title", MAX_TITLE, required=True)
    key = _text(raw, "key", MAX_KEY) or _text(raw, "code", MAX_KEY) or title[:MAX_KEY]
    specs = []
    items = raw.get("activities", [])
    if not isinstance(items, list) or len(items) > MAX_ACTIVITIES:
        raise BadMessage(reason="program_list", field="activities", max=MAX_ACTIVITIES)
    for position, item in enumerate(items, 1):
        try:
            if not isinstance(item, Mapping):
                raise BadMessage(reason="program_map", field="activities")
            schedule.check_spec(item, now)
            specs.append(activity_type(item.get("kind")).normalize_spec(item))
        except CrowdError as exc:
            raise BadMessage(reason="program_item", position=position,
                             detail=exc.message, cause=exc.details()) from None
    return PlannedRoom(key, title, _text(raw, "space", MAX_SPACE), clean_slots(
        raw.get("slots", [])), specs)


# ---------------------------------------------------------------- commands


def _programmed(room: Room, key: str | None, space: str,
                slots: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The event data that sets a room's program, None when nothing would change."""
    if (room.key, room.space, room.slots) == (key, space, slots):
        return None
    return {"key": key, "space": space, "slots": slots}


def program_set(engine: Engine, msg: ProgramSet, peer: Peer, now: float) -> Step:
    room = engine.room(msg.room)
    space = _text({"space": msg.space}, "space", MAX_SPACE)
    slots = clean_slots(msg.slots)
    step = Step()
    data = _programmed(room, room.key, space, slots)
    if data is not None:
        engine.commit(step, engine.event(ev.ROOM_PROGRAMMED, room.code, data, now, peer,
                                         msg.seq))
        _tell(engine, step, room)
    engine.ack(step, peer, msg.seq, room=room.code)
    return step


def program_export(engine: Engine, msg: ProgramExport, peer: Peer, now: float) -> Step:
    step = Step()
    step.send(REPLY, ack(msg.seq, program=export(engine)))
    return step


def export(engine: Engine) -> dict[str, Any]:
    """The whole festival as one program file (import gives it back)."""
    return {"format": FORMAT, "version": VERSION, "rooms": [
        {"key": room.key or room.code, "code": room.code, "title": room.title,
         "space": room.space, "slots": room.slots,
         "activities": [dict(act.spec) for act in room.activities.values()]}
        for room in engine.rooms.values()]}


def program_import(engine: Engine, msg: ProgramImport, peer: Peer, now: float) -> Step:
    planned = check_program(msg.program, now)
    step = Step()
    report = []
    for plan in planned:
        room = _find(engine, plan.key)
        created = room is None
        if room is None:
            code = engine._new_code()
            engine.commit(step, engine.event(ev.ROOM_CREATED, code,
                                             {"code": code, "title": plan.title}, now,
                                             peer, None))
            room = engine.rooms[code]
        data = _programmed(room, plan.key, plan.space, plan.slots)
        if data is not None:
            engine.commit(step, engine.event(ev.ROOM_PROGRAMMED, room.code, data, now, peer,
                                             None))
        counts = {"added": 0, "updated": 0, "same": 0, "kept": 0}
        for spec in plan.specs:
            counts[_place(engine, step, room, spec, now, peer)] += 1
        report.append({"key": plan.key, "room": room.code, "created": created, **counts})
        if created or data is not None or counts["added"] or counts["updated"]:
            _tell(engine, step, room)
    if step.events and msg.seq is not None:  # the idempotency key rides on the last event
        step.events[-1] = step.events[-1]._replace(seq=msg.seq)
        if msg.seq > engine.last_seq.get(peer.client, -1):
            engine.last_seq[peer.client] = msg.seq
    engine.ack(step, peer, msg.seq, rooms=report)
    step.send(ToAllPanels(), out("rooms", rooms=[r.describe() for r in engine.rooms.values()]))
    return step


def _find(engine: Engine, key: str) -> Room | None:
    for room in engine.rooms.values():
        if room.key == key:
            return room
    return engine.rooms.get(normalize_code(key))


def _place(engine: Engine, step: Step, room: Room, spec: dict[str, Any], now: float,
           peer: Peer) -> str:
    """Add, update or leave one activity of the file; says which."""
    same = next((a for a in room.activities.values()
                 if a.kind == spec["kind"] and a.spec.get("prompt") == spec["prompt"]), None)
    if same is None:
        engine.add_activity(step, room, spec, now, peer, None)
        return "added"
    if same.spec == spec:
        return "same"
    if same.state is not State.DRAFT:
        return "kept"
    engine.commit(step, engine.event(ev.ACTIVITY_UPDATED, room.code,
                                     {"id": same.id, "spec": spec}, now, peer, None))
    return "updated"


def _tell(engine: Engine, step: Step, room: Room) -> None:
    step.send(ToRoom(room.code, PANELS), out("room", room=engine.room_state(
        room.code, for_panel=True)))
    step.send(ToRoom(room.code, PHONES | SCREENS), out("program", room=room.describe()))


def on_programmed(engine: Engine, event: Event) -> None:
    room = engine.rooms[event.room]
    room.key = event.data.get("key")
    room.space = event.data["space"]
    room.slots = event.data["slots"]


COMMANDS = {ProgramSet: program_set, ProgramExport: program_export,
            ProgramImport: program_import}
APPLIERS = {ev.ROOM_PROGRAMMED: on_programmed}
