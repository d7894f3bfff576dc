"""Criée calls: live recruitment with a quota, first come first served, then a waiting list.

A call is an activity of kind `call`. Volunteers are kept in arrival order; the first
`quota` are confirmed, the others wait in order. Because the engine is single-threaded and
the log keeps its order, the same volunteers are confirmed after a replay. Contacts are
animator-only: they never appear in snapshots (screens, phones, exports).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sortedcontainers import SortedList

from crowd.activities import register
from crowd.activities.base import ActivityType, Tally, integer, number, text
from crowd.errors import BadMessage, BadValue
from crowd.types import Kind

CONFIRMED = "confirmed"
WAITING = "waiting"
WITHDRAWN = "withdrawn"
DECLINED = "declined"


@dataclass(slots=True)
class Volunteer:
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
        self.volunteers: dict[str, Volunteer] = {}  # insertion order is arrival order
        self.declined: set[str] = set()
        self._arrival: dict[str, int] = {}  # device -> arrival number
        self._device: dict[int, str] = {}  # arrival number -> device
        self._order: SortedList = SortedList()  # arrival numbers of those on the call
        self._arrivals = 0

    # Calls are driven by volunteer/withdraw events, not by generic responses.
    def add(self, value: Any) -> None:  # pragma: no cover - not used for calls
        raise BadValue("answer a call with volunteer or withdraw")

    def remove(self, value: Any) -> None:  # pragma: no cover
        raise BadValue("answer a call with volunteer or withdraw")

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

    def join(self, volunteer: Volunteer) -> None:
        device = volunteer.device
        self.declined.discard(device)
        if device in self._arrival:  # already on the call: keeps its place
            self.volunteers[device] = volunteer
            return
        arrival = self._arrivals
        self._arrivals += 1
        self._arrival[device] = arrival
        self._device[arrival] = device
        self._order.add(arrival)
        self.volunteers[device] = volunteer

    def leave(self, device: str) -> None:
        arrival = self._arrival.pop(device, None)
        if arrival is None:
            return
        del self._device[arrival]
        self._order.remove(arrival)
        del self.volunteers[device]

    def decline(self, device: str) -> None:
        self.declined.add(device)

    def set_quota(self, quota: int) -> None:
        self.quota = quota

    def snapshot(self) -> dict[str, Any]:
        taken = min(self.quota, len(self.volunteers))
        return {"n": len(self.volunteers), "quota": self.quota, "confirmed": taken,
                "waiting": max(0, len(self.volunteers) - self.quota),
                "declined": len(self.declined), "full": taken >= self.quota}

    def roster(self) -> list[dict[str, Any]]:
        """Animator-only list, with contacts, in arrival order (O(n): built at most once
        per tick, for panels only)."""
        return [{"nickname": v.nickname, "contact": v.contact, "at": v.at,
                 **self._status_at(rank)}
                for rank, v in enumerate(self.volunteers.values())]

    def chart(self, snap: Mapping[str, Any]) -> dict[str, dict[str, list[Any]]]:
        quota = max(snap["quota"], 1)
        return {"gauge": {"taken": [snap["confirmed"]], "quota": [snap["quota"]],
                          "fill": [min(1.0, snap["confirmed"] / quota)],
                          "label": [f"{snap['confirmed']} / {snap['quota']}"],
                          "waiting": [f"+ {snap['waiting']} en liste d'attente"
                                      if snap["waiting"] else ""],
                          "full": ["COMPLET" if snap["full"] else ""]}}


@register
class Call(ActivityType):
    kind = Kind.CALL

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
                raise BadMessage(f"'{flag}' must be true or false")
            spec[flag] = value
        return spec

    def validate(self, spec: Mapping[str, Any], value: Any) -> Any:
        raise BadValue("answer a call with volunteer, withdraw or decline")

    def new_tally(self, spec: Mapping[str, Any]) -> Tally:
        return CallTally(spec["quota"])
