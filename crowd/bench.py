"""How far one machine goes: the real server under load, against a same-run baseline.

The server runs in its own process (`crowd serve`, pinned to core 0 when there are two)
and the load in this one (pinned to core 1), on 127.0.0.1. The load generator is a bare
RFC 6455 client on asyncio protocols with pre-encoded msgpack frames (a seq and a value
patched in place), cheap enough for 10,000 inputs/s on one core; its own CPU is reported.
Every load is bounded in count and time. Sections:

- burst: N phones vote within a window; ack latency (ack = durable) and vote-to-screen.
- stream: N phones move a temperature slider at 2 Hz; server CPU, ack p99, screen
  staleness, event-loop lag, inputs lost.
- ceiling: the highest sustained input rate whose ack p99 stays under 100 ms.
- memory: server RSS per idle phone connection.
- restart: process start to ready on a log of 1,000,000 events: after a crash with the
  most events a crash can leave after the newest checkpoint (the target figure), after
  a clean stop, and with no checkpoint at all (a whole replay, as after an upgrade).

burst, stream and ceiling are also run against `crowd.bench_baseline` (a bare Starlette
endpoint that only decodes and acknowledges, same uvicorn settings): the report gives the
ratio hub/baseline. `--quick` runs a reduced version in seconds (CI checks the report).

    crowd bench [--quick] [--json PATH] [--only burst,stream,ceiling,memory,restart]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import datetime
import json
import math
import os
import platform
import random
import resource
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from array import array
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import msgpack

from crowd.clients import Panel
from crowd.clients.launcher import ServerProcess, free_port, pin, stop_process, wait_healthy

SECTIONS = ("burst", "stream", "ceiling", "memory", "restart")


@dataclass(frozen=True, slots=True)
class Plan:
    """Sizes of one run: the issue's figures, or a reduced smoke version."""

    burst_phones: int = 2_000
    burst_window_s: float = 2.0
    burst_rounds: int = 3
    stream_phones: int = 5_000
    stream_hz: float = 2.0
    stream_s: float = 30.0
    stream_joiners_per_s: float = 20.0
    ceiling_phones: int = 2_000
    ceiling_step_s: float = 5.0
    ceiling_start: float = 2_000.0
    ceiling_max_steps: int = 12
    ceiling_p99_ms: float = 100.0
    memory_counts: tuple[int, ...] = (1_000, 10_000)
    restart_events: int = 1_000_000
    settle_s: float = 2.0  # idle time before reading memory
    #: One hub and one baseline for every section (quick runs: starts dominate them).
    reuse_servers: bool = False


FULL = Plan()
QUICK = Plan(burst_phones=100, burst_window_s=0.5, burst_rounds=1, stream_phones=100,
             stream_s=2.0, stream_joiners_per_s=10.0, ceiling_phones=50, ceiling_step_s=0.7,
             ceiling_start=300.0, ceiling_max_steps=2, memory_counts=(100, 200),
             restart_events=20_000, settle_s=0.3,
             reuse_servers=True)

#: (section, figure) -> (comparison, target): the issue's targets on this 2-core machine.
TARGETS: dict[tuple[str, str], tuple[str, float]] = {
    ("burst", "ack_p99_ms"): ("<=", 100.0),
    ("burst", "screen_p99_ms"): ("<=", 250.0),
    ("stream", "server_cores"): ("<=", 1.0),
    ("stream", "ack_p99_ms"): ("<=", 150.0),
    ("stream", "staleness_p99_ms"): ("<=", 250.0),
    ("stream", "lost"): ("<=", 0.0),
    ("ceiling", "ratio"): (">=", 0.6),
    ("memory", "kib_per_phone_max"): ("<=", 32.0),
    ("restart", "ready_s"): ("<=", 10.0),
}


# ---------------------------------------------------------------- measuring


def percentiles(samples: Sequence[float]) -> dict[str, float | None]:
    """p50/p90/p99/max by the nearest-rank method (no interpolation between samples)."""
    if not samples:
        return {"n": 0, "p50": None, "p90": None, "p99": None, "max": None}
    ordered = sorted(samples)

    def rank(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))], 2)

    return {"n": len(ordered), "p50": rank(0.50), "p90": rank(0.90), "p99": rank(0.99),
            "max": round(ordered[-1], 2)}


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU of a process so far (Linux /proc), None elsewhere."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def get_json(url: str, timeout: float = 5.0) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=timeout) as reply:  # our own 127.0.0.1 server
        return dict(json.loads(reply.read()))


class CpuMeter:
    """CPU used by the server process and by this (load) process over a window."""

    def __init__(self, server_pid: int) -> None:
        self.pid = server_pid
        self.wall = time.perf_counter()
        self.server = cpu_seconds(server_pid)
        self.load = time.process_time()

    def read(self) -> dict[str, float | None]:
        wall = time.perf_counter() - self.wall
        server = cpu_seconds(self.pid)
        load = time.process_time() - self.load
        used = None if server is None or self.server is None else server - self.server
        cores = None if used is None or wall <= 0 else round(used / wall, 3)
        return {"wall_s": round(wall, 2), "server_cores": cores,
                "server_cpu_s": None if used is None else round(used, 3),
                "load_cores": round(load / wall, 3) if wall > 0 else None}


# ---------------------------------------------------------------- a bare websocket client


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


class Baseline:
    """`crowd.bench_baseline` in a child process, pinned like the server."""

    def __init__(self, cpu: int | None, env: Mapping[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.cpu = cpu
        self.env = {**os.environ, **env}
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "crowd.bench_baseline", "--port",
                                      str(self.port)], env=self.env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        pin(self.proc, self.cpu)
        wait_healthy(self.proc, self.url, timeout, lambda: "the bare endpoint")

    def stop(self) -> None:
        stop_process(self.proc)
        self.proc = None


class Bench:
    """One benchmark run: servers, the load, the report."""

    def __init__(self, plan: Plan, workdir: Path, log: Callable[[str], None]) -> None:
        self.plan = plan
        self.workdir = workdir
        self.log = log
        two = (os.cpu_count() or 1) >= 2 and hasattr(os, "sched_setaffinity")
        self.server_cpu = 0 if two else None
        self.load_cpu = 1 if two else None
        self.env = {"CROWD_MAX_CONNECTIONS": "16000",
                    "CROWD_MAX_CONNECTIONS_PER_ADDRESS": "16000",
                    "OPENBLAS_NUM_THREADS": "1"}
        self._n = 0
        self.kept = contextlib.ExitStack()  # servers kept across sections (reuse_servers)
        self._hub: tuple[Target, ServerProcess] | None = None
        self._baseline: Target | None = None

    @contextlib.contextmanager
    def hub(self) -> Iterator[tuple[Target, ServerProcess]]:
        """A fresh `crowd serve` for a section (or the kept one in quick runs)."""
        if self._hub is not None:
            yield self._hub
            return
        self._n += 1
        server = ServerProcess(self.workdir / f"hub-{self._n}.db", env=self.env,
                               cpu=self.server_cpu)
        server.start()
        assert server.proc is not None
        pair = (Target("hub", server.url, server.proc.pid), server)
        if self.plan.reuse_servers:
            self.kept.callback(server.stop)
            self._hub = pair
            yield pair
            return
        try:
            yield pair
        finally:
            server.stop()

    @contextlib.contextmanager
    def baseline(self) -> Iterator[Target]:
        if self._baseline is not None:
            yield self._baseline
            return
        base = Baseline(self.server_cpu, self.env)
        base.start()
        assert base.proc is not None
        target = Target("baseline", base.url, base.proc.pid)
        if self.plan.reuse_servers:
            self.kept.callback(base.stop)
            self._baseline = target
            yield target
            return
        try:
            yield target
        finally:
            base.stop()

    async def _room(self, server: ServerProcess, kind: str, rounds: int = 1
                    ) -> tuple[str, list[str]]:
        """A room with `rounds` draft activities of a kind."""
        async with Panel.connect(server.url, server.secret) as panel:
            room = await panel.create_room("bench")
            activities = []
            for r in range(rounds):
                spec: dict[str, Any] = {"options": ["a", "b", "c", "d"]} if kind == "choice" \
                    else {}
                activities.append(await panel.add_activity(room, kind, f"bench {r}", **spec))
            return room, activities

    async def _panel_do(self, server: ServerProcess, *steps: tuple[str, str]) -> None:
        async with Panel.connect(server.url, server.secret) as panel:
            for verb, activity in steps:
                await getattr(panel, verb)(activity)

    # ------------------------------------------------------------ burst

    async def burst(self) -> dict[str, Any]:
        plan = self.plan
        result: dict[str, Any] = {"phones": plan.burst_phones, "window_s": plan.burst_window_s,
                                  "rounds": plan.burst_rounds}
        with self.hub() as (target, server):
            result["hub"] = await self._burst_on(target, server)
        with self.baseline() as target:
            result["baseline"] = await self._burst_on(target, None)
        hub, base = result["hub"], result["baseline"]
        result["ack_p99_ms"] = hub["ack_ms"]["p99"]
        result["screen_p99_ms"] = hub["screen_ms"]["p99"]
        result["ratio_ack_p50"] = _ratio(hub["ack_ms"]["p50"], base["ack_ms"]["p50"])
        result["ratio_ack_p99"] = _ratio(hub["ack_ms"]["p99"], base["ack_ms"]["p99"])
        return result

    async def _burst_on(self, target: Target, server: ServerProcess | None) -> dict[str, Any]:
        plan = self.plan
        rounds = plan.burst_rounds
        rec = Recorder()
        room, activities = ("BARE", ["BARE-1"] * rounds)
        if server is not None:
            room, activities = await self._room(server, "choice", rounds=rounds)
        phones = await target.phones(plan.burst_phones, room, rec)
        screen = await target.screen(room) if server is not None else None
        rng = random.Random(7)
        screen_ms: list[float] = []
        late = 0.0
        meter = CpuMeter(target.pid)
        for activity in activities:
            if server is not None:
                await self._panel_do(server, ("open", activity), ("project", activity))
            for phone in phones:
                phone.template = Template(activity, integer=True)
            await asyncio.sleep(0.5)
            offsets = sorted((rng.uniform(0, plan.burst_window_s), i)
                             for i in range(len(phones)))
            sent_at: list[float] = []

            def vote(i: int, sent_at: list[float] = sent_at) -> Callable[[float], None]:
                def send(at: float) -> None:
                    sent_at.append(at)
                    phones[i].send(at, i % 4)
                return send

            t0 = time.perf_counter() + 0.05
            late = max(late, await paced(((o, vote(i)) for o, i in offsets), t0))
            await drain(rec, phones, 10.0)
            await asyncio.sleep(0.4)  # the tick after the last vote
            if screen is not None:
                frames = [(t, n) for t, a, n in screen.frames if a == activity]
                screen_ms += vote_to_screen(sent_at, frames)
        cpu = meter.read()
        await close_all(phones)
        if screen is not None and screen.peer is not None:
            screen.peer.close()
        return {"ack_ms": percentiles(rec.latencies), "screen_ms": percentiles(screen_ms),
                "sent": rec.sent, "acked": rec.acked, "errors": dict(rec.errors),
                "lost": rec.sent - rec.acked - sum(rec.errors.values()),
                "generator_late_ms": round(late * 1000, 1), **cpu}

    # ------------------------------------------------------------ stream

    async def stream(self) -> dict[str, Any]:
        plan = self.plan
        result: dict[str, Any] = {"phones": plan.stream_phones, "hz": plan.stream_hz,
                                  "duration_s": plan.stream_s,
                                  "rate": plan.stream_phones * plan.stream_hz}
        with self.hub() as (target, server):
            result["hub"] = await self._stream_on(target, server)
        with self.baseline() as target:
            result["baseline"] = await self._stream_on(target, None)
        hub, base = result["hub"], result["baseline"]
        result["kind"] = hub.pop("kind")
        base.pop("kind", None)
        result.update(server_cores=hub["server_cores"], ack_p99_ms=hub["ack_ms"]["p99"],
                      staleness_p99_ms=hub["staleness_ms"]["p99"],
                      loop_lag_p99_ms=hub["loop_lag_ms"]["p99"], lost=hub["lost"],
                      ratio_cpu=_ratio(hub["server_cores"], base["server_cores"]),
                      ratio_ack_p99=_ratio(hub["ack_ms"]["p99"], base["ack_ms"]["p99"]))
        return result

    async def _stream_on(self, target: Target, server: ServerProcess | None
                         ) -> dict[str, Any]:
        plan = self.plan
        rec = Recorder()
        joiners_rec = Recorder()
        room, activity, kind = "BARE", "BARE-1", "temperature"
        if server is not None:
            try:
                room, (activity,) = await self._room(server, "temperature")
            except Exception:  # a server without gestures: the latest-wins estimate
                kind = "estimate"
                room, (activity,) = await self._room(server, kind)
            await self._panel_do(server, ("open", activity), ("project", activity))
        phones = await target.phones(plan.stream_phones, room, rec)
        n_join = max(1, int(plan.stream_joiners_per_s * plan.stream_s))
        joiners = await target.phones(n_join, room, joiners_rec)
        screen = await target.screen(room) if server is not None else None
        for phone in [*phones, *joiners]:
            phone.template = Template(activity, integer=False)
        camps = [random.Random(i).choice((-0.6, 0.0, 0.6)) for i in range(len(phones))]

        def value(i: int, beat: int) -> float:
            return max(-1.0, min(1.0, camps[i] + 0.05 * ((i + beat) % 7 - 3)))

        rate = plan.stream_phones * plan.stream_hz
        warmup = min(2.0, plan.stream_s / 4)
        spread = random.Random(3)
        join_times = sorted(spread.uniform(warmup, plan.stream_s) for _ in joiners)
        join_sent: list[float] = []

        def join(k: int) -> Callable[[float], None]:
            def send(at: float) -> None:
                join_sent.append(at)
                joiners[k].send(at, 0.1)
            return send

        lags: list[float] = []
        stop = asyncio.Event()
        t0 = time.perf_counter() + 0.1
        sends = periodic(phones, rate, plan.stream_s, value)
        stream_task = asyncio.create_task(paced(sends, t0))
        join_task = asyncio.create_task(paced(((t, join(k)) for k, t in
                                               enumerate(join_times)), t0))
        await asyncio.sleep(warmup + 0.1)
        rec_start = len(rec.latencies)
        acked_start = rec.acked
        meter = CpuMeter(target.pid)
        sampler = asyncio.create_task(sample_health(target, stop, lags))
        late = await stream_task
        cpu = meter.read()
        acked_rate = round((rec.acked - acked_start) / cpu["wall_s"]) if cpu["wall_s"] else None
        stop.set()
        await join_task
        await sampler
        drained = time.perf_counter()
        await drain(rec, [*phones, *joiners], 120.0)
        drain_s = round(time.perf_counter() - drained, 1)
        await asyncio.sleep(0.4)
        staleness: list[float] = []
        base_n = 0
        if screen is not None:
            frames = [(t, n) for t, a, n in screen.frames if a == activity]
            before = [n for t, n in frames if join_sent and t < join_sent[0]]
            base_n = max(before, default=len(phones))
            staleness = vote_to_screen(join_sent, frames, base=base_n)
        errors = rec.errors + joiners_rec.errors
        sent = rec.sent + joiners_rec.sent
        acked = rec.acked + joiners_rec.acked
        await close_all([*phones, *joiners])
        if screen is not None and screen.peer is not None:
            screen.peer.close()
        return {"kind": kind, "acked_rate": acked_rate,
                "ack_ms": percentiles(rec.latencies[rec_start:]),
                "staleness_ms": percentiles(staleness), "staleness_base_n": base_n,
                "loop_lag_ms": percentiles(lags), "sent": sent, "acked": acked,
                "errors": dict(errors), "lost": sent - acked, "drain_s": drain_s,
                "generator_late_ms": round(late * 1000, 1), **cpu}

    # ------------------------------------------------------------ ceiling

    async def ceiling(self) -> dict[str, Any]:
        result: dict[str, Any] = {"phones": self.plan.ceiling_phones,
                                  "step_s": self.plan.ceiling_step_s,
                                  "p99_limit_ms": self.plan.ceiling_p99_ms}
        with self.hub() as (target, server):
            result["hub"] = await self._ceiling_on(target, server)
        with self.baseline() as target:
            result["baseline"] = await self._ceiling_on(target, None)
        for side in ("hub", "baseline"):  # CPU per input at the highest rate that held
            held = [s for s in result[side]["steps"] if s["ok"]]
            result[side]["us_per_input"] = max(held, key=lambda s: s["rate"])[
                "server_us_per_input"] if held else None
        result["hub_rate"] = result["hub"]["rate"]
        result["baseline_rate"] = result["baseline"]["rate"]
        result["ratio"] = _ratio(result["hub"]["rate"], result["baseline"]["rate"])
        return result

    async def _ceiling_on(self, target: Target, server: ServerProcess | None
                          ) -> dict[str, Any]:
        plan = self.plan
        rec = Recorder()
        room, activity = "BARE", "BARE-1"
        if server is not None:
            room, (activity,) = await self._room(server, "temperature")
            await self._panel_do(server, ("open", activity))
        phones = await target.phones(plan.ceiling_phones, room, rec)
        for phone in phones:
            phone.template = Template(activity, integer=False)
        cap = plan.ceiling_phones * 16.0  # under the 20/s per-phone rate limit
        steps: list[dict[str, Any]] = []
        best, worst = 0.0, math.inf
        rate = plan.ceiling_start
        for _ in range(plan.ceiling_max_steps):
            step = await self._ceiling_step(target, phones, rec, rate)
            if not step["ok"]:  # a shared machine stalls now and then: one more try
                await asyncio.sleep(1.0)
                again = await self._ceiling_step(target, phones, rec, rate)
                again["retry_of"] = step
                step = again
            steps.append(step)
            self.log(f"    {target.name:8} {rate:>8,.0f}/s: ack p99 {step['ack_ms']['p99']} ms, "
                     f"server {step['server_cores']} cores "
                     f"({step['server_us_per_input']} µs/input), load {step['load_cores']} "
                     f"cores{'' if step['ok'] else '  (over)'}")
            if step["ok"]:
                best = max(best, rate)
            else:
                worst = min(worst, rate)
            if worst == math.inf:
                if rate >= cap:
                    break
                rate = min(cap, rate * 1.5)
            else:
                if worst - best <= 0.1 * worst:
                    break
                rate = (best + worst) / 2 if best else worst / 2
            await asyncio.sleep(0.5)
        await close_all(phones)
        return {"rate": best, "capped": worst == math.inf and best >= cap,
                "load_cap": cap, "steps": steps}

    async def _ceiling_step(self, target: Target, phones: list[LoadPhone], rec: Recorder,
                            rate: float) -> dict[str, Any]:
        plan = self.plan
        rec.reset()
        for phone in phones:
            phone.pending.clear()
        meter = CpuMeter(target.pid)
        t0 = time.perf_counter() + 0.05
        late = await paced(periodic(phones, rate, plan.ceiling_step_s,
                                    lambda i, beat: 0.05 * ((i + beat) % 21 - 10)), t0)
        cpu = meter.read()
        await drain(rec, phones, 5.0)
        spent = meter.read()["server_cpu_s"]  # sending and draining: CPU per input
        per_input = None if spent is None or not rec.acked else round(
            spent / rec.acked * 1e6, 1)
        lost = rec.sent - rec.acked - sum(rec.errors.values())
        ack = percentiles(rec.latencies)
        behind = late > 0.05  # the generator itself could not keep the pace
        ok = (ack["p99"] is not None and ack["p99"] <= plan.ceiling_p99_ms and lost == 0
              and not rec.errors and not behind)
        for phone in phones:  # what is still pending belongs to this step
            phone.pending.clear()
        return {"rate": rate, "ok": ok, "ack_ms": ack, "sent": rec.sent, "lost": lost,
                "errors": dict(rec.errors), "generator_late_ms": round(late * 1000, 1),
                "server_us_per_input": per_input, **cpu}

    # ------------------------------------------------------------ memory

    async def memory(self) -> dict[str, Any]:
        result: dict[str, Any] = {"counts": list(self.plan.memory_counts)}
        with self.hub() as (target, server):
            room, _ = await self._room(server, "choice")
            result["hub"] = await self._memory_on(target, room)
        with self.baseline() as target:
            result["baseline"] = await self._memory_on(target, "BARE")
        per = [m["kib_per_phone"] for m in result["hub"]["points"]]
        result["kib_per_phone_max"] = max(per) if per else None
        return result

    async def _memory_on(self, target: Target, room: str) -> dict[str, Any]:
        rec = Recorder()
        warm = await target.phones(20, room, rec)
        await asyncio.sleep(self.plan.settle_s)
        base = rss_kib(target.pid) or 0
        phones: list[LoadPhone] = []
        points = []
        for count in self.plan.memory_counts:
            phones += await target.phones(count - len(phones), room, rec)
            await asyncio.sleep(self.plan.settle_s)  # idle: what a connection keeps stays
            health = await target.health()
            rss = rss_kib(target.pid) or 0
            points.append({"phones": count, "rss_kib": rss,
                           "connected": (health.get("connections") or {}).get("phone"),
                           "kib_per_phone": round((rss - base) / count, 2)})
            self.log(f"    {target.name} {count:>6,} idle phones: "
                     f"{points[-1]['kib_per_phone']} KiB each")
        await close_all([*warm, *phones])
        return {"rss_before_kib": base, "warm": len(warm), "points": points}

    # ------------------------------------------------------------ restart

    async def restart(self) -> dict[str, Any]:
        from crowd.checkpoint import DEFAULT_EVERY

        db = self.workdir / "restart.db"
        started = time.perf_counter()
        built = build_log(db, self.plan.restart_events)
        build_s = time.perf_counter() - started
        self.log(f"    log of {built:,} events built in {build_s:.1f} s "
                 f"({db.stat().st_size / 2**20:.0f} MiB)")
        server = ServerProcess(db, env=self.env, cpu=self.server_cpu)
        runs: dict[str, dict[str, Any]] = {}

        def run(name: str, stop: Callable[[], None]) -> None:
            ready = server.start(timeout=300.0)
            try:
                health = server.health()
                assert server.proc is not None
                rss = rss_kib(server.proc.pid)
            finally:
                stop()
            runs[name] = {"ready_s": round(ready, 3), "replayed": health.get("replayed_events"),
                          "replay_s": health.get("replay_s"), "rss_kib": rss,
                          "from_checkpoint": health.get("checkpoint", {}).get(
                              "restored_after_event")}
            self.log(f"    {name}: ready in {ready:.2f} s, "
                     f"{health.get('replayed_events'):,} events replayed")

        # No checkpoint: the whole log (then the server writes one, being up to date).
        run("whole_log", server.stop)
        run("after_clean_stop", server.kill)
        # The worst a crash leaves: the newest checkpoint `every` events before the end.
        tail = min(DEFAULT_EVERY, built // 5)
        started = time.perf_counter()
        put_checkpoint(db, built - tail)
        self.log(f"    checkpoint {tail:,} events before the end written in "
                 f"{time.perf_counter() - started:.1f} s")
        run("after_crash", server.stop)
        crash = runs["after_crash"]
        return {"events": built, "db_mib": round(db.stat().st_size / 2**20, 1),
                "build_s": round(build_s, 2), "tail_events": tail,
                "ready_s": crash["ready_s"], "replay_s": crash["replay_s"],
                "whole_log_ready_s": runs["whole_log"]["ready_s"],
                "clean_stop_ready_s": runs["after_clean_stop"]["ready_s"],
                "rss_after_kib": crash["rss_kib"], "runs": runs}


def put_checkpoint(db: Path, events: int) -> None:
    """Store, as the server would, the engine's checkpoint after the first `events`."""
    import itertools

    from crowd import checkpoint
    from crowd.engine import Engine
    from crowd.server.eventlog import Checkpoint, iter_events_file, store_checkpoint

    engine = Engine()
    engine.replay(itertools.islice(iter_events_file(db), events))
    con = sqlite3.connect(db, isolation_level=None)
    try:
        (last,) = con.execute("SELECT id FROM events ORDER BY id LIMIT 1 OFFSET ?",
                              (events - 1,)).fetchone()
        store_checkpoint(con, Checkpoint(last, checkpoint.fingerprint(),
                                         checkpoint.dump(engine)))
    finally:
        con.close()


def vote_to_screen(sent: Sequence[float], frames: Sequence[tuple[float, int]],
                   base: int = 0) -> list[float]:
    """Latency of the k-th input sent to the first frame counting at least base + k
    answers (inputs are applied in arrival order; `n` counts devices that answered)."""
    out = []
    j = 0
    ordered = sorted(frames)
    for k, at in enumerate(sorted(sent), start=1):
        while j < len(ordered) and (ordered[j][1] < base + k or ordered[j][0] < at):
            j += 1
        if j == len(ordered):
            break
        out.append((ordered[j][0] - at) * 1000)
    return out


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return round(a / b, 3)


# ---------------------------------------------------------------- the restart log


def build_log(db: Path, events: int, seed: int = 1) -> int:
    """A realistic event log written straight into the schema, in big transactions:
    20 rooms, one activity of each poll and gesture kind, 1,000 phones a room answering
    and moving sliders (latest wins), nicknames; about 90 % of events are responses."""
    from crowd.activities import activity_type
    from crowd.server.eventlog import MIGRATIONS

    rng = random.Random(seed)
    if db.exists():
        db.unlink()
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    for number, script in enumerate(MIGRATIONS, start=1):
        con.executescript(f"BEGIN; {script}; PRAGMA user_version={number}; COMMIT;")
    packb = msgpack.Packer(use_bin_type=True).pack
    rows: list[tuple[float, str, str, str | None, int | None, bytes]] = []
    ts = 1_750_000_000.0
    seqs: dict[str, int] = {}
    kinds = [("choice", {"options": ["a", "b", "c", "d"]}),
             ("approval", {"options": ["a", "b", "c", "d", "e"]}),
             ("ranking", {"options": ["a", "b", "c", "d"]}),
             ("grades", {"options": ["a", "b", "c"]}),
             ("estimate", {"unit": "lb"}), ("words", {}), ("temperature", {}),
             ("weighting", {"options": ["a", "b", "c"], "budget": 100}),
             ("orientation", {})]
    known = []
    for kind, extra in kinds:
        with contextlib.suppress(Exception):
            known.append(activity_type(kind).normalize_spec({"kind": kind, "prompt": "?",
                                                             **extra}))
    panel = "panel.bench"

    def emit(type_: str, room: str, data: dict[str, Any], client: str | None = None) -> None:
        nonlocal ts
        ts += 0.0005
        seq = None
        if client is not None:
            seq = seqs[client] = seqs.get(client, 0) + 1
        rows.append((ts, room, type_, client, seq, packb(data)))

    def value(spec: Mapping[str, Any]) -> Any:
        kind = spec["kind"]
        k = len(spec.get("options") or [])
        if kind == "choice":
            return rng.randrange(k)
        if kind == "approval":
            return sorted(rng.sample(range(k), rng.randint(0, k)))
        if kind == "ranking":
            return rng.sample(range(k), k)
        if kind == "grades":
            return [rng.randrange(len(spec["grades"])) for _ in range(k)]
        if kind == "estimate":
            return round(rng.lognormvariate(7.1, 0.4), 1)
        if kind == "words":
            return rng.sample(["eau", "feu", "terre", "air", "pain", "joie"], 2)
        if kind == "temperature":
            return round(rng.uniform(-1, 1), 2)
        if kind == "weighting":
            return [33, 33, 34]
        return {"angle": round(rng.uniform(0, 360), 1), "strength": 0.5}

    written = 0
    room_count = 20
    phones_per_room = 1_000
    rooms: list[str] = []
    while len(rooms) < room_count:
        code = "".join(rng.choice("ACEFGHJKMNPRTWXY34679") for _ in range(4))
        if code in rooms:
            continue
        rooms.append(code)
        emit("room_created", code, {"code": code, "title": f"room {len(rooms)}"}, panel)
        for i, spec in enumerate(known, start=1):
            emit("activity_added", code, {"id": f"{code}-{i}", "spec": spec}, panel)
            emit("opened", code, {"id": f"{code}-{i}"}, panel)
        emit("projected", code, {"id": f"{code}-1"}, panel)
    devices = [f"{r}x{i:05d}.bench" for r in range(len(rooms)) for i in range(phones_per_room)]
    while len(rows) + written < events:
        room_index = rng.randrange(len(rooms))
        room = rooms[room_index]
        device = devices[room_index * phones_per_room + rng.randrange(phones_per_room)]
        if rng.random() < 0.002:
            emit("nicknamed", room, {"device": device, "name": f"n{rng.randrange(999)}"},
                 device)
            continue
        number = 7 if rng.random() < 0.6 and len(known) >= 7 else rng.randrange(len(known)) + 1
        spec = known[number - 1]
        emit("responded", room, {"id": f"{room}-{number}", "device": device,
                                 "value": value(spec)}, device)
        if len(rows) >= 100_000:
            written += _insert(con, rows)
            rows.clear()
    written += _insert(con, rows)
    con.close()
    return written


def _insert(con: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> int:
    con.execute("BEGIN")
    con.executemany("INSERT INTO events (ts, room, type, client, seq, data) "
                    "VALUES (?, ?, ?, ?, ?, ?)", rows)
    con.execute("COMMIT")
    return len(rows)


# ---------------------------------------------------------------- report


def targets_of(sections: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    for (section, figure), (op, goal) in TARGETS.items():
        if section not in sections:
            continue
        value = sections[section].get(figure)
        ok = None
        if isinstance(value, int | float):
            ok = value <= goal if op == "<=" else value >= goal
        out.append({"section": section, "figure": figure, "target": f"{op} {goal:g}",
                    "value": value, "ok": ok})
    return out


def machine() -> dict[str, Any]:
    import starlette
    import uvicorn
    import websockets

    mem = None
    with contextlib.suppress(OSError, ValueError, IndexError):
        mem = int(Path("/proc/meminfo").read_text().split()[1]) // 1024
    model = None
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {"cpus": os.cpu_count(), "cpu_model": model, "memory_mib": mem,
            "python": platform.python_version(), "platform": platform.platform(),
            "uvicorn": uvicorn.__version__, "starlette": starlette.__version__,
            "websockets": websockets.__version__, "msgpack": ".".join(
                str(x) for x in msgpack.version),
            "open_files": resource.getrlimit(resource.RLIMIT_NOFILE)[0],
            "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None}


def _fmt(x: Any) -> str:
    if x is None:
        return "-"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, float):
        return f"{x:,.3f}" if abs(x) < 10 else f"{x:,.1f}"
    if isinstance(x, int):
        return f"{x:,}"
    return str(x)


def table(report: Mapping[str, Any]) -> str:
    """The human summary: one line per figure, hub beside baseline where there is one."""
    s = report["sections"]
    rows: list[tuple[str, str, Any, Any, Any, str]] = []

    def target(section: str, figure: str) -> str:
        op_goal = TARGETS.get((section, figure))
        return "" if op_goal is None else f"{op_goal[0]} {op_goal[1]:g}"

    if "burst" in s:
        b = s["burst"]
        title = f"burst ({b['phones']:,} phones in {b['window_s']:g} s, x{b['rounds']})"
        for q in ("p50", "p99"):
            rows.append((title, f"ack {q} ms", b["hub"]["ack_ms"][q],
                         b["baseline"]["ack_ms"][q], b.get(f"ratio_ack_{q}"),
                         target("burst", f"ack_{q}_ms")))
        for q in ("p50", "p99"):
            rows.append((title, f"vote-to-screen {q} ms", b["hub"]["screen_ms"][q], None, None,
                         target("burst", f"screen_{q}_ms")))
        rows.append((title, "lost / errors", f"{b['hub']['lost']} / "
                     f"{sum(b['hub']['errors'].values())}", None, None, ""))
    if "stream" in s:
        st = s["stream"]
        h, bl = st["hub"], st["baseline"]
        title = (f"stream ({st['phones']:,} phones x {st['hz']:g} Hz, {st['duration_s']:g} s, "
                 f"{st['kind']})")
        rows += [
            (title, "inputs acked per s", h["acked_rate"], bl["acked_rate"], None, ""),
            (title, "server CPU (cores)", h["server_cores"], bl["server_cores"],
             st["ratio_cpu"], target("stream", "server_cores")),
            (title, "ack p50 ms", h["ack_ms"]["p50"], bl["ack_ms"]["p50"], None, ""),
            (title, "ack p99 ms", h["ack_ms"]["p99"], bl["ack_ms"]["p99"], st["ratio_ack_p99"],
             target("stream", "ack_p99_ms")),
            (title, "screen staleness p99 ms", h["staleness_ms"]["p99"], None, None,
             target("stream", "staleness_p99_ms")),
            (title, "event-loop lag p99 ms", h["loop_lag_ms"]["p99"],
             bl["loop_lag_ms"]["p99"], None, ""),
            (title, "inputs lost", h["lost"], bl["lost"], None, target("stream", "lost")),
            (title, "load generator CPU (cores)", h["load_cores"], bl["load_cores"], None, ""),
        ]
    if "ceiling" in s:
        c = s["ceiling"]
        title = f"ceiling (ack p99 <= {c['p99_limit_ms']:g} ms, {c['phones']:,} phones)"
        base = c["baseline"]
        base_rate = f">= {base['rate']:,.0f} (load cap)" if base.get("capped") \
            else base["rate"]
        rows.append((title, "inputs/s", c["hub"]["rate"], base_rate, c["ratio"],
                     target("ceiling", "ratio")))
        rows.append((title, "server µs CPU per input", c["hub"].get("us_per_input"),
                     base.get("us_per_input"), _ratio(c["hub"].get("us_per_input"),
                                                      base.get("us_per_input")), ""))
    if "memory" in s:
        m = s["memory"]
        for hp, bp in zip(m["hub"]["points"], m["baseline"]["points"], strict=True):
            rows.append(("memory (idle phone connections)",
                         f"KiB per phone at {hp['phones']:,}", hp["kib_per_phone"],
                         bp["kib_per_phone"], _ratio(hp["kib_per_phone"], bp["kib_per_phone"]),
                         target("memory", "kib_per_phone_max")))
    if "restart" in s:
        r = s["restart"]
        title = f"restart ({r['events']:,} events, {r['db_mib']:g} MiB)"
        rows.append((title, f"after a crash ({r['tail_events']:,} to replay) s", r["ready_s"],
                     None, None, target("restart", "ready_s")))
        rows.append((title, "  of which load + replay s", r["replay_s"], None, None, ""))
        rows.append((title, "after a clean stop s", r["clean_stop_ready_s"], None, None, ""))
        rows.append((title, "no checkpoint (whole log) s", r["whole_log_ready_s"], None, None,
                     ""))
    lines = [f"{'':46}{'figure':36}{'hub':>12}{'baseline':>20}{'ratio':>8}  target"]
    last = None
    for title, figure, hub, base, ratio, goal in rows:
        lines.append(f"{(title if title != last else ''):46}{figure:36}{_fmt(hub):>12}"
                     f"{_fmt(base):>20}{_fmt(ratio):>8}  {goal}")
        last = title
    verdicts = [t for t in report["targets"] if t["ok"] is not None]
    held = sum(1 for t in verdicts if t["ok"])
    lines.append("")
    lines.append(f"targets held: {held}/{len(verdicts)}" + "".join(
        f"\n  missed: {t['section']} {t['figure']} = {_fmt(t['value'])} (target {t['target']})"
        for t in verdicts if not t["ok"]))
    return "\n".join(lines)


# ---------------------------------------------------------------- command


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quick", action="store_true",
                        help="a reduced run in seconds (CI): checks it works, not the figures")
    parser.add_argument("--json", type=Path, default=None, help="write the report here")
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help=f"comma-separated sections among {','.join(SECTIONS)}")


def _raise_open_files() -> None:
    """Soft open-file limit up to the hard one; `crowd serve` children inherit it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def _run_sections(bench: Bench, sections: Sequence[str]) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for name in sections:
        bench.log(f"== {name}")
        started = time.perf_counter()
        results[name] = await getattr(bench, name)()
        results[name]["took_s"] = round(time.perf_counter() - started, 1)
    return results


def run(args: argparse.Namespace) -> int:
    sections = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        print(f"crowd bench: unknown section(s) {', '.join(unknown)}; "
              f"choose among {', '.join(SECTIONS)}", file=sys.stderr)
        return 2
    plan = QUICK if args.quick else FULL
    _raise_open_files()
    started = time.perf_counter()
    report: dict[str, Any] = {
        "format": "crowd-bench", "version": 1, "quick": args.quick,
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(), "plan": asdict(plan)}
    affinity = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    with tempfile.TemporaryDirectory(prefix="crowd-bench-") as tmp:
        bench = Bench(plan, Path(tmp), lambda line: print(line, flush=True))
        report["machine"].update(server_core=bench.server_cpu, load_core=bench.load_cpu)
        if bench.load_cpu is not None:
            os.sched_setaffinity(0, {bench.load_cpu})
        try:
            with bench.kept:
                report["sections"] = asyncio.run(_run_sections(bench, sections))
        finally:
            if affinity is not None:
                os.sched_setaffinity(0, affinity)
    report["targets"] = targets_of(report["sections"])
    report["duration_s"] = round(time.perf_counter() - started, 1)
    print()
    print(table(report))
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n",
                             encoding="utf-8")
        print(f"\nreport: {args.json}")
    return 0


__all__ = ["FULL", "QUICK", "SECTIONS", "TARGETS", "Plan", "build_log", "run", "vote_to_screen"]
