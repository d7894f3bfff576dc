"""A participant's path through the festival: what one device answered and volunteered
for, room after room ("Mon parcours").

Only the device itself may ask (the server checks its signed device token first,
crowd/server/program_routes.py): answers are anonymous to everyone else, and stay so.
The walk is O(the activities of the festival), a few hundred, once per page load.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crowd.core.engine import Engine


def journey(engine: Engine, device: str) -> list[dict[str, Any]]:
    """Per room (in the order rooms were created): its title and place, and each
    activity this device answered (its own answer) or stands on the list of (a criée
    call: its place), in agenda order. Rooms it never took part in are left out."""
    rooms = []
    for room in engine.rooms.values():
        items = []
        for act in room.activities.values():
            public = act.public()
            if device in act.responses:
                items.append({"activity": public, "answer": act.responses[device]})
                continue
            place = _place(act.tally, device)
            if place is not None:
                items.append({"activity": public, "volunteer": place})
        if items:
            described = room.describe()
            described.pop("schedule", None)
            rooms.append({"room": described, "items": items})
    return rooms


def _place(tally: Any, device: str) -> dict[str, Any] | None:
    """A device's place on a call's list (a tally that knows places), if it is on it."""
    status = getattr(tally, "status", None)
    if not callable(status):
        return None
    place = status(device)
    return place if place.get("status") in ("confirmed", "waiting") else None
