"""The control room (régie): every room as a live tile, for the organiser.

A panel that sends `regie` (the organiser's only) follows every room: it gets the tiles
at once, then a `tiles` message when they changed, at most once a second (the hub's
pulse tick). A tile is built from counts the hub and the room keep anyway: connections
per role (set sizes), the room's responses per second of the last minute (at most 60
counters), the current activity's answer count: its cost grows with the rooms and their
agendas, never with the phones. One encoding per tick is offered to every control room
(latest wins: a slow laptop skips tiles, it never queues them).

A result pushed onto another room's projectors (crowd.core.showing) keeps getting its
frames there (`screens_showing`): a criée call's count stays live in the plenary.

Warnings: `nobody_answers` (an activity has been open a minute, phones are connected,
and no answer came in the last minute), `projector_disconnected` (the room had a
projector during this run and has none now), `no_projector` (never had one).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from crowd.core.festival import Regie
from crowd.core.protocol import Encoding, ack, encode, out, register_state
from crowd.core.room import Room
from crowd.core.showing import on_screen, pushable
from crowd.core.types import Role, State

if TYPE_CHECKING:
    from crowd.server.connection import Connection
    from crowd.server.hub import Hub

log = logging.getLogger(__name__)

#: Seconds without an answer (an activity open that long, phones there) before a tile
#: says "personne ne répond".
QUIET_S = 60.0
MAX_RESULTS = 30  # results offered per room to show elsewhere (the newest)

register_state("tiles", None)


def _current(room: Room) -> Any:
    """The activity a room is on: its projected one, else the first open one, else the
    one that opened last (a workshop between two questions shows the last one)."""
    if room.projected is not None and room.projected in room.activities:
        return room.activities[room.projected]
    latest = None
    for act in room.activities.values():
        if act.state is State.OPEN:
            return act
        if act.opened_at is not None and (latest is None or act.opened_at > latest.opened_at):
            latest = act
    return latest


def _short(act: Any) -> dict[str, Any]:
    return {"id": act.id, "prompt": act.spec.get("prompt", ""), "kind": act.kind,
            "state": act.state.value, "revealed": act.revealed}


class ControlRoom:
    """The organisers' control rooms, and the tiles they are sent."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.watchers: set[Connection] = set()
        self.had_screen: set[str] = set()  # rooms that had a projector during this run
        self._last: dict[str, Any] | None = None

    async def handle(self, conn: Connection, msg: Regie) -> None:
        self.watchers.add(conn)
        tiles = self.tiles()
        conn.send(ack(msg.seq, **tiles))

    def tile(self, room: Room, now: float, present: dict[str, int]) -> dict[str, Any]:
        hub = self.hub
        members = hub.members.get(room.code)
        phones = len(members[Role.PHONE]) if members else 0
        screens = len(members[Role.SCREEN]) if members else 0
        if screens:
            self.had_screen.add(room.code)
        buckets = room.per_second  # (second, count) of the last minute
        last_input = buckets[-1][0] if buckets else None
        minute = int(sum(count for second, count in buckets if second >= now - 60.0))
        act = _current(room)
        warnings = []
        if (act is not None and act.state is State.OPEN and act.kind != "call" and phones
                and (act.opened_at or now) <= now - QUIET_S
                and (last_input is None or last_input < now - QUIET_S)):
            warnings.append("nobody_answers")
        if not screens:
            warnings.append("projector_disconnected" if room.code in self.had_screen
                            else "no_projector")
        showing = on_screen(hub.engine, room)
        results = [_short(a) for a in room.activities.values() if pushable(hub.engine, a)]
        return {
            "code": room.code, "title": room.title,
            "activity": None if act is None else {**_short(act), "n": len(act.responses)},
            "phones": phones, "screens": screens, "answers_1min": minute,
            "present": present.get(room.code, 0),
            "last_input": last_input,
            "screen": None if showing is None else {
                **_short(showing), "from": showing.room if showing.room != room.code else None},
            "warnings": warnings, "results": results[-MAX_RESULTS:],
            "festival_call": room.festival_call,
        }

    def tiles(self) -> dict[str, Any]:
        now = self.hub.clock()
        rooms = list(self.hub.engine.rooms.values())
        call = next((r.festival_call for r in rooms if r.festival_call), None)
        present = self.hub.presence.counts(now)  # recounted at most every few seconds
        return {"tiles": [self.tile(room, now, present) for room in rooms],
                "festival_call": call}

    def screens_showing(self, activity: str) -> list[Connection]:
        """The projectors of other rooms showing this activity (pushed there): its
        frames go to them too, so a criée call's count stays live. O(rooms) per frame."""
        found: list[Connection] = []
        for room in self.hub.engine.rooms.values():
            if room.shown == activity and room.code in self.hub.members:
                found.extend(self.hub.members[room.code][Role.SCREEN])
        return found

    def tick(self) -> None:
        """Once a second: the tiles, to every control room, if they changed."""
        self.watchers &= self.hub.connections  # those that left
        if not self.watchers:
            self._last = None
            return
        tiles = self.tiles()
        if tiles == self._last:
            return
        self._last = tiles
        msg = out("tiles", **tiles)
        payloads = {enc: encode(msg, enc) for enc in Encoding}
        for conn in self.watchers:
            conn.offer(("tiles",), payloads)
