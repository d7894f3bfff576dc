"""The queued-reads websocket protocol: reading pauses past HIGH_WATER messages, not after each.

Runs a real uvicorn server in-process with a probe subclass of the protocol crowd uses,
and a real websockets client. If a uvicorn release changes the protocol's shape,
`fast_protocol()` falls back to the stock class and the first test fails: the pin in
pyproject.toml can then be moved only once the subclass fits the new release.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import uvicorn
import websockets

from crowd.server import transport
from crowd.server.transport import (
    DIRECT,
    HIGH_WATER,
    SMALL_FRAME,
    WRITABLE,
    QueuedReadsProtocol,
    fast_protocol,
)
from tests.inprocess import serving
from tests.support import free_port


def test_the_installed_uvicorn_gets_the_queued_reads_protocol() -> None:
    assert fast_protocol() is QueuedReadsProtocol


def test_an_unexpected_shape_falls_back_to_the_stock_protocol(monkeypatch: Any) -> None:
    monkeypatch.setattr(transport, "_compatible", lambda: False)
    assert fast_protocol() == "websockets-sansio"


class _Probe(QueuedReadsProtocol):
    """Records, for each message handed to the app, the queue size and whether the
    socket is still being read."""

    seen: ClassVar[list[tuple[int, bool]]] = []
    instances: ClassVar[list[_Probe]] = []
    high: ClassVar[asyncio.Event | None] = None
    first: ClassVar[asyncio.Event | None] = None

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        _Probe.instances.append(self)

    def send_receive_event_to_app(self) -> None:
        super().send_receive_event_to_app()
        _Probe.seen.append((self.queue.qsize(), self.transport.is_reading()))
        if self.queue.qsize() >= HIGH_WATER and _Probe.high is not None:
            _Probe.high.set()
        if _Probe.first is not None:
            _Probe.first.set()


@contextlib.asynccontextmanager
async def _server(app: Any) -> AsyncIterator[str]:
    port = free_port()
    async with serving(uvicorn.Config(app, host="127.0.0.1", port=port, ws=_Probe,
                                      lifespan="off", log_level="warning",
                                      ws_per_message_deflate=False)):
        yield f"ws://127.0.0.1:{port}/"


async def test_reading_pauses_only_past_the_high_water_mark_and_loses_nothing() -> None:
    count = HIGH_WATER + 8
    gate = asyncio.Event()
    received: list[bytes] = []

    extensions: dict[str, Any] = {}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        extensions.update(scope["extensions"])
        assert (await receive())["type"] == "websocket.connect"
        await send({"type": "websocket.accept"})
        await gate.wait()  # the app is busy: messages wait in the protocol's queue
        while len(received) < count:
            message = await receive()
            received.append(message["bytes"])
        await send({"type": "websocket.send", "bytes": b"done"})
        await receive()

    _Probe.seen.clear()
    _Probe.instances.clear()
    _Probe.high, _Probe.first = asyncio.Event(), None
    async with _server(app) as url, websockets.connect(url) as client:
        try:
            for i in range(count):
                await client.send(i.to_bytes(2, "big"))
            await asyncio.wait_for(_Probe.high.wait(), timeout=10)
            protocol = _Probe.instances[-1]
            below = [reading for size, reading in _Probe.seen if size < HIGH_WATER]
            at_or_above = [reading for size, reading in _Probe.seen if size >= HIGH_WATER]
            assert below and all(below), "the stock protocol pauses after every message"
            assert at_or_above and not any(at_or_above), "reading must pause at the mark"
            assert protocol.read_paused
        finally:
            gate.set()  # never leave the app (and the server's shutdown) waiting
        assert await asyncio.wait_for(client.recv(), timeout=10) == b"done"
    assert received == [i.to_bytes(2, "big") for i in range(count)]
    # what crowd.server.connection uses: the writable event, the protocol's own callables
    assert extensions[WRITABLE] is protocol.writable
    assert extensions[DIRECT] == (protocol.receive, protocol.send)
    assert protocol.transport.is_closing() or not protocol.read_paused


async def test_a_big_frame_pauses_reading_at_once() -> None:
    """What a client makes the server hold before the app reads stays bounded: a frame
    over SMALL_FRAME pauses reading as the stock protocol does after every frame."""
    big = bytes(SMALL_FRAME + 1)
    gate = asyncio.Event()
    received: list[bytes] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert (await receive())["type"] == "websocket.connect"
        await send({"type": "websocket.accept"})
        await gate.wait()
        while len(received) < 2:
            received.append((await receive())["bytes"])
        await send({"type": "websocket.send", "bytes": b"done"})
        await receive()

    _Probe.seen.clear()
    _Probe.instances.clear()
    _Probe.high, _Probe.first = None, asyncio.Event()
    async with _server(app) as url, websockets.connect(url) as client:
        try:
            await client.send(big)
            await asyncio.wait_for(_Probe.first.wait(), timeout=10)
            assert _Probe.seen[0] == (1, False), "reading goes on after a big frame"
            await client.send(b"small")
        finally:
            gate.set()
        assert await asyncio.wait_for(client.recv(), timeout=10) == b"done"
    assert received == [big, b"small"]
