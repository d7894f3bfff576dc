"""What the engine answers with: a `Step` (events to log, messages to send) and where
each message goes. Vocabulary shared by the engine and the activity kinds' commands."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crowd.core.events import Event
from crowd.core.types import Role

PHONES = frozenset({Role.PHONE})
SCREENS = frozenset({Role.SCREEN})
PANELS = frozenset({Role.PANEL})
EVERYONE = frozenset(Role)


@dataclass(frozen=True, slots=True)
class Reply:
    """Send to the connection that sent the input."""


@dataclass(frozen=True, slots=True)
class ToRoom:
    room: str
    roles: frozenset[Role]


@dataclass(frozen=True, slots=True)
class ToDevice:
    room: str
    device: str


@dataclass(frozen=True, slots=True)
class ToAllPanels:
    """Every animator panel, whatever room it watches (the list of rooms changed)."""


Target = Reply | ToRoom | ToDevice | ToAllPanels
REPLY = Reply()


@dataclass(slots=True)
class Step:
    """The outcome of one input: log `events`, then deliver `sends` (acks included)."""

    events: list[Event] = field(default_factory=list)
    sends: list[tuple[Target, dict[str, Any]]] = field(default_factory=list)

    def send(self, target: Target, msg: dict[str, Any]) -> None:
        self.sends.append((target, msg))
