"""The export process under public load, and its children's lives (docs/reliability.md,
"The HTTP edge"): anonymous replays cannot starve the animator's exports, and no child
of the server outlives it, whatever way it stops."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from crowd.clients import Panel, Phone
from crowd.server import video
from tests.support import SECRET, ServerProcess

PUBLIC_QUEUE = 4


@pytest.fixture
def busy_server(tmp_path: Path) -> Iterator[ServerProcess]:
    server = ServerProcess(tmp_path / "busy.db", secret=SECRET,
                           env={"CROWD_EXPORT_QUEUE_PUBLIC": str(PUBLIC_QUEUE)})
    server.start()
    yield server
    server.stop()


async def _day(server: ServerProcess, rooms: int, activities: int) -> list[str]:
    """Rooms with revealed polls and a few votes each: something to replay."""
    codes = []
    async with Panel.connect(server.url, server.secret) as panel:
        for r in range(rooms):
            code = await panel.create_room(f"Salle {r}")
            codes.append(code)
            acts = [await panel.add_activity(code, kind="choice", prompt=f"Question {i} ?",
                                             options=["a", "b", "c"])
                    for i in range(activities)]
            for act in acts:
                await panel.open(act)
            async with Phone.connect(server.url, code) as a, Phone.connect(server.url, code) as b:
                for i, act in enumerate(acts):
                    await a.respond(act, i % 3)
                    await b.respond(act, (i + 1) % 3)
            for act in acts:
                await panel.close(act)
                await panel.reveal(act)
    return codes


async def test_public_replays_cannot_starve_the_animator(busy_server: ServerProcess) -> None:
    server = busy_server
    codes = await _day(server, rooms=6, activities=2)
    animator = {"X-Crowd-Secret": SECRET}
    events = f"/api/rooms/{codes[1]}/export/events.msgpack"
    async with httpx.AsyncClient(base_url=server.url, timeout=120) as http:
        started = time.monotonic()
        assert (await http.get(events, headers=animator)).status_code == 200
        alone = time.monotonic() - started  # the export alone (starts the export process)
        started = time.monotonic()
        one = await http.get(f"/replay/{codes[0]}", params={"activities": "x"})
        single = time.monotonic() - started  # one public replay
        assert one.status_code == 200

        async def public(path: str, query: str) -> tuple[int, bytes, str | None]:
            reply = await http.get(path, params={"activities": query})
            return reply.status_code, reply.content, reply.headers.get("retry-after")

        # 34 distinct queries of the whole event, and one replay of each room
        crowd = [asyncio.create_task(public("/replay/all", f"{codes[0]}-{i}"))
                 for i in range(34)]
        crowd += [asyncio.create_task(public(f"/replay/{c}", "x")) for c in codes]
        await asyncio.sleep(0.2)  # the crowd's requests reach the server first (the scenario)
        asked = time.monotonic()
        mine = await http.get(events, headers=animator)
        waited = time.monotonic() - asked
        replies = await asyncio.gather(*crowd)
        crowd_done = time.monotonic() - asked
    served = [r for r in replies if r[0] == 200]
    refused = [r for r in replies if r[0] == 503]
    whole = {body for status, body, _ in replies[:34] if status == 200}
    print(f"\n40 public replays (34 distinct queries of /replay/all, 6 rooms) then the "
          f"animator's events.msgpack: waited {waited:.2f} s (alone: {alone:.2f} s with the "
          f"process start; one public replay: {single:.2f} s); "
          f"public: {len(served)} served ({len(whole)} distinct /replay/all pages), "
          f"{len(refused)} refused 503; all answered after {crowd_done:.2f} s")
    assert mine.status_code == 200
    assert len(served) + len(refused) == len(replies)
    assert len(whole) <= 1  # a query string buys no replay of its own
    assert refused and all(retry for _, _, retry in refused)
    assert waited < 4 * single + 2.0


def _children() -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            found.setdefault(ppid, []).append(int(entry))
    return found


def _descendants(pid: int) -> dict[int, str]:
    tree, found, stack = _children(), {}, [pid]
    while stack:
        for child in tree.get(stack.pop(), []):
            try:
                with open(f"/proc/{child}/cmdline", "rb") as f:
                    found[child] = f.read().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            stack.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is dead
    except OSError:
        return False


async def _until(condition: object, timeout: float) -> bool:
    """Poll another process's state (process death is no event we can await here)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        await asyncio.sleep(0.05)
    return False


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads /proc")
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "sigterm"])
async def test_no_child_outlives_the_server(tmp_path: Path, how: signal.Signals) -> None:
    """The export process (and, with video support, the renderer with its Chromium) is
    running when the server is stopped: all of them end with it."""
    server = ServerProcess(tmp_path / "kids.db", secret=SECRET)
    server.start()
    assert server.proc is not None
    renders = how == signal.SIGKILL and not video.missing("gif")
    kids: dict[int, str] = {}
    try:
        codes = await _day(server, rooms=1, activities=1) if renders else []
        animator = {"X-Crowd-Secret": SECRET}
        async with httpx.AsyncClient(base_url=server.url, timeout=60, headers=animator) as http:
            assert (await http.get("/replay/all")).status_code == 200
            if renders:
                job = await http.post(f"/api/rooms/{codes[0]}/video",
                                      params={"format": "gif", "seconds": 2})
                assert job.status_code == 202, job.text
                pid = server.proc.pid
                assert await _until(lambda: any(
                    "chrom" in c for c in _descendants(pid).values()), 60)
        kids = _descendants(server.proc.pid)
        assert kids, "the replay started no export process"
        os.kill(server.proc.pid, how)
        server.proc.wait(15)
        gone = await _until(lambda: not any(_alive(p) for p in kids), 10)
        left = {p: c[:80] for p, c in kids.items() if _alive(p)}
    finally:
        for pid in [p for p in kids if _alive(p)]:  # a failing run's own leftovers
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        server.stop()
    print(f"\n{how.name}: {len(kids)} children (export process"
          f"{', renderer, Chromium' if renders else ''}) -> left alive: {left or 'none'}")
    assert gone, f"children outlived the server: {left}"
