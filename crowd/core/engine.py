"""The room engine: every room of a server, as a pure state machine.

`handle(msg, peer, now)` checks an input and returns a `Step`: the events to log and the
messages to send once they are durable. It never performs I/O and never reads the clock
(`now` is an argument), so it is tested without a server and without sleeps. Every state
change goes through `apply(event)`, the same function `replay` uses: the state rebuilt
from the log equals the live state by construction.
"""

from __future__ import annotations

import functools
import logging
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from crowd.activities import ActivityType, activity_type, all_types
from crowd.core import agenda, moderation, program, schedule, segments, showing, visibility
from crowd.core import events as ev
from crowd.core.authorization import Peer, authorize, visible
from crowd.core.errors import (
    BadMessage,
    Conflict,
    NotOpen,
    ServerError,
    UnknownActivity,
    UnknownRoom,
)
from crowd.core.events import Event
from crowd.core.protocol import (
    ActivityDelete,
    ActivityNew,
    ActivityUpdate,
    AgendaExport,
    AgendaImport,
    Close,
    CreateRoom,
    Message,
    Nick,
    Open,
    Project,
    Respond,
    Reveal,
    ack,
    error,
    out,
)
from crowd.core.room import Activity, Room
from crowd.core.steps import (
    EVERYONE,
    PANELS,
    PHONES,
    REPLY,
    SCREENS,
    Reply,
    Step,
    Target,
    ToAllPanels,
    ToDevice,
    ToRoom,
)
from crowd.core.types import CODE_ALPHABET, CODE_LENGTH, Role, State, normalize_code

log = logging.getLogger(__name__)

class Changed(set[str]):
    """Activities whose figures changed since the last frames. Each `add` also bumps the
    activity's version, which keys the snapshot cache (`Engine.snapshot`)."""

    def __init__(self, versions: dict[str, int], followers: dict[str, list[str]]) -> None:
        super().__init__()
        self.versions = versions
        self.followers = followers  # activity -> those whose figures include its own

    def add(self, activity_id: str) -> None:
        self.versions[activity_id] = self.versions.get(activity_id, 0) + 1
        super().add(activity_id)
        for follower in self.followers.get(activity_id, ()):  # a second round's figures
            self.add(follower)


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
        self.versions: dict[str, int] = {}  # activity -> changes of its figures so far
        self._followers: dict[str, list[str]] = {}
        self.dirty: Changed = Changed(self.versions, self._followers)
        self._snapshots: dict[str, tuple[int, dict[str, Any]]] = {}  # see snapshot()
        self._kind_states: dict[str, Any] = {}  # see kind_state
        self.applied = 0  # events applied by this engine (a refusal must not change it)
        self.skipped = 0  # stored events a tool could not apply (see apply_stored)
        self.rng = rng or random.Random()
        self._in_step: list[Event] = []  # applied by the handler now running
        self.blocklist = moderation.Blocklist()  # the server may extend it from a file
        self.moderated: set[str] = set()  # activities with a moderation (see moderation.py)
        self.splits = segments.Splits()  # cross-tab segments (see segments.py)
        self._moderation_told = moderation.Told()
        self._handlers: dict[type[Message], Callable[[Any, Peer, float], Step]] = {
            Respond: self._respond, Nick: self._nick, CreateRoom: self._create_room,
            ActivityNew: self._activity_new, ActivityUpdate: self._activity_update,
            ActivityDelete: self._activity_delete, Open: self._open, Close: self._close,
            Reveal: self._reveal, Project: self._project, AgendaExport: self._agenda_export,
            AgendaImport: self._agenda_import,
        }
        self._appliers: dict[str, Callable[[Event], None]] = {
            ev.ROOM_CREATED: self._on_room_created, ev.ACTIVITY_ADDED: self._on_activity_added,
            ev.ACTIVITY_UPDATED: self._on_activity_updated,
            ev.ACTIVITY_DELETED: self._on_activity_deleted, ev.OPENED: self._on_opened,
            ev.CLOSED: self._on_closed, ev.REVEALED: self._on_revealed,
            ev.PROJECTED: self._on_projected, ev.RESPONDED: self._on_responded,
            ev.NICKNAMED: self._on_nicknamed,
        }
        # The agenda's commands (next, reorder, duplicate), the moderation of free text and
        # the cross-tab segments, among others, live in their own modules.
        for module in (agenda, moderation, program, schedule, showing, visibility,
                       segments):
            for msg_type, command in module.COMMANDS.items():
                self._handlers[msg_type] = functools.partial(command, self)
            for event_type, applier in module.APPLIERS.items():
                self._appliers[event_type] = functools.partial(applier, self)
        # The kinds' own commands and events (the engine never names a kind).
        self._kinds = all_types()
        for kind in self._kinds:
            for msg_type, command in kind.commands().items():
                self._handlers[msg_type] = functools.partial(command, self)
            for event_type, applier in kind.appliers().items():
                self._appliers[event_type] = functools.partial(applier, self)

    # ------------------------------------------------------------ entry points

    def handle(self, msg: Message, peer: Peer, now: float) -> Step:
        """Check one input and return what to log and send. Raises CrowdError on refusal."""
        authorize(msg, peer)
        schedule.check(msg, now)  # a time far in the past or future: refused first
        if msg.seq is not None and msg.seq <= self.last_seq.get(peer.client, -1):
            return self._duplicate(msg.seq, peer)
        handler = self._handlers.get(type(msg))
        if handler is None:
            raise BadMessage(reason="not_handled", type=msg.TYPE, seq=msg.seq)
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
        log.error("'%s' failed after applying %d %s; they are kept", msg.TYPE, len(applied),
                  "event" if len(applied) == 1 else "events", exc_info=exc)
        step = Step(events=applied)
        told = ServerError(reason="applied_not_told")
        step.send(REPLY, error(told.code, told.message, msg.seq, **told.details()))
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
        self._kind_states.clear()  # nothing was told during a replay
        self._moderation_told = moderation.Told()
        return count

    def relink(self) -> None:
        """After a checkpoint's state is put in place: forget cached figures, and note
        again which activities follow which (a second round shows the first's)."""
        self._snapshots.clear()
        self.versions.clear()
        self._followers.clear()
        self.moderated = {a.id for a in self.activities.values() if a.moderation is not None}
        for act in self.activities.values():
            previous = act.spec.get("previous")
            if previous in self.activities:
                self._followers.setdefault(previous, []).append(act.id)

    def room(self, code: str) -> Room:
        room = self.rooms.get(normalize_code(code))
        if room is None:
            raise UnknownRoom(reason="room_unknown", code=code[:12])
        return room

    def activity(self, activity_id: str) -> Activity:
        act = self.activities.get(activity_id)
        if act is None:
            raise UnknownActivity(reason="activity_unknown", id=activity_id[:40])
        return act

    def welcome(self, peer: Peer, device: str | None = None) -> dict[str, Any]:
        """What a client needs right after hello to show the right state."""
        if peer.role is Role.PANEL:
            body: dict[str, Any] = {"rooms": [r.describe() for r in visible(self.rooms, peer)]}
            if peer.room is not None:
                body["room"] = self.room_state(peer.room, for_panel=True)
            return body
        room = self.room(peer.room or "")
        if peer.role is Role.SCREEN:
            body = {"room": room.describe(), "projected": self._projection(room)}
        else:
            mine = {}
            results = {}
            for act in room.activities.values():
                if device is not None and device in act.responses and (
                        act.state is State.OPEN or act.revealed):
                    mine[act.id] = act.responses[device]
                if act.revealed:
                    results[act.id] = self.snapshot(act)
            body = {"room": room.describe(), "activities": room.activity_list(for_panel=False),
                    "mine": mine, "results": results, "nick": room.nicks.get(device or "")}
        self._kinds_welcome(body, room, peer.role, device)
        return body

    def _kinds_welcome(self, body: dict[str, Any], room: Room, role: Role,
                       device: str | None) -> None:
        """The kinds' parts of a welcome (a phone's places on criée calls, a screen's
        open calls), merged field by field."""
        for kind in self._kinds:
            for name, empty in kind.welcome_fields(role).items():
                body.setdefault(name, empty.copy())
        for act in room.activities.values():
            for name, part in activity_type(act.kind).welcome(self, act, role, device).items():
                if isinstance(part, list):
                    body.setdefault(name, []).extend(part)
                else:
                    body.setdefault(name, {}).update(part)

    def room_state(self, code: str, *, for_panel: bool) -> dict[str, Any]:
        room = self.room(code)
        return {**room.describe(), "projected": room.projected,
                "activities": room.activity_list(for_panel=for_panel)}

    def is_public(self, act: Activity) -> bool:
        """May anyone see this activity's figures? Projected, revealed, or open and of a
        kind that is always on screen (a criée call)."""
        room = self.rooms[act.room]
        return visibility.figures_shown(act) and (room.projected == act.id or act.revealed
                or (self._on_screens(act) and act.state is State.OPEN))

    @staticmethod
    def _on_screens(act: Activity) -> bool:
        return activity_type(act.kind).on_screens

    def current_frames(self, code: str) -> list[Frame]:
        """Fresh frames of a room's open, projected or call activities (for a resume)."""
        room = self.room(code)
        frames = []
        for act in room.activities.values():
            projected = room.projected == act.id
            if projected or act.state is State.OPEN:
                frames.append(Frame(room.code, act.id, projected, self._frame(act),
                                    projected or self._on_screens(act)))
        return frames

    def panel_messages(self, code: str) -> list[dict[str, Any]]:
        """The kinds' state messages for a panel that starts following a room."""
        return [m for act in self.room(code).activities.values()
                for m in activity_type(act.kind).panel_messages(self, act)]

    def collect_frames(self) -> list[Frame]:
        """Snapshots of the activities that changed since the last call (the hub's tick)."""
        frames = []
        # a frame that fails costs one tick
        dirty, self.dirty = sorted(self.dirty), Changed(self.versions, self._followers)
        for activity_id in dirty:
            act = self.activities.get(activity_id)
            if act is None:
                continue
            room = self.rooms[act.room]
            projected = room.projected == act.id
            frames.append(Frame(room.code, act.id, projected, self._frame(act),
                                projected or self._on_screens(act)))
        return frames

    # ------------------------------------------------------------ helpers

    def _frame(self, act: Activity) -> dict[str, Any]:
        """The activity's frame; if its figures cannot be computed, a frame that says so
        (panels show it): one activity's failure never stops the others, the room's
        other messages, or the command that asked for it."""
        snap = self.snapshot(act)  # logs its own failure
        if snap is None:
            return self.error_frame(act, "its figures could not be computed")
        try:
            chart = act.tally.chart(snap)
        except Exception:
            log.exception("activity %s: chart failed", act.id)
            return self.error_frame(act, "its figures could not be computed")
        return out("frame", room=act.room, activity=act.id, state=act.state.value,
                   opened_at=act.opened_at, snapshot=snap, chart=chart)

    def error_frame(self, act: Activity, why: str) -> dict[str, Any]:
        """A frame without figures, for an activity whose snapshot or chart failed."""
        return out("frame", room=act.room, activity=act.id, state=act.state.value,
                   snapshot=None, chart=None, error=why)

    def snapshot(self, act: Activity) -> dict[str, Any] | None:
        """An activity's snapshot for phones and screens; None if it cannot be computed.

        Computed once per change of the activity's figures (its version, bumped by
        every `dirty.add`) however many welcomes, frames and projections ask: a hello
        to a room of revealed activities no longer recomputes them all. Read-only."""
        version = self.versions.get(act.id, 0)
        cached = self._snapshots.get(act.id)
        if cached is not None and cached[0] == version:
            return cached[1]
        try:
            snap = segments.with_split(self, act, act.tally.snapshot())
        except Exception:
            log.exception("activity %s: snapshot failed", act.id)
            return None
        self._snapshots[act.id] = (version, snap)
        return snap

    def _projection(self, room: Room) -> dict[str, Any] | None:
        act = showing.on_screen(self, room)  # its projection, or a pushed result
        if act is None:
            return None
        return visibility.projection(act, self._frame(act))

    projection = _projection  # public for the agenda's commands

    def _duplicate(self, seq: int, peer: Peer) -> Step:
        step = Step()
        previous = self._last_ack.get(peer.client)
        fields = previous if previous and previous.get("seq") == seq else {"seq": seq}
        step.send(REPLY, {**ack(seq), **fields, "dup": True})
        return step

    def commit(self, step: Step, event: Event) -> None:
        """Apply an event now and add it to the step's log."""
        self.apply(event)
        step.events.append(event)
        self._in_step.append(event)

    def ack(self, step: Step, peer: Peer, seq: int | None, **fields: Any) -> None:
        msg = ack(seq, **fields)
        if seq is not None:
            self._last_ack[peer.client] = msg
        step.send(REPLY, msg)

    def event(self, type_: str, room: str, data: dict[str, Any], now: float, peer: Peer,
               seq: int | None) -> Event:
        return Event(type_, room, data, now, peer.client, seq)

    def room_changed(self, step: Step, code: str) -> None:
        """Tell the room's panels only (what animators alone see changed: a queue)."""
        step.send(ToRoom(code, PANELS), out("room", room=self.room_state(code,
                                                                      for_panel=True)))

    def activity_changed(self, step: Step, act: Activity) -> None:
        """Tell phones and panels that an activity changed state."""
        room = self.rooms[act.room]
        step.send(ToRoom(room.code, PANELS), out("room", room=self.room_state(
            room.code, for_panel=True)))
        public = act.public()
        if act.state is State.DRAFT:
            return
        if self._on_screens(act):  # phones show the places left, screens the strip
            snapshot = self.snapshot(act)
            step.send(ToRoom(room.code, PHONES), out("activity", activity=public,
                                                     snapshot=snapshot))
            step.send(ToRoom(room.code, SCREENS), out("activity", activity=public,
                                                      snapshot=snapshot))
        elif act.revealed:  # reopened or closed with its results shown: fresh figures
            step.send(ToRoom(room.code, PHONES), out("activity", activity=public,
                                                     snapshot=self.snapshot(act)))
        else:
            step.send(ToRoom(room.code, PHONES), out("activity", activity=public))
        if room.projected == act.id:
            step.send(ToRoom(room.code, SCREENS), out("projected",
                                                      projection=self._projection(room)))

    def _new_code(self) -> str:
        for _ in range(1000):
            code = "".join(self.rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            if code not in self.rooms:
                return code
        raise Conflict(reason="room_codes_exhausted")

    # ------------------------------------------------------------ phone inputs

    def _respond(self, msg: Respond, peer: Peer, now: float) -> Step:
        act = self.activity(msg.activity)
        if peer.room is None or act.room != normalize_code(peer.room):
            raise UnknownActivity(reason="not_in_room", field="activity", id=msg.activity[:40])
        if act.state is not State.OPEN:
            raise NotOpen(reason="activity_closed" if act.state is State.CLOSED
                          else "activity_not_open_yet")
        value = activity_type(act.spec["kind"]).validate(act.spec, msg.value)
        data = {"id": act.id, "device": peer.client, "value": value}
        flagged = moderation.flags_for(self, act, value)
        if flagged:  # logged with the answer: a replay hides the same entries
            data["flagged"] = flagged
        step = Step()
        self.commit(step, self.event(ev.RESPONDED, act.room, data, now, peer, msg.seq))
        self.ack(step, peer, msg.seq, activity=act.id)
        return step

    def _nick(self, msg: Nick, peer: Peer, now: float) -> Step:
        room = self.room(peer.room or "")
        name = " ".join(msg.name.split())
        step = Step()
        self.commit(step, self.event(
            ev.NICKNAMED, room.code, {"device": peer.client, "name": name}, now, peer, msg.seq))
        self.ack(step, peer, msg.seq, name=name)
        return step

    # ------------------------------------------------------------ panel commands

    def _create_room(self, msg: CreateRoom, peer: Peer, now: float) -> Step:
        title = " ".join(msg.title.split())[:120]
        if not title:
            raise BadMessage(reason="room_title_missing")
        code = self._new_code()
        step = Step()
        self.commit(step, self.event(
            ev.ROOM_CREATED, code, {"code": code, "title": title}, now, peer, msg.seq))
        self.ack(step, peer, msg.seq, room=code)
        step.send(ToAllPanels(), out("rooms", rooms=[
            r.describe() for r in self.rooms.values()]))
        return step

    def add_activity(self, step: Step, room: Room, spec: dict[str, Any], now: float, peer: Peer,
             seq: int | None) -> Activity:
        """Add an activity with the room's next id (`spec` already normalised)."""
        activity_id = f"{room.code}-{room.next_number}"
        self.commit(step, self.event(ev.ACTIVITY_ADDED, room.code,
                                       {"id": activity_id, "spec": spec}, now, peer, seq))
        return self.activities[activity_id]

    def _activity_new(self, msg: ActivityNew, peer: Peer, now: float) -> Step:
        room = self.room(msg.room)
        spec = activity_type(msg.spec.get("kind")).normalize_spec(msg.spec)
        step = Step()
        act = self.add_activity(step, room, spec, now, peer, msg.seq)
        self.ack(step, peer, msg.seq, activity=act.id)
        step.send(ToRoom(room.code, PANELS), out("room", room=self.room_state(
            room.code, for_panel=True)))
        return step

    def _activity_update(self, msg: ActivityUpdate, peer: Peer, now: float) -> Step:
        act = self.activity(msg.activity)
        if act.state is not State.DRAFT:
            raise Conflict(reason="edit_not_draft")
        merged = {**act.spec, **msg.spec, "kind": act.spec["kind"]}
        spec = activity_type(act.spec["kind"]).normalize_spec(merged)
        step = Step()
        self.commit(step, self.event(
            ev.ACTIVITY_UPDATED, act.room, {"id": act.id, "spec": spec}, now, peer, msg.seq))
        self.ack(step, peer, msg.seq, activity=act.id)
        self.activity_changed(step, act)
        return step

    def _activity_delete(self, msg: ActivityDelete, peer: Peer, now: float) -> Step:
        act = self.activity(msg.activity)
        if act.state is State.OPEN:
            raise Conflict(reason="delete_open")
        step = Step()
        room = self.rooms[act.room]
        self.commit(step, self.event(
            ev.ACTIVITY_DELETED, act.room, {"id": act.id}, now, peer, msg.seq))
        self.ack(step, peer, msg.seq, activity=act.id)
        step.send(ToRoom(room.code, PANELS), out("room", room=self.room_state(
            room.code, for_panel=True)))
        step.send(ToRoom(room.code, PHONES), out("activity", activity={
            "id": act.id, "state": "deleted"}))
        return step

    def _transition(self, type_: str, act: Activity, allowed: set[State], refusal: str,
                    peer: Peer, seq: int | None, now: float,
                    extra: dict[str, Any] | None = None) -> Step:
        if act.state not in allowed:
            raise Conflict(reason=refusal)
        step = Step()
        self.commit(step, self.event(
            type_, act.room, {"id": act.id, **(extra or {})}, now, peer, seq))
        self.ack(step, peer, seq, activity=act.id, state=act.state.value)
        self.activity_changed(step, act)
        return step

    def _open(self, msg: Open, peer: Peer, now: float) -> Step:
        act = self.activity(msg.activity)
        activity_type(act.kind).check_open(act, now)
        return self._transition(ev.OPENED, act, {State.DRAFT, State.CLOSED},
                                "already_open", peer, msg.seq, now)

    def _close(self, msg: Close, peer: Peer, now: float) -> Step:
        act = self.activity(msg.activity)
        return self._transition(ev.CLOSED, act, {State.OPEN}, "close_not_open",
                                peer, msg.seq, now)

    def _reveal(self, msg: Reveal, peer: Peer, now: float) -> Step:
        act = self.activity(msg.activity)
        step = self._transition(ev.REVEALED, act, {State.OPEN, State.CLOSED},
                                "reveal_draft", peer, msg.seq, now,
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
                raise UnknownActivity(reason="not_in_room", field="activity",
                                      id=msg.activity[:40])
        step = Step()
        self.commit(step, self.event(
            ev.PROJECTED, room.code, {"id": msg.activity}, now, peer, msg.seq))
        self.ack(step, peer, msg.seq, activity=msg.activity)
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
                raise BadMessage(reason="agenda_item", position=position + 1, detail=exc.message,
                                 cause=exc.details(), seq=msg.seq) from None
        step = Step()
        ids = []
        for position, spec in enumerate(specs):
            last = position == len(specs) - 1  # the idempotency key rides on the last event
            ids.append(self.add_activity(step, room, spec, now, peer, msg.seq if last else None).id)
        self.ack(step, peer, msg.seq, activities=ids)
        step.send(ToRoom(room.code, PANELS), out("room", room=self.room_state(
            room.code, for_panel=True)))
        return step

    def expire(self, now: float, peer: Peer) -> Step:
        """Open and close what is due by now (the schedule, a criée's deadline): the hub's tick."""
        return schedule.expire(self, now, peer)

    def tick(self, now: float, watched: Callable[[str], bool]
             ) -> list[tuple[Target, dict[str, Any]]]:
        """What the kinds send at the hub's tick (a criée's new places and rosters)."""
        sends: list[tuple[Target, dict[str, Any]]] = []
        for kind in self._kinds:
            sends.extend(kind.tick(self, now, watched))
        sends.extend(moderation.tick(self, self._moderation_told, now, watched))
        sends.extend(schedule.tick(self, now, watched))
        return sends

    def kind_state(self, kind: ActivityType) -> Any:
        """A kind's per-engine bookkeeping (not logged state), made on first use."""
        state = self._kind_states.get(kind.kind)
        if state is None:
            state = self._kind_states[kind.kind] = kind.new_state()
        return state

    # ------------------------------------------------------------ appliers

    def _on_room_created(self, event: Event) -> None:
        code = event.data["code"]
        self.rooms[code] = Room(code, event.data["title"], event.ts)

    def _on_activity_added(self, event: Event) -> None:
        room = self.rooms[event.room]
        activity_id = event.data["id"]
        act = Activity(activity_id, room.code, event.data["spec"])
        self._link(act)
        moderation.on_activity_spec(self, act)
        room.activities[activity_id] = act
        room.next_number = int(activity_id.rsplit("-", 1)[1]) + 1
        self.activities[activity_id] = act

    def _on_activity_updated(self, event: Event) -> None:
        act = self.activities[event.data["id"]]
        act.spec = event.data["spec"]
        act.tally = activity_type(act.spec["kind"]).new_tally(act.spec)
        self._link(act)
        moderation.on_activity_spec(self, act)
        self.dirty.add(act.id)

    def _link(self, act: Activity) -> None:
        previous = self.activities.get(act.spec.get("previous") or "")
        if previous is not None:
            act.tally.link(previous.tally)
            followers = self._followers.setdefault(previous.id, [])
            if act.id not in followers:
                followers.append(act.id)

    def _on_activity_deleted(self, event: Event) -> None:
        act = self.activities.pop(event.data["id"])
        room = self.rooms[act.room]
        del room.activities[act.id]
        if room.projected == act.id:
            room.projected = None
        self.dirty.discard(act.id)
        self.moderated.discard(act.id)

    def _on_opened(self, event: Event) -> None:
        act = self.activities[event.data["id"]]
        act.state = State.OPEN
        act.opened_at = event.ts
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
        if "flagged" in event.data and act.moderation is not None:
            act.moderation.flagged.update(event.data["flagged"])
        segments.respond(self, act, event.data["device"], event.data["value"])
        act.tally.observe(event.ts)
        self.rooms[act.room].note_response(event.data["device"], event.ts)
        self.dirty.add(act.id)

    def _on_nicknamed(self, event: Event) -> None:
        self.rooms[event.room].nicks[event.data["device"]] = event.data["name"]


# The engine's vocabulary, importable from here as before (defined in crowd.core.steps and
# crowd.core.authorization).
__all__ = ["EVERYONE", "PANELS", "PHONES", "REPLY", "SCREENS", "Engine", "Frame", "Peer",
           "Reply", "Step", "Target", "ToAllPanels", "ToDevice", "ToRoom"]
