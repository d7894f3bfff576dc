"""HTTP routes for the closing timelapse, the video jobs and a room's exports.

Results come from the live engine (instant, and equal to a replay by construction). Work
that replays or rewrites a whole log — the replay page, the raw event log — runs in one
child process that reads the SQLite file on its own read-only connection (WAL lets it
read while the hub writes): the event loop and the log's writer never wait for it.
That process does one job at a time, so its queue is bounded and ordered: animators'
jobs first, and beyond a few waiting jobs a request is refused (503, Retry-After). A
public replay is always the whole public replay of its rooms (the query cannot choose
the work), built once per log position and shared by the requests that wait for it,
and served from cache for `public_replay_max_age_s` while the log moves on; the cache
holds every room of a festival (least recently used out first), and a public replay is
never built again within that time even if it left the cache. Results and summaries are
kept per room and view while the state has not moved (crowd.server.edge.Recent), and an
address's anonymous requests are budgeted (crowd.server.httpauth.viewer). Videos are
rendered by `python -m crowd.server.video` in a child process whose progress lines feed the
job's JSON. Both children die with the server (crowd.server.lifeline).

Without the animator secret, results and the replay show what phones may see (revealed
activities); with it (header `X-Crowd-Secret`, or a signed link from `POST /api/links`
for a page opened in a new tab), every activity. The raw event log, video jobs and the
criée contacts in the summary always need it. See crowd.server.httpauth.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import functools
import html
import json
import logging
import math
import secrets
import shutil
import tempfile
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from crowd.core.errors import CrowdError
from crowd.core.types import normalize_code
from crowd.server import lifeline
from crowd.server.edge import RECOMPUTE_AFTER_S, REPLAY_CSP, Recent
from crowd.server.eventlog import connect_readonly, decode_rows
from crowd.server.export_jobs import (
    RETRY_AFTER_S,
    QueueFull,
    TooSoon,
    export_queue,
    stop_queue,
)
from crowd.server.httpauth import LINK_PARAM, animator_check, links, path_room, room_refusal, viewer
from crowd.views import exports, workbook

log = logging.getLogger(__name__)

ALL_ROOMS = "ALL"  # /replay/all: every room of the event ("L" is not in room codes)
CACHE_SIZE = 4  # the animator's replays (their query chooses activities)
#: Public replays kept: room for every room of a festival, and a bound on their bytes
#: (a replay carries BokehJS: 1.7 MB for a room of 4,000 phones).
PUBLIC_CACHE_SIZE = 32
PUBLIC_CACHE_BYTES = 96 * 1024 * 1024
KEEP_JOBS = 4
PDF_TIMEOUT_S = 90
_printing = asyncio.Lock()
#: Paths a signed link may open (GET pages and downloads of this module).
LINKABLE = ("/replay/", "/film/", "/api/rooms/", "/api/festival/", "/api/video-jobs/")

_html_cache: dict[tuple[Any, ...], bytes] = {}
_public_cache: OrderedDict[tuple[Any, ...], PublicReplay] = OrderedDict()
_public_built: dict[tuple[Any, ...], float] = {}  # key -> when last built (monotonic)
_public_building: dict[tuple[Any, ...], asyncio.Future[bytes]] = {}
_jobs: dict[str, VideoJob] = {}
_workdir: Path | None = None


async def _in_child(request: Request, animator: bool, function: str, *args: Any) -> Any:
    settings = _hub(request).settings
    limit = settings.export_queue_animator if animator else settings.export_queue_public
    return await export_queue().run(animator, limit, function, *args)


def _work_dir() -> Path:
    global _workdir
    if _workdir is None:
        _workdir = Path(tempfile.mkdtemp(prefix="crowd-exports-"))
    return _workdir


@atexit.register
def shutdown() -> None:
    """Stop the export child and any renderer, remove our files (app shutdown, exit)."""
    global _workdir
    for job in list(_jobs.values()):
        job.kill()
    _jobs.clear()
    stop_queue()
    _html_cache.clear()
    _public_cache.clear()
    _public_built.clear()
    _public_building.clear()
    if _workdir is not None:
        shutil.rmtree(_workdir, ignore_errors=True)
        _workdir = None


# ---------------------------------------------------------------- request helpers


def _hub(request: Request) -> Any:
    return request.app.state.hub


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status)


def _busy(request: Request, retry_after: float = RETRY_AFTER_S) -> Response:
    """503 for a full export queue, readable by a person (the replay is a page) or a
    script (the API)."""
    headers = {"Retry-After": str(max(1, math.ceil(retry_after))), "Cache-Control": "no-store"}
    message = "the server is busy with other exports: try again in a few seconds"
    if request.url.path.startswith(("/replay/", "/film/")):
        page = ("<!doctype html><meta charset=utf-8><title>crowd</title>"
                "<p>Le serveur prépare d'autres exports : réessayez dans quelques secondes."
                f"<p lang=en>{html.escape(message.capitalize())}.")
        return HTMLResponse(page, status_code=503, headers=headers)
    return JSONResponse({"code": "busy", "message": message}, status_code=503,
                        headers=headers)


async def _require_secret(request: Request) -> JSONResponse | None:
    ok = await animator_check(request)
    if ok is True:
        return None
    if ok is False:
        return _error(401, "secret_required", "this export is for animators: send the "
                      "animator secret in the X-Crowd-Secret header")
    return ok


def _room_code(request: Request) -> str | JSONResponse:
    hub = _hub(request)
    try:
        return str(hub.engine.room(request.path_params["code"]).code)
    except CrowdError as exc:
        return _error(404, exc.code, exc.message)


def _rooms_for(request: Request) -> list[str] | JSONResponse | None:
    """The room codes of a replay request: one room, or None for ALL_ROOMS."""
    if normalize_code(request.path_params["code"]) == ALL_ROOMS:
        return None
    code = _room_code(request)
    return code if isinstance(code, JSONResponse) else [code]


def _activities(request: Request) -> list[str] | None:
    raw = request.query_params.get("activities")
    if not raw:
        return None
    return [a.strip() for a in raw.split(",") if a.strip()][:500]


def _db(request: Request) -> str:
    return str(_hub(request).log.path)


def _last_id(db: str) -> int:
    con = connect_readonly(db)
    try:
        row = con.execute("SELECT max(id) FROM events").fetchone()
        return int(row[0] or 0)
    finally:
        con.close()


def _times(db: str, room: str) -> dict[str, list[tuple[float, float | None]]]:
    """When each activity was open, from the log (rows set aside and unreadable rows are
    skipped, as in every replay)."""
    con = connect_readonly(db)
    try:
        rows = con.execute("SELECT id, type, room, data, ts, client, seq FROM events "
                           "WHERE room=? AND type IN ('opened', 'closed') "
                           "AND id NOT IN (SELECT id FROM set_aside) ORDER BY id",
                           (room,)).fetchall()
    finally:
        con.close()
    _, events = decode_rows(rows, {})
    return exports.activity_times(events)


def _download(body: bytes | str, media_type: str, filename: str) -> Response:
    return Response(body, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store"})


# ---------------------------------------------------------------- results and summary


async def _room_view(request: Request) -> tuple[str, bool] | JSONResponse:
    """(room code, animator?) of a results request, or the refusal to send."""
    code = _room_code(request)
    if isinstance(code, JSONResponse):
        return code
    animator = await viewer(request)
    if isinstance(animator, JSONResponse):
        return animator
    return code, animator


async def _kept(request: Request, resource: str, code: str, animator: bool,
                build: Callable[[], Awaitable[bytes]]) -> bytes:
    """`build()`'s answer, computed again only once the state moved (the public view:
    and a second went by since it was computed)."""
    answers: Recent = request.app.state.computed
    version, now = _hub(request).engine.applied, time.monotonic()
    key = (resource, code, animator)
    body = answers.get(key, version, now, 0.0 if animator else RECOMPUTE_AFTER_S)
    if body is None:
        body = await build()
        answers.put(key, version, now, body)
    return body


def _results_doc(request: Request, code: str, animator: bool) -> dict[str, Any]:
    return exports.results(_hub(request).engine, code, public=not animator,
                           as_of=time.time())


async def _results_file(request: Request, name: str, render: Callable[[Any], str | bytes],
                        media_type: str) -> Response:
    """The room's results as one file (`results.json`, `results.csv`), kept while the
    state is still."""
    view = await _room_view(request)
    if isinstance(view, JSONResponse):
        return view
    code, animator = view

    async def build() -> bytes:
        body = render(_results_doc(request, code, animator))
        return body if isinstance(body, bytes) else body.encode()

    body = await _kept(request, name, code, animator, build)
    return _download(body, media_type, f"crowd-{code}-{name}")


async def results_json(request: Request) -> Response:
    return await _results_file(request, "results.json", exports.results_json,
                               "application/json")


async def results_csv(request: Request) -> Response:
    """`?sep=semicolon`: the French spreadsheets' CSV (semicolons, decimal commas)."""
    if request.query_params.get("sep") == "semicolon":
        return await _results_file(request, "results-fr.csv",
                                   lambda doc: exports.results_csv(doc, sep=";"),
                                   "text/csv; charset=utf-8")
    return await _results_file(request, "results.csv", exports.results_csv,
                               "text/csv; charset=utf-8")


async def results_xlsx(request: Request) -> Response:
    """The workbook: a summary sheet and a sheet per activity (`?lang=en` for English)."""
    lang = "en" if request.query_params.get("lang") == "en" else "fr"
    return await _results_file(request, f"results-{lang}.xlsx",
                               lambda doc: workbook.results_xlsx(doc, lang),
                               "application/vnd.openxmlformats-officedocument."
                               "spreadsheetml.sheet")


async def summary(request: Request) -> Response:
    """Printable page; the animator's one lists criée volunteers with their contacts."""
    view = await _room_view(request)
    if isinstance(view, JSONResponse):
        return view
    code, animator = view

    async def build() -> bytes:
        doc = _results_doc(request, code, animator)
        times = await asyncio.to_thread(_times, _db(request), code)
        rosters = exports.call_rosters(_hub(request).engine, code) if animator else None
        return exports.summary_html(doc, times=times, rosters=rosters).encode()

    page = await _kept(request, "summary", code, animator, build)
    return HTMLResponse(page, headers={"Cache-Control": "no-store"})


async def report(request: Request) -> Response:
    """The report for people (`?lang=en` for English): every revealed activity, or every
    activity for an animator; charts as on the projector; it prints to PDF."""
    view = await _room_view(request)
    if isinstance(view, JSONResponse):
        return view
    code, animator = view
    lang = "en" if request.query_params.get("lang") == "en" else "fr"

    async def build() -> bytes:
        from crowd.views import charts
        from crowd.views import report as pages

        doc = _results_doc(request, code, animator)
        times = await asyncio.to_thread(_times, _db(request), code)
        return pages.report_html(doc, lang=lang, times=times, chart_item=charts.chart_item,
                                 bokeh_js=_bokeh_js()).encode()

    page = await _kept(request, f"report-{lang}", code, animator, build)
    return HTMLResponse(page, headers={"Cache-Control": "no-store",
                                       "Content-Security-Policy": REPLAY_CSP})


async def report_pdf(request: Request) -> Response:
    """The report printed by headless Chromium in a child process; 503 with the reason
    when this machine has no Chromium (the page itself still prints)."""
    from crowd.server import pdf

    lacks = pdf.missing()
    if lacks:
        return _error(503, "unavailable", "PDF export needs " + "; ".join(lacks))
    if _printing.locked():  # one Chromium at a time: a PDF is not worth a second one
        return _busy(request)
    async with _printing:
        return await _print_report(request)


async def _print_report(request: Request) -> Response:
    page = await report(request)
    if page.status_code != 200:
        return page
    code = request.path_params["code"].upper()
    folder = _work_dir() / f"report-{secrets.token_hex(8)}"
    folder.mkdir()
    source, out = folder / "report.html", folder / "report.pdf"
    source.write_bytes(page.body)
    child = await asyncio.create_subprocess_exec(
        *lifeline.command("crowd.server.pdf", str(source), str(out)),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    try:
        _, err = await asyncio.wait_for(child.communicate(), PDF_TIMEOUT_S)
    except TimeoutError:
        lifeline.kill_now(child.pid)
        return _error(503, "unavailable", "the PDF took too long: print the page instead")
    if child.returncode != 0 or not out.exists():
        return _error(503, "unavailable", (err or b"").decode(errors="replace")[-300:]
                      or "the PDF could not be made: print the page instead")
    return FileResponse(out, media_type="application/pdf",
                        filename=f"crowd-{code}-report.pdf",
                        background=BackgroundTask(shutil.rmtree, folder, True))


@functools.cache
def _bokeh_js() -> str:
    from crowd.views.report import bokeh_inline_js

    return bokeh_inline_js()


async def events_msgpack(request: Request) -> Response:
    denied = await _require_secret(request)
    if denied is not None:
        return denied
    code = _room_code(request)
    if isinstance(code, JSONResponse):
        return code
    path = _work_dir() / f"events-{secrets.token_hex(8)}.msgpack"
    try:
        await _in_child(request, True, "write_event_export", _db(request), code, str(path))
    except QueueFull:
        return _busy(request)
    return FileResponse(path, media_type="application/vnd.msgpack",
                        filename=f"crowd-{code}-events.msgpack",
                        headers={"Cache-Control": "no-store"},
                        background=BackgroundTask(path.unlink, missing_ok=True))


# ---------------------------------------------------------------- the replay


@dataclass(slots=True)
class PublicReplay:
    html: bytes
    last_id: int  # the log position it was built at
    built: float  # time.monotonic()


async def _replay_html(request: Request) -> bytes | Response:
    rooms = _rooms_for(request)
    if isinstance(rooms, JSONResponse):
        return rooms
    animator = await viewer(request)
    if isinstance(animator, JSONResponse):
        return animator
    db = _db(request)
    last = await asyncio.to_thread(_last_id, db)
    try:
        if animator:
            return await _animator_replay(request, db, rooms, last)
        return await _public_replay(request, db, rooms, last)
    except QueueFull as busy:
        return _busy(request, busy.retry_after)


async def _animator_replay(request: Request, db: str, rooms: list[str] | None,
                           last: int) -> bytes:
    activities = _activities(request)
    key = (db, tuple(rooms or ()), tuple(activities or ()), last)
    cached = _html_cache.get(key)
    if cached is None:
        cached = await _in_child(request, True, "build_replay", db, rooms, activities, False)
        _html_cache[key] = cached
        while len(_html_cache) > CACHE_SIZE:
            _html_cache.pop(next(iter(_html_cache)))
    return cached


async def _public_replay(request: Request, db: str, rooms: list[str] | None,
                         last: int) -> bytes:
    """Every revealed activity of the rooms, whatever the query asks: a query string
    must not buy a replay of its own. One build at a time per rooms, shared by every
    request that waits for it; reused while younger than `public_replay_max_age_s`, and
    never built again sooner, even once it left the cache (then 503, Retry-After)."""
    key = (db, tuple(rooms or ()))
    max_age = _hub(request).settings.public_replay_max_age_s
    now = time.monotonic()
    entry = _public_cache.get(key)
    if entry is not None and (entry.last_id >= last or now - entry.built < max_age):
        _public_cache.move_to_end(key)
        return entry.html
    building = _public_building.get(key)
    built = _public_built.get(key)
    if building is None and built is not None and now - built < max_age:
        raise TooSoon(max_age - (now - built))
    if building is None:
        building = asyncio.ensure_future(_build_public(request, key, db, rooms, last))
        _public_building[key] = building
        building.add_done_callback(lambda done: _forget_build(key, done))
    return await asyncio.shield(building)


def _forget_build(key: tuple[Any, ...], done: asyncio.Future[bytes]) -> None:
    _public_building.pop(key, None)
    if not done.cancelled():
        done.exception()  # retrieved, even when every request that waited went away


async def _build_public(request: Request, key: tuple[Any, ...], db: str,
                        rooms: list[str] | None, last: int) -> bytes:
    page: bytes = await _in_child(request, False, "build_replay", db, rooms, None, True)
    now = time.monotonic()
    max_age = _hub(request).settings.public_replay_max_age_s
    for old in [k for k, at in _public_built.items() if now - at >= max_age]:
        del _public_built[old]  # only the recent builds matter
    _public_built[key] = now
    _public_cache[key] = PublicReplay(page, last, now)
    _public_cache.move_to_end(key)
    while len(_public_cache) > 1 and (
            len(_public_cache) > PUBLIC_CACHE_SIZE
            or sum(len(e.html) for e in _public_cache.values()) > PUBLIC_CACHE_BYTES):
        _public_cache.popitem(last=False)
    return page


async def replay_page(request: Request) -> Response:
    page = await _replay_html(request)
    if isinstance(page, Response):
        return page
    return HTMLResponse(page, headers={"Cache-Control": "no-store",
                                       "Content-Security-Policy": REPLAY_CSP})


async def timelapse_download(request: Request) -> Response:
    page = await _replay_html(request)
    if isinstance(page, Response):
        return page
    name = normalize_code(request.path_params["code"]).lower()
    return _download(page, "text/html; charset=utf-8", f"crowd-{name}-timelapse.html")


# ---------------------------------------------------------------- video jobs


@dataclass(slots=True)
class VideoJob:
    id: str
    room: str
    fmt: str
    dir: Path
    of: str = "replay"  # or "film": the closing film
    status: str = "building"  # building -> rendering -> done | failed
    done: int = 0
    total: int = 0
    error: str | None = None
    started: float = field(default_factory=time.time)
    finished: float | None = None
    proc: asyncio.subprocess.Process | None = None
    task: asyncio.Task[None] | None = None

    @property
    def file(self) -> Path:
        what = "film" if self.of == "film" else "timelapse"
        return self.dir / f"crowd-{self.room.lower()}-{what}.{self.fmt}"

    def describe(self) -> dict[str, Any]:
        return {"id": self.id, "room": self.room, "format": self.fmt, "of": self.of,
                "name": self.file.name, "status": self.status,
                "done": self.done, "total": self.total,
                "progress": round(self.done / self.total, 3) if self.total else 0.0,
                "error": self.error, "file": f"/api/video-jobs/{self.id}/file"
                if self.status == "done" else None}

    def kill(self) -> None:
        """Stop our renderer (also from atexit, when the event loop may be gone)."""
        if self.proc is not None and self.proc.returncode is None:
            lifeline.kill_now(self.proc.pid)


async def _run_job(job: VideoJob, db: str, rooms: list[str] | None,
                   activities: list[str] | None, seconds: float | None, limit: int,
                   film: bool = False) -> None:
    try:
        try:
            built = ("build_film", db, rooms, False) if film else (
                "build_replay", db, rooms, activities, False)
            html = await export_queue().run(True, limit, *built)
        except QueueFull:
            raise RuntimeError("the server is busy with other exports: try again") from None
        page = job.dir / "replay.html"
        page.write_bytes(html)
        job.status = "rendering"
        # bound to the server: the renderer (and its Chromium, its ffmpeg) ends with it
        command = lifeline.command("crowd.server.video", str(page), str(job.file))
        if seconds:
            command += ["--seconds", str(seconds)]
        job.proc = await asyncio.create_subprocess_exec(
            *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        assert job.proc.stdout is not None and job.proc.stderr is not None
        stderr_task = asyncio.ensure_future(job.proc.stderr.read())
        async for line in job.proc.stdout:
            with contextlib.suppress(ValueError):
                news = json.loads(line)
                job.done = int(news.get("done", job.done))
                job.total = int(news.get("total", job.total))
                job.error = news.get("error", job.error)
        code = await job.proc.wait()
        stderr = (await stderr_task).decode(errors="replace").strip()
        if code != 0 or not job.file.is_file():
            job.status = "failed"
            job.error = job.error or (stderr.splitlines() or [f"renderer exited with {code}"])[-1]
        else:
            job.status = "done"
    except Exception as exc:  # the job reports it; the server carries on
        log.exception("video job %s failed", job.id)
        job.status, job.error = "failed", str(exc) or type(exc).__name__
    finally:
        job.finished = time.time()
        page = job.dir / "replay.html"
        page.unlink(missing_ok=True)


def _forget_old_jobs() -> None:
    finished = sorted((j for j in _jobs.values() if j.finished is not None),
                      key=lambda j: j.finished or 0.0)
    for job in finished[:-KEEP_JOBS] if len(finished) > KEEP_JOBS else []:
        shutil.rmtree(job.dir, ignore_errors=True)
        _jobs.pop(job.id, None)


async def video_capabilities(request: Request) -> Response:
    """What the panel needs to offer (or explain) the video buttons."""
    from crowd.server import video

    return JSONResponse({fmt: {"available": not video.missing(fmt),
                               "missing": video.missing(fmt)} for fmt in video.FORMATS})


async def video_start(request: Request) -> Response:
    from crowd.server import video

    denied = await _require_secret(request)
    if denied is not None:
        return denied
    rooms = _rooms_for(request)
    if isinstance(rooms, JSONResponse):
        return rooms
    fmt = request.query_params.get("format", "mp4").lower()
    if fmt not in video.FORMATS:
        return _error(400, "bad_format", f"format must be one of {', '.join(video.FORMATS)}")
    lacks = video.missing(fmt)
    if lacks:
        return _error(503, "video_unavailable",
                      "this machine cannot render videos: missing " + "; ".join(lacks))
    try:
        seconds = float(request.query_params.get("seconds", 0)) or None
    except ValueError:
        return _error(400, "bad_seconds", "seconds must be a number")
    if seconds is not None and not 1 <= seconds <= 600:
        return _error(400, "bad_seconds", "seconds must be between 1 and 600")
    film = request.query_params.get("of") == "film"  # the closing film, not the replay
    busy = [j for j in _jobs.values() if j.status in {"building", "rendering"}]
    if busy:
        return JSONResponse({"code": "busy", "message": "a video is already being made",
                             "job": busy[0].describe()}, status_code=409)
    _forget_old_jobs()
    job_id = secrets.token_urlsafe(9)
    label = ALL_ROOMS if rooms is None else rooms[0]
    job_dir = _work_dir() / f"video-{job_id}"
    job_dir.mkdir()
    job = VideoJob(job_id, label, fmt, job_dir, of="film" if film else "replay")
    _jobs[job_id] = job
    job.task = asyncio.create_task(_run_job(
        job, _db(request), rooms, _activities(request), seconds,
        _hub(request).settings.export_queue_animator, film), name=f"video-{job_id}")
    return JSONResponse(job.describe(), status_code=202)


async def video_job(request: Request) -> Response:
    denied = await _require_secret(request)
    if denied is not None:
        return denied
    job = _jobs.get(request.path_params["job"])
    if job is None:
        return _error(404, "unknown_job", "no such video job (or it was cleaned up)")
    if (refused := room_refusal(request, job.room)) is not None:
        return refused
    return JSONResponse(job.describe(), headers={"Cache-Control": "no-store"})


async def video_file(request: Request) -> Response:
    denied = await _require_secret(request)
    if denied is not None:
        return denied
    job = _jobs.get(request.path_params["job"])
    if job is None:
        return _error(404, "unknown_job", "no such video job (or it was cleaned up)")
    if (refused := room_refusal(request, job.room)) is not None:
        return refused
    if job.status != "done":
        return _error(409, "not_ready", f"the video is {job.status}")
    media = "video/mp4" if job.fmt == "mp4" else "image/gif"
    return FileResponse(job.file, media_type=media, filename=job.file.name)


async def link_create(request: Request) -> Response:
    """A signed link, valid a minute, to one animator page or download: for a new tab,
    where the panel cannot put the secret in a header. Body: {"path": "/replay/CODE"}."""
    if request.headers.get("x-crowd-secret") is None:
        return _error(401, "secret_required", "send the animator secret in the "
                      "X-Crowd-Secret header")
    denied = await _require_secret(request)
    if denied is not None:
        return denied
    try:
        path = str((await request.json())["path"])
    except (ValueError, KeyError, TypeError):
        return _error(400, "bad_path", 'send {"path": "/replay/CODE"}')
    if (not path.startswith(LINKABLE) or any(c in path for c in "?#\\")
            or "/../" in path or len(path) > 200):
        return _error(400, "bad_path", "links open replay, export and video paths only")
    if (refused := room_refusal(request, path_room(path) or ALL_ROOMS)) is not None:
        return refused
    token = links(request).sign(path, time.time())
    return JSONResponse({"url": f"{path}?{LINK_PARAM}={token}",
                         "expires": int(token.partition(".")[0])},
                        headers={"Cache-Control": "no-store"})


def routes() -> list[Route]:
    return [
        Route("/api/links", link_create, methods=["POST"]),
        Route("/api/rooms/{code}/export/results.csv", results_csv),
        Route("/api/rooms/{code}/export/results.xlsx", results_xlsx),
        Route("/api/rooms/{code}/report", report),
        Route("/api/rooms/{code}/report.pdf", report_pdf),
        Route("/api/rooms/{code}/export/results.json", results_json),
        Route("/api/rooms/{code}/export/events.msgpack", events_msgpack),
        Route("/api/rooms/{code}/export/summary", summary),
        Route("/api/rooms/{code}/timelapse.html", timelapse_download),
        Route("/replay/{code}", replay_page),
        Route("/api/video", video_capabilities),
        Route("/api/rooms/{code}/video", video_start, methods=["POST"]),
        Route("/api/video-jobs/{job}", video_job),
        Route("/api/video-jobs/{job}/file", video_file),
    ]
