"""The room engine: every room of a server, as a pure state machine.

`handle(msg, peer, now)` checks an input and returns a `Step`: the events to log and the
messages to send once they are durable. It never performs I/O and never reads the clock
(`now` is an argument), so it is tested without a server and without sleeps. Every state
change goes through `apply(event)`, the same function `replay` uses: the state rebuilt
from the log equals the live state by construction.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from crowd import events as ev
from crowd.activities import activity_type
from crowd.activities.calls import CallTally
from crowd.activities.calls import Volunteer as CallVolunteer
from crowd.activities.polls import estimate_number
from crowd.authorization import Peer, authorize
from crowd.errors import (
    BadMessage,
    Conflict,
    NotOpen,
    UnknownActivity,
    UnknownRoom,
)
from crowd.events import Event
from crowd.protocol import (
    ActivityDelete,
    ActivityNew,
    ActivityUpdate,
    AgendaExport,
    AgendaImport,
    Call,
    Close,
    CreateRoom,
    Decline,
    InfluenceRound,
    Message,
    Nick,
    Open,
    Project,
    Respond,
    Reveal,
    SetQuota,
    SetTruth,
    Volunteer,
    Withdraw,
    ack,
    error,
    out,
)
from crowd.room import Activity, Room
from crowd.types import CODE_ALPHABET, CODE_LENGTH, Kind, Role, State, normalize_code

log = logging.getLogger(__name__)

#: Volunteers per second of delay between two rosters of one call sent to panels.
ROSTER_PER_SECOND = 1000.0
#: Waiting phones told every move of their place; further back, a phone is told when its
#: place improved by a tenth since it was last told (places only ever improve).
EXACT_PLACES = 20


def _worth_telling(position: int, told: int | None) -> bool:
    """Tell a waiting phone its new place? Always near the front; at place 3,000 one step
    is news to nobody, and telling every step would send thousands of messages for each
    withdrawal near the front."""
    if told is None:
        return True
    return position != told and (position <= EXACT_PLACES or position <= told * 0.9)

PHONES = frozenset({Role.PHONE})
SCREENS = frozenset({Role.SCREEN})
PANELS = frozenset({Role.PANEL})
EVERYONE = frozenset(Role)


@dataclass(frozen=True, slots=True)
class Reply:
    """Send to the connection that sent the input."""


@dataclass(frozen=True, slots=True)
class ToRoom:
    room: str
    roles: frozenset[Role]


@dataclass(frozen=True, slots=True)
class ToDevice:
    room: str
    device: str


@dataclass(frozen=True, slots=True)
class ToAllPanels:
    """Every animator panel, whatever room it watches (the list of rooms changed)."""


Target = Reply | ToRoom | ToDevice | ToAllPanels
REPLY = Reply()


@dataclass(slots=True)
class Step:
    """The outcome of one input: log `events`, then deliver `sends` (acks included)."""

    events: list[Event] = field(default_factory=list)
    sends: list[tuple[Target, dict[str, Any]]] = field(default_factory=list)

    def send(self, target: Target, msg: dict[str, Any]) -> None:
        self.sends.append((target, msg))


@dataclass(frozen=True, slots=True)
class Frame:
    """A fresh snapshot of one activity, for the room's screens and panels."""

    room: str
    activity: str
    projected: bool
    message: dict[str, Any]
    to_screens: bool = False  # projected, or a criée call (every open call is on screen)


class Engine:
    """All rooms of one server. Single-threaded by design: the hub calls it from one loop."""

    def __init__(self, rng: random.Random | None = None) -> None:
        self.rooms: dict[str, Room] = {}
        self.activities: dict[str, Activity] = {}
        self.last_seq: dict[str, int] = {}
        self._last_ack: dict[str, dict[str, Any]] = {}
        self.dirty: set[str] = set()
        self.rosters_dirty: set[str] = set()  # calls whose roster changed (for panels)
        # call -> the first place whose waiting position may have changed since told
        self.moved_calls: dict[str, int] = {}
        self._roster_built: dict[str, float] = {}
        # Waiting positions last told to each phone, per call: delivery bookkeeping, not
        # state (neither logged nor in checkpoints; after a restart phones get a welcome).
        self._told: dict[str, dict[str, int]] = {}
        self.applied = 0  # events applied by this engine (a refusal must not change it)
        self.skipped = 0  # stored events a tool could not apply (see apply_stored)
        self.rng = rng or random.Random()
        self._in_step: list[Event] = []  # applied by the handler now running
        self._handlers: dict[type[Message], Callable[[Any, Peer, float], Step]] = {
            Respond: self._respond, Nick: self._nick, CreateRoom: self._create_room,
            ActivityNew: self._activity_new, ActivityUpdate: self._activity_update,
            ActivityDelete: self._activity_delete, Open: self._open, Close: self._close,
            Reveal: self._reveal, Project: self._project, AgendaExport: self._agenda_export,
            AgendaImport: self._agenda_import, InfluenceRound: self._influence_round,
            SetTruth: self._set_truth, Call: self._call, SetQuota: self._set_quota,
            Volunteer: self._volunteer, Withdraw: self._withdraw, Decline: self._decline,
        }
        self._appliers: dict[str, Callable[[Event], None]] = {
            ev.ROOM_CREATED: self._on_room_created, ev.ACTIVITY_ADDED: self._on_activity_added,
            ev.ACTIVITY_UPDATED: self._on_activity_updated,
            ev.ACTIVITY_DELETED: self._on_activity_deleted, ev.OPENED: self._on_opened,
            ev.CLOSED: self._on_closed, ev.REVEALED: self._on_revealed,
            ev.PROJECTED: self._on_projected, ev.RESPONDED: self._on_responded,
            ev.NICKNAMED: self._on_nicknamed, ev.TRUTH_SET: self._on_truth_set,
            ev.VOLUNTEERED: self._on_volunteered, ev.WITHDREW: self._on_withdrew,
            ev.DECLINED: self._on_declined, ev.QUOTA_SET: self._on_quota_set,
        }

    def add_handler(self, msg_type: type[Message], handler: Callable[[Any, Peer, float], Step],
                    event_types: dict[str, Callable[[Event], None]] | None = None) -> None:
        """Lets an activity family (criée calls) add messages and events to the engine."""
        self._handlers[msg_type] = handler
        self._appliers.update(event_types or {})

    # ------------------------------------------------------------ entry points

    def handle(self, msg: Message, peer: Peer, now: float) -> Step:
        """Check one input and return what to log and send. Raises CrowdError on refusal."""
        authorize(msg, peer)
        if msg.seq is not None and msg.seq <= self.last_seq.get(peer.client, -1):
            return self._duplicate(msg.seq, peer)
        handler = self._handlers.get(type(msg))
        if handler is None:
            raise BadMessage(f"'{msg.TYPE}' is not handled here", seq=msg.seq)
        self._in_step = []
        try:
            step = handler(msg, peer, now)
        except Exception as exc:
            applied, self._in_step = self._in_step, []
            if applied:
                return self._failed_after_applying(msg, applied, exc)
            if getattr(exc, "seq", 0) is None:
                exc.seq = msg.seq  # type: ignore[attr-defined]
            raise
        self._in_step = []
        return step

    def _failed_after_applying(self, msg: Message, applied: list[Event],
                               exc: Exception) -> Step:
        """A handler failed after changing the state (a bug of ours): what memory holds
        must reach the log, or a restart would differ from what the room saw. The
        events are returned to be logged, and the sender is told something went wrong."""
        log.error("'%s' failed after applying %d event(s); they are kept", msg.TYPE,
                  len(applied), exc_info=exc)
        step = Step(events=applied)
        step.send(REPLY, error("server_error", "the command was applied, but its "
                               "messages could not be built: reload to see the state",
                               msg.seq))
        return step

    def apply(self, event: Event) -> None:
        """The only state mutator: used live (after checks) and by replay."""
        self._appliers[event.type](event)
        self.applied += 1
        if (event.client is not None and event.seq is not None
                and event.seq > self.last_seq.get(event.client, -1)):
            self.last_seq[event.client] = event.seq

    def apply_stored(self, event: Event) -> bool:
        """Apply an event read by a tool (timelapse, export) from a stored log; one that
        does not apply (damaged under a checkpoint, so no hub start set it aside) is
        skipped and counted in `skipped` instead of ending the whole tool."""
        try:
            self.apply(event)
        except Exception:
            self.skipped += 1
            log.warning("an event of type %r does not apply: skipped", event.type[:40])
            return False
        return True

    def replay(self, events: Iterable[Event]) -> int:
        count = 0
        for event in events:
            self.apply(event)
            count += 1
        self.dirty.clear()
        self.rosters_dirty.clear()
        self.moved_calls.clear()
        return count

    def room(self, code: str) -> Room:
        room = self.rooms.get(normalize_code(code))
        if room is None:
            raise UnknownRoom(f"no room with code {code[:12]!r}")
        return room

    def activity(self, activity_id: str) -> Activity:
        act = self.activities.get(activity_id)
        if act is None:
            raise UnknownActivity(f"no activity {activity_id[:40]!r}")
        return act

    def welcome(self, peer: Peer, device: str | None = None) -> dict[str, Any]:
        """What a client needs right after hello to show the right state."""
        if peer.role is Role.PANEL:
            body: dict[str, Any] = {"rooms": [r.describe() for r in self.rooms.values()]}
            if peer.room is not None:
                body["room"] = self.room_state(peer.room, for_panel=True)
            return body
        room = self.room(peer.room or "")
        if peer.role is Role.SCREEN:
            calls = [{"activity": a.public(), "snapshot": self.snapshot(a)}
                     for a in room.activities.values()
                     if a.kind is Kind.CALL and a.state is State.OPEN]
            return {"room": room.describe(), "projected": self._projection(room),
                    "calls": calls}
        mine = {}
        results = {}
        calls = {}
        for act in room.activities.values():
            if isinstance(act.tally, CallTally) and device is not None:
                calls[act.id] = act.tally.status(device)
            if device is not None and device in act.responses and (
                    act.state is State.OPEN or act.revealed):
                mine[act.id] = act.responses[device]
            if act.revealed:
                results[act.id] = self.snapshot(act)
        return {"room": room.describe(), "activities": room.activity_list(for_panel=False),
                "mine": mine, "results": results, "calls": calls,
                "nick": room.nicks.get(device or "")}

    def room_state(self, code: str, *, for_panel: bool) -> dict[str, Any]:
        room = self.room(code)
        return {**room.describe(), "projected": room.projected,
                "activities": room.activity_list(for_panel=for_panel)}

    def is_public(self, act: Activity) -> bool:
        """May anyone see this activity's figures? Projected, revealed, or an open call."""
        room = self.rooms[act.room]
        return (room.projected == act.id or act.revealed
                or (act.kind is Kind.CALL and act.state is State.OPEN))

    def current_frames(self, code: str) -> list[Frame]:
        """Fresh frames of a room's open, projected or call activities (for a resume)."""
        room = self.room(code)
        frames = []
        for act in room.activities.values():
            projected = room.projected == act.id
            if projected or act.state is State.OPEN:
                frames.append(Frame(room.code, act.id, projected, self._frame(act),
                                    projected or act.kind is Kind.CALL))
        return frames

    def collect_frames(self) -> list[Frame]:
        """Snapshots of the activities that changed since the last call (the hub's tick)."""
        frames = []
        dirty, self.dirty = sorted(self.dirty), set()  # a frame that fails costs one tick
        for activity_id in dirty:
            act = self.activities.get(activity_id)
            if act is None:
                continue
            room = self.rooms[act.room]
            projected = room.projected == act.id
            frames.append(Frame(room.code, act.id, projected, self._frame(act),
                                projected or act.kind is Kind.CALL))
        return frames

    # ------------------------------------------------------------ helpers

    def _frame(self, act: Activity) -> dict[str, Any]:
        """The activity's frame; if its figures cannot be computed, a frame that says so
        (panels show it): one activity's failure never stops the others, the room's
        other messages, or the command that asked for it."""
        try:
            snap = act.tally.snapshot()
            chart = act.tally.chart(snap)
        except Exception:
            log.exception("activity %s: snapshot failed", act.id)
            return self.error_frame(act, "its figures could not be computed")
        return out("frame", room=act.room, activity=act.id, state=act.state.value,
                   snapshot=snap, chart=chart)

    def error_frame(self, act: Activity, why: str) -> dict[str, Any]:
        """A frame without figures, for an activity whose snapshot or chart failed."""
        return out("frame", room=act.room, activity=act.id, state=act.state.value,
                   snapshot=None, chart=None, error=why)

    def snapshot(self, act: Activity) -> dict[str, Any] | None:
        """An activity's snapshot for phones and screens; None if it cannot be computed."""
        try:
            return act.tally.snapshot()
        except Exception:
            log.exception("activity %s: snapshot failed", act.id)
            return None

    def _projection(self, room: Room) -> dict[str, Any] | None:
        if room.projected is None:
            return None
        act = self.activities[room.projected]
        frame = self._frame(act)
        return {"activity": act.public(), "snapshot": frame["snapshot"], "chart": frame["chart"]}

    def _duplicate(self, seq: int, peer: Peer) -> Step:
        step = Step()
        previous = self._last_ack.get(peer.client)
        fields = previous if previous and previous.get("seq") == seq else {"seq": seq}
        step.send(REPLY, {**ack(seq), **fields, "dup": True})
        return step

    def _commit(self, step: Step, event: Event) -> None:
        """Apply an event now and add it to the step's log."""
        self.apply(event)
        step.events.append(event)
        self._in_step.append(event)

    def _ack(self, step: Step, peer: Peer, seq: int | None, **fields: Any) -> None:
        msg = ack(seq, **fields)
        if seq is not None:
            self._last_ack[peer.client] = msg
        step.send(REPLY, msg)

    def _event(self, type_: str, room: str, data: dict[str, Any], now: float, peer: Peer,
               seq: int | None) -> Event:
        return Event(type_, room, data, now, peer.client, seq)

    def _activity_changed(self, step: Step, act: Activity) -> None:
        """Tell phones and panels that an activity changed state."""
        room = self.rooms[act.room]
        step.send(ToRoom(room.code, PANELS), out("room", room=self.room_state(
            room.code, for_panel=True)))
        public = act.public()
        if act.state is State.DRAFT:
            return
        if act.kind is Kind.CALL:  # phones show the places left
            step.send(ToRoom(room.code, PHONES), out("activity", activity=public,
                                                     snapshot=self.snapshot(act)))
        else:
            step.send(ToRoom(room.code, PHONES), out("activity", activity=public))
        if act.kind is Kind.CALL:
            step.send(ToRoom(room.code, SCREENS), out("activity", activity=public,
                                                      snapshot=self.snapshot(act)))
        if room.projected == act.id:
            step.send(ToRoom(room.code, SCREENS), out("projected",
                                                      projection=self._projection(room)))

    def _new_code(self) -> str:
        for _ in range(1000):
            code = "".join(self.rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if code not in self.rooms:
                return code
        raise Conflict("no free room code left")

    # ------------------------------------------------------------ phone inputs

    def _respond(self, msg: Respond, peer: Peer, now: float) -> Step:
        act = self.activity(msg.activity)
        if peer.room is None or act.room != normalize_code(peer.room):
            raise UnknownActivity(f"no activity {msg.activity[:40]!r} in this room")
        if act.state is not State.OPEN:
            raise NotOpen("this activity is closed" if act.state is State.CLOSED
                          else "this activity is not open yet")
        value = activity_type(act.spec["kind"]).validate(act.spec, msg.value)
        step = Step()
        self._commit(step, self._event(
            ev.RESPONDED, act.room, {"id": act.id, "device": peer.client, "value": value},
            now, peer, msg.seq))
        self._ack(step, peer, msg.seq, activity=act.id)
        return step

    def _nick(self, msg: Nick, peer: Peer, now: float) -> Step:
        room = self.room(peer.room or "")
        name = " ".join(msg.name.split())
        step = Step()
        self._commit(step, self._event(
            ev.NICKNAMED, room.code, {"device": peer.client, "name": name}, now, peer, msg.seq))
        self._ack(step, peer, msg.seq, name=name)
        return step

    # ------------------------------------------------------------ panel commands

    def _create_room(self, msg: CreateRoom, peer: Peer, now: float) -> Step:
        title = " ".join(msg.title.split())[:120]
        if not title:
            raise BadMessage("a room needs a title")
        code = self._new_code()
        step = Step()
        self._commit(step, self._event(
            ev.ROOM_CREATED, code, {"code": code, "title": title}, now, peer, msg.seq))
        self._ack(step, peer, msg.seq, room=code)
        step.send(ToAllPanels(), out("rooms", rooms=[
            r.describe() for r in self.rooms.values()]))
        return step

    def _add(self, step: Step, room: Room, spec: dict[str, Any], now: float, peer: Peer,
             seq: int | None) -> Activity:
        """Add an activity with the room's next id (`spec` already normalised)."""
        activity_id = f"{room.code}-{room.next_number}"
        self._commit(step, self._event(ev.ACTIVITY_ADDED, room.code,
                                       {"id": activity_id, "spec": spec}, now, peer, seq))
        return self.activities[activity_id]

    def _activity_new(self, msg: ActivityNew, peer: Peer, now: float) -> Step:
        room = self.room(msg.room)
        spec = activity_type(msg.spec.get("kind")).normalize_spec(msg.spec)
        step = Step()
        act = self._add(step, room, spec, now, peer, msg.seq)
        self._ack(step, peer, msg.seq, activity=act.id)
        step.send(ToRoom(room.code, PANELS), out("room", room=self.room_state(
            room.code, for_panel=True)))
        return step

    def _activity_update(self, msg: ActivityUpdate, peer: Peer, now: float) -> Step:
        act = self.activity(msg.activity)
        if act.state is not State.DRAFT:
            raise Conflict("only a draft can be edited (close and duplicate it instead)")
        merged = {**act.spec, **msg.spec, "kind": act.spec["kind"]}
        spec = activity_type(act.spec["kind"]).normalize_spec(merged)
        step = Step()
        self._commit(step, self._event(
            ev.ACTIVITY_UPDATED, act.room, {"id": act.id, "spec": spec}, now, peer, msg.seq))
        self._ack(step, peer, msg.seq, activity=act.id)
        self._activity_changed(step, act)
        return step

    def _activity_delete(self, msg: ActivityDelete, peer: Peer, now: float) -> Step:
        act = self.activity(msg.activity)
        if act.state is State.OPEN:
            raise Conflict("close the activity before deleting it")
        step = Step()
        room = self.rooms[act.room]
        self._commit(step, self._event(
            ev.ACTIVITY_DELETED, act.room, {"id": act.id}, now, peer, msg.seq))
        self._ack(step, peer, msg.seq, activity=act.id)
        step.send(ToRoom(room.code, PANELS), out("room", room=self.room_state(
            room.code, for_panel=True)))
        step.send(ToRoom(room.code, PHONES), out("activity", activity={
            "id": act.id, "state": "deleted"}))
        return step

    def _transition(self, type_: str, act: Activity, allowed: set[State], refusal: str,
                    peer: Peer, seq: int | None, now: float,
                    extra: dict[str, Any] | None = None) -> Step:
        if act.state not in allowed:
            raise Conflict(refusal)
        step = Step()
        self._commit(step, self._event(
            type_, act.room, {"id": act.id, **(extra or {})}, now, peer, seq))
        self._ack(step, peer, seq, activity=act.id, state=act.state.value)
        self._activity_changed(step, act)
        return step

    def _open(self, msg: Open, peer: Peer, now: float) -> Step:
        act = self.activity(msg.activity)
        deadline = act.spec.get("deadline") if act.kind is Kind.CALL else None
        if deadline is not None and deadline <= now:
            raise Conflict("the call's deadline has passed: change it before opening")
        return self._transition(ev.OPENED, act, {State.DRAFT, State.CLOSED},
                                "the activity is already open", peer, msg.seq, now)

    def _close(self, msg: Close, peer: Peer, now: float) -> Step:
        act = self.activity(msg.activity)
        return self._transition(ev.CLOSED, act, {State.OPEN}, "only an open activity can close",
                                peer, msg.seq, now)

    def _reveal(self, msg: Reveal, peer: Peer, now: float) -> Step:
        act = self.activity(msg.activity)
        step = self._transition(ev.REVEALED, act, {State.OPEN, State.CLOSED},
                                "a draft has no results to reveal", peer, msg.seq, now,
                                {"on": msg.on})
        if msg.on:
            step.send(ToRoom(act.room, PHONES), out("result", activity=act.id,
                                                    snapshot=self.snapshot(act)))
        return step

    def _project(self, msg: Project, peer: Peer, now: float) -> Step:
        room = self.room(msg.room)
        if msg.activity is not None:
            act = self.activity(msg.activity)
            if act.room != room.code:
                raise UnknownActivity(f"no activity {msg.activity!r} in room {room.code}")
        step = Step()
        self._commit(step, self._event(
            ev.PROJECTED, room.code, {"id": msg.activity}, now, peer, msg.seq))
        self._ack(step, peer, msg.seq, activity=msg.activity)
        step.send(ToRoom(room.code, SCREENS), out("projected", projection=self._projection(room)))
        step.send(ToRoom(room.code, PANELS), out("room", room=self.room_state(
            room.code, for_panel=True)))
        return step

    def _agenda_export(self, msg: AgendaExport, peer: Peer, now: float) -> Step:
        room = self.room(msg.room)
        step = Step()
        agenda = {"format": "crowd-agenda", "version": 1, "title": room.title,
                  "activities": [act.spec for act in room.activities.values()]}
        step.send(REPLY, ack(msg.seq, agenda=agenda))
        return step

    def _agenda_import(self, msg: AgendaImport, peer: Peer, now: float) -> Step:
        room = self.room(msg.room)
        # Check every spec before changing anything: an agenda imports whole or not at all.
        specs = []
        for position, raw in enumerate(msg.activities):
            try:
                specs.append(activity_type(raw.get("kind")).normalize_spec(raw))
            except BadMessage as exc:
                raise BadMessage(f"activity {position + 1}: {exc.message}", seq=msg.seq) from None
        step = Step()
        ids = []
        for position, spec in enumerate(specs):
            last = position == len(specs) - 1  # the idempotency key rides on the last event
            ids.append(self._add(step, room, spec, now, peer, msg.seq if last else None).id)
        self._ack(step, peer, msg.seq, activities=ids)
        step.send(ToRoom(room.code, PANELS), out("room", room=self.room_state(
            room.code, for_panel=True)))
        return step

    def _influence_round(self, msg: InfluenceRound, peer: Peer, now: float) -> Step:
        """Round 2 of an estimate: the crowd's round-1 answer becomes social information
        shown to every phone, and a linked activity collects the revised estimates
        (Lorenz et al. 2011; Moussaïd et al. 2013)."""
        act = self.activity(msg.activity)
        if act.kind is not Kind.ESTIMATE or act.spec.get("round", 1) != 1:
            raise Conflict("a second round follows a first-round estimate")
        if act.state is State.DRAFT:
            raise Conflict("open and collect the first round before the second")
        if not act.responses:
            raise Conflict("the first round has no answers yet")
        if any(a.spec.get("previous") == act.id for a in self.activities.values()):
            raise Conflict("this estimate already has its second round")
        room = self.rooms[act.room]
        first = act.tally.snapshot()  # before any change: a failure here changes nothing
        step = Step()
        if act.state is State.OPEN:
            self._commit(step, self._event(ev.CLOSED, act.room, {"id": act.id}, now, peer, None))
            self._activity_changed(step, act)
        social = {"n": first["n"], "median": first["median"], "q1": first["q1"],
                  "q3": first["q3"]}
        spec = {**act.spec, "round": 2, "previous": act.id, "social": social}
        second = self._add(step, room, spec, now, peer, None)
        self._commit(step, self._event(ev.OPENED, room.code, {"id": second.id}, now, peer,
                                       msg.seq))
        if room.projected == act.id:
            self._commit(step, self._event(ev.PROJECTED, room.code, {"id": second.id}, now,
                                           peer, None))
        self._ack(step, peer, msg.seq, activity=second.id)
        self._activity_changed(step, second)
        return step

    def _set_truth(self, msg: SetTruth, peer: Peer, now: float) -> Step:
        act = self.activity(msg.activity)
        if act.kind is not Kind.ESTIMATE:
            raise Conflict("only an estimate has a true value")
        if msg.value is not None:
            estimate_number(msg.value)
        step = Step()
        self._commit(step, self._event(ev.TRUTH_SET, act.room, {
            "id": act.id, "value": msg.value}, now, peer, msg.seq))
        self._ack(step, peer, msg.seq, activity=act.id)
        self._activity_changed(step, act)
        return step

    # ------------------------------------------------------------ criée calls

    def _call_activity(self, call_id: str, peer: Peer) -> tuple[Activity, CallTally]:
        act = self.activity(call_id)
        if not isinstance(act.tally, CallTally):
            raise UnknownActivity(f"{call_id!r} is not a call")
        if peer.role is Role.PHONE and act.room != normalize_code(peer.room or ""):
            raise UnknownActivity(f"no call {call_id!r} in this room")
        return act, act.tally

    def _call(self, msg: Call, peer: Peer, now: float) -> Step:
        room = self.room(msg.room)
        spec = activity_type(Kind.CALL).normalize_spec(msg.spec)
        if spec["deadline"] is not None and spec["deadline"] <= now:
            raise BadMessage("the deadline is already past")
        step = Step()
        act = self._add(step, room, spec, now, peer, None)
        self._commit(step, self._event(ev.OPENED, room.code, {"id": act.id}, now, peer,
                                       msg.seq))
        self._ack(step, peer, msg.seq, call=act.id)
        self._activity_changed(step, act)
        return step

    def _open_call(self, msg: Volunteer | Withdraw | Decline, peer: Peer,
                   now: float) -> tuple[Activity, CallTally]:
        act, tally = self._call_activity(msg.call, peer)
        deadline = act.spec.get("deadline")
        if act.state is not State.OPEN or (deadline is not None and now >= deadline):
            raise NotOpen("this call is closed")
        return act, tally

    def _volunteer(self, msg: Volunteer, peer: Peer, now: float) -> Step:
        act, tally = self._open_call(msg, peer, now)
        step = Step()
        if peer.client not in tally.volunteers:  # a device counts once per call
            nickname = " ".join(msg.nickname.split()) or self.rooms[act.room].nicks.get(
                peer.client, "")
            self._commit(step, self._event(ev.VOLUNTEERED, act.room, {
                "id": act.id, "device": peer.client, "nickname": nickname,
                "contact": msg.contact.strip()}, now, peer, msg.seq))
        status = tally.status(peer.client)
        if "position" in status:
            self._told.setdefault(act.id, {})[peer.client] = status["position"]
        self._ack(step, peer, msg.seq, call=act.id, **status)
        return step

    def _withdraw(self, msg: Withdraw, peer: Peer, now: float) -> Step:
        act, tally = self._call_activity(msg.call, peer)
        step = Step()
        if peer.client in tally.volunteers:
            promoted = tally.promoted_by_leaving(peer.client)
            self._commit(step, self._event(ev.WITHDREW, act.room, {
                "id": act.id, "device": peer.client}, now, peer, msg.seq))
            self._told.get(act.id, {}).pop(peer.client, None)
            self._tell_promoted(step, act, tally, [promoted] if promoted else [])
        self._ack(step, peer, msg.seq, call=act.id, status="withdrawn")
        return step

    def _decline(self, msg: Decline, peer: Peer, now: float) -> Step:
        act, tally = self._open_call(msg, peer, now)
        step = Step()
        if peer.client in tally.volunteers:
            raise Conflict("you are on this call: withdraw instead")
        if peer.client not in tally.declined:
            self._commit(step, self._event(ev.DECLINED, act.room, {
                "id": act.id, "device": peer.client}, now, peer, msg.seq))
        self._ack(step, peer, msg.seq, call=act.id, status="declined")
        return step

    def _set_quota(self, msg: SetQuota, peer: Peer, now: float) -> Step:
        act, tally = self._call_activity(msg.call, peer)
        taken = min(tally.quota, len(tally.volunteers))
        if msg.quota < taken:
            raise Conflict(f"{taken} volunteers are already confirmed: the quota cannot go "
                           "below that")
        step = Step()
        promoted = tally.promoted_by_quota(msg.quota)
        self._commit(step, self._event(ev.QUOTA_SET, act.room, {
            "id": act.id, "quota": msg.quota}, now, peer, msg.seq))
        self._tell_promoted(step, act, tally, promoted)
        self._ack(step, peer, msg.seq, call=act.id, quota=msg.quota)
        self._activity_changed(step, act)
        return step

    def _tell_promoted(self, step: Step, act: Activity, tally: CallTally,
                       promoted: list[str]) -> None:
        """A freed place is told at once to the phone that gets it; the others' new
        waiting positions follow with `waiting_moves` (a hundred per tick, front first)."""
        for device in promoted:
            self._told.get(act.id, {}).pop(device, None)
            step.send(ToDevice(act.room, device), out("call_status", call=act.id,
                                                      promoted=True, status="confirmed"))

    def waiting_moves(self, limit: int) -> list[tuple[Target, dict[str, Any]]]:
        """`call_status` for up to `limit` waiting phones whose new position is worth
        telling (`_worth_telling`), front of the list first. The hub asks at each tick: one
        withdrawal moves thousands of places, and telling them all at once would hold
        the loop for everyone (a quarter of a second at 5,000); a call with more to tell
        stays pending, from where it stopped. The places before the first one that
        moved are not even looked at: a withdrawal at the back costs nothing."""
        sends: list[tuple[Target, dict[str, Any]]] = []
        for call_id in sorted(self.moved_calls):
            act = self.activities.get(call_id)
            if act is None or not isinstance(act.tally, CallTally):
                del self.moved_calls[call_id]
                continue
            told = self._told.setdefault(call_id, {})
            for rank, device, position in act.tally.waiting(self.moved_calls[call_id]):
                if len(sends) >= limit:
                    self.moved_calls[call_id] = rank  # the rest at the next tick
                    return sends
                if _worth_telling(position, told.get(device)):
                    told[device] = position
                    sends.append((ToDevice(act.room, device), out(
                        "call_status", call=act.id, status="waiting", position=position)))
            del self.moved_calls[call_id]
        return sends

    def _moved(self, call_id: str, rank: int) -> None:
        self.moved_calls[call_id] = min(rank, self.moved_calls.get(call_id, rank))

    def changed_rosters(self, now: float, watched: Callable[[str], bool]
                        ) -> list[tuple[str, dict[str, Any]]]:
        """(room, `volunteers` message) for each call whose roster changed, for rooms a
        panel watches (others get the rosters in the room state when they watch). A
        roster is O(volunteers) to build: a long one is rebuilt less often (below)."""
        found = []
        for call_id in sorted(self.rosters_dirty):
            act = self.activities.get(call_id)
            if act is None or not isinstance(act.tally, CallTally):
                self.rosters_dirty.discard(call_id)
                continue
            if not watched(act.room):
                self.rosters_dirty.discard(call_id)
                continue
            # A roster costs O(n) to build and send: at most every n / 1,000 seconds
            # (every tick up to 100 volunteers, every 5 s at 5,000), so its cost per
            # second stays flat however long the call.
            interval = min(10.0, len(act.tally.volunteers) / ROSTER_PER_SECOND)
            if now - self._roster_built.get(call_id, -1e18) < interval:
                continue
            self.rosters_dirty.discard(call_id)
            self._roster_built[call_id] = now
            found.append((act.room, out("volunteers", call=act.id,
                                        volunteers=act.tally.roster())))
        return found

    def expire(self, now: float, peer: Peer) -> Step:
        """Close the calls whose deadline passed (the hub calls this from its tick)."""
        step = Step()
        for act in list(self.activities.values()):
            deadline = act.spec.get("deadline") if act.kind is Kind.CALL else None
            if act.state is State.OPEN and deadline is not None and deadline <= now:
                self._commit(step, self._event(ev.CLOSED, act.room, {"id": act.id}, now, peer,
                                               None))
                self._activity_changed(step, act)
        return step

    def roster(self, call_id: str) -> list[dict[str, Any]]:
        return self._call_activity(call_id, Peer(Role.PANEL, ""))[1].roster()

    # ------------------------------------------------------------ appliers

    def _on_room_created(self, event: Event) -> None:
        code = event.data["code"]
        self.rooms[code] = Room(code, event.data["title"], event.ts)

    def _on_activity_added(self, event: Event) -> None:
        room = self.rooms[event.room]
        activity_id = event.data["id"]
        act = Activity(activity_id, room.code, event.data["spec"])
        self._link(act)
        room.activities[activity_id] = act
        room.next_number = int(activity_id.rsplit("-", 1)[1]) + 1
        self.activities[activity_id] = act

    def _on_activity_updated(self, event: Event) -> None:
        act = self.activities[event.data["id"]]
        act.spec = event.data["spec"]
        act.tally = activity_type(act.spec["kind"]).new_tally(act.spec)
        self._link(act)

    def _link(self, act: Activity) -> None:
        previous = self.activities.get(act.spec.get("previous") or "")
        if previous is not None:
            act.tally.link(previous.tally)

    def _on_activity_deleted(self, event: Event) -> None:
        act = self.activities.pop(event.data["id"])
        room = self.rooms[act.room]
        del room.activities[act.id]
        if room.projected == act.id:
            room.projected = None
        self.dirty.discard(act.id)

    def _on_opened(self, event: Event) -> None:
        self.activities[event.data["id"]].state = State.OPEN
        self.dirty.add(event.data["id"])

    def _on_closed(self, event: Event) -> None:
        self.activities[event.data["id"]].state = State.CLOSED
        self.dirty.add(event.data["id"])

    def _on_revealed(self, event: Event) -> None:
        self.activities[event.data["id"]].revealed = bool(event.data["on"])

    def _on_projected(self, event: Event) -> None:
        self.rooms[event.room].projected = event.data["id"]

    def _on_responded(self, event: Event) -> None:
        act = self.activities[event.data["id"]]
        act.set_response(event.data["device"], event.data["value"])
        act.tally.observe(event.ts)
        self.rooms[act.room].note_response(event.data["device"], event.ts)
        self.dirty.add(act.id)

    def _on_truth_set(self, event: Event) -> None:
        act = self.activities[event.data["id"]]
        act.tally.set_truth(event.data["value"])
        self.dirty.add(act.id)
        for other in self.activities.values():  # the second round shares the truth
            if other.spec.get("previous") == act.id:
                other.tally.set_truth(event.data["value"])
                self.dirty.add(other.id)

    def _on_volunteered(self, event: Event) -> None:
        act = self.activities[event.data["id"]]
        assert isinstance(act.tally, CallTally)
        act.tally.join(CallVolunteer(event.data["device"], event.data.get("nickname", ""),
                                     event.data.get("contact", ""), event.ts))
        self.dirty.add(act.id)
        self.rosters_dirty.add(act.id)

    def _on_withdrew(self, event: Event) -> None:
        act = self.activities[event.data["id"]]
        assert isinstance(act.tally, CallTally)
        rank = act.tally.rank(event.data["device"])
        act.tally.leave(event.data["device"])
        self.dirty.add(act.id)
        self.rosters_dirty.add(act.id)
        if rank is not None:  # everyone behind it moved up
            self._moved(act.id, rank)

    def _on_declined(self, event: Event) -> None:
        act = self.activities[event.data["id"]]
        assert isinstance(act.tally, CallTally)
        act.tally.decline(event.data["device"])
        self.dirty.add(act.id)

    def _on_quota_set(self, event: Event) -> None:
        act = self.activities[event.data["id"]]
        assert isinstance(act.tally, CallTally)
        before = act.tally.quota
        act.spec = {**act.spec, "quota": event.data["quota"]}
        act.tally.set_quota(event.data["quota"])
        self.dirty.add(act.id)
        self.rosters_dirty.add(act.id)
        self._moved(act.id, min(before, event.data["quota"]))  # every waiting place moved

    def _on_nicknamed(self, event: Event) -> None:
        self.rooms[event.room].nicks[event.data["device"]] = event.data["name"]
