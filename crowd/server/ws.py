"""The websocket endpoint: handshake checks, hello, then one message at a time.

Reading is sequential per connection (an input is acknowledged once durable before the
next one of the same phone is read); concurrency comes from the many connections.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from starlette.websockets import WebSocket

from crowd.core.errors import (
    CLOSE_HELLO_TIMEOUT,
    CLOSE_LOCKED_OUT,
    CLOSE_POLICY,
    BadOrigin,
    CrowdError,
    FrameTooBig,
    HelloTimeout,
    NotGreeted,
    RateLimited,
    ServerError,
)
from crowd.core.protocol import Hello, decode, error, parse
from crowd.core.types import Role
from crowd.server.connection import Connection
from crowd.server.hub import Hub
from crowd.server.security import TokenBucket, origin_allowed, panel_origin_ok

log = logging.getLogger(__name__)


def _utf8_size(text: str, limit: int) -> int:
    """A text frame's size in bytes, as the limit means it (characters can be 4 bytes);
    encoded only when it might be over."""
    return len(text) if len(text) * 4 <= limit else len(text.encode("utf-8", "surrogatepass"))


def _client_address(websocket: WebSocket) -> str:
    return websocket.client.host if websocket.client else "?"


async def websocket_endpoint(websocket: WebSocket) -> None:
    hub: Hub = websocket.app.state.hub
    settings = hub.settings
    origin = websocket.headers.get("origin")
    host = websocket.headers.get("host")
    if not origin_allowed(origin, host, settings.allowed_origins):
        log.warning("refused websocket from origin %r", origin)
        await websocket.close(CLOSE_POLICY)  # before accept: the handshake gets HTTP 403
        return
    conn = Connection(websocket, _client_address(websocket), settings.outbox_limit,
                      TokenBucket(settings.phone_rate, settings.phone_burst),
                      TokenBucket(REFUSALS_PER_S, REFUSALS_BURST))
    refusal = hub.admit(conn)
    await websocket.accept()
    if refusal is not None:
        await websocket.send_text(f'{{"v":1,"t":"error","code":"full","message":"{refusal}"}}')
        await websocket.close(CLOSE_LOCKED_OUT, refusal)
        return
    # The reading loop runs in a task of its own: resuming it (twice per input) then
    # walks three coroutine frames, not the dozen of uvicorn's and Starlette's layers
    # this endpoint is called through.
    reader = conn.reader = asyncio.create_task(_serve(hub, conn, origin, host),
                                               name=f"reader-{conn.id}")
    try:
        await reader
    finally:
        hub.leave(conn)
        conn.close(1000, "bye")
        await conn.finished(timeout=2.0)


def _frame(exc: CrowdError) -> dict[str, Any]:
    """The error frame of a refusal sent without raising it (the connection closes next)."""
    return error(exc.code, exc.message, exc.seq, **exc.details())


async def _serve(hub: Hub, conn: Connection, origin: str | None, host: str | None) -> None:
    settings = hub.settings
    deadline = time.monotonic() + settings.hello_timeout_s
    while conn.open:
        timeout = None if conn.peer is not None else deadline - time.monotonic()
        if timeout is not None and timeout <= 0:
            conn.send(_frame(HelloTimeout(reason="hello_timeout")))
            conn.close(CLOSE_HELLO_TIMEOUT, "no hello")
            return
        if timeout is None:
            message = await conn.receive()  # no wait_for layer on every input
        else:
            try:
                message = await asyncio.wait_for(conn.receive(), timeout)
            except TimeoutError:
                continue
        if message["type"] == "websocket.disconnect":
            return
        frame: bytes | str | None = message.get("bytes")
        if frame is None:
            frame = message.get("text") or ""
        waited = False
        try:
            waited = await _one_frame(hub, conn, frame, origin, host)
        except CrowdError as exc:
            hub.fail(conn, exc)
            await _refused(conn)
        except Exception:
            log.exception("connection %d: unexpected error", conn.id)
            conn.send(_frame(ServerError(reason="handler_failed")))
        if conn.flush_due:
            await conn.flush()
        if not waited:
            # Let the other connections run before the next frame: frames already
            # queued are handed over without a pause, and a burst of refused ones would
            # hold the loop for everyone else. (An input that waited for its commit has
            # let them run already.)
            await asyncio.sleep(0)


#: Refused frames (bad, over budget, before the hello) answered per second and
#: connection, and in a burst: past them, the connection's reading pauses until the next
#: one is due, so a client pipelining refused frames costs its share and no more. A
#: client that reads every answer is never closed for it (docs/reliability.md, 4).
REFUSALS_PER_S = 1000.0
REFUSALS_BURST = 2000.0


async def _refused(conn: Connection) -> None:
    if conn.refusals.take(time.monotonic()):
        return
    if conn.flush_due:
        await conn.flush()
    await asyncio.sleep(1.0 / REFUSALS_PER_S)  # the socket is not read meanwhile


async def _one_frame(hub: Hub, conn: Connection, frame: bytes | str, origin: str | None,
                     host: str | None) -> bool:
    """Handle one frame; True when it waited for a commit (other tasks ran meanwhile)."""
    settings = hub.settings
    limit = settings.max_frame_bytes
    if conn.role in (None, Role.PHONE, Role.SCREEN):
        limit = settings.max_phone_frame_bytes
    size = len(frame) if isinstance(frame, bytes) else _utf8_size(frame, limit)
    if size > limit:
        raise FrameTooBig(reason="frame_too_big", size=size, limit=limit)
    raw, encoding = decode(frame)
    if conn.peer is None:
        conn.encoding = encoding
    msg = parse(raw)
    if conn.peer is None:
        if not isinstance(msg, Hello):
            raise NotGreeted(reason="hello_first", seq=msg.seq)
        if msg.role is Role.PANEL and not panel_origin_ok(origin, host,
                                                          settings.allowed_origins):
            conn.send(_frame(BadOrigin(reason="panel_origin")))
            conn.close(1008, "bad origin")
            return False
        await hub.greet(conn, msg)
        if conn.role is Role.PANEL:  # the secret is proven: agendas may be long
            conn.allow_frames_up_to(settings.max_frame_bytes)
        return False
    if isinstance(msg, Hello):
        raise NotGreeted(reason="hello_again", seq=msg.seq)
    # Anonymous roles (phones, screens) have a budget; animators proved the secret.
    if conn.role is not Role.PANEL and not conn.bucket.take(time.monotonic()):
        raise RateLimited(reason="too_many_messages", seq=msg.seq)
    try:
        return await hub.submit(conn, msg)
    except CrowdError:
        raise
    except Exception as exc:  # a bug of ours: answer the input, keep the connection
        log.exception("connection %d: %s failed", conn.id, msg.TYPE)
        raise ServerError(reason="handler_failed", seq=msg.seq) from exc
