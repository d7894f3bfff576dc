"""The places left on a criée call, told live to every phone of the room.

A phone that has not answered a call still shows its banner: "Encore 3 places sur 5".
Without news it would keep saying so while the projector says COMPLET with four people
waiting. The figures a phone may know are the public ones of the call (quota, places
taken, waiting, full): never who volunteered, never a contact.

Telling is one room broadcast per call, at the hub's tick, only when those figures
changed, and at most every `PLACES_EVERY_S` seconds per call (the first change after a
quiet second goes at the next tick): a rush of 500 volunteers costs each phone one small
message a second, not 500; an input costs O(1) here (a set insertion).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from crowd.core.protocol import out
from crowd.core.steps import PHONES, Target, ToRoom

if TYPE_CHECKING:
    from crowd.activities.base import EngineAPI

#: Seconds between two `call_places` of one call, at least.
PLACES_EVERY_S = 1.0

#: The snapshot's fields a phone is told (all counts: nothing names a person).
PUBLIC_FIGURES = ("quota", "confirmed", "waiting", "full")


def public_places(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """The figures of a call's snapshot that phones get: counts only."""
    return {name: snapshot[name] for name in PUBLIC_FIGURES}


@dataclass(slots=True)
class PlacesNews:
    """Which calls' public figures may have changed, and what phones were last told."""

    changed: set[str] = field(default_factory=set)
    told: dict[str, dict[str, Any]] = field(default_factory=dict)  # call -> figures told
    sent_at: dict[str, float] = field(default_factory=dict)

    def seen(self, call_id: str, figures: Mapping[str, Any], now: float) -> None:
        """Phones were just told these figures another way (the call's `activity`
        message at open, quota change or close): no need to repeat them."""
        self.told[call_id] = dict(figures)
        self.sent_at[call_id] = now

    def due(self, engine: EngineAPI, now: float) -> list[tuple[Target, dict[str, Any]]]:
        """`call_places` for each call whose figures changed since phones were last
        told and whose last news is older than `PLACES_EVERY_S`."""
        sends: list[tuple[Target, dict[str, Any]]] = []
        for call_id in sorted(self.changed):
            act = engine.activities.get(call_id)
            if act is None:
                self.changed.discard(call_id)
                self.told.pop(call_id, None)
                self.sent_at.pop(call_id, None)
                continue
            if now - self.sent_at.get(call_id, -1e18) < PLACES_EVERY_S:
                continue  # stays changed: told at a later tick
            self.changed.discard(call_id)
            snapshot = engine.snapshot(act)
            if snapshot is None:
                continue
            figures = public_places(snapshot)
            if figures == self.told.get(call_id):
                continue  # a decline, or a withdrawal undone before the tick
            self.seen(call_id, figures, now)
            sends.append((ToRoom(act.room, PHONES),
                          out("call_places", call=call_id, **figures)))
        return sends
