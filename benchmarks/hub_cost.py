"""The hub's own CPU per input, without sockets: engine, event log and outbox.

`crowd bench` measures the whole server, where uvicorn, Starlette and asyncio's transports
take most of each input's CPU. This isolates what crowd adds: N fake connections (no
network) submit temperature moves concurrently through `Hub.submit`, so the group commit
fills as it does live; the figure is process CPU per input, the best of a few runs (a
shared machine only ever adds time). Use it to compare a change of the hub, engine or
log before and after. Usage:

    python benchmarks/hub_cost.py --phones 1000 --inputs 20 --runs 3
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import msgpack
from starlette.websockets import WebSocketState

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from crowd.core.protocol import Encoding, decode, parse
from crowd.server.connection import Connection
from crowd.server.eventlog import EventLog
from crowd.server.hub import Hub
from crowd.server.security import TokenBucket
from crowd.server.settings import Settings


class NullSocket:
    """Stands for Starlette's WebSocket: counts what is written."""

    application_state = WebSocketState.CONNECTED
    def __init__(self) -> None:
        self.sent = 0
        self.scope: dict[str, object] = {}  # no writable event: writes go through the sender

    async def send_bytes(self, data: bytes) -> None:
        self.sent += 1

    async def send(self, message: dict[str, object]) -> None:
        self.sent += 1

    async def receive(self) -> dict[str, object]:
        raise NotImplementedError  # inputs are submitted to the hub directly

    async def send_text(self, data: str) -> None:
        self.sent += 1

    async def close(self, code: int = 1000, reason: str = "") -> None:
        return None


def connection() -> Connection:
    return Connection(NullSocket(), "127.0.0.1", 256, TokenBucket(1e9, 1e9))  # type: ignore[arg-type]


async def one_run(db: Path, phones: int, inputs: int) -> float:
    """CPU seconds for phones x inputs temperature moves through a fresh hub."""
    settings = Settings(db=db, host="127.0.0.1", port=1, public_url="http://127.0.0.1:1")
    hub = Hub(settings, EventLog(settings.db))
    await hub.start()

    async def join(hello: dict[str, Any]) -> Connection:
        conn = connection()
        await hub.greet(conn, parse({"t": "hello", **hello}))  # type: ignore[arg-type]
        conn.encoding = Encoding.MSGPACK
        return conn

    panel = await join({"role": "panel", "secret": hub.animator_secret})
    await hub.submit(panel, parse({"t": "create_room", "title": "cost", "seq": 1}))
    room = next(iter(hub.engine.rooms))
    await hub.submit(panel, parse({"t": "activity_new", "room": room, "seq": 2,
                                   "spec": {"kind": "temperature", "prompt": "?"}}))
    activity = next(iter(hub.engine.activities))
    await hub.submit(panel, parse({"t": "open", "activity": activity, "seq": 3}))
    conns = [await join({"role": "phone", "room": room}) for _ in range(phones)]
    frames = [[msgpack.packb({"v": 1, "t": "respond", "seq": k + 1, "activity": activity,
                              "value": round(((i * 7 + k) % 41) / 20 - 1, 2)})
               for k in range(inputs)] for i in range(phones)]

    async def phone(conn: Connection, mine: list[bytes]) -> None:
        for frame in mine:  # what ws.py does with each frame, minus the socket
            raw, _ = decode(frame)
            await hub.submit(conn, parse(raw))

    gc.collect()
    started = time.process_time()
    await asyncio.gather(*(phone(c, f) for c, f in zip(conns, frames, strict=True)))
    spent = time.process_time() - started
    await hub.stop()
    return spent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--inputs", type=int, default=20, help="inputs per phone")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    n = args.phones * args.inputs
    with tempfile.TemporaryDirectory() as tmp:
        runs = [asyncio.run(one_run(Path(tmp) / f"cost-{r}.db", args.phones, args.inputs))
                for r in range(args.runs)]
    per = [r / n * 1e6 for r in runs]
    print(f"hub CPU per input: {min(per):.1f} µs (best of {args.runs}: "
          f"{', '.join(f'{p:.1f}' for p in per)}); {n:,} temperature moves, "
          f"{args.phones:,} connections")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
