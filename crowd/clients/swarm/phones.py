"""The virtual phones and the swarm that runs them: real websocket clients (msgpack).

A phone joins, answers what its behaviour plans, naps (its socket dies silently) and comes
back with its device token, resending what was not acknowledged.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import random
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import msgpack
import websockets
from websockets.asyncio.client import ClientConnection

from crowd.clients.connection import error_from, ws_url
from crowd.clients.swarm.behaviours import (
    BEHAVIOURS,
    Action,
    activity_number,
    cow_estimates,
    plan_answers,
)
from crowd.clients.swarm.crowd_model import CrowdModel, Persona
from crowd.core.errors import CrowdError


@dataclass(slots=True)
class Sample:
    """One input a phone sent, keyed so two runs with one seed can be compared."""

    phone: int
    activity: str
    round: int
    step: int
    type: str
    value: Any
    sent_at: float = 0.0
    status: str = "pending"  # ok, dup, or the error code
    latency_ms: float | None = None

    @property
    def key(self) -> tuple[int, int, int, int]:
        return (self.phone, activity_number(self.activity), self.round, self.step)


@dataclass(slots=True)
class SwarmStats:
    connected: int = 0
    sent: int = 0
    acked: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    naps: int = 0
    drops: int = 0
    reconnects: int = 0
    connect_failures: int = 0
    unknown_kinds: set[str] = field(default_factory=set)


#: Hello refusals a real phone would simply retry later: the server is full, or this
#: address minted too many devices (a swarm run from another machine than the server's).
RETRY_LATER = frozenset({"full", "rate_limited"})


class SwarmError(RuntimeError):
    """The swarm cannot go on (unknown room, for instance)."""


class VirtualPhone:
    """One simulated participant: connects, answers, naps, comes back, resends."""

    def __init__(self, swarm: Swarm, index: int) -> None:
        self.swarm = swarm
        self.index = index
        self.persona = Persona.draw(swarm.model, index)
        self.life = random.Random(f"{swarm.model.seed}/life/{index}")
        self.device: str | None = None
        self.seq = 0
        self.ws: ClientConnection | None = None
        self.online = asyncio.Event()
        self.outbox = asyncio.Lock()  # keeps seqs in order across resends and new inputs
        self.unacked: dict[int, tuple[bytes, Sample]] = {}
        self.activities: dict[str, Mapping[str, Any]] = {}
        self.results: dict[str, Mapping[str, Any]] = {}
        self.result_version: Counter[str] = Counter()
        self.revised_version: Counter[str] = Counter()
        self.own: dict[str, Any] = {}
        self.shown: dict[str, Mapping[str, Any]] = {}  # a second round's arm: what this phone sees
        self.rounds: dict[str, int] = {}
        self.plans: dict[str, asyncio.Task[None]] = {}

    # ------------------------------------------------------------ life

    async def live(self, arrival: float) -> None:
        """Arrive, then stay: reconnect after drops (jittered backoff) and after naps."""
        model = self.swarm.model
        await asyncio.sleep(arrival)
        backoff = 0.5
        while True:
            try:
                async with self.swarm.gate:
                    await self._connect()
            except CrowdError as exc:
                if exc.code not in RETRY_LATER:  # unknown room, bad hello: no point retrying
                    self.swarm.fail(f"phone {self.index}: {exc.code}: {exc.message}")
                    return
                self.swarm.stats.refused[exc.code] += 1  # full, or too many new devices
                await asyncio.sleep(backoff * (0.5 + self.life.random()) * 4)
                backoff = min(backoff * 2, 10.0)
                continue
            except (OSError, websockets.WebSocketException, TimeoutError, ValueError):
                self.swarm.stats.connect_failures += 1
                await asyncio.sleep(backoff * (0.5 + self.life.random()))
                backoff = min(backoff * 2, 10.0)
                continue
            backoff = 0.5
            self.swarm.stats.connected += 1
            reader = asyncio.create_task(self._read())
            nap_in = self._next_nap()
            done, _ = await asyncio.wait({reader}, timeout=nap_in)
            self._offline()
            if reader in done:  # dropped by the server or the network
                self.swarm.stats.drops += 1
                await asyncio.sleep(self.life.uniform(0.2, 2.0))
            else:  # asleep: the socket dies without a close frame, as phones do
                if self.ws is not None:
                    self.ws.transport.abort()
                reader.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await reader
                self.swarm.stats.naps += 1
                nap = self.life.lognormvariate(math.log(model.nap_median_s), 0.5)
                await asyncio.sleep(nap * model.tempo)
            self.swarm.stats.reconnects += 1

    def _next_nap(self) -> float | None:
        rate = self.persona.naps_per_min
        if rate <= 0:
            return None
        return self.life.expovariate(rate / 60.0) * self.swarm.model.tempo

    def _offline(self) -> None:
        if self.online.is_set():
            self.swarm.stats.connected -= 1
        self.online.clear()

    async def _connect(self) -> None:
        ws = await websockets.connect(ws_url(self.swarm.url), compression=None,
                                      open_timeout=15, ping_interval=None, max_size=2**22)
        try:
            hello = {"v": 1, "t": "hello", "role": "phone", "room": self.swarm.room}
            if self.device:
                hello["device"] = self.device
            await ws.send(msgpack.packb(hello, use_bin_type=True))
            first = await asyncio.wait_for(ws.recv(), 15)
            # A refusal before the hello is read ("server full") comes as JSON text.
            welcome = json.loads(first) if isinstance(first, str) else msgpack.unpackb(
                first, raw=False)
        except BaseException:
            await ws.close()
            raise
        if welcome.get("t") == "error":
            await ws.close()
            raise error_from(welcome)
        self.ws = ws
        self.device = str(welcome["you"]["device"])
        for activity_id, snapshot in (welcome.get("results") or {}).items():
            self._store_result(activity_id, snapshot)
        mine = welcome.get("mine") or {}
        for activity_id, value in mine.items():
            self.own.setdefault(activity_id, value)
        self.shown.update(welcome.get("social_info") or {})
        seen = set()
        for activity in welcome.get("activities") or []:
            seen.add(activity["id"])
            self._on_activity(activity)
        for activity_id in list(self.plans):  # closed while we slept
            if activity_id not in seen:
                self._cancel(activity_id)
        async with self.outbox:
            for _, (frame, _sample) in sorted(self.unacked.items()):
                await ws.send(frame)  # same seq: acknowledged again, never applied twice
            self.online.set()

    async def _read(self) -> None:
        assert self.ws is not None
        with contextlib.suppress(websockets.ConnectionClosed):
            async for frame in self.ws:
                if isinstance(frame, bytes):
                    self._on_message(msgpack.unpackb(frame, raw=False))

    # ------------------------------------------------------------ messages

    def _on_message(self, msg: Mapping[str, Any]) -> None:
        t = msg.get("t")
        if t in ("ack", "error"):
            self._settle(msg)
        elif t == "activity":
            self._on_activity(msg["activity"])
        elif t == "result":
            self._store_result(str(msg["activity"]), msg.get("snapshot") or {})
            self._maybe_revise(str(msg["activity"]))
        elif t == "social_info":
            self._on_shown(str(msg["activity"]), msg.get("info") or {})

    def _settle(self, msg: Mapping[str, Any]) -> None:
        entry = self.unacked.pop(msg.get("seq"), None)  # type: ignore[arg-type]
        if msg.get("t") == "error":
            self.swarm.stats.refused[str(msg.get("code"))] += 1
        if entry is None:
            return
        _, sample = entry
        sample.latency_ms = (time.perf_counter() - sample.sent_at) * 1000
        if msg.get("t") == "ack":
            sample.status = "dup" if msg.get("dup") else "ok"
            self.swarm.stats.acked += 1
            if sample.type == "respond":
                self.own[sample.activity] = sample.value
        else:
            sample.status = str(msg.get("code"))

    def _store_result(self, activity_id: str, snapshot: Mapping[str, Any]) -> None:
        self.results[activity_id] = snapshot
        self.result_version[activity_id] += 1

    def _on_activity(self, activity: Mapping[str, Any]) -> None:
        activity_id = str(activity["id"])
        if activity.get("state") == "deleted":
            self._cancel(activity_id)
            self.activities.pop(activity_id, None)
            return
        self.activities[activity_id] = activity
        if activity.get("state") != "open":
            self._cancel(activity_id)
            return
        kind = str(activity.get("kind"))
        if kind not in BEHAVIOURS:
            self.swarm.stats.unknown_kinds.add(kind)
            return
        if activity_id not in self.rounds:
            self.rounds[activity_id] = 0
            if activity_id in self.own:  # answered before a reload: nothing to add
                return
            earlier = self.own.get(str(activity.get("previous")))  # influence rounds
            self._start(activity_id, 0, plan_answers(self.swarm.model, self.index, activity,
                                                     own=earlier, persona=self.persona,
                                                     shown=self.shown.get(activity_id)))
        else:
            self._maybe_revise(activity_id)

    def _on_shown(self, activity_id: str, info: Mapping[str, Any]) -> None:
        """What this phone alone is shown in a second round's arm: it comes right after
        the round's activity, whose plan (not yet carried out) is made again with it."""
        self.shown[activity_id] = info
        activity = self.activities.get(activity_id)
        if activity is None or activity_id in self.own or activity_id not in self.plans:
            return
        self._cancel(activity_id)
        earlier = self.own.get(str(activity.get("previous")))
        self._start(activity_id, 0, plan_answers(self.swarm.model, self.index, activity,
                                                 own=earlier, persona=self.persona,
                                                 shown=info))

    def _maybe_revise(self, activity_id: str) -> None:
        """The social-influence round: the result is shown and the activity open again."""
        activity = self.activities.get(activity_id)
        if (activity is None or activity.get("state") != "open" or not activity.get("revealed")
                or activity_id not in self.own or activity_id in self.plans
                or self.revised_version[activity_id] >= self.result_version[activity_id]):
            return
        self.revised_version[activity_id] = self.result_version[activity_id]
        round_ = self.rounds.get(activity_id, 0) + 1
        self.rounds[activity_id] = round_
        actions = plan_answers(self.swarm.model, self.index, activity, round_,
                               own=self.own[activity_id], snapshot=self.results[activity_id],
                               persona=self.persona)
        self._start(activity_id, round_, actions)

    def _start(self, activity_id: str, round_: int, actions: list[Action]) -> None:
        if actions:
            self.plans[activity_id] = asyncio.create_task(
                self._perform(activity_id, round_, actions))

    def _cancel(self, activity_id: str) -> None:
        task = self.plans.pop(activity_id, None)
        if task is not None and task is not asyncio.current_task():
            task.cancel()

    async def _perform(self, activity_id: str, round_: int, actions: list[Action]) -> None:
        try:
            for step, action in enumerate(actions):
                await asyncio.sleep(action.delay * self.swarm.model.tempo)
                if self.activities.get(activity_id, {}).get("state") != "open":
                    return
                fields = dict(action.fields or {})
                if action.type == "respond":
                    fields = {"activity": activity_id, "value": action.value}
                sample = Sample(self.index, activity_id, round_, step, action.type,
                                action.value if action.type == "respond" else fields)
                await self._send(action.type, fields, sample)
        finally:
            if self.plans.get(activity_id) is asyncio.current_task():
                del self.plans[activity_id]

    async def _send(self, t: str, fields: Mapping[str, Any], sample: Sample) -> None:
        """Queue an input; it goes out now if online, else on reconnect (a phone's outbox)."""
        async with self.outbox:
            self.seq += 1
            frame = msgpack.packb({"v": 1, "t": t, "seq": self.seq, **fields},
                                  use_bin_type=True)
            sample.sent_at = time.perf_counter()
            self.unacked[self.seq] = (frame, sample)
            self.swarm.samples.append(sample)
            self.swarm.stats.sent += 1
            if self.online.is_set() and self.ws is not None:
                with contextlib.suppress(websockets.ConnectionClosed):
                    await self.ws.send(frame)

    async def close(self) -> None:
        for activity_id in list(self.plans):
            self._cancel(activity_id)
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(), 2)


class Swarm:
    """N virtual phones in one room; an async context manager.

        async with Swarm(url, room, 300, CrowdModel(seed=7)) as swarm:
            await swarm.wait_connected()
            ...
        swarm.values()   # {(phone, activity number, round, step): value}
    """

    def __init__(self, url: str, room: str, phones: int, model: CrowdModel | None = None, *,
                 arrival_s: float = 5.0, concurrency: int = 64) -> None:
        self.url = url
        self.room = room
        self.model = model or CrowdModel()
        if self.model.estimates is None:
            self.model.estimates = cow_estimates()
        self.arrival_s = arrival_s
        self.gate = asyncio.Semaphore(concurrency)
        self.stats = SwarmStats()
        self.samples: list[Sample] = []
        self.phones = [VirtualPhone(self, i) for i in range(phones)]
        self.failure: str | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._failed = asyncio.Event()

    async def __aenter__(self) -> Swarm:
        self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def start(self) -> None:
        """Phones arrive over `arrival_s` seconds (scaled by tempo), as a room fills."""
        spread = random.Random(f"{self.model.seed}/arrivals")
        for phone in self.phones:
            arrival = spread.uniform(0.0, self.arrival_s) * self.model.tempo
            self._tasks.append(asyncio.create_task(phone.live(arrival),
                                                   name=f"phone-{phone.index}"))

    def fail(self, reason: str) -> None:
        if self.failure is None:
            self.failure = reason
        self._failed.set()

    async def wait_connected(self, count: int | None = None, timeout: float = 60.0) -> None:
        """Until `count` phones (default all) are online; raises SwarmError on a refusal."""
        target = len(self.phones) if count is None else count
        deadline = time.monotonic() + timeout
        while self.stats.connected < target:
            if self.failure is not None:
                raise SwarmError(self.failure)
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.stats.connected}/{target} phones online")
            await asyncio.sleep(0.05)

    async def wait_seen(self, activity: str, round_: int = 0, timeout: float = 30.0) -> None:
        """Until every online phone has planned its answer to an activity (round 0), or
        every phone that answered has reconsidered it after a reveal (round 1, ...)."""

        def behind(p: VirtualPhone) -> bool:
            if not p.online.is_set():
                return False
            if round_ == 0:
                return activity not in p.rounds
            return activity in p.own and p.rounds.get(activity, 0) < round_

        deadline = time.monotonic() + timeout
        while any(behind(p) for p in self.phones):
            if time.monotonic() > deadline:
                raise TimeoutError(f"not every phone reached round {round_} of {activity}")
            await asyncio.sleep(0.02)

    async def settle(self, timeout: float = 30.0) -> None:
        """Until no plan is running and every input sent was answered."""
        deadline = time.monotonic() + timeout
        while any(p.plans or p.unacked for p in self.phones):
            if time.monotonic() > deadline:
                raise TimeoutError("the swarm did not settle")
            await asyncio.sleep(0.05)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await asyncio.gather(*(p.close() for p in self.phones), return_exceptions=True)
        self._tasks.clear()

    def values(self, activity: str | None = None) -> dict[tuple[int, int, int, int], Any]:
        """What was sent, keyed by (phone, activity number, round, step)."""
        return {s.key: s.value for s in self.samples
                if activity is None or s.activity == activity}

    def latest(self, activity: str) -> dict[int, Any]:
        """Each phone's acknowledged latest answer to an activity."""
        return {p.index: p.own[activity] for p in self.phones if activity in p.own}

    def summary(self) -> str:
        s = self.stats
        refused = ", ".join(f"{n} {code}" for code, n in s.refused.most_common()) or "none"
        return (f"{s.connected}/{len(self.phones)} online · {s.sent} sent · {s.acked} acked · "
                f"refused: {refused} · {s.naps} naps · {s.reconnects} reconnects")
