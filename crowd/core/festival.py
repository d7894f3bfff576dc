"""The organiser's messages: room links, and the control room (régie).

A festival has one organiser (the server's animator secret) and an animator per room.
The organiser hands each animator a **room link**, a secret scoped to a few rooms
(crowd.server.access keeps them); from the control room, the organiser watches every
room, pushes a room's result onto any projector, and shouts a festival-wide criée.

These messages are declared here, registered like a kind's, and marked `ORGANISER`:
crowd.core.authorization refuses them to room animators. None of them is a room's event
except what the control room shows on a projector (`push`, `festival_call`), which the
room's log keeps so that a replay shows it (crowd.core.showing).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from crowd.core.errors import declare_reasons
from crowd.core.protocol import Message, get_field, is_id, register, short_text
from crowd.core.types import Role

_PANEL = frozenset({Role.PANEL})
MAX_LINK_ROOMS = 20
MAX_LABEL = 80
MAX_CALL_TEXT = 200


@dataclass(frozen=True, slots=True)
class RoomLink(Message):
    """Hand an animator the rooms `rooms`: answered with the link's id, secret, URL."""

    TYPE: ClassVar[str] = "room_link"
    ROLES: ClassVar[frozenset[Role]] = _PANEL
    ORGANISER: ClassVar[bool] = True
    rooms: list[str]
    label: str = ""


@dataclass(frozen=True, slots=True)
class RevokeLink(Message):
    """Refuse a room link from now on, and close the connections it opened."""

    TYPE: ClassVar[str] = "revoke_link"
    ROLES: ClassVar[frozenset[Role]] = _PANEL
    ORGANISER: ClassVar[bool] = True
    id: str


@dataclass(frozen=True, slots=True)
class Links(Message):
    """The room links handed out: label, rooms, creation, last use, revoked or not."""

    TYPE: ClassVar[str] = "links"
    ROLES: ClassVar[frozenset[Role]] = _PANEL
    ORGANISER: ClassVar[bool] = True


@dataclass(frozen=True, slots=True)
class Regie(Message):
    """Follow every room from the control room: answered with the tiles, then `tiles`
    messages (aggregate counts, at most one a second)."""

    TYPE: ClassVar[str] = "regie"
    ROLES: ClassVar[frozenset[Role]] = _PANEL
    ORGANISER: ClassVar[bool] = True


@dataclass(frozen=True, slots=True)
class Push(Message):
    """Show activity `activity` (of any room, closed or revealed) on the projectors of
    room `room`; `activity: null` gives the projector back to its room."""

    TYPE: ClassVar[str] = "push"
    ROLES: ClassVar[frozenset[Role]] = _PANEL
    ORGANISER: ClassVar[bool] = True
    room: str
    activity: str | None = None


@dataclass(frozen=True, slots=True)
class FestivalCall(Message):
    """A festival-wide criée: `text` on every projector and every phone of every room
    (`text: null` takes it down)."""

    TYPE: ClassVar[str] = "festival_call"
    ROLES: ClassVar[frozenset[Role]] = _PANEL
    ORGANISER: ClassVar[bool] = True
    text: str | None = None


def _rooms(value: Any) -> bool:
    return (isinstance(value, list) and 0 < len(value) <= MAX_LINK_ROOMS
            and all(is_id(v) for v in value))


def _parse_room_link(raw: Mapping[str, Any]) -> RoomLink:
    return RoomLink(rooms=get_field(raw, "rooms", _rooms,
                                    f"a list of 1 to {MAX_LINK_ROOMS} room codes"),
                    label=get_field(raw, "label", short_text(MAX_LABEL),
                                    f"a text of at most {MAX_LABEL} characters",
                                    required=False, default=""))


def _parse_push(raw: Mapping[str, Any]) -> Push:
    return Push(room=get_field(raw, "room", is_id, "a room code"),
                activity=get_field(raw, "activity", is_id, "an activity id or null",
                                   required=False))


def _parse_call(raw: Mapping[str, Any]) -> FestivalCall:
    return FestivalCall(text=get_field(raw, "text", short_text(MAX_CALL_TEXT),
                                       f"a text of at most {MAX_CALL_TEXT} characters",
                                       required=False) or None)


register("room_link", _parse_room_link, RoomLink)
register("revoke_link", lambda raw: RevokeLink(id=get_field(raw, "id", is_id, "a link id")),
         RevokeLink)
register("links", lambda raw: Links(), Links)
register("regie", lambda raw: Regie(), Regie)
register("push", _parse_push, Push)
register("festival_call", _parse_call, FestivalCall)

declare_reasons({
    "organiser_only": "'{type}' is for the organiser only",
    "link_unknown": "no room link {id!r}",
    "link_revoked": "this room link was revoked: ask the organiser for a new one",
    "link_room_unknown": "no room with code {code!r}",
    "push_not_shown": "reveal this result in its own room before showing it elsewhere",
})
