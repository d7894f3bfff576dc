"""One websocket connection's outbound side: a bounded outbox and its own sender task.

A broadcast loop that awaits each client in turn stalls everyone behind one client that
stopped reading. Here every connection has its own task draining its own outbox, started
when something is queued and gone once the outbox is empty (an idle phone holds no task:
memory per connection is the issue's limit):
control messages (acks, activity changes) queue up to a limit, past which the client is
too slow and is closed with a documented code; chart frames are latest-wins per key, so a
slow projector skips frames instead of making the server buffer them.

What the connection's own reader queues (the ack of the input it just handled) is written
by the reader itself right after (`flush`), sparing the sender task a wake-up per input,
but only while the socket takes writes at once: a reader never waits for a slow client
(it would stop reading, and the outbox limit would never catch a client that stopped
reading). One writer at a time (`_writing`), each taking messages from the front of the
outbox: the order on the wire is the order of the outbox, whoever writes.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Awaitable, Callable, Hashable, Mapping
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from crowd.core.engine import Peer
from crowd.core.errors import CLOSE_TOO_SLOW
from crowd.core.protocol import Encoding, encode
from crowd.core.types import Role
from crowd.server.security import TokenBucket
from crowd.server.transport import DIRECT, MAX_SIZE, WRITABLE

log = logging.getLogger(__name__)
_ids = itertools.count(1)

Payload = bytes | str


class Connection:
    def __init__(self, websocket: WebSocket, address: str, outbox_limit: int,
                 bucket: TokenBucket, refusals: TokenBucket | None = None) -> None:
        self.id = next(_ids)
        self.websocket = websocket
        self.address = address
        self.outbox_limit = outbox_limit
        self.bucket = bucket  # inputs (phones, screens)
        self.refusals = refusals or TokenBucket(1000.0, 2000.0)  # refused frames answered
        self.encoding = Encoding.JSON
        self.peer: Peer | None = None
        # A list, not a deque: an empty deque holds a 64-slot block (624 bytes), and this
        # outbox is empty nearly always; it never holds more than `outbox_limit` items.
        self._control: list[Payload] = []
        self._frames: dict[Hashable, Payload] = {}
        self._sender: asyncio.Task[None] | None = None
        self._closing: tuple[int, str] | None = None
        self._writing = False  # the sender task or a flush is writing: nobody else may
        self.flush_due = False  # the reader queued messages it will write itself
        self.reader: asyncio.Task[Any] | None = None
        extensions = websocket.scope.get("extensions") or {}
        # Set while a write returns at once (our uvicorn protocol), else no inline writes.
        self._writable: asyncio.Event | None = extensions.get(WRITABLE)
        # The protocol's own ASGI callables (our uvicorn protocol), else Starlette's.
        direct = extensions.get(DIRECT)
        self.receive: Callable[[], Awaitable[Mapping[str, Any]]] = (
            direct[0] if direct else websocket.receive)
        self._send: Callable[[Mapping[str, Any]], Awaitable[None]] = (
            direct[1] if direct else websocket.send)
        self.sent = 0
        self.dropped_frames = 0
        self._set_max_size: Callable[[int], None] | None = extensions.get(MAX_SIZE)

    def allow_frames_up_to(self, size: int) -> None:
        """Raise the largest message the protocol accepts from this client (an animator
        after its hello); a no-op on a protocol that cannot (it then accepts the
        animators' limit from everyone, as uvicorn's stock protocol does)."""
        if self._set_max_size is not None:
            self._set_max_size(size)

    @property
    def role(self) -> Role | None:
        return None if self.peer is None else self.peer.role

    @property
    def room(self) -> str | None:
        return None if self.peer is None else self.peer.room

    @property
    def open(self) -> bool:
        return self._closing is None

    def send(self, msg: Mapping[str, Any]) -> None:
        """Queue one control message in this connection's encoding."""
        self.send_payload(encode(msg, self.encoding))

    def send_payload(self, payload: Payload) -> None:
        if self._closing is not None:
            return
        if len(self._control) >= self.outbox_limit:
            self.close(CLOSE_TOO_SLOW, "too slow: messages were not read in time")
            return
        self._control.append(payload)
        if (self._writable is not None and self.reader is not None
                and asyncio.current_task() is self.reader):
            self.flush_due = True  # the reader writes it when done with its frame
        else:
            self._kick()

    async def flush(self) -> None:
        """Write, from the reader's task, the control messages it queued (see above)."""
        self.flush_due = False
        writable = self._writable
        if self._writing or self._closing is not None or writable is None:
            self._kick()  # the sender writes them, in order, after what it is writing
            return
        self._writing = True
        try:
            while self._control and writable.is_set():  # so no write below waits
                await self._write(self._control.pop(0))
        except (OSError, RuntimeError, WebSocketDisconnect) as exc:  # the peer went away
            log.debug("connection %d: send failed: %s", self.id, exc)
            if self._closing is None:
                self._closing = (1006, "gone")
        finally:
            self._writing = False
        if self._control or self._frames or self._closing is not None:
            self._kick()

    async def _write(self, payload: Payload) -> None:
        if isinstance(payload, bytes):
            await self._send({"type": "websocket.send", "bytes": payload})
        else:
            await self._send({"type": "websocket.send", "text": payload})
        self.sent += 1

    def offer(self, key: Hashable, payloads: Mapping[Encoding, Payload]) -> None:
        """Latest wins: a newer frame with the same key replaces an unsent one."""
        if self._closing is not None:
            return
        if key in self._frames:
            self.dropped_frames += 1
        self._frames[key] = payloads[self.encoding]
        self._kick()

    def close(self, code: int, reason: str) -> None:
        """Close after what is already queued (an error frame explains the close)."""
        if self._closing is None:
            self._closing = (code, reason)
            self._kick()

    async def finished(self, timeout: float) -> None:
        """Wait (bounded) for the sender to write what is queued and close the socket."""
        task = self._sender
        if task is None:
            return
        with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(task, timeout)
        if not task.done():
            task.cancel()

    def _kick(self) -> None:
        """Have a sender task write what is queued (a running one picks it up)."""
        if self._sender is None and not self._writing:
            self._sender = asyncio.create_task(self._send_queued(), name=f"sender-{self.id}")

    async def _send_queued(self) -> None:
        ws = self.websocket
        try:
            self._writing = True
            try:
                while self._control or self._frames:
                    if self._control:
                        payload = self._control.pop(0)
                    else:
                        key = next(iter(self._frames))
                        payload = self._frames.pop(key)
                    await self._write(payload)
            finally:
                self._writing = False
            if self._closing is not None:
                code, reason = self._closing
                if ws.application_state is WebSocketState.CONNECTED:
                    with contextlib.suppress(Exception):
                        await ws.close(code, reason)
        except (OSError, RuntimeError, WebSocketDisconnect) as exc:  # the peer went away
            log.debug("connection %d: send failed: %s", self.id, exc)
            if self._closing is None:
                self._closing = (1006, "gone")
        except Exception:
            log.exception("connection %d: sender crashed", self.id)
            if self._closing is None:
                self._closing = (1006, "gone")
        finally:
            self._sender = None
