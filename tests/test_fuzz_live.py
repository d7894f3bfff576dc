"""Fuzzing a live server: 10^4 frames of random bytes, random text, random JSON and msgpack
maps and schema-aware mutations of valid messages, sent on several connections (never
greeted, phones in both encodings, a screen, a panel), while a control phone and a
control screen in another room keep working.

The promise checked (docs/reliability.md, promise 6): every frame is either answered
(`error`, `ack`, `pong` or `welcome`) or closes that one connection with a documented
code; the control phone's votes keep being acknowledged and the control screen's frames
keep arriving; the server stays alive and healthy, logs no traceback, and restarts on
its log. `CROWD_HEAVY=1` sends 10^5 frames.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import os
import random
import statistics
import time
import urllib.error
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import msgpack
import pytest
import websockets

from crowd.clients import Panel, Phone, Screen
from crowd.clients.connection import http_origin
from crowd.core.errors import CrowdError
from tests.support import SECRET, ServerProcess
from tests.test_fuzz_engine import KEYS, NUMBERS, SPEC_KEYS, TEXTS, _nested_pool

HEAVY = os.environ.get("CROWD_HEAVY") == "1"
FRAMES = 100_000 if HEAVY else 10_000
WORKERS = 8
DIRECT = {"ack", "error", "pong", "welcome"}  # the answers to one frame
DOCUMENTED_CLOSES = {1000, 1001, 1008, 1009, 4000, 4003, 4004, 4008, 4010, 4029}
ANSWER_TIMEOUT_S = 10.0
# Words that mark a traceback the server logged: any of them means a bug of ours.
CRASH_MARKS = ("Traceback", "unexpected error", "sender crashed", "tick failed",
               "commit failed")


# ---------------------------------------------------------------- a raw client


class Raw:
    """One websocket speaking whatever it is told; routes answers apart from broadcasts."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.answers: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self.broadcasts: Counter[str] = Counter()
        self.reader = asyncio.create_task(self._read())

    @classmethod
    async def open(cls, url: str, origin: str | None = None) -> Raw:
        ws = await websockets.connect(url, origin=origin,  # type: ignore[arg-type]
                                      compression=None, max_size=2**24)
        return cls(ws)

    async def _read(self) -> None:
        try:
            async for frame in self.ws:
                msg = (msgpack.unpackb(frame, raw=False) if isinstance(frame, bytes)
                       else json.loads(frame))
                if msg.get("t") in DIRECT:
                    self.answers.put_nowait(msg)
                else:
                    self.broadcasts[str(msg.get("t"))] += 1
        except websockets.ConnectionClosed:
            pass
        finally:
            self.answers.put_nowait(None)  # closed

    @property
    def close_code(self) -> int | None:
        return self.ws.close_code  # type: ignore[no-any-return]

    async def ask(self, frame: bytes | str) -> dict[str, Any] | None:
        """Send one frame; its answer, or None when the server closed the connection."""
        try:
            await self.ws.send(frame)
        except websockets.ConnectionClosed:
            return None
        return await asyncio.wait_for(self.answers.get(), ANSWER_TIMEOUT_S)

    async def close(self) -> None:
        await self.ws.close()
        await self.reader


# ---------------------------------------------------------------- frames


class Maker:
    """Random frames: bytes, text, maps, and mutations of valid messages for a role."""

    def __init__(self, rng: random.Random, ids: dict[str, str]) -> None:
        self.rng = rng
        self.ids = ids
        self.pool = _nested_pool(2000)
        self.seq = 0
        r, a = ids["room"], ids
        self.templates: dict[str, list[dict[str, Any]]] = {
            "hello": [{"t": "hello", "role": "phone", "room": r},
                      {"t": "hello", "role": "screen", "room": r},
                      {"t": "hello", "role": "phone", "room": r, "device": "x.y",
                       "resume": {"epoch": "e", "rs": 1, "ds": 0}},
                      {"t": "hello", "role": "panel", "secret": "nope"},
                      {"t": "hello", "role": "phone", "room": "ZZZZ"}],
            "phone": [{"t": "respond", "activity": a["choice"], "value": 1},
                      {"t": "respond", "activity": a["approval"], "value": [0, 2]},
                      {"t": "respond", "activity": a["ranking"], "value": [2, 0, 1]},
                      {"t": "respond", "activity": a["grades"], "value": [0, 1, 6]},
                      {"t": "respond", "activity": a["estimate"], "value": 1355.5},
                      {"t": "respond", "activity": a["words"], "value": ["pain", "vin"]},
                      {"t": "respond", "activity": a["temperature"], "value": -0.3},
                      {"t": "respond", "activity": a["weighting"], "value": [50, 30, 20]},
                      {"t": "respond", "activity": a["orientation"],
                       "value": {"angle": 400, "strength": 0.2}},
                      {"t": "nick", "name": "Léa"}, {"t": "ping"},
                      {"t": "volunteer", "call": a["call"], "nickname": "Jo", "contact": "06"},
                      {"t": "withdraw", "call": a["call"]}, {"t": "decline", "call": a["call"]}],
            "panel": [{"t": "watch", "room": r}, {"t": "agenda_export", "room": r},
                      {"t": "reveal", "activity": a["choice"], "on": True},
                      {"t": "project", "room": r, "activity": a["estimate"]},
                      {"t": "open", "activity": a["draft"]},
                      {"t": "close", "activity": a["draft"]},
                      {"t": "activity_new", "room": r, "spec": {
                          "kind": "estimate", "prompt": "?", "min": 0, "max": 10}},
                      {"t": "activity_update", "activity": a["draft"], "spec": {
                          "options": ["x", "y"]}},
                      {"t": "set_truth", "activity": a["estimate"], "value": 1355},
                      {"t": "set_quota", "call": a["call"], "quota": 3},
                      {"t": "influence_round", "activity": a["estimate"]},
                      {"t": "agenda_import", "room": r, "activities": [
                          {"kind": "words", "prompt": "?"}]},
                      {"t": "call", "room": r, "spec": {"prompt": "?", "quota": 2}},
                      {"t": "create_room", "title": "Fuzz"}],
        }

    def junk(self) -> Any:
        rng = self.rng
        pick = rng.random()
        if pick < 0.3:
            return rng.choice(NUMBERS)
        if pick < 0.5:
            return rng.choice(TEXTS + list(self.ids.values()))
        return copy.deepcopy(rng.choice(self.pool))

    def message(self, role: str) -> dict[str, Any]:
        """A valid message for the role with 0 to 3 schema-aware mutations."""
        rng = self.rng
        raw = copy.deepcopy(rng.choice(self.templates[role]))
        self.seq += 1
        raw["seq"] = self.seq
        if role != "hello" and rng.random() < 0.1:
            raw = copy.deepcopy(rng.choice(self.templates[rng.choice(["phone", "panel"])]))
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            how = rng.randrange(8)
            if how <= 2:
                raw[rng.choice([*raw, *KEYS])] = self.junk()
            elif how == 3 and len(raw) > 1:
                raw.pop(rng.choice(sorted(raw)))
            elif how == 4:
                raw["t"] = rng.choice(["respond", "hello", "open", "ping", "watch", "call",
                                       "nick", "volunteer", "set_truth", rng.choice(TEXTS)])
            elif how == 5 and isinstance(raw.get("spec"), dict):
                raw["spec"][rng.choice(SPEC_KEYS)] = self.junk()
            elif how == 6 and isinstance(raw.get("value"), list) and raw["value"]:
                raw["value"][rng.randrange(len(raw["value"]))] = self.junk()
            else:
                raw["value"] = self.junk()
        return raw

    def encoded(self, raw: Any, as_json: bool) -> bytes | str:
        for json_first in (as_json, not as_json):
            try:
                return json.dumps(raw) if json_first else msgpack.packb(raw, use_bin_type=True)
            except (TypeError, ValueError, OverflowError):
                continue
        return b"\xc1"  # neither encoding can carry it: send a byte msgpack never uses

    def frame(self, role: str, as_json: bool) -> tuple[str, bytes | str]:
        rng = self.rng
        pick = rng.random()
        if pick < 0.12:
            size = 5000 if rng.random() < 0.05 else rng.randrange(0, 64)
            return "bytes", rng.randbytes(size)
        if pick < 0.20:
            chars = [chr(rng.choice([rng.randrange(32, 127), rng.randrange(0x80, 0xD800)]))
                     for _ in range(rng.randrange(0, 40))]
            text = "".join(chars)
            if rng.random() < 0.5:  # a valid message cut short, or with junk inserted
                valid = json.dumps(self.message(role), default=repr)
                cut = rng.randrange(len(valid))
                text = valid[:cut] + (text if rng.random() < 0.5 else "") + valid[cut + 1:]
            return "text", text
        if pick < 0.32:
            raw = {rng.choice([*KEYS, "t"]): self.junk() for _ in range(rng.randrange(0, 6))}
            return "map", self.encoded(raw, as_json)
        return "mutated", self.encoded(self.message(role), as_json)


# ---------------------------------------------------------------- the test


async def _setup(server: ServerProcess) -> tuple[dict[str, str], str, str]:
    async with Panel.connect(server.url, server.secret) as panel:
        room = await panel.create_room("Fuzz")
        ids = {"room": room}
        opts = ["a", "b", "c"]
        specs = {
            "choice": {"kind": "choice", "options": opts},
            "approval": {"kind": "approval", "options": opts},
            "ranking": {"kind": "ranking", "options": opts},
            "grades": {"kind": "grades", "options": opts},
            "estimate": {"kind": "estimate", "unit": "kg"},
            "words": {"kind": "words"}, "temperature": {"kind": "temperature"},
            "weighting": {"kind": "weighting", "options": opts},
            "orientation": {"kind": "orientation"},
            "draft": {"kind": "choice", "options": opts},
        }
        for name, spec in specs.items():
            kind = spec.pop("kind")
            ids[name] = await panel.add_activity(room, kind=kind, prompt=name, **spec)
            if name != "draft":
                await panel.open(ids[name])
        ids["call"] = await panel.call(room, "Bras", quota=2)
        await panel.project(ids["choice"])
        control = await panel.create_room("Témoin")
        act = await panel.add_activity(control, kind="choice", prompt="?", options=["a", "b"])
        await panel.open(act)
        await panel.project(act)
    return ids, control, act


@pytest.fixture
async def fuzz_server(tmp_path: Path) -> AsyncIterator[ServerProcess]:
    # Every input is let through the token bucket, so the fuzz reaches the engine and the
    # log; the rate limit has its own test (tests/test_fairness.py).
    server = ServerProcess(tmp_path / "fuzz.db", secret=SECRET,
                           env={"CROWD_PHONE_RATE": "100000", "CROWD_PHONE_BURST": "100000"})
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _health(server: ServerProcess) -> dict[str, Any]:
    """/healthz, also when it answers 503 (its body says why)."""
    try:
        return server.health()
    except urllib.error.HTTPError as exc:
        return dict(json.loads(exc.read()))


def _crash_lines(server: ServerProcess) -> list[str]:
    text = server.log_path.read_text(errors="replace")
    return [line for line in text.splitlines() if any(m in line for m in CRASH_MARKS)]


async def test_ten_thousand_random_frames_crash_nothing(fuzz_server: ServerProcess) -> None:
    server = fuzz_server
    seed = int(os.environ.get("CROWD_FUZZ_SEED", "20260"))
    ids, control_room, control_act = await _setup(server)
    outcomes: Counter[str] = Counter()
    codes: Counter[str] = Counter()
    closes: Counter[int | None] = Counter()
    unanswered: list[str] = []
    sent = 0
    done = asyncio.Event()

    async def worker(n: int) -> None:
        nonlocal sent
        rng = random.Random(seed * 100 + n)
        maker = Maker(rng, ids)
        role = ["fresh", "phone", "phone", "phone", "screen", "panel", "fresh", "phone"][n]
        as_json = n % 2 == 0
        client: Raw | None = None
        greeted = False
        while sent < FRAMES and not unanswered:  # a frame left unanswered ends the run
            if client is None:
                origin = http_origin(server.url) if role == "panel" else None
                client = await Raw.open(server.ws_url, origin)
                greeted = False
                if role != "fresh":  # a proper hello first, then the fuzz
                    hello = {"t": "hello", "role": role, "room": ids["room"]}
                    if role == "panel":
                        hello = {"t": "hello", "role": "panel", "secret": server.secret}
                    welcome = await client.ask(maker.encoded(hello, as_json))
                    assert welcome is not None and welcome["t"] == "welcome", welcome
                    greeted = True
            if not greeted and rng.random() < 0.3:
                kind, frame = "hello", maker.encoded(maker.message("hello"), as_json)
            else:
                kind, frame = maker.frame("phone" if role in ("fresh", "screen") else role,
                                          as_json)
            sent += 1
            try:
                answer = await client.ask(frame)
            except TimeoutError:
                unanswered.append(f"{role}/{kind}: {frame!r:.200}")
                answer = None
                await client.close()
                client = None
                continue
            if answer is None:  # the server closed this connection: with which code?
                await client.reader
                closes[client.close_code] += 1
                outcomes["closed"] += 1
                client = None
                continue
            outcomes[answer["t"]] += 1
            if answer["t"] == "error":
                codes[answer["code"]] += 1
            if answer["t"] == "welcome":
                greeted = True
        if client is not None:
            await client.close()

    control_acks: list[float] = []
    control_errors: list[str] = []
    last_acked = -1
    frame_times: list[float] = []

    async def control() -> None:
        nonlocal last_acked
        async with Phone.connect(server.url, control_room) as phone, \
                Screen.connect(server.url, control_room) as screen:
            async def watch_frames() -> None:
                while True:
                    await screen.next_frame(timeout=60)
                    frame_times.append(time.monotonic())

            watcher = asyncio.create_task(watch_frames())
            value = 0
            while not done.is_set():
                value = 1 - value
                started = time.perf_counter()
                try:
                    await phone.respond(control_act, value)
                    control_acks.append((time.perf_counter() - started) * 1000)
                    last_acked = value
                except Exception as exc:  # counted, and the test fails on any
                    control_errors.append(repr(exc))
                await asyncio.sleep(0.02)  # a steady 50 votes/s, not a synchronisation
            watcher.cancel()

    started = time.monotonic()
    controller = asyncio.create_task(control())
    try:
        await asyncio.gather(*(worker(n) for n in range(WORKERS)))
    finally:
        elapsed = time.monotonic() - started
        done.set()
        await asyncio.wait_for(controller, 30)
    gaps = [b - a for a, b in itertools.pairwise(frame_times)]
    health = _health(server)
    alive = server.proc is not None and server.proc.poll() is None
    crashes = _crash_lines(server)
    print(f"\nfuzz live: {sent} frames in {elapsed:.1f} s ({sent / elapsed:.0f}/s) on "
          f"{WORKERS} connections, seed {seed}; answers {dict(outcomes)}; "
          f"error codes {dict(codes)}; closes {dict(closes)}; unanswered={len(unanswered)}; "
          f"control: {len(control_acks)} votes acked (p50 "
          f"{statistics.median(control_acks or [0]):.1f} ms, max "
          f"{max(control_acks, default=0):.1f} ms), "
          f"{len(control_errors)} errors, {len(frame_times)} screen frames (longest gap "
          f"{max(gaps, default=0):.2f} s); health {health['status']}; "
          f"crashes={len(crashes) + (not alive)}")
    assert alive and health["status"] == "ok", health
    assert crashes == [], crashes[:10]
    assert unanswered == [], unanswered[:5]
    assert set(closes) <= DOCUMENTED_CLOSES, closes
    assert control_errors == [] and len(control_acks) >= 5 * elapsed
    assert len(frame_times) >= 2 * elapsed and max(gaps, default=0) < 2.0
    # the log is still whole: the server restarts on it, the control room as it was left
    server.stop()
    restart_s = server.start()
    async with Screen.connect(server.url, control_room) as screen:
        counts = screen.welcome["projected"]["snapshot"]["counts"]
    print(f"fuzz live: restarted on its log in {restart_s:.2f} s, control tally {counts}")
    assert counts == [1 - last_acked, last_acked]  # its last acknowledged vote, once


# ---------------------------------------------------------------- what the fuzz found

POISON = [  # JSON that msgpack, and so the log, cannot carry (see test_fuzz_engine.py)
    ("phone", '{"t": "nick", "name": "\\ud800", "seq": 1}'),
    ("phone", '{"t": "respond", "activity": "{words}", "value": ["pain\\udfff"], "seq": 2}'),
    ("panel", '{"t": "set_truth", "activity": "{estimate}", "value": 18446744073709551616}'),
    ("panel", '{"t": "activity_new", "room": "{room}", "spec": {"kind": "estimate", '
              '"prompt": "?", "max": 100000000000000000000000}}'),
]


async def test_one_unstorable_json_frame_does_not_stop_the_server(tmp_path: Path) -> None:
    """A lone surrogate or an integer beyond 64 bits in a JSON frame, from any phone: the
    sender gets an error, every other device keeps voting, /healthz stays ok."""
    server = ServerProcess(tmp_path / "poison.db", secret=SECRET)
    server.start()
    outcomes = []
    try:
        async with Panel.connect(server.url, server.secret) as panel:
            room = await panel.create_room("Poison")
            words = await panel.add_activity(room, kind="words", prompt="?")
            estimate = await panel.add_activity(room, kind="estimate", prompt="?")
            act = await panel.add_activity(room, kind="choice", prompt="?", options=["a", "b"])
            for a in (words, estimate, act):
                await panel.open(a)
        ids = {"words": words, "estimate": estimate, "room": room}
        async with Phone.connect(server.url, room) as bystander:
            for n, (role, template) in enumerate(POISON):
                frame = template
                for key, value in ids.items():
                    frame = frame.replace("{" + key + "}", value)
                origin = http_origin(server.url) if role == "panel" else None
                client = await Raw.open(server.ws_url, origin)
                hello = {"t": "hello", "role": role, "room": room, "secret": server.secret}
                assert (await client.ask(json.dumps(hello)) or {}).get("t") == "welcome"
                try:
                    answer = await asyncio.wait_for(client.ask(frame), 5)
                except TimeoutError:
                    answer = None
                await client.close()
                try:
                    await bystander.respond(act, n % 2)
                    bystander_ok = True
                except Exception:  # what the bystander gets is the finding
                    bystander_ok = False
                outcomes.append((frame[:50], None if answer is None else answer.get("code",
                                 answer["t"]), bystander_ok, _health(server)["status"]))
    finally:
        server.stop()
    print(f"\nunstorable JSON: {outcomes} (frame, its answer, a bystander's vote acked, "
          "health)")
    for frame, answer, bystander_ok, status in outcomes:
        assert answer is not None, f"{frame}: never answered"
        assert bystander_ok and status == "ok", f"{frame}: the server stopped taking inputs"


async def test_a_panel_naming_an_unknown_room_keeps_its_connection(
        server: ServerProcess) -> None:
    """protocol.md: `unknown_room` closes the connection at hello only."""
    async with Panel.connect(server.url, server.secret) as panel:
        with pytest.raises(CrowdError) as info:
            await panel.project(None, room="ZZZZ")
        assert info.value.code == "unknown_room"
        await panel.ping()  # still connected
        assert panel.conn.close_code is None


async def test_stopping_with_messages_in_flight_logs_no_crash(tmp_path: Path) -> None:
    """A graceful stop (SIGTERM) while messages flow to 50 phones: connections close, and
    the log shows no 'sender crashed' traceback for the clients that went away."""
    server = ServerProcess(tmp_path / "stop.db", secret=SECRET)
    server.start()
    try:
        async with Panel.connect(server.url, server.secret) as panel:
            room = await panel.create_room("Arrêt")
            act = await panel.add_activity(room, kind="choice", prompt="?", options=["a", "b"])
            await panel.open(act)
            phones = [await Raw.open(server.ws_url) for _ in range(50)]
            for phone in phones:
                await phone.ask(msgpack.packb({"t": "hello", "role": "phone", "room": room}))

            async def toggle() -> None:
                with contextlib.suppress(Exception):  # until the server goes away
                    for i in range(100_000):
                        await panel.reveal(act, on=i % 2 == 0)

            toggling = asyncio.create_task(toggle())
            while sum(p.broadcasts["activity"] for p in phones) < 2000:  # messages flowing
                await asyncio.sleep(0.01)
            await asyncio.to_thread(server.stop)
            await toggling
            for phone in phones:
                await phone.reader
    finally:
        server.stop()
    crashes = _crash_lines(server)
    print(f"\ngraceful stop with messages in flight: {len(crashes)} crash lines in the log")
    assert crashes == [], crashes[:4]


async def test_an_extreme_estimate_freezes_no_projector(tmp_path: Path) -> None:
    """1e308 is a finite number: answered to an estimate without bounds, it must be refused,
    or counted and shown; either way every other room's screens keep their frames and a
    screen of that room can still connect."""
    server = ServerProcess(tmp_path / "extreme.db", secret=SECRET)
    server.start()
    try:
        async with Panel.connect(server.url, server.secret) as panel:
            room_a, room_b = await panel.create_room("A"), await panel.create_room("B")
            estimate = await panel.add_activity(room_a, kind="estimate", prompt="Combien ?")
            choice = await panel.add_activity(room_b, kind="choice", prompt="?",
                                              options=["x", "y"])
            for act in (estimate, choice):
                await panel.open(act)
                await panel.project(act)
        async with Phone.connect(server.url, room_a) as phone_a, \
                Phone.connect(server.url, room_b) as phone_b, \
                Screen.connect(server.url, room_b) as screen_b:
            try:
                await phone_a.respond(estimate, 1e308)
                answer = "acked"
            except CrowdError as exc:
                answer = exc.code
            await phone_b.respond(choice, 1)
            try:
                frame = await screen_b.frame_where(lambda f: f["n"] == 1, timeout=3)
                other_room = f"frame {frame['counts']}"
            except TimeoutError:
                other_room = "no frame in 3 s"
            try:
                async with Screen.connect(server.url, room_a):
                    same_room = "welcome"
            except CrowdError as exc:
                same_room = exc.code
    finally:
        server.stop()
    crashes = _crash_lines(server)
    print(f"\nextreme estimate 1e308: {answer}; room B's screen: {other_room}; a screen "
          f"joining room A: {same_room}; {sum('tick failed' in c for c in crashes)} "
          "failed ticks")
    assert other_room.startswith("frame") and same_room == "welcome"
    assert crashes == [], crashes[:4]
