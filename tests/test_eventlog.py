"""The event log on a real SQLite file, without a server: group commit and its future."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from crowd.core import events as ev
from crowd.core.events import Event
from crowd.server.eventlog import EventLog


def _event(n: int) -> Event:
    return Event(ev.NICKNAMED, "ROOM", {"device": f"d{n}", "name": f"n{n}"}, 1.0 + n,
                 f"d{n}", 1)


async def test_cancelling_one_waiter_leaves_the_others_waiting(tmp_path: Path) -> None:
    """Inputs of one transaction share its future; one reader cancelled (its client gone,
    a shutdown) must not cancel the commit wait of the others."""
    log = EventLog(tmp_path / "log.db", commit_interval=0.05)
    await log.open()
    try:
        first, second = log.append([_event(1)]), log.append([_event(2)])
        assert first is second  # one transaction, one future
        waiting = [asyncio.Event(), asyncio.Event()]

        async def wait(k: int) -> str:
            waiting[k].set()
            await (first, second)[k]
            return "stored"

        tasks = [asyncio.create_task(wait(k)) for k in range(2)]
        await asyncio.gather(*(w.wait() for w in waiting))  # both now await the commit
        tasks[0].cancel()
        assert await tasks[1] == "stored"
        with pytest.raises(asyncio.CancelledError):
            await tasks[0]
        assert log.last_id == 2 == await log.count()
    finally:
        await log.close()
