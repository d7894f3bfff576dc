"""A room and its activities: state only, changed exclusively through `Engine.apply`."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from crowd.activities.base import Tally
from crowd.activities.registry import activity_type
from crowd.core.schedule import upcoming
from crowd.core.types import State

if TYPE_CHECKING:
    from crowd.core.moderation import Moderated


@dataclass(slots=True)
class Activity:
    id: str
    room: str
    spec: dict[str, Any]
    state: State = State.DRAFT
    revealed: bool = False
    opened_at: float | None = None  # when it last opened (the presenter's clock)
    responses: dict[str, Any] = field(default_factory=dict)  # device -> latest value
    tally: Tally = field(init=False)
    #: What of its free text shows (crowd.core.moderation); None: everything, as always.
    moderation: Moderated | None = None
    #: Scheduled actions done (crowd.core.schedule): "open"/"close" -> the time they were for.
    scheduled: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.tally = activity_type(self.spec["kind"]).new_tally(self.spec)

    @property
    def kind(self) -> str:
        return str(self.spec["kind"])

    def set_response(self, device: str, value: Any) -> None:
        """Latest wins: the previous answer of this device leaves the tally first (or, for
        a kind answered in parts, the new part joins the device's answer)."""
        previous = self.responses.get(device)
        kind = activity_type(self.spec["kind"])
        stored = kind.merge(previous, value)
        self.responses[device] = stored
        if self.moderation is not None:  # the tally counts only what shows
            self.moderation.answer(kind, self.tally, device, previous, stored)
            return
        self.tally.respond(device, previous, stored, value)

    def public(self) -> dict[str, Any]:
        """What phones (and everyone) may see of the activity: never who answered what,
        nor what its kind keeps for some devices only (`ActivityType.public_spec`)."""
        spec = activity_type(self.kind).public_spec(self.spec)
        return {"id": self.id, **spec, "state": self.state.value, "revealed": self.revealed}


@dataclass(slots=True)
class Room:
    code: str
    title: str
    created: float
    activities: dict[str, Activity] = field(default_factory=dict)
    projected: str | None = None
    nicks: dict[str, str] = field(default_factory=dict)
    next_number: int = 1
    #: responses per whole second of event time, the last minute (for the pulse's rate)
    per_second: deque[list[float]] = field(default_factory=deque)
    last_seen: dict[str, float] = field(default_factory=dict)  # device -> last response
    #: Its place in the festival (crowd.core.program): the program file's name for it,
    #: where it is ("salle 2"), its sessions [{start, end, title}] sorted by start.
    key: str | None = None
    space: str = ""
    slots: list[dict[str, Any]] = field(default_factory=list)
    #: A result of another room the control room shows on this room's projectors
    #: (crowd.core.showing), over the room's own projection until it is brought back.
    shown: str | None = None
    festival_call: dict[str, Any] | None = None  # the festival-wide criée: {text, at}

    def describe(self) -> dict[str, Any]:
        """Who the room is; where and when (its program) and its next scheduled actions
        (a projector's countdown) when it has them: a room without stays described as
        before, in every export."""
        described: dict[str, Any] = {"code": self.code, "title": self.title}
        if self.space:
            described["space"] = self.space
        if self.slots:
            described["slots"] = self.slots
        upcoming_actions = upcoming(self.activities.values())
        if upcoming_actions:
            described["schedule"] = upcoming_actions
        return described

    def activity_list(self, *, for_panel: bool) -> list[dict[str, Any]]:
        items = []
        for act in self.activities.values():
            if not for_panel and not (act.state is State.OPEN or act.revealed):
                continue
            item = act.public()
            if for_panel:
                item["projected"] = act.id == self.projected
                item["n"] = len(act.responses)
                item.update(act.tally.panel_fields())  # a criée's roster: animators only
                if act.moderation is not None:  # the queue of free text to moderate
                    item["moderation"] = act.moderation.describe()
            items.append(item)
        return items

    def note_response(self, device: str, now: float, window: float = 60.0) -> None:
        """O(1): one counter per second of event time, a minute of them kept."""
        second = float(int(now))
        buckets = self.per_second
        if buckets and buckets[-1][0] == second:
            buckets[-1][1] += 1
        else:
            buckets.append([second, 1.0])
            while buckets and buckets[0][0] < now - window:
                buckets.popleft()
        self.last_seen[device] = now

    def pulse(self, now: float) -> dict[str, Any]:
        """Responses per second over the last 10 s, devices active in the last minute."""
        rate = sum(count for second, count in self.per_second if second >= now - 10.0) / 10.0
        active = sum(1 for t in self.last_seen.values() if t >= now - 60.0)
        return {"rate": rate, "active": active}
