"""uvicorn's websockets-sansio protocol, reading ahead a few messages per connection.

The stock protocol pauses the socket after every received message and resumes it once
the application has taken it: two `epoll_ctl` system calls and the selector's
bookkeeping per input, about a quarter of the server's CPU at 10,000 small inputs a
second (docs/performance.md). Here reading pauses only once `HIGH_WATER` messages wait
in the connection's queue, and resumes (as before) when the application has emptied
it: the same back-pressure, bounded to a few small messages per connection, without the
two system calls per message.

This relies on three details of uvicorn's class (`send_receive_event_to_app` queues a
message then pauses, `read_paused`, `queue`). `fast_protocol()` checks them and falls
back to the stock protocol, with a warning, when a uvicorn release moves them;
tests/test_transport.py fails in that case, so the regression cannot go unnoticed.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from typing import Any

log = logging.getLogger(__name__)

#: Messages that may wait per connection before its socket stops being read. Phones
#: send at most a few inputs a second and are rate limited: 16 covers any burst a
#: well-behaved client sends, and bounds what a flooder makes us hold (16 x 4 KiB).
HIGH_WATER = 16

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
    hook = getattr(base, "send_receive_event_to_app", None)
    receive = getattr(base, "receive", None)
    if hook is None or receive is None:
        return False
    try:
        hook_src, receive_src = inspect.getsource(hook), inspect.getsource(receive)
    except (OSError, TypeError):  # pragma: no cover - no sources installed
        return False
    return ("self.read_paused" in hook_src and "pause_reading" in hook_src
            and "self.queue.put_nowait" in hook_src
            and "resume_reading" in receive_src and "self.queue" in receive_src)


if WebSocketsSansIOProtocol is not None:

    class QueuedReadsProtocol(WebSocketsSansIOProtocol):  # type: ignore[misc,valid-type]
        """Pause reading only past `HIGH_WATER` queued messages, not after each one."""

        queue: asyncio.Queue[Any]
        read_paused: bool

        def send_receive_event_to_app(self) -> None:
            paused = self.read_paused
            self.read_paused = True  # the base class then queues without pausing
            try:
                super().send_receive_event_to_app()
            finally:
                self.read_paused = paused
            if not paused and self.queue.qsize() >= HIGH_WATER:
                self.read_paused = True
                self.transport.pause_reading()


def fast_protocol() -> type[asyncio.Protocol] | str:
    """The protocol class for uvicorn's `ws` option: ours when uvicorn fits, else stock."""
    if _compatible():
        return QueuedReadsProtocol  # type: ignore[no-any-return]
    log.warning("this uvicorn's websocket protocol changed shape: using the stock one "
                "(correct, but reading pauses after every message: more CPU per input)")
    return STOCK
