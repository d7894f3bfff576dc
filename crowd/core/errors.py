"""The error tree: every refusal says whose fault it is, with a stable code and a close code.

A `CrowdError` raised anywhere in the core becomes an `error` frame for the sender
(`code`, readable `message`, the client's `seq`); when `close_code` is set the connection
is closed as well. The state is never changed by a refused input.

Each refusal also names its precise **reason** with its **parameters** (`reason=
"field_count", field="options", min=2, max=20`): the English `message` is built from the
reason's sentence here (for the Python clients and the logs), and the pages show the
reason in the visitor's language from their own tables (static/shared/errors.js). The
reasons are a registry like the protocol's messages: the core declares its own below and
a kind declares the ones of its values and spec with `declare_reasons`, so this module
never names a kind. `tests/test_error_texts.py` checks that every code of the tree and
every declared reason has its French and English text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

# Websocket close codes (RFC 6455 range 4000-4999 is ours).
CLOSE_NORMAL = 1000
CLOSE_POLICY = 1008  # refused Origin
CLOSE_TOO_BIG = 1009  # frame over the size limit
CLOSE_BAD_HELLO = 4000  # first frame was not a valid hello
CLOSE_UNKNOWN_ROOM = 4004
CLOSE_FORBIDDEN = 4003  # wrong animator secret
CLOSE_TOO_SLOW = 4008  # the client does not read what we send
CLOSE_HELLO_TIMEOUT = 4010  # no hello in time, or silent for too long
CLOSE_LOCKED_OUT = 4029  # too many wrong secrets / too many connections
CLOSE_SHUTDOWN = 1001


#: reason -> its English sentence with {parameters} (the core's; kinds add theirs).
_REASONS: dict[str, str] = {}


def declare_reasons(reasons: Mapping[str, str]) -> None:
    """Add refusal reasons and their English sentences (`str.format` placeholders). A
    reason is declared once: two modules meaning different things by one name would
    show the wrong sentence."""
    for name, sentence in reasons.items():
        if _REASONS.get(name, sentence) != sentence:
            raise ValueError(f"refusal reason {name!r} is already declared")
        _REASONS[name] = sentence


def reasons() -> Mapping[str, str]:
    """Every declared reason (for the pages' tables and their test)."""
    return dict(_REASONS)


def error_codes() -> frozenset[str]:
    """Every `code` of the tree (the classes below and any subclass defined elsewhere)."""
    found: set[str] = set()
    todo: list[type[CrowdError]] = [CrowdError]
    while todo:
        cls = todo.pop()
        found.add(cls.code)
        todo.extend(cls.__subclasses__())
    return frozenset(found)


class CrowdError(Exception):
    """Base of every refusal the server answers with an error frame.

    `CrowdError(reason="name", **params)` builds the English message from the reason's
    sentence; a bare `CrowdError("message")` (no reason) is still accepted, and the
    pages then show the code's sentence only."""

    code: ClassVar[str] = "error"
    close_code: ClassVar[int | None] = None

    def __init__(self, message: str | None = None, *, seq: int | None = None,
                 reason: str | None = None, **params: Any) -> None:
        if reason is not None and reason not in _REASONS:
            raise KeyError(f"undeclared refusal reason {reason!r}")
        if message is None:
            message = _REASONS[reason].format(**params) if reason else self.code
        super().__init__(message)
        self.message = message
        self.seq = seq
        self.reason = reason
        self.params = params

    def details(self) -> dict[str, Any]:
        """The fields of the error frame besides code, message and seq."""
        return {"reason": self.reason, "params": self.params} if self.reason else {}


class ClientError(CrowdError):
    """The client sent something it should not have: its fault, nothing changed."""

    code = "bad_request"


class BadFrame(ClientError):
    """The bytes do not decode as msgpack / JSON to a map."""

    code = "bad_frame"


class BadMessage(ClientError):
    """The frame decoded but is not a known, well-typed message."""

    code = "bad_message"


class FrameTooBig(ClientError):
    code = "too_big"
    close_code = CLOSE_TOO_BIG


class NotGreeted(ClientError):
    """Anything but `hello` before `hello`."""

    code = "no_hello"


class BadHello(ClientError):
    code = "bad_hello"
    close_code = CLOSE_BAD_HELLO


class UnknownRoom(ClientError):
    code = "unknown_room"
    close_code = CLOSE_UNKNOWN_ROOM


class UnknownActivity(ClientError):
    code = "unknown_activity"


class NotOpen(ClientError):
    """An answer to an activity that is not open (draft or closed)."""

    code = "not_open"


class BadValue(ClientError):
    """An answer whose value does not fit the activity (index out of range, NaN, ...)."""

    code = "bad_value"


class Forbidden(ClientError):
    """A role sent a message reserved to another role (a phone sending a panel command)."""

    code = "forbidden"


class BadSecret(ClientError):
    code = "bad_secret"
    close_code = CLOSE_FORBIDDEN


class LockedOut(ClientError):
    code = "locked_out"
    close_code = CLOSE_LOCKED_OUT


class RateLimited(ClientError):
    code = "rate_limited"


class MintLimited(RateLimited):
    """Too many new devices from one address: the hello is refused and the socket closed."""

    close_code = CLOSE_LOCKED_OUT


class Conflict(ClientError):
    """The command is legal in general but not in the activity's current state."""

    code = "conflict"


class ServerError(CrowdError):
    """Our fault: the input was fine, the server could not do it (it is logged)."""

    code = "server_error"


class Unavailable(ServerError):
    code = "unavailable"


class HelloTimeout(ClientError):
    """No hello within the time allowed (the connection is closed)."""

    code = "hello_timeout"
    close_code = CLOSE_HELLO_TIMEOUT


class BadOrigin(ClientError):
    """A panel hello from a page that is not this server's."""

    code = "bad_origin"
    close_code = CLOSE_POLICY


class Full(ClientError):
    """The server, or this address, has too many connections."""

    code = "full"
    close_code = CLOSE_LOCKED_OUT


# ---------------------------------------------------------------- the core's reasons

declare_reasons({
    # frames and messages (crowd.core.protocol)
    "frame_undecodable": "frame does not decode: {why}",
    "frame_not_map": "a frame must be a map with a 't' (type) field",
    "frame_unstorable": "a text with a lone surrogate, or an integer beyond 64 bits",
    "frame_too_big": "frame of {size} bytes is over the limit of {limit}",
    "version_unsupported": "protocol version {version} is not supported (use 1)",
    "type_missing": "field 't' (message type) is required",
    "type_unknown": "unknown message type {type!r}",
    "seq_invalid": "field 'seq' must be an integer >= 0",
    "message_field_missing": "field '{field}' is required ({what})",
    "message_field_invalid": "field '{field}' must be {what}",
    "not_handled": "'{type}' is not handled here",
    # session (crowd.server)
    "hello_first": "send hello first",
    "hello_again": "already greeted: open a new connection to change room",
    "hello_timeout": "no hello received in time",
    "hello_no_room": "a phone or a screen must name a room",
    "panel_origin": "the panel must be opened from this server's pages",
    "secret_wrong": "wrong animator secret",
    "secret_locked": "too many wrong secrets: try again in a few minutes",
    "too_many_messages": "too many messages: slow down",
    "too_many_connections": "too many connections from this address: try again in a few "
                            "seconds",
    "too_many_devices": "too many new devices from this address: try again in a minute",
    "server_full": "the server has too many connections: try again in a moment",
    "store_failed": "the server cannot store inputs ({why}): it must be restarted",
    "log_stopped": "the event log is not running",
    "shutting_down": "the server is shutting down",
    "handler_failed": "the server could not handle this message",
    "unknown_target": "unknown target {target}",
    "applied_not_told": "the command was applied, but its messages could not be built: "
                        "reload to see the state",
    # who may send what (crowd.core.authorization)
    "role_forbidden": "'{type}' is not allowed for a {role}",
    "other_room": "'{type}' names another room than yours",
    "not_in_room": "no {field} {id!r} in this room",
    # rooms and activities (crowd.core.engine)
    "room_unknown": "no room with code {code!r}",
    "room_title_missing": "a room needs a title",
    "room_codes_exhausted": "no free room code left",
    "activity_unknown": "no activity {id!r}",
    "activity_closed": "this activity is closed",
    "activity_not_open_yet": "this activity is not open yet",
    "edit_not_draft": "only a draft can be edited (close and duplicate it instead)",
    "delete_open": "close the activity before deleting it",
    "already_open": "the activity is already open",
    "close_not_open": "only an open activity can close",
    "reveal_draft": "a draft has no results to reveal",
    "agenda_item": "activity {position}: {detail}",
    # specs (crowd.activities.base helpers, every kind)
    "kind_unknown": "unknown activity kind {kind!r} (known: {known})",
    "field_required": "'{field}' is required",
    "field_not_text": "'{field}' must be a text",
    "field_too_long": "'{field}' is longer than {limit} characters",
    "field_not_texts": "'{field}' must be a list of texts",
    "field_count": "'{field}' needs between {min} and {max} entries",
    "field_entry_length": "each of '{field}' must be 1 to {limit} characters",
    "field_entry_twice": "'{field}' has the same entry twice",
    "field_not_number": "'{field}' must be a finite number",
    "schedule_order": "the scheduled close must come after the scheduled open",
    "field_not_whole": "'{field}' must be a whole number from {min} to {max}",
    "field_not_bool": "'{field}' must be true or false",
    "moderation_unknown": "'{field}' is off, filter or approve",
    "results_unknown": "'{field}' is live, after_close or hidden",
    "no_truth": "this activity has no true value",
    # values (crowd.activities.base helpers, every kind)
    "value_not_option": "the answer must be an option number",
    "value_option_range": "option {value} does not exist (0 to {last})",
    "value_not_options": "the answer must be a list of option numbers",
    "value_option_twice": "the same option appears twice",
    "value_options_count": "choose between {min} and {max} options",
    "value_not_number": "the answer must be a number",
    "value_not_finite": "the answer must be a finite number",
})
