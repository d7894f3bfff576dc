"""The event log's vocabulary: what happened, in a form replay can rebuild state from.

An event is the *outcome* of an accepted input, never the raw input: replaying the log
applies events without validating again, through the same `Engine.apply` as live traffic,
so the rebuilt state equals the live one by construction. `client` and `seq` carry the
sender's idempotency key so a resent input is recognised after a restart too.
"""

from __future__ import annotations

from typing import Any, Final, NamedTuple

import msgpack

ROOM_CREATED: Final = "room_created"  # {code, title}
ACTIVITY_ADDED: Final = "activity_added"  # {id, spec}
ACTIVITY_UPDATED: Final = "activity_updated"  # {id, spec}
ACTIVITY_DELETED: Final = "activity_deleted"  # {id}
OPENED: Final = "opened"  # {id}
CLOSED: Final = "closed"  # {id}
REVEALED: Final = "revealed"  # {id, on}
PROJECTED: Final = "projected"  # {id | None}
RESPONDED: Final = "responded"  # {id, device, value}
NICKNAMED: Final = "nicknamed"  # {device, name}
TRUTH_SET: Final = "truth_set"  # {id, value}
VOLUNTEERED: Final = "volunteered"  # {id, device, nickname, contact}  (contact: animators only)
WITHDREW: Final = "withdrew"  # {id, device}
DECLINED: Final = "declined"  # {id, device}
QUOTA_SET: Final = "quota_set"  # {id, quota}
REORDERED: Final = "reordered"  # {order: [ids]}: the room's agenda, every activity once
MODERATION_SET: Final = "moderation_set"  # {id, mode, flagged?: [entries matching the list]}
ENTRY_MODERATED: Final = "entry_moderated"  # {id, entry, action: approve|hide|merge, into?}
ROOM_PROGRAMMED: Final = "room_programmed"  # {key, space, slots: [{start, end, title}]}
SCHEDULED: Final = "scheduled"  # {id, action: open|close, at, skipped?}: done, once (schedule.py)
RESULTS_SET: Final = "results_set"  # {id, results: live|after_close|hidden}

ALL_TYPES: Final = frozenset({ROOM_CREATED, ACTIVITY_ADDED, ACTIVITY_UPDATED, ACTIVITY_DELETED,
                              OPENED, CLOSED, REVEALED, PROJECTED, RESPONDED, NICKNAMED, TRUTH_SET,
                              VOLUNTEERED, WITHDREW, DECLINED, QUOTA_SET, REORDERED,
                              MODERATION_SET, ENTRY_MODERATED, SCHEDULED,
                              ROOM_PROGRAMMED, RESULTS_SET})


class Event(NamedTuple):
    """One logged event. A NamedTuple, not a dataclass: a restart decodes a million of
    them, and a tuple is built several times faster than a frozen dataclass."""

    type: str
    room: str
    data: dict[str, Any]
    ts: float
    client: str | None = None
    seq: int | None = None

    def pack_data(self) -> bytes:
        return msgpack.packb(self.data, use_bin_type=True)

    @classmethod
    def from_row(cls, type_: str, room: str, data: bytes, ts: float, client: str | None,
                 seq: int | None) -> Event:
        return cls(type_, room, _unpack(data, raw=False), ts, client, seq)


_unpack = msgpack.unpackb
