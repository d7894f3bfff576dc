"""uvicorn's h11 protocol with the bounds it lacks, for every HTTP connection.

uvicorn bounds only the idle time between two requests, and only until the next byte
arrives: a request whose headers or body trickle in, a byte now and then, holds its
socket forever, and so does a client that stops reading a response larger than the
kernel's buffers. Each such socket is a file descriptor; a few hundred of them and new
phones (and /healthz) cannot connect any more. Here:

- every request, headers and body, must have arrived whole within `request_timeout_s`
  of the connection being ready for it (opened, or the previous response sent);
- a client that takes none of a response for `request_timeout_s` is cut off;
- sockets still speaking HTTP are counted per client address and refused beyond
  `max_http_per_address` (a websocket, once upgraded, is counted by the hub instead).

This relies on uvicorn's `H11Protocol` calling `on_response_complete`,
`handle_websocket_upgrade`, `pause_writing` and `resume_writing` (uvicorn 0.54).
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

#: h11 states of the client's side in which its current request is not whole yet.
_RECEIVING = (h11.IDLE, h11.SEND_BODY)
RETRY_AFTER_S = 5


class AddressCounts:
    """Open HTTP sockets per client address, shared by the connections of one server."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.open: dict[str, int] = defaultdict(int)

    def take(self, address: str) -> bool:
        if self.open[address] >= self.limit:
            if not self.open[address]:
                del self.open[address]
            return False
        self.open[address] += 1
        return True

    def give(self, address: str) -> None:
        self.open[address] -= 1
        if self.open[address] <= 0:
            del self.open[address]


def _busy_response() -> bytes:
    body = json.dumps({"code": "too_many_connections",
                       "message": "too many connections from this address: "
                                  "try again in a few seconds"}).encode()
    head = (f"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n"
            f"retry-after: {RETRY_AFTER_S}\r\ncontent-length: {len(body)}\r\n"
            f"connection: close\r\n\r\n")
    return head.encode() + body


class BoundedHTTP(H11Protocol):
    """One HTTP connection with a deadline per request and a per-address cap.

    `uvicorn_config` makes a subclass per server with these class attributes set.
    """

    request_timeout_s: float = 10.0
    #: The first request may be a websocket handshake: the hello timeout bounds it too.
    first_request_timeout_s: float = 10.0
    counts: AddressCounts = AddressCounts(256)

    _deadline: asyncio.TimerHandle | None = None
    _stalled: asyncio.TimerHandle | None = None
    _address: str | None = None  # set while this connection is counted

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        address = self.client[0] if self.client else "?"
        if not self.counts.take(address):
            transport.write(_busy_response())
            transport.close()
            return
        self._address = address
        self._arm(self.first_request_timeout_s)

    def connection_lost(self, exc: Exception | None) -> None:
        self._release()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.transport.get_protocol() is self:
            self._arm(self.request_timeout_s)  # the next request's clock

    def handle_websocket_upgrade(self, event: h11.Request) -> None:
        super().handle_websocket_upgrade(event)
        self._release()  # a websocket from now on: the hub counts it, the hello times it

    def pause_writing(self) -> None:
        super().pause_writing()
        if self._stalled is None:
            self._stalled = self.loop.call_later(self.request_timeout_s, self._cut_off)

    def resume_writing(self) -> None:
        super().resume_writing()
        if self._stalled is not None:
            self._stalled.cancel()
            self._stalled = None

    # ------------------------------------------------------------ internals

    def _arm(self, seconds: float) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = self.loop.call_later(seconds, self._expire)

    def _expire(self) -> None:
        self._deadline = None
        if self._address is None or self.transport.is_closing():
            return
        if self.conn.their_state in _RECEIVING:  # headers or body still trickling
            self.transport.close()

    def _cut_off(self) -> None:
        """The client took nothing of our response for a whole timeout."""
        self._stalled = None
        if self._address is not None and not self.transport.is_closing():
            self.transport.abort()  # close() would wait for a buffer that never drains

    def _release(self) -> None:
        for timer in (self._deadline, self._stalled):
            if timer is not None:
                timer.cancel()
        self._deadline = self._stalled = None
        if self._address is not None:
            self.counts.give(self._address)
            self._address = None


def bounded_http(request_timeout_s: float, first_request_timeout_s: float,
                 max_per_address: int) -> type[BoundedHTTP]:
    """The protocol class of one server (its own address counts)."""
    return type("CrowdHTTP", (BoundedHTTP,), {
        "request_timeout_s": request_timeout_s,
        "first_request_timeout_s": first_request_timeout_s,
        "counts": AddressCounts(max_per_address)})
