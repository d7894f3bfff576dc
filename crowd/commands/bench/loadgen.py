"""The load generator: a bare RFC 6455 client on asyncio protocols.

Frames are pre-encoded msgpack with a seq and a value patched in place, cheap enough for
10,000 inputs/s on one core; every phone and screen records what it sent and saw.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import struct
import time
from array import array
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import msgpack

from crowd.commands.bench.measure import get_json


def _mask_int(mask: bytes, n: int) -> int:
    return int.from_bytes((mask * (n // 4 + 1))[:n], "little")


def ws_frame(payload: bytes, mask: bytes, opcode: int = 0x2,
             masks: dict[int, int] | None = None) -> bytes:
    """One client frame (FIN, masked as RFC 6455 requires of clients)."""
    n = len(payload)
    if n < 126:
        header = bytes((0x80 | opcode, 0x80 | n))
    elif n < 65_536:
        header = bytes((0x80 | opcode, 0x80 | 126)) + n.to_bytes(2, "big")
    else:
        header = bytes((0x80 | opcode, 0x80 | 127)) + n.to_bytes(8, "big")
    key = masks.get(n) if masks is not None else None
    if key is None:
        key = _mask_int(mask, n)
        if masks is not None:
            masks[n] = key
    masked = (int.from_bytes(payload, "little") ^ key).to_bytes(n, "little")
    return header + mask + masked


class Template:
    """A pre-encoded `respond` frame payload: the seq and the value are patched in place."""

    def __init__(self, activity: str, integer: bool) -> None:
        def p(x: object) -> bytes:
            return msgpack.packb(x, use_bin_type=True)

        head = b"\x85" + p("v") + p(1) + p("t") + p("respond") + p("seq") + b"\xce"
        self.seq_at = len(head)
        middle = b"\x00\x00\x00\x00" + p("activity") + p(activity) + p("value")
        self.integer = integer
        marker = b"\xd2" if integer else b"\xcb"
        self.value_at = len(head) + len(middle) + 1
        tail = b"\x00" * (4 if integer else 8)
        self.payload = head + middle + marker + tail

    def fill(self, seq: int, value: float) -> bytes:
        buf = bytearray(self.payload)
        struct.pack_into(">I", buf, self.seq_at, seq)
        if self.integer:
            struct.pack_into(">i", buf, self.value_at, int(value))
        else:
            struct.pack_into(">d", buf, self.value_at, value)
        return bytes(buf)


class WsPeer(asyncio.Protocol):
    """One websocket client connection: handshake, masked frames out, frames in.

    Thousands of `websockets` client objects cost more CPU than the server under test;
    this is a few dozen lines of framing on an asyncio protocol instead.
    """

    def __init__(self, host: str, port: int, on_message: Callable[[WsPeer, bytes], None]
                 ) -> None:
        loop = asyncio.get_running_loop()
        self.host, self.port = host, port
        self.on_message = on_message
        self.transport: asyncio.Transport | None = None
        self.mask = os.urandom(4)
        self.masks: dict[int, int] = {}
        self.buf = bytearray()
        self.upgraded: asyncio.Future[None] = loop.create_future()
        self.first: asyncio.Future[dict[str, Any]] = loop.create_future()
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        key = base64.b64encode(os.urandom(16)).decode()
        transport.write((f"GET /ws HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                         "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                         f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
                         ).encode())

    def data_received(self, data: bytes) -> None:
        buf = self.buf
        buf += data
        if not self.upgraded.done():
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            status = bytes(buf[:12])
            del buf[:end + 4]
            if not status.startswith(b"HTTP/1.1 101"):
                self.upgraded.set_exception(ConnectionError(f"handshake refused: {status!r}"))
                assert self.transport is not None
                self.transport.close()
                return
            self.upgraded.set_result(None)
        pos, n = 0, len(buf)
        while n - pos >= 2:
            b0, b1 = buf[pos], buf[pos + 1] & 0x7F
            start = pos + 2
            if b1 == 126:
                if n - pos < 4:
                    break
                b1 = int.from_bytes(buf[pos + 2:pos + 4], "big")
                start = pos + 4
            elif b1 == 127:
                if n - pos < 10:
                    break
                b1 = int.from_bytes(buf[pos + 2:pos + 10], "big")
                start = pos + 10
            if n - start < b1:
                break
            payload = bytes(buf[start:start + b1])
            pos = start + b1
            opcode = b0 & 0x0F
            if opcode in (1, 2):  # the server never fragments messages this small
                if not self.first.done():
                    self.first.set_result(msgpack.unpackb(payload, raw=False))
                else:
                    self.on_message(self, payload)
            elif opcode == 9:  # ping: answer, or uvicorn closes us after 20 s
                self.write(payload, 0xA)
            elif opcode == 8:
                self.write(payload[:2], 0x8)
                assert self.transport is not None
                self.transport.close()
        del buf[:pos]

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        for future in (self.upgraded, self.first):
            if not future.done():
                future.set_exception(ConnectionError("connection lost"))

    def write(self, payload: bytes, opcode: int = 0x2) -> None:
        if self.transport is not None and not self.closed:
            self.transport.write(ws_frame(payload, self.mask, opcode, self.masks))

    def close(self) -> None:
        if self.transport is not None and not self.closed:
            self.write(b"\x03\xe8", 0x8)
            self.transport.close()


class Recorder:
    """Acks and errors of every load phone, with latencies from the *scheduled* send time
    (open loop: a late generator or a slow server both show, nothing is hidden)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.latencies = array("d")
        self.ack_times = array("d")
        self.sent = 0
        self.acked = 0
        self.errors: Counter[str] = Counter()
        self.last_ack = 0.0


class LoadPhone:
    """A phone of the load generator: a `WsPeer`, its template and what it waits for."""

    __slots__ = ("peer", "pending", "recorder", "seq", "template")

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self.pending: dict[int, float] = {}
        self.seq = 0
        self.template: Template | None = None
        self.peer: WsPeer | None = None

    def on_message(self, peer: WsPeer, payload: bytes) -> None:
        msg = msgpack.unpackb(payload, raw=False)
        t = msg.get("t")
        if t == "ack":
            sent = self.pending.pop(msg.get("seq"), None)
            if sent is not None:
                now = time.perf_counter()
                rec = self.recorder
                rec.latencies.append((now - sent) * 1000)
                rec.ack_times.append(now)
                rec.acked += 1
                rec.last_ack = now
        elif t == "error":
            self.pending.pop(msg.get("seq"), None)
            self.recorder.errors[str(msg.get("code"))] += 1

    def send(self, scheduled: float, value: float) -> None:
        assert self.template is not None and self.peer is not None
        self.seq += 1
        self.pending[self.seq] = scheduled
        self.recorder.sent += 1
        self.peer.write(self.template.fill(self.seq, value))


class ScreenPeer:
    """A projector: the time each frame arrived and its `n` (devices that answered)."""

    def __init__(self) -> None:
        self.frames: list[tuple[float, str, int]] = []
        self.peer: WsPeer | None = None

    def on_message(self, peer: WsPeer, payload: bytes) -> None:
        now = time.perf_counter()
        msg = msgpack.unpackb(payload, raw=False)
        if msg.get("t") == "frame":
            self.frames.append((now, str(msg.get("activity")),
                                int((msg.get("snapshot") or {}).get("n", 0))))


class Target:
    """A server under test (the hub or the baseline), from the load generator's side."""

    def __init__(self, name: str, url: str, pid: int) -> None:
        self.name, self.url, self.pid = name, url, pid
        host_port = url.split("//", 1)[1]
        host, port = host_port.rsplit(":", 1)
        self.host, self.port = host, int(port)

    async def open(self, hello: dict[str, Any], handler: Callable[[WsPeer, bytes], None]
                   ) -> WsPeer:
        loop = asyncio.get_running_loop()
        _, peer = await loop.create_connection(
            lambda: WsPeer(self.host, self.port, handler), self.host, self.port)
        await asyncio.wait_for(peer.upgraded, 30)
        peer.write(msgpack.packb({"v": 1, "t": "hello", **hello}, use_bin_type=True))
        first = await asyncio.wait_for(peer.first, 30)
        if first.get("t") != "welcome":
            peer.close()
            raise ConnectionError(f"hello refused: {first}")
        return peer

    async def phones(self, count: int, room: str, recorder: Recorder,
                     concurrency: int = 200) -> list[LoadPhone]:
        gate = asyncio.Semaphore(concurrency)

        async def one() -> LoadPhone:
            phone = LoadPhone(recorder)
            async with gate:
                phone.peer = await self.open({"role": "phone", "room": room},
                                             phone.on_message)
            return phone

        return list(await asyncio.gather(*(one() for _ in range(count))))

    async def screen(self, room: str) -> ScreenPeer:
        screen = ScreenPeer()
        screen.peer = await self.open({"role": "screen", "room": room}, screen.on_message)
        return screen

    async def health(self) -> dict[str, Any]:
        return await asyncio.to_thread(get_json, self.url + "/healthz")


async def close_all(phones: Sequence[LoadPhone]) -> None:
    for phone in phones:
        if phone.peer is not None:
            phone.peer.close()
    await asyncio.sleep(0.2)


async def drain(recorder: Recorder, phones: Sequence[LoadPhone], timeout: float,
                quiet: float = 5.0) -> None:
    """Until every input sent was answered, or nothing was answered for `quiet` seconds
    (a server still working through a backlog is given time: late is not lost), or the
    timeout."""
    deadline = time.perf_counter() + timeout
    seen, since = recorder.acked, time.perf_counter()
    while time.perf_counter() < deadline and any(p.pending for p in phones):
        await asyncio.sleep(0.05)
        if recorder.acked != seen:
            seen, since = recorder.acked, time.perf_counter()
        elif time.perf_counter() - since > quiet:
            return


async def sample_health(target: Target, stop: asyncio.Event, out: list[float],
                        every: float = 0.25) -> None:
    """Event-loop lag as the server sees it (its 10 Hz timer's lateness), sampled."""
    while not stop.is_set():
        with contextlib.suppress(Exception):
            out.append(float((await target.health()).get("loop_lag_ms", 0.0)))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every)


async def paced(schedule: Iterator[tuple[float, Callable[[float], None]]], t0: float) -> float:
    """Run (offset, send) pairs at t0 + offset; returns how late the generator ran (max)."""
    late = 0.0
    for offset, send in schedule:
        at = t0 + offset
        delay = at - time.perf_counter()
        if delay > 0.0005:
            await asyncio.sleep(delay)
        else:
            late = max(late, -delay)
        send(at)
    return late


def periodic(phones: Sequence[LoadPhone], rate: float, duration: float,
             values: Callable[[int, int], float], slot: float = 0.005
             ) -> Iterator[tuple[float, Callable[[float], None]]]:
    """`rate` inputs/s spread evenly over the phones and over time, in 5 ms slots."""
    per_phone = rate / len(phones)
    period = 1.0 / per_phone
    n_slots = max(1, round(period / slot))
    slots: list[list[int]] = [[] for _ in range(n_slots)]
    for i in range(len(phones)):
        slots[(i * n_slots) // len(phones)].append(i)
    k = 0
    while True:
        offset = k * period / n_slots
        if offset >= duration:
            return
        members = slots[k % n_slots]
        beat = k // n_slots

        def send(at: float, members: list[int] = members, beat: int = beat) -> None:
            for i in members:
                phones[i].send(at, values(i, beat))

        yield offset, send
        k += 1


# ---------------------------------------------------------------- servers


