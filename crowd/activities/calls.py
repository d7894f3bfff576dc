"""Criée calls: live recruitment with a quota, first come first served, then a waiting list.

A call is an activity of kind `call`. Volunteers are kept in arrival order; the first
`quota` are confirmed, the others wait in order. Because the engine is single-threaded and
the log keeps its order, the same volunteers are confirmed after a replay. Contacts are
animator-only: they never appear in snapshots (screens, phones, exports).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

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
    """Volunteers in arrival order (dicts keep insertion order); declines are counted."""

    def __init__(self, quota: int) -> None:
        self.quota = quota
        self.volunteers: dict[str, Volunteer] = {}
        self.declined: set[str] = set()

    # Calls are driven by volunteer/withdraw events, not by generic responses.
    def add(self, value: Any) -> None:  # pragma: no cover - not used for calls
        raise BadValue("answer a call with volunteer or withdraw")

    def remove(self, value: Any) -> None:  # pragma: no cover
        raise BadValue("answer a call with volunteer or withdraw")

    def confirmed(self) -> list[str]:
        return list(self.volunteers)[: self.quota]

    def status(self, device: str) -> dict[str, Any]:
        """A device's place: confirmed, waiting (1-based position), declined or none."""
        if device in self.volunteers:
            index = list(self.volunteers).index(device)
            if index < self.quota:
                return {"status": CONFIRMED}
            return {"status": WAITING, "position": index - self.quota + 1}
        if device in self.declined:
            return {"status": DECLINED}
        return {"status": None}

    def join(self, volunteer: Volunteer) -> None:
        self.declined.discard(volunteer.device)
        self.volunteers[volunteer.device] = volunteer

    def leave(self, device: str) -> list[str]:
        """Withdraw; returns the devices promoted from the waiting list."""
        before = set(self.confirmed())
        self.volunteers.pop(device, None)
        return [d for d in self.confirmed() if d not in before]

    def decline(self, device: str) -> None:
        self.declined.add(device)

    def set_quota(self, quota: int) -> list[str]:
        before = set(self.confirmed())
        self.quota = quota
        return [d for d in self.confirmed() if d not in before]

    def snapshot(self) -> dict[str, Any]:
        taken = min(self.quota, len(self.volunteers))
        return {"n": len(self.volunteers), "quota": self.quota, "confirmed": taken,
                "waiting": max(0, len(self.volunteers) - self.quota),
                "declined": len(self.declined), "full": taken >= self.quota}

    def roster(self) -> list[dict[str, Any]]:
        """Animator-only list, with contacts, in arrival order."""
        return [{"nickname": v.nickname, "contact": v.contact, "at": v.at,
                 **self.status(v.device)} for v in self.volunteers.values()]

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
