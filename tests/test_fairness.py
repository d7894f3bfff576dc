"""Fair sharing (docs/reliability.md, promise 4): a flooding device, a client that stops
reading, silent sockets and too many connections never cost the others.

- 200 phones vote steadily; their ack latency is measured in alternating phases without
  and with the troublemakers (one device sending 1,000 inputs/s, a panel that stops
  reading while it asks for big agenda exports, a phone that stops reading), on the same
  connections in the same run: the p99 with them stays within 20 % (plus a few ms, see
  `SLACK_MS`) of the p99 without them. The flooder gets `rate_limited` and keeps its
  connection; the frozen panel is let go once 256 messages wait for it (4008).
- a burst of 3,000 frames from a client that reads every answer: all answered, kept;
- a socket that never says hello is closed after the hello timeout (4010), and so is one
  that never finishes its HTTP handshake;
- connections are capped per address and per server (4029).

`CROWD_HEAVY=1` runs 30 rounds instead of 5.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import random
import socket
import statistics
import struct
import time
from collections.abc import Iterator
from typing import Any

import msgpack
import pytest
import websockets

from crowd.clients import Panel, Phone
from tests.support import SECRET, ServerProcess

HEAVY = os.environ.get("CROWD_HEAVY") == "1"
PHONES = 200
PHASE_S = 1.0
ROUNDS = 30 if HEAVY else 5  # each round: one phase without, one with the troublemakers
ATTEMPTS = 3
VOTE_PERIOD_S = 0.5  # each phone votes twice a second: 400 votes/s in all
FLOOD_PER_S = 1000
# p99 of ~15 ms acks measured on a shared 2-core machine moves by a few ms from one
# phase to the next with nothing changed (scheduler, the test's own event loop, other
# processes): the bound is 20 % of the quiet p99 plus this absolute allowance.
SLACK_MS = 5.0


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


# ---------------------------------------------------------------- raw sockets


def _ws_frame(payload: bytes) -> bytes:
    """One masked binary frame, as a client must send it."""
    mask = os.urandom(4)
    n = len(payload)
    if n < 126:
        head = bytes([0x82, 0x80 | n])
    elif n < 65536:
        head = bytes([0x82, 0x80 | 126]) + struct.pack("!H", n)
    else:
        head = bytes([0x82, 0x80 | 127]) + struct.pack("!Q", n)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def frozen_socket(port: int, hello: dict[str, Any], origin: str | None = None) -> socket.socket:
    """A websocket opened by hand that sends its hello and never reads again (its small
    receive buffer fills at once; what is left waits in the server's buffers)."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(10)
    sock.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    extra = f"Origin: {origin}\r\n" if origin else ""
    sock.sendall((f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n{extra}"
                  "Sec-WebSocket-Version: 13\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    assert head.startswith(b"HTTP/1.1 101"), head
    sock.sendall(_ws_frame(msgpack.packb(hello)))
    sock.setblocking(False)
    return sock


def _drain_close_code(sock: socket.socket, timeout: float = 10.0) -> tuple[int, int | None]:
    """Read everything left for a frozen socket: (bytes, close code if a close frame came)."""
    sock.setblocking(True)
    sock.settimeout(timeout)
    data = b""
    with contextlib.suppress(OSError):
        while chunk := sock.recv(1 << 20):
            data += chunk
    sock.close()
    code = None
    # walk the server's frames (unmasked) to find a close frame
    i = 0
    while i + 2 <= len(data):
        opcode, n = data[i] & 0x0F, data[i + 1] & 0x7F
        i += 2
        if n == 126:
            n, i = struct.unpack("!H", data[i:i + 2])[0], i + 2
        elif n == 127:
            n, i = struct.unpack("!Q", data[i:i + 8])[0], i + 8
        if opcode == 0x8 and n >= 2:
            code = struct.unpack("!H", data[i:i + 2])[0]
        i += n
    return len(data), code


# ---------------------------------------------------------------- flood and freeze


class Flooder:
    """One device sending 1,000 votes a second, counting what comes back."""

    def __init__(self, ws: Any, act: str) -> None:
        self.ws, self.act = ws, act
        self.sent = self.acks = self.limited = self.other = 0
        self.closed: int | None = None  # the close code, if the server closed it
        self.answered = asyncio.Event()  # every frame sent so far has its answer
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for frame in self.ws:
                msg = msgpack.unpackb(frame, raw=False)
                if msg["t"] == "ack":
                    self.acks += 1
                elif msg["t"] == "error" and msg["code"] == "rate_limited":
                    self.limited += 1
                elif msg["t"] in ("ack", "error"):
                    self.other += 1
                if self.acks + self.limited + self.other >= self.sent:
                    self.answered.set()

    async def run(self, until: float) -> None:
        loop = asyncio.get_running_loop()
        batch = FLOOD_PER_S // 100
        tick = loop.time()
        try:
            while loop.time() < until:
                for _ in range(batch):
                    self.sent += 1
                    await self.ws.send(msgpack.packb({"t": "respond", "activity": self.act,
                                                      "value": self.sent % 2,
                                                      "seq": self.sent}))
                tick += 0.01
                await asyncio.sleep(max(0.0, tick - loop.time()))  # pacing
        except websockets.ConnectionClosed:
            self.closed = self.ws.close_code

    async def close(self) -> None:
        """Close once every frame is answered: the server reads a flooder's backlog at
        its own pace, and a close handshake that times out meanwhile would drop the
        answers still on their way (on a busy machine, hundreds)."""
        if self.closed is None:
            self.answered.clear()
            if self.acks + self.limited + self.other < self.sent:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.answered.wait(), 30)
        await self.ws.close()
        await self.reader


@pytest.fixture(scope="module")
def fair_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    # the server on core 0, the load on the other core (as benchmarks/ack_latency.py does)
    cpu = 0 if (os.cpu_count() or 1) >= 2 else None
    server = ServerProcess(tmp_path_factory.mktemp("fair") / "fair.db", secret=SECRET, cpu=cpu)
    server.start()
    yield server
    server.stop()


async def test_flood_and_frozen_clients_do_not_slow_200_phones(
        fair_server: ServerProcess) -> None:
    server = fair_server
    rng = random.Random(7)
    async with Panel.connect(server.url, server.secret) as panel:
        room = await panel.create_room("Équité")
        act = await panel.add_activity(room, kind="choice", prompt="?", options=["a", "b", "c"])
        toggled = await panel.add_activity(room, kind="choice", prompt="!", options=["x", "y"])
        await panel.open(act)
        await panel.open(toggled)
        # a 45 KB agenda: what the frozen panel keeps asking for
        await panel.import_agenda(room, [
            {"kind": "choice", "prompt": f"Question {i} " + "x" * 300,
             "options": [f"option {j} " + "y" * 40 for j in range(8)]} for i in range(60)])
        contexts = [Phone.connect(server.url, room) for _ in range(PHONES)]
        phones = [await c.__aenter__() for c in contexts]
        latencies: dict[str, list[float]] = {"quiet": [], "troubled": [], "warm-up": []}
        phase = {"name": "warm-up"}
        stop = asyncio.Event()
        errors: list[str] = []

        async def voter(i: int, phone: Phone) -> None:
            loop = asyncio.get_running_loop()
            due = loop.time() + rng.random() * VOTE_PERIOD_S
            while not stop.is_set():
                await asyncio.sleep(max(0.0, due - loop.time()))  # pacing
                due += VOTE_PERIOD_S
                name = phase["name"]
                started = time.perf_counter()
                try:
                    await phone.respond(act, (i + int(due * 2)) % 3)
                except Exception as exc:  # any refusal of a normal phone fails the test
                    errors.append(repr(exc))
                    continue
                latencies[name].append((time.perf_counter() - started) * 1000)

        async def toggler() -> None:  # light control traffic to every phone, in every phase
            on = True
            while not stop.is_set():
                await panel.reveal(toggled, on=on)
                on = not on
                await asyncio.sleep(0.5)  # pacing

        frozen_phone = frozen_socket(server.port, {"t": "hello", "role": "phone",
                                                   "room": room})
        voters = [asyncio.create_task(voter(i, p)) for i, p in enumerate(phones)]
        toggling = asyncio.create_task(toggler())
        floods: list[Flooder] = []
        frozen_panels: list[tuple[int, socket.socket, float | None]] = []
        attempts: list[tuple[float, float, int, int]] = []
        loop = asyncio.get_running_loop()

        async def troubled_phase() -> None:
            until = loop.time() + PHASE_S
            ws = await websockets.connect(server.ws_url, compression=None)
            await ws.send(msgpack.packb({"t": "hello", "role": "phone", "room": room}))
            await ws.recv()
            flooder = Flooder(ws, act)
            floods.append(flooder)
            freezer = asyncio.create_task(_frozen_panel(server, room, until))
            await flooder.run(until)
            frozen_panels.append(await freezer)
            await flooder.close()

        try:
            await asyncio.sleep(1.0)  # let the voters spread out before measuring
            # Short phases, alternated, so both conditions see the same machine; a busy
            # neighbour can still spoil one attempt: up to three, the best one counts.
            for _ in range(ATTEMPTS):
                latencies["quiet"].clear()
                latencies["troubled"].clear()
                for _ in range(ROUNDS):
                    phase["name"] = "quiet"
                    await asyncio.sleep(PHASE_S)  # a measured phase: its length is the point
                    phase["name"] = "troubled"
                    await troubled_phase()
                phase["name"] = "warm-up"
                quiet, troubled = latencies["quiet"], latencies["troubled"]
                attempts.append((percentile(quiet, 99), percentile(troubled, 99),
                                 len(quiet), len(troubled)))
                if attempts[-1][1] <= 1.2 * attempts[-1][0] + SLACK_MS:
                    break
        finally:
            stop.set()
            toggling.cancel()
            await asyncio.gather(*voters, toggling, return_exceptions=True)
            for c in contexts:
                await c.__aexit__(None, None, None)
        frozen_phone_bytes, frozen_phone_code = _drain_close_code(frozen_phone, timeout=2.0)
        panel_codes = await asyncio.gather(*(asyncio.to_thread(_drain_close_code, sock, 5.0)
                                             for _, sock, _ in frozen_panels))

    quiet, troubled = latencies["quiet"], latencies["troubled"]
    q99, t99 = attempts[-1][0], attempts[-1][1]
    sent = sum(f.sent for f in floods)
    allowed = len(floods) * (40 + 20 * PHASE_S)  # burst + rate x time, per flooding phase
    dropped = [round(d, 2) if d is not None else None for _, _, d in frozen_panels]
    print(f"\nfairness: {PHONES} phones voting twice a second; attempts (p99 quiet, p99 "
          f"troubled, votes, votes): {[tuple(round(x, 1) for x in a) for a in attempts]}; "
          f"last: ack p50 {statistics.median(quiet):.1f} / {statistics.median(troubled):.1f} ms,"
          f" p99 {q99:.1f} / {t99:.1f} ms (bound {1.2 * q99 + SLACK_MS:.1f} ms), max "
          f"{max(quiet):.1f} / {max(troubled):.1f} ms; flooders: {sent} sent, "
          f"{sum(f.acks for f in floods)} acked, {sum(f.limited for f in floods)} rate_limited,"
          f" closed {sum(f.closed is not None for f in floods)} of {len(floods)}; frozen "
          f"panels dropped after {dropped} s ({sum(a for a, _, _ in frozen_panels)} exports "
          f"asked; close codes read later {sorted({c for _, c in panel_codes}, key=str)}); "
          f"frozen phone: {frozen_phone_bytes} bytes left to read, close {frozen_phone_code}")
    assert errors == []
    # it reads every answer: rate limited, never taken for a client too slow to read
    assert [f.closed for f in floods] == [None] * len(floods)
    assert sum(f.acks for f in floods) <= allowed + 10
    assert sum(f.limited for f in floods) >= sent - allowed - 10
    # a panel that stops reading is let go once 256 messages wait for it
    assert all(d is not None for d in dropped)
    assert t99 <= 1.2 * q99 + SLACK_MS


async def test_a_burst_from_a_client_that_reads_everything_is_rate_limited_not_closed(
        fair_server: ServerProcess) -> None:
    """3,000 votes sent back to back by a phone that reads every answer: each one answered
    (`ack` within its budget, `rate_limited` after), the connection kept. Frames already
    received must not be handled in one go without letting the answers out: that fills
    the outbox of a client that reads, which is then closed as too slow (4008)."""
    server = fair_server
    async with Panel.connect(server.url, server.secret) as panel:
        room = await panel.create_room("Rafale")
        act = await panel.add_activity(room, kind="choice", prompt="?", options=["a", "b"])
        await panel.open(act)
    ws = await websockets.connect(server.ws_url, compression=None)
    await ws.send(msgpack.packb({"t": "hello", "role": "phone", "room": room}))
    await ws.recv()
    flooder = Flooder(ws, act)
    burst = 3000
    started = time.monotonic()
    with contextlib.suppress(websockets.ConnectionClosed):
        for _ in range(burst):
            flooder.sent += 1
            await ws.send(msgpack.packb({"t": "respond", "activity": act,
                                         "value": flooder.sent % 2, "seq": flooder.sent}))
    deadline = time.monotonic() + 10
    while flooder.acks + flooder.limited < flooder.sent and not flooder.reader.done():
        assert time.monotonic() < deadline, "answers missing"
        await asyncio.sleep(0.01)  # polling counters the reader task advances
    took = time.monotonic() - started
    closed = ws.close_code
    await flooder.close()
    print(f"\nburst: {flooder.sent} votes back to back in {took:.2f} s -> {flooder.acks} "
          f"acked, {flooder.limited} rate_limited, connection closed with {closed}")
    assert closed is None, f"a client that reads everything was closed with {closed}"
    assert flooder.acks + flooder.limited == burst
    assert flooder.limited >= burst - 40 - 20 * took - 1


async def _frozen_panel(server: ServerProcess, room: str, until: float
                        ) -> tuple[int, socket.socket, float | None]:
    """A panel that asks for 45 KB agenda exports and never reads the answers. Returns
    (exports asked, its socket, seconds until the server let go of it)."""
    loop = asyncio.get_running_loop()
    sock = await asyncio.to_thread(frozen_socket, server.port, {
        "t": "hello", "role": "panel", "secret": server.secret}, server.url)
    frame = _ws_frame(msgpack.packb({"t": "agenda_export", "room": room}))
    started = loop.time()
    asked = 0
    dropped_after = None
    while loop.time() < until and dropped_after is None:
        try:
            await asyncio.wait_for(loop.sock_sendall(sock, frame), 1.0)
            asked += 1
        except (OSError, TimeoutError):
            break  # the server stopped reading us, or closed
        if asked % 10 == 0:
            await asyncio.sleep(0.005)  # 2,000 requests/s: it stops reading, not a flood
        if asked % 20 == 0:
            health = await asyncio.to_thread(server.health)
            if health["connections"]["panel"] <= 1:  # only the driving panel is left
                dropped_after = loop.time() - started
    return asked, sock, dropped_after


# ---------------------------------------------------------------- timeouts and caps


@pytest.fixture(scope="module")
def limits_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    server = ServerProcess(tmp_path_factory.mktemp("limits") / "limits.db", secret=SECRET,
                           env={"CROWD_HELLO_TIMEOUT_S": "1",
                                "CROWD_MAX_CONNECTIONS_PER_ADDRESS": "3",
                                "CROWD_MAX_CONNECTIONS": "5"})
    server.start()
    yield server
    server.stop()


async def _until(condition: Any, timeout: float = 5.0) -> None:
    """Poll another process's state (its /healthz) until the condition holds."""
    deadline = time.monotonic() + timeout
    while not await asyncio.to_thread(condition):
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


def _connected(server: ServerProcess) -> int:
    health = server.health()
    return sum(health["connections"].values()) + int(health["unidentified"])


async def _recv_map(ws: Any) -> dict[str, Any]:
    frame = await ws.recv()
    return msgpack.unpackb(frame, raw=False) if isinstance(frame, bytes) else json.loads(frame)


async def test_a_socket_that_never_says_hello_is_closed(limits_server: ServerProcess) -> None:
    server = limits_server
    async with Panel.connect(server.url, server.secret) as panel:
        room = await panel.create_room("Silence")
    timings = []
    for junk in (None, msgpack.packb({"t": "ping", "seq": 1})):
        async with websockets.connect(server.ws_url) as ws:
            started = time.monotonic()
            if junk is not None:  # a frame that is not a hello does not reset the clock
                await ws.send(junk)
                assert (await _recv_map(ws))["code"] == "no_hello"
            reply = await asyncio.wait_for(_recv_map(ws), 5)
            assert reply["code"] == "hello_timeout"
            with pytest.raises(websockets.ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 5)
            assert ws.close_code == 4010
            timings.append(time.monotonic() - started)
    # a phone that said hello in time is not closed by the same clock
    async with Phone.connect(server.url, room) as phone:
        await asyncio.sleep(1.5)  # past the 1 s hello timeout: the point of the test
        await phone.ping()
    print(f"\nhello timeout 1 s: silent socket closed after {timings[0]:.2f} s, "
          f"junk-then-silent after {timings[1]:.2f} s (4010); a greeted phone stays")
    assert all(0.9 <= t <= 3.0 for t in timings)


async def test_a_socket_that_never_finishes_its_handshake_is_closed(
        limits_server: ServerProcess) -> None:
    """Below the websocket: a TCP connection that sends nothing, or half an HTTP request,
    must not be held forever (a device could hold thousands and exhaust the server's
    file descriptors: the per-address cap only counts upgraded websockets)."""
    server = limits_server

    async def silent(payload: bytes) -> float | None:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(payload)
        started = time.monotonic()
        try:
            await asyncio.wait_for(reader.read(), 6.0)  # returns at EOF
            return time.monotonic() - started
        except TimeoutError:
            return None
        finally:
            writer.close()

    closed = await asyncio.gather(silent(b""), silent(b"GET /ws HTTP/1.1\r\nHost: x\r\n"))
    print(f"\nsilent TCP socket closed after: {closed[0]} s; half a handshake: {closed[1]} s "
          "(None: still open after 6 s)")
    assert all(t is not None for t in closed), "sockets below the websocket are never closed"


async def test_connections_are_capped_per_address_and_per_server(
        limits_server: ServerProcess) -> None:
    server = limits_server
    async with Panel.connect(server.url, server.secret) as panel:
        room = await panel.create_room("Plein")

    async def hello_from(address: str) -> tuple[Any, dict[str, Any]]:
        ws = await websockets.connect(server.ws_url, local_addr=(address, 0))
        with contextlib.suppress(websockets.ConnectionClosed):  # a refusal comes first
            await ws.send(msgpack.packb({"t": "hello", "role": "phone", "room": room}))
        return ws, await _recv_map(ws)

    async def refused(address: str) -> tuple[str, int | None]:
        ws, reply = await hello_from(address)
        with contextlib.suppress(websockets.ConnectionClosed):
            await asyncio.wait_for(ws.recv(), 5)
        return reply.get("code", reply["t"]), ws.close_code

    await _until(lambda: _connected(server) == 0)  # the panel above has gone
    held = []
    for _ in range(3):  # the per-address cap is 3
        ws, reply = await hello_from("127.0.0.1")
        assert reply["t"] == "welcome"
        held.append(ws)
    per_address = await refused("127.0.0.1")
    for _ in range(2):  # another address may still come in, up to the server's cap of 5
        ws, reply = await hello_from("127.0.0.2")
        assert reply["t"] == "welcome"
        held.append(ws)
    per_server = await refused("127.0.0.3")
    await held.pop(0).close()  # a place frees up: the same address is welcome again
    await _until(lambda: _connected(server) == 4)
    ws, reply = await hello_from("127.0.0.1")
    held.append(ws)
    print(f"\ncaps (3 per address, 5 per server): 4th from one address -> {per_address}, "
          f"6th in all -> {per_server}; after a close -> {reply['t']}")
    for ws in held:
        await ws.close()
    assert per_address == ("full", 4029) and per_server == ("full", 4029)
    assert reply["t"] == "welcome"
