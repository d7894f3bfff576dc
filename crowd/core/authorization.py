"""Who may send what: the one check every greeted message goes through.

A message type names the roles that may send it (`Message.ROLES`, the "who" column of
docs/protocol.md). The hub calls `authorize` for every message before deciding which
layer handles it (its own `watch` and `ping`, or the engine), so no handler can be
reached without it, and a new message type is covered the day it is declared.
`tests/test_authorization.py` sends every type of the protocol's table from every role.

Besides the role, a phone or a screen is scoped to the room it joined: any room,
activity or call it names must be of that room (ids are `ROOM-N`). Animators (panels)
may name any room: there is one animator secret per server.
"""

from __future__ import annotations

from dataclasses import dataclass

from crowd.core.errors import Forbidden, UnknownActivity
from crowd.core.protocol import Message
from crowd.core.types import Role, normalize_code


@dataclass(frozen=True, slots=True)
class Peer:
    """Who sent a message: role, idempotency key (device / panel token), room if joined."""

    role: Role
    client: str
    room: str | None = None


#: Message fields that name a room, or something inside a room (`ROOM-N` ids).
ROOM_FIELDS = ("room",)
ID_FIELDS = ("activity", "call")


def authorize(msg: Message, peer: Peer) -> None:
    """Raise Forbidden (with the message's seq) unless `peer` may send `msg`.

    The hub calls it for every greeted message; `Engine.handle` calls it too, because
    the engine is also driven without a hub (tests, tools): the rules live here only."""
    if peer.role not in msg.ROLES:
        raise Forbidden(reason="role_forbidden", type=msg.TYPE, role=peer.role.value,
                        seq=msg.seq)
    if peer.role is Role.PANEL:
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
