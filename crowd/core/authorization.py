"""Who may send what: the one check every greeted message goes through.

A message type names the roles that may send it (`Message.ROLES`, the "who" column of
docs/protocol.md). The hub calls `authorize` for every message before deciding which
layer handles it (its own `watch` and `ping`, or the engine), so no handler can be
reached without it, and a new message type is covered the day it is declared.
`tests/test_authorization.py` sends every type of the protocol's table from every role.

Besides the role, a phone or a screen is scoped to the room it joined: any room,
activity or call it names must be of that room (ids are `ROOM-N`).

Panels come in two kinds. The **organiser** (the server's animator secret) may name any
room and alone sends the festival's commands (a message class with `ORGANISER = True`:
creating rooms, handing out room links, the control room's pushes and calls). A **room
animator** (a panel that said hello with a room link's secret) carries the rooms of its
link in `Peer.scope`: every room, activity or call it names must be one of them, and a
message that names none is refused unless it is room-less by nature (`ping`). Refusing by
default is deliberate: a kind's new command that names its target in a field this
module does not know is refused to room animators until it is declared here, instead
of reaching another room.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from crowd.core import festival  # noqa: F401 - registers the organiser's messages
from crowd.core.errors import Forbidden, UnknownActivity
from crowd.core.protocol import Message
from crowd.core.types import Role, normalize_code


@dataclass(frozen=True, slots=True)
class Peer:
    """Who sent a message: role, idempotency key (device / panel token), room if joined,
    and for a room animator the rooms of its link (`scope`; None: the organiser)."""

    role: Role
    client: str
    room: str | None = None
    scope: frozenset[str] | None = None
    link: str | None = None  # the room link's id, for a room animator

    @property
    def organiser(self) -> bool:
        return self.role is Role.PANEL and self.scope is None

    def sees(self, room: str) -> bool:
        """May this peer see and drive `room`? (Phones and screens: their own room.)"""
        if self.role is Role.PANEL:
            return self.scope is None or normalize_code(room) in self.scope
        return normalize_code(room) == self.room


R = TypeVar("R")

#: Message fields that name a room, or something inside a room (`ROOM-N` ids).
ROOM_FIELDS = ("room",)
ID_FIELDS = ("activity", "call", "post")  # a board's post: `ROOM-N.K`
#: Messages a room animator may send without naming a room.
ROOMLESS = frozenset({"ping"})


def authorize(msg: Message, peer: Peer) -> None:
    """Raise Forbidden (with the message's seq) unless `peer` may send `msg`.

    The hub calls it for every greeted message; `Engine.handle` calls it too, because
    the engine is also driven without a hub (tests, tools): the rules live here only."""
    if peer.role not in msg.ROLES:
        raise Forbidden(reason="role_forbidden", type=msg.TYPE, role=peer.role.value,
                        seq=msg.seq)
    if peer.role is Role.PANEL:
        if peer.scope is not None:
            _authorize_room_animator(msg, peer.scope)
        return
    for name in ROOM_FIELDS:
        value = getattr(msg, name, None)
        if isinstance(value, str) and normalize_code(value) != peer.room:
            raise Forbidden(reason="other_room", type=msg.TYPE, seq=msg.seq)
    for name in ID_FIELDS:
        value = getattr(msg, name, None)
        if isinstance(value, str) and normalize_code(value.rsplit("-", 1)[0]) != peer.room:
            # Answered as for an id that does not exist: a phone learns nothing of
            # other rooms.
            raise UnknownActivity(reason="not_in_room", field=name, id=value[:40],
                                  seq=msg.seq)


def visible(rooms: Mapping[str, R], peer: Peer) -> list[R]:
    """The rooms a panel may see: all for the organiser, its own for a room animator."""
    return [room for code, room in rooms.items() if peer.sees(code)]


def _room_of(value: str) -> str:
    """The room an id names: `ABCD-3` -> `ABCD` (a room code names itself)."""
    return normalize_code(value.rsplit("-", 1)[0]) if "-" in value else normalize_code(value)


def _authorize_room_animator(msg: Message, scope: frozenset[str]) -> None:
    """A room animator's command: not the organiser's, and about its rooms only."""
    if getattr(msg, "ORGANISER", False):
        raise Forbidden(reason="organiser_only", type=msg.TYPE, seq=msg.seq)
    named = 0
    for name in ROOM_FIELDS:
        value = getattr(msg, name, None)
        if isinstance(value, str):
            named += 1
            if normalize_code(value) not in scope:
                raise Forbidden(reason="other_room", type=msg.TYPE, seq=msg.seq)
    for name in ID_FIELDS:
        value = getattr(msg, name, None)
        if isinstance(value, str):
            named += 1
            if _room_of(value) not in scope:
                raise Forbidden(reason="other_room", type=msg.TYPE, seq=msg.seq)
    if not named and msg.TYPE not in ROOMLESS:
        raise Forbidden(reason="organiser_only", type=msg.TYPE, seq=msg.seq)
