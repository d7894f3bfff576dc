"""The sections of `crowd bench`: burst, stream, ceiling, memory and restart, each against
the same run's baseline where one applies.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import random
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from crowd.clients import Panel
from crowd.clients.launcher import ServerProcess, free_port, pin, stop_process, wait_healthy
from crowd.commands.bench.eventlog import build_log
from crowd.commands.bench.loadgen import (
    LoadPhone,
    Recorder,
    Target,
    Template,
    close_all,
    drain,
    paced,
    periodic,
    sample_health,
)
from crowd.commands.bench.measure import CpuMeter, percentiles, ratio_of, rss_kib, vote_to_screen
from crowd.commands.bench.plan import Plan


class Baseline:
    """`crowd.commands.bench.baseline` in a child process, pinned like the server."""

    def __init__(self, cpu: int | None, env: Mapping[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.cpu = cpu
        self.env = {**os.environ, **env}
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "crowd.commands.bench.baseline",
                                      "--port", str(self.port)], env=self.env,
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
        result["ratio_ack_p50"] = ratio_of(hub["ack_ms"]["p50"], base["ack_ms"]["p50"])
        result["ratio_ack_p99"] = ratio_of(hub["ack_ms"]["p99"], base["ack_ms"]["p99"])
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
                      ratio_cpu=ratio_of(hub["server_cores"], base["server_cores"]),
                      ratio_ack_p99=ratio_of(hub["ack_ms"]["p99"], base["ack_ms"]["p99"]))
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
        result["ratio"] = ratio_of(result["hub"]["rate"], result["baseline"]["rate"])
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
        from crowd.core.checkpoint import DEFAULT_EVERY

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

    from crowd.core import checkpoint
    from crowd.core.engine import Engine
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
