"""The error tree: every refusal says whose fault it is, with a stable code and a close code.

A `CrowdError` raised anywhere in the core becomes an `error` frame for the sender
(`code`, readable `message`, the client's `seq`); when `close_code` is set the connection
is closed as well. The state is never changed by a refused input.
"""

from __future__ import annotations

from typing import ClassVar

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


class CrowdError(Exception):
    """Base of every refusal the server answers with an error frame."""

    code: ClassVar[str] = "error"
    close_code: ClassVar[int | None] = None

    def __init__(self, message: str, *, seq: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.seq = seq


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
