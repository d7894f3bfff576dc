"""Criée calls: live recruitment with a quota, first come first served, then a waiting list.

A call is an activity of kind `call`. Volunteers are kept in arrival order; the first
`quota` are confirmed, the others wait in order. Because the engine is single-threaded and
the log keeps its order, the same volunteers are confirmed after a replay. Contacts are
animator-only: they never appear in snapshots (screens, phones, exports).

The kind brings its own messages (`call`, `set_quota`, `volunteer`, `withdraw`,
`decline`), events and deliveries: a promotion is told at once to the phone that gets
the place; the others' new places at the hub's tick (a hundred per tick, front first,
only when worth telling); the places left to every phone of the room (call_places.py);
the roster (with contacts) to the panels watching, as
latest-wins state at most every n / 1,000 s. Every input costs O(log n).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from sortedcontainers import SortedList

from crowd.activities.base import (
    ActivityType,
    Applier,
    Command,
    EngineAPI,
    Tally,
    integer,
    number,
    text,
)
from crowd.activities.call_places import PlacesNews, public_places
from crowd.activities.registry import register
from crowd.core import events as ev
from crowd.core.authorization import Peer
from crowd.core.errors import (
    BadMessage,
    BadValue,
    Conflict,
    NotOpen,
    UnknownActivity,
    declare_reasons,
)
from crowd.core.events import Event
from crowd.core.protocol import Message, get_field, is_id, is_int, is_map, out, short_text
from crowd.core.steps import PANELS, Step, Target, ToDevice, ToRoom
from crowd.core.types import Kind, Role, State, normalize_code

if TYPE_CHECKING:
    from crowd.core.room import Activity

declare_reasons({
    "value_call_answer": "answer a call with volunteer, withdraw or decline",
    "not_a_call": "{id!r} is not a call",
    "call_closed": "this call is closed",
    "deadline_past": "the deadline is already past",
    "decline_on_call": "you are on this call: withdraw instead",
    "quota_below_confirmed": "{taken} volunteers are already confirmed: the quota cannot go "
                             "below that",
    "deadline_passed_open": "the call's deadline has passed: change it before opening",
})

#: Volunteers per second of delay between two rosters of one call sent to panels.
ROSTER_PER_SECOND = 1000.0
#: Waiting phones told every move of their place; further back, a phone is told when its
#: place improved by a tenth since it was last told (places only ever improve).
EXACT_PLACES = 20
#: New waiting places told per tick (10 Hz): no tick holds the loop for more than a few
#: milliseconds, whatever one withdrawal moved.
WAITING_MOVES_PER_TICK = 100
#: Places looked at per place told, at most, in one tick.
VISITS_PER_MESSAGE = 20

CONFIRMED = "confirmed"
WAITING = "waiting"
WITHDRAWN = "withdrawn"
DECLINED = "declined"


@dataclass(slots=True)
class Signup:
    """One volunteer on a call, as the roster shows it (`Volunteer` is the phone's message)."""

    device: str
    nickname: str
    contact: str
    at: float


class CallTally(Tally):
    """Volunteers in arrival order; declines are counted.

    A place is a rank in arrival order among those still on the call. Ranks come from
    a sorted list of arrival numbers (`sortedcontainers.SortedList`), so joining,
    leaving and finding one's place cost O(log n) however long the list: in a hall of
    2,000, one phone toggling volunteer/withdraw must not cost a scan of the others.
    """

    def __init__(self, quota: int) -> None:
        self.quota = quota
        self.volunteers: dict[str, Signup] = {}  # insertion order is arrival order
        self.declined: set[str] = set()
        #: Who withdrew, and when, in the order they left (the roster's last rows).
        self.withdrawn: dict[str, tuple[Signup, float]] = {}
        self._arrival: dict[str, int] = {}  # device -> arrival number
        self._device: dict[int, str] = {}  # arrival number -> device
        self._order: SortedList = SortedList()  # arrival numbers of those on the call
        self._arrivals = 0

    # Calls are driven by volunteer/withdraw events, not by generic responses.
    def add(self, value: Any) -> None:  # pragma: no cover - not used for calls
        raise BadValue(reason="value_call_answer")

    def remove(self, value: Any) -> None:  # pragma: no cover
        raise BadValue(reason="value_call_answer")

    def rank(self, device: str) -> int | None:
        """0-based place in arrival order among those on the call, None if not on it."""
        arrival = self._arrival.get(device)
        return None if arrival is None else self._order.index(arrival)

    def at(self, rank: int) -> str:
        """The device at a 0-based place (O(log n))."""
        return self._device[self._order[rank]]

    def confirmed(self) -> list[str]:
        return [self.at(r) for r in range(min(self.quota, len(self._order)))]

    def _status_at(self, rank: int) -> dict[str, Any]:
        if rank < self.quota:
            return {"status": CONFIRMED}
        return {"status": WAITING, "position": rank - self.quota + 1}

    def status(self, device: str) -> dict[str, Any]:
        """A device's place: confirmed, waiting (1-based position), declined or none."""
        rank = self.rank(device)
        if rank is not None:
            return self._status_at(rank)
        if device in self.declined:
            return {"status": DECLINED}
        return {"status": None}

    def promoted_by_leaving(self, device: str) -> str | None:
        """Who would be confirmed if `device` left now (before the event is applied)."""
        rank = self.rank(device)
        if rank is None or rank >= self.quota or len(self._order) <= self.quota:
            return None
        return self.at(self.quota)

    def promoted_by_quota(self, quota: int) -> list[str]:
        """Who a new quota would confirm (before the event is applied)."""
        return [self.at(r) for r in range(self.quota, min(quota, len(self._order)))]

    def waiting(self, from_rank: int = 0) -> Iterator[tuple[int, str, int]]:
        """(rank, device, 1-based position) on the waiting list, in order, from the
        place `from_rank` on (O(log n) to start, then O(1) each)."""
        start = max(self.quota, from_rank)
        for rank, arrival in enumerate(self._order.islice(start), start):
            yield rank, self._device[arrival], rank - self.quota + 1

    def join(self, volunteer: Signup) -> None:
        device = volunteer.device
        self.declined.discard(device)
        self.withdrawn.pop(device, None)
        if device in self._arrival:  # already on the call: keeps its place
            self.volunteers[device] = volunteer
            return
        arrival = self._arrivals
        self._arrivals += 1
        self._arrival[device] = arrival
        self._device[arrival] = device
        self._order.add(arrival)
        self.volunteers[device] = volunteer

    def leave(self, device: str, at: float | None = None) -> None:
        arrival = self._arrival.pop(device, None)
        if arrival is None:
            return
        del self._device[arrival]
        self._order.remove(arrival)
        signup = self.volunteers.pop(device)
        if at is not None:
            self.withdrawn[device] = (signup, at)

    def decline(self, device: str) -> None:
        self.declined.add(device)

    def set_quota(self, quota: int) -> None:
        self.quota = quota

    def snapshot(self) -> dict[str, Any]:
        taken = min(self.quota, len(self.volunteers))
        return {"n": len(self.volunteers), "quota": self.quota, "confirmed": taken,
                "waiting": max(0, len(self.volunteers) - self.quota),
                "declined": len(self.declined), "full": taken >= self.quota}

    def panel_fields(self) -> dict[str, Any]:
        """The agenda counts volunteers, and carries the roster (animators only)."""
        return {"n": len(self.volunteers), "volunteers": self.roster()}

    def roster(self) -> list[dict[str, Any]]:
        """Animator-only list, with contacts, in arrival order (O(n): built at most once
        per tick, for panels only)."""
        return [{"nickname": v.nickname, "contact": v.contact, "at": v.at,
                 **self._status_at(rank)}
                for rank, v in enumerate(self.volunteers.values())]

    def withdrawals(self) -> list[dict[str, Any]]:
        """Who withdrew (animators only): when they came, when they left."""
        return [{"nickname": v.nickname, "contact": v.contact, "at": v.at, "left_at": left,
                 "status": WITHDRAWN} for v, left in self.withdrawn.values()]

    def chart(self, snap: Mapping[str, Any]) -> dict[str, dict[str, list[Any]]]:
        quota = max(snap["quota"], 1)
        return {"gauge": {"taken": [snap["confirmed"]], "quota": [snap["quota"]],
                          "fill": [min(1.0, snap["confirmed"] / quota)],
                          "label": [f"{snap['confirmed']} / {snap['quota']}"],
                          "waiting": [f"+ {snap['waiting']} en liste d'attente"
                                      if snap["waiting"] else ""],
                          "full": ["COMPLET" if snap["full"] else ""]}}


# ---------------------------------------------------------------- messages


_PANEL = frozenset({Role.PANEL})
_PHONE = frozenset({Role.PHONE})


@dataclass(frozen=True, slots=True)
class Call(Message):
    """Shout a criée call now: creates the call activity and opens it in one step."""

    TYPE: ClassVar[str] = "call"
    ROLES: ClassVar[frozenset[Role]] = _PANEL
    room: str
    spec: dict[str, Any]


@dataclass(frozen=True, slots=True)
class SetQuota(Message):
    TYPE: ClassVar[str] = "set_quota"
    ROLES: ClassVar[frozenset[Role]] = _PANEL
    call: str
    quota: int


@dataclass(frozen=True, slots=True)
class Volunteer(Message):
    TYPE: ClassVar[str] = "volunteer"
    ROLES: ClassVar[frozenset[Role]] = _PHONE
    call: str
    nickname: str = ""
    contact: str = ""


@dataclass(frozen=True, slots=True)
class Withdraw(Message):
    TYPE: ClassVar[str] = "withdraw"
    ROLES: ClassVar[frozenset[Role]] = _PHONE
    call: str


@dataclass(frozen=True, slots=True)
class Decline(Message):
    TYPE: ClassVar[str] = "decline"
    ROLES: ClassVar[frozenset[Role]] = _PHONE
    call: str


def _call_id(raw: Mapping[str, Any]) -> str:
    return str(get_field(raw, "call", is_id, "a call id"))


MESSAGES: dict[str, Callable[[Mapping[str, Any]], Message]] = {
    "call": lambda raw: Call(room=get_field(raw, "room", is_id, "a room code"),
                             spec=get_field(raw, "spec", is_map, "a map describing the call")),
    "set_quota": lambda raw: SetQuota(
        call=_call_id(raw),
        quota=get_field(raw, "quota", lambda v: is_int(v) and 1 <= v <= 10_000,
                        "a whole number from 1 to 10000")),
    "volunteer": lambda raw: Volunteer(
        call=_call_id(raw),
        nickname=get_field(raw, "nickname", short_text(40), "a text of at most 40 characters",
                           required=False, default=""),
        contact=get_field(raw, "contact", short_text(120),
                          "a text of at most 120 characters", required=False, default="")),
    "withdraw": lambda raw: Withdraw(call=_call_id(raw)),
    "decline": lambda raw: Decline(call=_call_id(raw)),
}


# ---------------------------------------------------------------- deliveries


@dataclass(slots=True)
class Deliveries:
    """What the engine owes phones and panels about calls: not logged state (after a
    restart, phones and panels get a welcome)."""

    told: dict[str, dict[str, int]] = field(default_factory=dict)  # call -> device -> place
    moved: dict[str, int] = field(default_factory=dict)  # call -> first rank that moved
    rosters: set[str] = field(default_factory=set)  # calls whose roster changed
    roster_built: dict[str, float] = field(default_factory=dict)
    places: PlacesNews = field(default_factory=PlacesNews)  # places left, to every phone

    def moved_from(self, call_id: str, rank: int) -> None:
        self.moved[call_id] = min(rank, self.moved.get(call_id, rank))


def worth_telling(position: int, told: int | None) -> bool:
    """Tell a waiting phone its new place? Always near the front; at place 3,000 one step
    is news to nobody, and telling every step would send thousands of messages for each
    withdrawal near the front."""
    if told is None:
        return True
    return position != told and (position <= EXACT_PLACES or position <= told * 0.9)


def waiting_moves(engine: EngineAPI, state: Deliveries,
                  limit: int) -> list[tuple[Target, dict[str, Any]]]:
    """`call_status` for up to `limit` waiting phones whose new place is worth telling,
    front of the list first; a call with more to tell stays pending from where it
    stopped. The places before the first one that moved are not even looked at: a
    withdrawal at the back costs nothing."""
    sends: list[tuple[Target, dict[str, Any]]] = []
    visits = 0  # places looked at: bounded too (most are not worth telling)
    for call_id in sorted(state.moved):
        act = engine.activities.get(call_id)
        if act is None or not isinstance(act.tally, CallTally):
            del state.moved[call_id]
            continue
        told = state.told.setdefault(call_id, {})
        for rank, device, position in act.tally.waiting(state.moved[call_id]):
            visits += 1
            if len(sends) >= limit or visits > VISITS_PER_MESSAGE * limit:
                state.moved[call_id] = rank  # the rest at the next tick
                return sends
            if worth_telling(position, told.get(device)):
                told[device] = position
                sends.append((ToDevice(act.room, device), out(
                    "call_status", call=act.id, status="waiting", position=position)))
        del state.moved[call_id]
    return sends


def changed_rosters(engine: EngineAPI, state: Deliveries, now: float,
                    watched: Callable[[str], bool]) -> list[tuple[Target, dict[str, Any]]]:
    """The `volunteers` state of each call whose roster changed, to the panels of rooms
    a panel watches (others get the rosters in the room state when they watch). A roster
    costs O(n) to build and send: at most every n / 1,000 s (every tick up to 100
    volunteers, every 5 s at 5,000), so its cost per second stays flat."""
    found: list[tuple[Target, dict[str, Any]]] = []
    for call_id in sorted(state.rosters):
        act = engine.activities.get(call_id)
        if act is None or not isinstance(act.tally, CallTally) or not watched(act.room):
            state.rosters.discard(call_id)
            continue
        interval = min(10.0, len(act.tally.volunteers) / ROSTER_PER_SECOND)
        if now - state.roster_built.get(call_id, -1e18) < interval:
            continue
        state.rosters.discard(call_id)
        state.roster_built[call_id] = now
        found.append((ToRoom(act.room, PANELS), roster_message(act)))
    return found


def roster_message(act: Activity) -> dict[str, Any]:
    tally = act.tally
    assert isinstance(tally, CallTally)
    return out("volunteers", call=act.id, volunteers=tally.roster(),
               withdrawn=tally.withdrawals())


# ---------------------------------------------------------------- commands


def _call_activity(engine: EngineAPI, call_id: str, peer: Peer) -> tuple[Activity, CallTally]:
    act = engine.activity(call_id)
    if not isinstance(act.tally, CallTally):
        raise UnknownActivity(reason="not_a_call", id=call_id[:40])
    if peer.role is Role.PHONE and act.room != normalize_code(peer.room or ""):
        raise UnknownActivity(reason="not_in_room", field="call", id=call_id[:40])
    return act, act.tally


def _open_call(engine: EngineAPI, call_id: str, peer: Peer,
               now: float) -> tuple[Activity, CallTally]:
    act, tally = _call_activity(engine, call_id, peer)
    deadline = act.spec.get("deadline")
    if act.state is not State.OPEN or (deadline is not None and now >= deadline):
        raise NotOpen(reason="call_closed")
    return act, tally


def _deliveries(engine: EngineAPI) -> Deliveries:
    state: Deliveries = engine.kind_state(CALLS)
    return state


def call(engine: EngineAPI, msg: Call, peer: Peer, now: float) -> Step:
    room = engine.room(msg.room)
    spec = CALLS.normalize_spec(msg.spec)
    if spec["deadline"] is not None and spec["deadline"] <= now:
        raise BadMessage(reason="deadline_past")
    step = Step()
    act = engine.add_activity(step, room, spec, now, peer, None)
    engine.commit(step, engine.event(ev.OPENED, room.code, {"id": act.id}, now, peer, msg.seq))
    engine.ack(step, peer, msg.seq, call=act.id)
    engine.activity_changed(step, act)
    return step


def volunteer(engine: EngineAPI, msg: Volunteer, peer: Peer, now: float) -> Step:
    act, tally = _open_call(engine, msg.call, peer, now)
    step = Step()
    if peer.client not in tally.volunteers:  # a device counts once per call
        nickname = " ".join(msg.nickname.split()) or engine.rooms[act.room].nicks.get(
            peer.client, "")
        engine.commit(step, engine.event(VOLUNTEERED, act.room, {
            "id": act.id, "device": peer.client, "nickname": nickname,
            "contact": msg.contact.strip()}, now, peer, msg.seq))
    status = tally.status(peer.client)
    if "position" in status:
        _deliveries(engine).told.setdefault(act.id, {})[peer.client] = status["position"]
    engine.ack(step, peer, msg.seq, call=act.id, **status)
    return step


def withdraw(engine: EngineAPI, msg: Withdraw, peer: Peer, now: float) -> Step:
    act, tally = _call_activity(engine, msg.call, peer)
    step = Step()
    if peer.client in tally.volunteers:
        promoted = tally.promoted_by_leaving(peer.client)
        engine.commit(step, engine.event(WITHDREW, act.room, {
            "id": act.id, "device": peer.client}, now, peer, msg.seq))
        _deliveries(engine).told.get(act.id, {}).pop(peer.client, None)
        _tell_promoted(engine, step, act, [promoted] if promoted else [])
    engine.ack(step, peer, msg.seq, call=act.id, status="withdrawn")
    return step


def decline(engine: EngineAPI, msg: Decline, peer: Peer, now: float) -> Step:
    act, tally = _open_call(engine, msg.call, peer, now)
    step = Step()
    if peer.client in tally.volunteers:
        raise Conflict(reason="decline_on_call")
    if peer.client not in tally.declined:
        engine.commit(step, engine.event(DECLINED, act.room, {
            "id": act.id, "device": peer.client}, now, peer, msg.seq))
    engine.ack(step, peer, msg.seq, call=act.id, status="declined")
    return step


def set_quota(engine: EngineAPI, msg: SetQuota, peer: Peer, now: float) -> Step:
    act, tally = _call_activity(engine, msg.call, peer)
    taken = min(tally.quota, len(tally.volunteers))
    if msg.quota < taken:
        raise Conflict(reason="quota_below_confirmed", taken=taken)
    step = Step()
    promoted = tally.promoted_by_quota(msg.quota)
    engine.commit(step, engine.event(QUOTA_SET, act.room, {
        "id": act.id, "quota": msg.quota}, now, peer, msg.seq))
    _tell_promoted(engine, step, act, promoted)
    engine.ack(step, peer, msg.seq, call=act.id, quota=msg.quota)
    engine.activity_changed(step, act)
    return step


def _tell_promoted(engine: EngineAPI, step: Step, act: Activity, promoted: list[str]) -> None:
    """A freed place is told at once to the phone that gets it; the others' new places
    follow at the tick (`waiting_moves`)."""
    told = _deliveries(engine).told.get(act.id, {})
    for device in promoted:
        told.pop(device, None)
        step.send(ToDevice(act.room, device), out("call_status", call=act.id,
                                                  promoted=True, status="confirmed"))


# ---------------------------------------------------------------- events

VOLUNTEERED = ev.VOLUNTEERED
WITHDREW = ev.WITHDREW
DECLINED = ev.DECLINED
QUOTA_SET = ev.QUOTA_SET


def _tally_of(engine: EngineAPI, event: Event) -> tuple[Activity, CallTally]:
    act = engine.activities[event.data["id"]]
    assert isinstance(act.tally, CallTally)
    engine.dirty.add(act.id)
    _deliveries(engine).places.changed.add(act.id)
    return act, act.tally


def on_volunteered(engine: EngineAPI, event: Event) -> None:
    act, tally = _tally_of(engine, event)
    tally.join(Signup(event.data["device"], event.data.get("nickname", ""),
                          event.data.get("contact", ""), event.ts))
    _deliveries(engine).rosters.add(act.id)


def on_withdrew(engine: EngineAPI, event: Event) -> None:
    act, tally = _tally_of(engine, event)
    rank = tally.rank(event.data["device"])
    tally.leave(event.data["device"], event.ts)
    state = _deliveries(engine)
    state.rosters.add(act.id)
    if rank is not None:  # everyone behind it moved up
        state.moved_from(act.id, rank)


def on_declined(engine: EngineAPI, event: Event) -> None:
    _tally_of(engine, event)[1].decline(event.data["device"])


def on_quota_set(engine: EngineAPI, event: Event) -> None:
    act, tally = _tally_of(engine, event)
    before = tally.quota
    act.spec = {**act.spec, "quota": event.data["quota"]}
    tally.set_quota(event.data["quota"])
    state = _deliveries(engine)
    state.rosters.add(act.id)
    state.moved_from(act.id, min(before, event.data["quota"]))  # every waiting place moved


# ---------------------------------------------------------------- the kind


@register
class CallKind(ActivityType):
    kind = Kind.CALL
    messages = MESSAGES
    state_messages: ClassVar[Mapping[str, str | None]] = {"volunteers": "call"}
    on_screens = True  # every open call is on the room's screens

    def normalize_spec(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        spec = super().normalize_spec({"prompt": raw.get("prompt") or raw.get("title"),
                                       "note": raw.get("note") or raw.get("description")})
        spec["quota"] = integer(raw, "quota", 1, 1, 10_000)
        deadline = number(raw, "deadline")
        spec["deadline"] = None if deadline is None else float(deadline)
        spec["place"] = text(raw, "place", 120)
        spec["when"] = text(raw, "when", 120)
        for flag in ("ask_nickname", "ask_contact"):
            value = raw.get(flag, False)
            if not isinstance(value, bool):
                raise BadMessage(reason="field_not_bool", field=flag)
            spec[flag] = value
        return spec

    def validate(self, spec: Mapping[str, Any], value: Any) -> Any:
        raise BadValue(reason="value_call_answer")

    def new_tally(self, spec: Mapping[str, Any]) -> Tally:
        return CallTally(spec["quota"])

    def commands(self) -> Mapping[type[Message], Command]:
        return {Call: call, SetQuota: set_quota, Volunteer: volunteer, Withdraw: withdraw,
                Decline: decline}

    def appliers(self) -> Mapping[str, Applier]:
        return {VOLUNTEERED: on_volunteered, WITHDREW: on_withdrew, DECLINED: on_declined,
                QUOTA_SET: on_quota_set}

    def new_state(self) -> Deliveries:
        return Deliveries()

    def closes_at(self, spec: Mapping[str, Any]) -> float | None:
        deadline = spec.get("deadline")
        return None if deadline is None else float(deadline)

    def check_open(self, act: Activity, now: float) -> None:
        deadline = self.closes_at(act.spec)
        if deadline is not None and deadline <= now:
            raise Conflict(reason="deadline_passed_open")

    def panel_messages(self, engine: EngineAPI, act: Activity) -> list[dict[str, Any]]:
        # who withdrew, which the room's state does not carry (the rest of it does)
        withdrawn = isinstance(act.tally, CallTally) and act.tally.withdrawn
        return [roster_message(act)] if withdrawn else []

    def welcome_fields(self, role: Role) -> Mapping[str, Any]:
        return {"calls": {} if role is Role.PHONE else []} if role is not Role.PANEL else {}

    def welcome(self, engine: EngineAPI, act: Activity, role: Role,
                device: str | None) -> Mapping[str, Any]:
        """A phone learns its place on each call; a screen gets the open calls."""
        assert isinstance(act.tally, CallTally)
        if role is Role.PHONE and device is not None:  # its place, and the places left
            places = public_places(act.tally.snapshot())
            return {"calls": {act.id: {**act.tally.status(device), "places": places}}}
        if role is Role.SCREEN and act.state is State.OPEN:
            return {"calls": [{"activity": act.public(), "snapshot": engine.snapshot(act)}]}
        return {}

    def tick(self, engine: EngineAPI, now: float,
             watched: Callable[[str], bool]) -> list[tuple[Target, dict[str, Any]]]:
        state = _deliveries(engine)
        return (changed_rosters(engine, state, now, watched)
                + waiting_moves(engine, state, WAITING_MOVES_PER_TICK)
                + state.places.due(engine, now))


CALLS = CallKind()
