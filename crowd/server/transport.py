"""uvicorn's websockets-sansio protocol, reading ahead a few messages per connection.

The stock protocol pauses the socket after every received message and resumes it once
the application has taken it: two `epoll_ctl` system calls and the selector's
bookkeeping per input, about a quarter of the server's CPU at 10,000 small inputs a
second (docs/performance.md). Here reading pauses only once `HIGH_WATER` messages wait
in the connection's queue, and resumes (as before) when the application has emptied
it: the same back-pressure, bounded to a few small messages per connection, without the
two system calls per message.

It also puts in the ASGI scope's extensions the protocol's `writable` event (cleared
while the socket's send buffer is full) under `WRITABLE`, so that a connection's reader
knows whether a write would return at once or wait for a slow client, and the
protocol's own `receive` and `send` under `DIRECT`: once the handshake is done, crowd
calls them without Starlette's per-message state checks and wrappers (a few µs of each
input; crowd.server.connection).

This relies on details of uvicorn's class (`send_receive_event_to_app` queues a message
from `frames` then pauses, `read_paused`, `close_sent`, `queue`, `scope`, `send` waiting
on `writable`).
`fast_protocol()` checks them and falls back to the stock protocol, with a warning, when
a uvicorn release moves them; tests/test_transport.py fails in that case, so the
regression cannot go unnoticed.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from typing import Any

log = logging.getLogger(__name__)

#: Messages that may wait per connection before its socket stops being read. Phones
#: send at most a few inputs a second and are rate limited: 16 covers any burst a
#: well-behaved client sends.
HIGH_WATER = 16
#: A frame larger than this (a phone's limit) pauses reading at once, as the stock
#: protocol does after every frame: what a client makes us hold stays under
#: 16 x 4 KiB plus one frame of at most `ws_max_size`.
SMALL_FRAME = 4 * 1024
#: Scope extension holding the `asyncio.Event` set while a write would not wait.
WRITABLE = "crowd.writable"
#: Scope extension holding the protocol's (receive, send) ASGI callables.
DIRECT = "crowd.direct"
#: Scope extension holding `set_max_size(bytes)`: the largest message this connection
#: may send from now on. A connection starts at the anonymous limit (uvicorn's
#: `ws_max_size`); an animator's is raised once its secret is proven, so a phone can
#: never make the server hold more than that, even in unfinished fragments.
MAX_SIZE = "crowd.max_size"

STOCK = "websockets-sansio"

try:
    from uvicorn.protocols.websockets.websockets_sansio_impl import (
        WebSocketsSansIOProtocol,
    )
except ImportError:  # pragma: no cover - another uvicorn layout
    WebSocketsSansIOProtocol = None  # type: ignore[assignment,misc]


def _compatible() -> bool:
    """Does uvicorn's protocol still have the shape this subclass relies on?"""
    base = WebSocketsSansIOProtocol
    if base is None:
        return False
    parts = [getattr(base, name, None) for name in
             ("send_receive_event_to_app", "receive", "send", "handle_connect")]
    if any(part is None for part in parts):
        return False
    try:
        hook, receive, send, connect = (inspect.getsource(part) for part in parts)
    except (OSError, TypeError):  # pragma: no cover - no sources installed
        return False
    return ("self.read_paused" in hook and "pause_reading" in hook
            and "self.queue.put_nowait" in hook and "self.frames" in hook
            and "self.close_sent" in hook
            and "resume_reading" in receive and "self.queue" in receive
            and "await self.writable.wait()" in send
            and "self.scope" in connect and '"extensions"' in connect
            and "max_size=" in inspect.getsource(base.__init__)
            and _parser_reads_max_size())


def _parser_reads_max_size() -> bool:
    """websockets' parser reads `max_message_size` before each frame (so it can change)."""
    try:
        from websockets.protocol import Protocol

        return "self.max_message_size" in inspect.getsource(Protocol.parse)
    except (ImportError, OSError, TypeError, AttributeError):  # pragma: no cover
        return False


if WebSocketsSansIOProtocol is not None:

    class QueuedReadsProtocol(WebSocketsSansIOProtocol):  # type: ignore[misc,valid-type]
        """Pause reading only past `HIGH_WATER` queued messages, not after each one."""

        queue: asyncio.Queue[Any]
        read_paused: bool

        def send_receive_event_to_app(self) -> None:
            frames = self.frames
            size = len(frames[0]) if len(frames) == 1 else sum(map(len, frames))
            paused = self.read_paused
            self.read_paused = True  # the base class then queues without pausing
            try:
                super().send_receive_event_to_app()
            finally:
                self.read_paused = paused
            # Past the mark, or after a big frame (as the stock protocol would after any
            # frame): what waits is at most HIGH_WATER small frames and one big one.
            # Never after our close: the peer's close reply must still be read.
            if (not paused and not self.close_sent
                    and (self.queue.qsize() >= HIGH_WATER or size > SMALL_FRAME)):
                self.read_paused = True
                self.transport.pause_reading()

        def handle_connect(self, event: Any) -> None:
            super().handle_connect(event)
            scope = getattr(self, "scope", None)  # absent when the handshake was refused
            if scope is not None:
                scope["extensions"][WRITABLE] = self.writable
                scope["extensions"][DIRECT] = (self.receive, self.send)
                scope["extensions"][MAX_SIZE] = self.set_max_size

        def set_max_size(self, size: int) -> None:
            """Messages (all fragments together) over `size` bytes fail the connection
            with 1009; read by the websockets parser before each frame."""
            self.conn.max_message_size = size


def fast_protocol() -> type[asyncio.Protocol] | str:
    """The protocol class for uvicorn's `ws` option: ours when uvicorn fits, else stock."""
    if _compatible():
        return QueuedReadsProtocol  # type: ignore[no-any-return]
    log.warning("this uvicorn's websocket protocol changed shape: using the stock one "
                "(correct, but reading pauses after every message: more CPU per input)")
    return STOCK
