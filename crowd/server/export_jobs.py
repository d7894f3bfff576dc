"""The export process's queue: whole-log work (a replay page, the raw event log) in one child.

The child (`crowd.server.worker`) reads the SQLite file on its own read-only connection
(WAL lets it read while the hub writes), so the event loop and the log's writer never
wait for it. It does one job at a time, so the queue is bounded and ordered: animators'
jobs first, and beyond a few waiting jobs of a kind a request is refused (`QueueFull`,
answered 503 with Retry-After by `crowd.server.export_routes`). The functions the child
runs are the module-level ones here (`build_replay`, `build_film`, `write_event_export`).
"""

from __future__ import annotations

import asyncio
import heapq
from dataclasses import dataclass, field
from typing import Any

from crowd.server.eventlog import iter_events_file
from crowd.server.worker import ExportWorker
from crowd.views import exports

RETRY_AFTER_S = 10


def build_replay(db: str, rooms: list[str] | None, activities: list[str] | None,
                 public: bool) -> bytes:
    """Child process: replay the log and return the standalone HTML (UTF-8)."""
    from crowd.views.replay_page import standalone_html
    from crowd.views.timelapse import build_timeline

    timeline = build_timeline(iter_events_file(db, rooms), rooms, activities,
                              only_revealed=public)
    return standalone_html(timeline).encode("utf-8")


def build_film(db: str, rooms: list[str] | None, public: bool) -> bytes:
    """Child process: read the log twice (what ended hidden, then the frames) and return
    the closing film's standalone HTML (UTF-8)."""
    from crowd.views.film import build_film as film_of
    from crowd.views.film_page import standalone_film

    film = film_of(lambda: iter_events_file(db, rooms), rooms, only_revealed=public)
    return standalone_film(film).encode("utf-8")


def write_event_export(db: str, room: str, path: str) -> int:
    """Child process: write the room's anonymised msgpack log to `path`."""
    with open(path, "wb") as out:
        return exports.write_records(iter_events_file(db, [room]), out)


class QueueFull(Exception):
    """Too many export jobs of this kind wait already."""

    retry_after: float = RETRY_AFTER_S


class TooSoon(QueueFull):
    """This public replay was built moments ago (and has left the cache since)."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


@dataclass(order=True, slots=True)
class _Job:
    rank: int  # 0: an animator's, 1: public
    seq: int
    function: str = field(compare=False)
    args: tuple[Any, ...] = field(compare=False)
    future: asyncio.Future[Any] = field(compare=False)


class ExportQueue:
    """The export process's jobs: animators' first, each kind bounded.

    The process runs one job at a time; a job cannot be interrupted, so an animator
    waits at most for the one job running when they asked.
    """

    def __init__(self) -> None:
        self.worker = ExportWorker()
        self._waiting: list[_Job] = []
        self._seq = 0
        self._runner: asyncio.Task[None] | None = None

    def waiting(self, animator: bool) -> int:
        rank = 0 if animator else 1
        return sum(1 for job in self._waiting if job.rank == rank and not job.future.done())

    async def run(self, animator: bool, limit: int, function: str, *args: Any) -> Any:
        """`function(*args)` of this module in the export process, once its turn comes."""
        if self.waiting(animator) >= limit:
            raise QueueFull
        self._seq += 1
        job = _Job(0 if animator else 1, self._seq, function, args,
                   asyncio.get_running_loop().create_future())
        heapq.heappush(self._waiting, job)
        self._next()
        return await job.future

    def _next(self) -> None:
        if self._runner is not None and not self._runner.done():
            return
        while self._waiting:
            job = heapq.heappop(self._waiting)
            if not job.future.done():  # its request went away: skip it
                self._runner = asyncio.create_task(self._one(job), name="export-job")
                return

    async def _one(self, job: _Job) -> None:
        try:
            result = await self.worker.call(__name__, job.function, *job.args)
        except Exception as exc:
            if not job.future.done():
                job.future.set_exception(exc)
        else:
            if not job.future.done():
                job.future.set_result(result)
        finally:
            self._runner = None
            self._next()

    def stop(self) -> None:
        for job in self._waiting:
            if not job.future.done():
                job.future.cancel()
        self._waiting.clear()
        if self._runner is not None:
            self._runner.cancel()
        self.worker.kill()


_queue: ExportQueue | None = None


def export_queue() -> ExportQueue:
    """The server's one queue (and export process), started at first use."""
    global _queue
    if _queue is None:
        _queue = ExportQueue()
    return _queue


def stop_queue() -> None:
    """Stop the export process and drop the jobs waiting for it."""
    global _queue
    if _queue is not None:
        _queue.stop()
        _queue = None
