"""The benchmark's same-run baseline: a bare Starlette websocket endpoint.

Same uvicorn settings as `crowd serve` (`crowd.server.app.uvicorn_config`), same load
generator, but no engine, no log and no outbox: it decodes each msgpack frame, counts it
and answers an `ack` with its seq. What the hub costs on top of the transport is the
ratio of the two, measured minutes apart on the same machine, so the figure holds on a
noisy one. Run by `crowd bench` as `python -m crowd.commands.bench.baseline --port P`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections.abc import AsyncIterator

import msgpack
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket


class Counters:
    """What /healthz reports: the same fields the benchmark reads from the hub."""

    def __init__(self) -> None:
        self.connections = 0
        self.frames = 0
        self.loop_lag_ms = 0.0


async def endpoint(websocket: WebSocket) -> None:
    counters: Counters = websocket.app.state.counters
    await websocket.accept()
    counters.connections += 1
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            frame = message.get("bytes")
            if frame is None:
                continue
            msg = msgpack.unpackb(frame, raw=False)
            counters.frames += 1
            if msg.get("t") == "hello":
                reply = {"v": 1, "t": "welcome", "you": {"role": msg.get("role"),
                                                         "device": "bare"}}
            else:
                reply = {"v": 1, "t": "ack", "seq": msg.get("seq")}
            await websocket.send_bytes(msgpack.packb(reply, use_bin_type=True))
    except Exception:  # a client that vanished mid-write: nothing to count
        return
    finally:
        counters.connections -= 1


async def healthz(request: Request) -> Response:
    counters: Counters = request.app.state.counters
    return JSONResponse({"status": "ok", "connections": {"phone": counters.connections},
                         "frames": counters.frames, "loop_lag_ms": counters.loop_lag_ms})


async def _tick(counters: Counters, period: float = 0.1) -> None:
    """The hub's loop-lag probe, verbatim: how late a 10 Hz timer fires."""
    loop = asyncio.get_running_loop()
    while True:
        started = loop.time()
        await asyncio.sleep(period)
        counters.loop_lag_ms = max(0.0, (loop.time() - started - period) * 1000)


def create_app() -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(_tick(app.state.counters))
        try:
            yield
        finally:
            task.cancel()

    app = Starlette(routes=[Route("/healthz", healthz), WebSocketRoute("/ws", endpoint)],
                    lifespan=lifespan)
    app.state.counters = Counters()
    return app


def main() -> int:
    import uvicorn

    from crowd.server.app import uvicorn_config
    from crowd.server.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    settings = Settings(host="127.0.0.1", port=args.port)
    uvicorn.run(create_app(), **uvicorn_config(settings))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
