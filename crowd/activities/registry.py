"""The registry of activity kinds: how a kind plugs in, and how the engine finds it."""

from __future__ import annotations

from crowd.activities.base import ActivityType
from crowd.core import protocol
from crowd.core.errors import BadMessage
from crowd.core.types import Kind

_REGISTRY: dict[str, ActivityType] = {}


def register(cls: type[ActivityType]) -> type[ActivityType]:
    """Class decorator: one instance of each kind serves every activity of that kind; its
    own messages join the protocol's table (so its commands are parsed, authorized by
    their class's roles, and covered by the role x message matrix)."""
    if str(cls.kind) in _REGISTRY:
        raise ValueError(f"activity kind {cls.kind!r} is already registered")
    instance = _REGISTRY[str(cls.kind)] = cls()
    classes = {message.TYPE: message for message in instance.commands()}
    for type_name, parser in cls.messages.items():
        protocol.register(type_name, parser, classes.get(type_name))
    for type_name, key_field in cls.state_messages.items():
        protocol.register_state(type_name, key_field)
    return cls


def all_types() -> list[ActivityType]:
    """Every registered kind, in the order of `Kind`."""
    return [_REGISTRY[k] for k in known_kinds()]


def activity_type(kind: object) -> ActivityType:
    try:
        return _REGISTRY[kind]  # type: ignore[index]
    except (KeyError, TypeError):
        known = ", ".join(sorted(_REGISTRY))
        raise BadMessage(reason="kind_unknown", kind=str(kind)[:30], known=known) from None


def known_kinds() -> list[str]:
    """Registered kinds: crowd's own in the order of `Kind`, then others as registered."""
    builtin = [k for k in Kind if k in _REGISTRY]
    return builtin + [k for k in _REGISTRY if k not in builtin]
