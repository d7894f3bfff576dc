"""Replayable message streams: what a reconnecting client missed, within a window.

Every event-like message sent to a room's phones, screens or panels, or to one device,
is numbered in its channel. A client keeps the last number it saw per channel; when it
reconnects with them (and the server's epoch), the missed messages are sent again, in
order, without duplicates, as long as they are still in the window (a few hundred
messages and a couple of minutes). Beyond it, the client gets a fresh snapshot and is
told so. State messages (frames, pulses, agendas, rosters) are not numbered: they are
latest-wins and a resumed client receives their current value instead.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class ReplayBuffer:
    """Numbered messages of one channel; the oldest fall out by count or by age."""

    max_messages: int = 500
    max_age_s: float = 120.0
    head: int = 0  # number of the last message appended (0: none yet)
    _items: deque[tuple[int, float, dict[str, Any]]] = field(default_factory=deque)

    def append(self, msg: dict[str, Any], now: float) -> int:
        self.head += 1
        self._items.append((self.head, now, msg))
        self._trim(now)
        return self.head

    def _trim(self, now: float) -> None:
        items = self._items
        while items and (len(items) > self.max_messages or items[0][1] < now - self.max_age_s):
            items.popleft()

    def since(self, seen: int, now: float) -> list[dict[str, Any]] | None:
        """Messages after number `seen`, or None when some of them left the window."""
        self._trim(now)
        if seen > self.head or seen < 0:
            return None  # a number we never gave: foreign or from another epoch
        if seen == self.head:
            return []
        first = self._items[0][0] if self._items else self.head + 1
        if seen + 1 < first:
            return None
        return [msg for number, _, msg in self._items if number > seen]


@dataclass(slots=True)
class Streams:
    """All channels of a server: (room, role) broadcasts and per-device messages."""

    max_messages: int = 500
    max_age_s: float = 120.0
    device_messages: int = 50
    channels: dict[Hashable, ReplayBuffer] = field(default_factory=dict)

    def channel(self, key: Hashable) -> ReplayBuffer:
        buffer = self.channels.get(key)
        if buffer is None:
            size = self.device_messages if key[0] == "device" else self.max_messages
            buffer = self.channels[key] = ReplayBuffer(size, self.max_age_s)
        return buffer

    def number(self, key: Hashable, field_name: str, msg: dict[str, Any],
               now: float) -> dict[str, Any]:
        """Append a message to its channel and return it with its number."""
        buffer = self.channel(key)
        numbered = {**msg, field_name: buffer.head + 1}
        buffer.append(numbered, now)
        return numbered

    def head(self, key: Hashable) -> int:
        buffer = self.channels.get(key)
        return 0 if buffer is None else buffer.head
