"""The wire protocol: frames <-> typed messages, pure and synchronous.

Every frame is one map `{"v": 1, "t": <type>, ...}`, as msgpack in a binary frame or as
JSON in a text frame; a connection is answered in the encoding it speaks. Decoding is
strict because random bytes often decode to *something* (about 5 % of random byte strings
are valid msgpack): the schema is always checked after decoding. `docs/protocol.md` is
the contract this module implements.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

import msgpack

from crowd.core.errors import BadFrame, BadMessage
from crowd.core.types import PROTOCOL_VERSION, Role

MAX_SEQ = 2**53 - 1  # exact in JavaScript numbers
MAX_TEXT = 2_000  # longest free text field (prompts, titles)
MAX_AGENDA = 2_000  # activity ids in a `reorder`


class Encoding(StrEnum):
    MSGPACK = "msgpack"
    JSON = "json"


# ---------------------------------------------------------------- codec


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def decode(frame: bytes | str) -> tuple[dict[str, Any], Encoding]:
    """Bytes or text of one websocket frame -> (map, encoding it came in). Raises BadFrame."""
    try:
        if isinstance(frame, str):
            obj = json.loads(frame, parse_constant=_no_constants)
            encoding = Encoding.JSON
        else:
            obj = msgpack.unpackb(frame, raw=False, strict_map_key=True, use_list=True)
            encoding = Encoding.MSGPACK
    except (ValueError, TypeError, RecursionError, msgpack.ExtraData) as exc:
        raise BadFrame(reason="frame_undecodable", why=type(exc).__name__) from None
    if not isinstance(obj, dict):
        raise BadFrame(reason="frame_not_map")
    if encoding is Encoding.JSON and not _storable(obj):
        raise BadFrame(reason="frame_unstorable")
    return obj, encoding


_SURROGATE = re.compile("[\ud800-\udfff]")


def _storable(obj: Any, depth: int = 0) -> bool:
    """JSON carries what msgpack (the log, the msgpack clients) cannot: lone surrogates
    (`"\\ud800"`) and integers beyond 64 bits. Refused here, they never reach a handler,
    the log, or an encoder."""
    if isinstance(obj, str):
        return obj.isascii() or _SURROGATE.search(obj) is None
    if isinstance(obj, int) and not isinstance(obj, bool):
        return -(2**63) <= obj < 2**64
    if isinstance(obj, list):
        return depth < 100 and all(_storable(x, depth + 1) for x in obj)
    if isinstance(obj, dict):
        return depth < 100 and all(_storable(k, depth + 1) and _storable(v, depth + 1)
                                   for k, v in obj.items())
    return True  # None, bool, float


def _default(obj: Any) -> Any:
    if isinstance(obj, tuple | set | frozenset):
        return list(obj)
    if hasattr(obj, "item"):  # numpy scalar
        return obj.item()
    if hasattr(obj, "tolist"):  # numpy array
        return obj.tolist()
    raise TypeError(f"cannot encode {type(obj).__name__}")


def _finite_or_null(obj: Any) -> Any:
    """The same data with NaN and infinities as null, as browsers' JSON would read them."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if hasattr(obj, "tolist") or hasattr(obj, "item"):
        return _finite_or_null(_default(obj))
    if isinstance(obj, Mapping):
        return {k: _finite_or_null(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [_finite_or_null(x) for x in obj]
    return obj


def encode(msg: Mapping[str, Any], encoding: Encoding = Encoding.MSGPACK) -> bytes | str:
    """A map -> one frame in the given encoding."""
    if encoding is Encoding.JSON:
        try:
            return json.dumps(msg, separators=(",", ":"), ensure_ascii=False,
                              default=_default, allow_nan=False)
        except ValueError:  # NaN or an infinity in a figure: JSON has no word for them
            return json.dumps(_finite_or_null(msg), separators=(",", ":"),
                              ensure_ascii=False, default=_default, allow_nan=False)
    return msgpack.packb(msg, use_bin_type=True, default=_default)


# ---------------------------------------------------------------- field checks


def _get(raw: Mapping[str, Any], name: str, check: Callable[[Any], bool], what: str,
         required: bool = True, default: Any = None) -> Any:
    if name not in raw or raw[name] is None:
        if required:
            raise BadMessage(reason="message_field_missing", field=name, what=what,
                             seq=_seq_or_none(raw))
        return default
    value = raw[name]
    if not check(value):
        raise BadMessage(reason="message_field_invalid", field=name, what=what,
                         seq=_seq_or_none(raw))
    return value


def _is_str(v: Any) -> bool:
    return isinstance(v, str) and len(v) <= MAX_TEXT


def _is_id(v: Any) -> bool:
    return isinstance(v, str) and 0 < len(v) <= 64


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_seq(v: Any) -> bool:
    return _is_int(v) and 0 <= v <= MAX_SEQ


def _is_bool(v: Any) -> bool:
    return isinstance(v, bool)


def _is_map(v: Any) -> bool:
    return isinstance(v, dict)


def _is_list(v: Any) -> bool:
    return isinstance(v, list)


def _is_value(v: Any) -> bool:
    """A response value: plain data; the activity checks its exact shape."""
    if isinstance(v, bool) or v is None:
        return False
    if isinstance(v, float):
        return math.isfinite(v)
    if isinstance(v, int | str):
        return True
    if isinstance(v, list):
        return len(v) <= 100 and all(
            (isinstance(x, int | float | str) and not isinstance(x, bool)) for x in v)
    if isinstance(v, dict):
        return len(v) <= 100 and all(isinstance(k, str) for k in v)
    return False


def _seq_or_none(raw: Mapping[str, Any]) -> int | None:
    seq = raw.get("seq")
    return seq if _is_seq(seq) else None


# ---------------------------------------------------------------- messages


@dataclass(frozen=True, slots=True)
class Message:
    """A client -> server message. `seq` is the client's sequence number, echoed in acks."""

    TYPE: ClassVar[str] = ""
    ROLES: ClassVar[frozenset[Role]] = frozenset(Role)
    ORGANISER: ClassVar[bool] = False  # the organiser's only (crowd.core.authorization)
    seq: int | None = field(default=None, kw_only=True)


_PANEL = frozenset({Role.PANEL})
_PHONE = frozenset({Role.PHONE})


@dataclass(frozen=True, slots=True)
class Hello(Message):
    TYPE: ClassVar[str] = "hello"
    role: Role
    room: str | None = None
    device: str | None = None
    secret: str | None = None
    resume: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Ping(Message):
    TYPE: ClassVar[str] = "ping"


@dataclass(frozen=True, slots=True)
class Respond(Message):
    TYPE: ClassVar[str] = "respond"
    ROLES: ClassVar[frozenset[Role]] = _PHONE
    activity: str
    value: Any


@dataclass(frozen=True, slots=True)
class Nick(Message):
    TYPE: ClassVar[str] = "nick"
    ROLES: ClassVar[frozenset[Role]] = _PHONE
    name: str


@dataclass(frozen=True, slots=True)
class CreateRoom(Message):
    TYPE: ClassVar[str] = "create_room"
    ROLES: ClassVar[frozenset[Role]] = _PANEL
    ORGANISER: ClassVar[bool] = True
    title: str


@dataclass(frozen=True, slots=True)
class Watch(Message):
    TYPE: ClassVar[str] = "watch"
    ROLES: ClassVar[frozenset[Role]] = _PANEL
    room: str


@dataclass(frozen=True, slots=True)
class ActivityNew(Message):
    TYPE: ClassVar[str] = "activity_new"
    ROLES: ClassVar[frozenset[Role]] = _PANEL
    room: str
    spec: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ActivityUpdate(Message):
    TYPE: ClassVar[str] = "activity_update"
    ROLES: ClassVar[frozenset[Role]] = _PANEL
    activity: str
    spec: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ActivityDelete(Message):
    TYPE: ClassVar[str] = "activity_delete"
    ROLES: ClassVar[frozenset[Role]] = _PANEL
    activity: str


@dataclass(frozen=True, slots=True)
class Open(Message):
    TYPE: ClassVar[str] = "open"
    ROLES: ClassVar[frozenset[Role]] = _PANEL
    activity: str


@dataclass(frozen=True, slots=True)
class Close(Message):
    TYPE: ClassVar[str] = "close"
    ROLES: ClassVar[frozenset[Role]] = _PANEL
    activity: str


@dataclass(frozen=True, slots=True)
class Reveal(Message):
    TYPE: ClassVar[str] = "reveal"
    ROLES: ClassVar[frozenset[Role]] = _PANEL
    activity: str
    on: bool = True


@dataclass(frozen=True, slots=True)
class Project(Message):
    TYPE: ClassVar[str] = "project"
    ROLES: ClassVar[frozenset[Role]] = _PANEL
    room: str
    activity: str | None = None  # None clears the screen (shows the join code)


@dataclass(frozen=True, slots=True)
class AgendaExport(Message):
    TYPE: ClassVar[str] = "agenda_export"
    ROLES: ClassVar[frozenset[Role]] = _PANEL
    room: str


@dataclass(frozen=True, slots=True)
class AgendaImport(Message):
    TYPE: ClassVar[str] = "agenda_import"
    ROLES: ClassVar[frozenset[Role]] = _PANEL
    room: str
    activities: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Advance(Message):
    """The presenter's "Suivant" (or "Précédent" with `back`): close what is on, open
    and project the next activity of the agenda."""

    TYPE: ClassVar[str] = "advance"
    ROLES: ClassVar[frozenset[Role]] = _PANEL
    room: str
    back: bool = False


@dataclass(frozen=True, slots=True)
class Reorder(Message):
    """Activities of a room in a new order (see crowd.core.agenda.reorder)."""

    TYPE: ClassVar[str] = "reorder"
    ROLES: ClassVar[frozenset[Role]] = _PANEL
    room: str
    order: list[str]


@dataclass(frozen=True, slots=True)
class Duplicate(Message):
    """A new draft with the same spec, right after the original (to ask again)."""

    TYPE: ClassVar[str] = "duplicate"
    ROLES: ClassVar[frozenset[Role]] = _PANEL
    activity: str


@dataclass(frozen=True, slots=True)
class SetModeration(Message):
    """What of a free-text activity reaches the big screen: off, filter or approve."""

    TYPE: ClassVar[str] = "set_moderation"
    ROLES: ClassVar[frozenset[Role]] = _PANEL
    activity: str
    mode: str


@dataclass(frozen=True, slots=True)
class Moderate(Message):
    """An animator's decision on one entry: approve, hide, or merge it into another."""

    TYPE: ClassVar[str] = "moderate"
    ROLES: ClassVar[frozenset[Role]] = _PANEL
    activity: str
    entry: str
    action: str
    into: str | None = None


def _short(limit: int) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, str) and len(v) <= limit


# Field checks, public for the kinds' own message parsers.
get_field = _get
is_id = _is_id
is_int = _is_int
is_map = _is_map
is_value = _is_value
short_text = _short


def _hello(raw: Mapping[str, Any]) -> Hello:
    role = _get(raw, "role", lambda v: v in Role.__members__.values(),
                "one of phone, panel, screen")
    return Hello(
        role=Role(role),
        room=_get(raw, "room", _is_id, "a room code", required=False),
        device=_get(raw, "device", _is_id, "a device token", required=False),
        secret=_get(raw, "secret", lambda v: isinstance(v, str) and len(v) <= 256,
                    "the animator secret", required=False),
        resume=_get(raw, "resume", _is_map, "a map", required=False),
    )


_PARSERS: dict[str, Callable[[Mapping[str, Any]], Message]] = {
    "hello": _hello,
    "ping": lambda raw: Ping(),
    "respond": lambda raw: Respond(
        activity=_get(raw, "activity", _is_id, "an activity id"),
        value=_get(raw, "value", _is_value, "a number, a string, a list or a map")),
    "nick": lambda raw: Nick(
        name=_get(raw, "name", lambda v: isinstance(v, str) and len(v) <= 40,
                  "a text of at most 40 characters")),
    "create_room": lambda raw: CreateRoom(title=_get(raw, "title", _is_str, "a text")),
    "watch": lambda raw: Watch(room=_get(raw, "room", _is_id, "a room code")),
    "activity_new": lambda raw: ActivityNew(
        room=_get(raw, "room", _is_id, "a room code"),
        spec=_get(raw, "spec", _is_map, "a map describing the activity")),
    "activity_update": lambda raw: ActivityUpdate(
        activity=_get(raw, "activity", _is_id, "an activity id"),
        spec=_get(raw, "spec", _is_map, "a map of the fields to change")),
    "activity_delete": lambda raw: ActivityDelete(
        activity=_get(raw, "activity", _is_id, "an activity id")),
    "open": lambda raw: Open(activity=_get(raw, "activity", _is_id, "an activity id")),
    "close": lambda raw: Close(activity=_get(raw, "activity", _is_id, "an activity id")),
    "reveal": lambda raw: Reveal(
        activity=_get(raw, "activity", _is_id, "an activity id"),
        on=_get(raw, "on", _is_bool, "true or false", required=False, default=True)),
    "project": lambda raw: Project(
        room=_get(raw, "room", _is_id, "a room code"),
        activity=_get(raw, "activity", _is_id, "an activity id or null", required=False)),
    "agenda_export": lambda raw: AgendaExport(room=_get(raw, "room", _is_id, "a room code")),
    "agenda_import": lambda raw: AgendaImport(
        room=_get(raw, "room", _is_id, "a room code"),
        activities=_get(raw, "activities",
                        lambda v: _is_list(v) and len(v) <= 200 and all(map(_is_map, v)),
                        "a list of at most 200 activity maps")),
    "advance": lambda raw: Advance(
        room=_get(raw, "room", _is_id, "a room code"),
        back=_get(raw, "back", _is_bool, "true or false", required=False, default=False)),
    "reorder": lambda raw: Reorder(
        room=_get(raw, "room", _is_id, "a room code"),
        order=_get(raw, "order", lambda v: _is_list(v) and len(v) <= MAX_AGENDA
                   and all(map(_is_id, v)), "a list of activity ids")),
    "duplicate": lambda raw: Duplicate(activity=_get(raw, "activity", _is_id, "an activity id")),
    "set_moderation": lambda raw: SetModeration(
        activity=_get(raw, "activity", _is_id, "an activity id"),
        mode=_get(raw, "mode", lambda v: v in ("off", "filter", "approve"),
                  "off, filter or approve")),
    "moderate": lambda raw: Moderate(
        activity=_get(raw, "activity", _is_id, "an activity id"),
        entry=_get(raw, "entry", _short(200), "an entry (a text)"),
        action=_get(raw, "action", lambda v: v in ("approve", "hide", "merge"),
                    "approve, hide or merge"),
        into=_get(raw, "into", _short(200), "the entry to merge into", required=False)),
}



_CLASSES: dict[str, type[Message]] = {}


def register(type_name: str, parser: Callable[[Mapping[str, Any]], Message],
             cls: type[Message] | None = None) -> None:
    """Add a message type: how activity kinds bring their own commands (the core never
    names them). A type is registered once; `cls`, its class, says who may send it
    without parsing a sample."""
    if type_name in _PARSERS:
        raise ValueError(f"message type {type_name!r} is already registered")
    _PARSERS[type_name] = parser
    if cls is not None:
        _CLASSES[type_name] = cls


def message_types() -> frozenset[str]:
    """Every message type a client may send, the kinds' included (docs, fuzzers, the
    role x message matrix)."""
    return frozenset(_PARSERS)


def message_class(type_name: str) -> type[Message]:
    """The class of a registered message type (its ROLES say who may send it)."""
    if type_name in _CLASSES:
        return _CLASSES[type_name]
    sample = {"room": "ABCD", "activity": "ABCD-1", "call": "ABCD-1", "title": "t",
              "spec": {}, "name": "n", "value": 1, "quota": 1, "activities": [], "order": [],
              "mode": "off", "entry": "e", "action": "hide",
              "role": "phone"}
    return type(_PARSERS[type_name](sample))


def parse(raw: Mapping[str, Any]) -> Message:
    """A decoded map -> a typed message. Raises BadMessage with the client's seq if known."""
    seq = _seq_or_none(raw)
    version = raw.get("v", PROTOCOL_VERSION)
    if version != PROTOCOL_VERSION:
        raise BadMessage(reason="version_unsupported", version=repr(version)[:20], seq=seq)
    t = raw.get("t")
    if not isinstance(t, str):
        raise BadMessage(reason="type_missing", seq=seq)
    parser = _PARSERS.get(t)
    if parser is None:
        raise BadMessage(reason="type_unknown", type=t[:40], seq=seq)
    if "seq" in raw and raw["seq"] is not None and seq is None:
        raise BadMessage(reason="seq_invalid", seq=None)
    msg = parser(raw)
    if seq is not None:
        object.__setattr__(msg, "seq", seq)
    return msg


def decode_message(frame: bytes | str) -> tuple[Message, Encoding]:
    raw, encoding = decode(frame)
    return parse(raw), encoding


# ---------------------------------------------------------------- server -> client


#: State messages (latest wins per connection): type -> the field that names which state.
_STATE: dict[str, str | None] = {"room": "room", "rooms": None, "moderation": "activity"}


def register_state(type_name: str, key_field: str | None) -> None:
    """Declare a server message a *state*: a newer one replaces an unsent one with the
    same type and `key_field` value (a kind's live roster, say), instead of queueing."""
    _STATE[type_name] = key_field


def state_key(msg: Mapping[str, Any]) -> tuple[str, str] | None:
    """The latest-wins key of a state message, None for an event-like message."""
    t = msg["t"]
    if t not in _STATE:
        return None
    field_name = _STATE[t]
    if field_name is None:
        return (t, "")
    value = msg[field_name]
    return (t, str(value["code"] if isinstance(value, Mapping) else value))


def out(t: str, **fields: Any) -> dict[str, Any]:
    """A server -> client map; every outbound message goes through here."""
    return {"v": PROTOCOL_VERSION, "t": t, **fields}


def ack(seq: int | None, **fields: Any) -> dict[str, Any]:
    return out("ack", seq=seq, **fields)


def error(code: str, message: str, seq: int | None = None, **details: Any) -> dict[str, Any]:
    """An error frame; `details` are a refusal's `reason` and `params` (see errors.py)."""
    return out("error", code=code, message=message, seq=seq, **details)
