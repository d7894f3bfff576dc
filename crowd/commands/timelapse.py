"""Build the closing timelapse of rooms (or of the whole event) from the SQLite event log.

    crowd timelapse --db crowd.db --room KXT4 -o closing.html
    crowd timelapse --db crowd.db -o festival.html --video festival.mp4
    crowd timelapse --db crowd.db --room KXT4 --film -o film.html --video film.mp4

Works on the live database and on a copy of it (SQLite WAL). The HTML file opens offline,
with no server; the video needs Chromium (and imageio-ffmpeg for MP4).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from crowd.core.events import Event
from crowd.core.types import normalize_code


class Progress:
    """One self-rewriting stderr line: long work must show it is alive."""

    def __init__(self, label: str, total: int | None = None, every_s: float = 0.2) -> None:
        self.label = label
        self.total = total
        self.every_s = every_s
        self._shown = 0.0
        self.started = time.perf_counter()

    def __call__(self, done: int, total: int | None = None) -> None:
        now = time.perf_counter()
        total = total if total is not None else self.total
        if now - self._shown < self.every_s and done != total:
            return
        self._shown = now
        of = f" / {total:,}" if total else ""
        pct = f" ({100 * done / total:.0f} %)" if total else ""
        sys.stderr.write(f"\r{self.label}: {done:,}{of}{pct}  {now - self.started:.1f} s   ")
        sys.stderr.flush()

    def done(self, message: str) -> None:
        sys.stderr.write(f"\r{self.label}: {message}{' ' * 20}\n")
        sys.stderr.flush()


def read_log(db: Path, rooms: list[str] | None, on_event: Callable[[Event], None],
             progress: Progress | None = None) -> int:
    """Stream the log's events (of `rooms`, or all) in log order into `on_event`.

    Reads the file read-only (the event log's own schema and decoding, no migration, no
    writer task): safe on the live database of a running server and on a copy.
    """
    from crowd.server.eventlog import count_events, iter_events_file

    if progress is not None:
        progress.total = count_events(db, rooms)
    count = 0
    for event in iter_events_file(db, rooms):
        on_event(event)
        count += 1
        if progress is not None and count % 10_000 == 0:
            progress(count)
    return count


def check_db(db: Path) -> str | None:
    if not db.is_file():
        return f"no database at {db}: give the file `crowd serve` writes (--db)"
    return None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter  # keep the examples
    parser.add_argument("--db", type=Path, default=Path("crowd.db"),
                        help="the SQLite event log (default crowd.db)")
    parser.add_argument("--room", action="append", default=None, metavar="CODE",
                        help="a room to replay (repeat for several; default: every room)")
    parser.add_argument("--activities", default=None, metavar="ID,...",
                        help="only these activities (default: all that were opened)")
    parser.add_argument("-o", "--output", type=Path, default=Path("timelapse.html"),
                        help="the standalone HTML file to write")
    parser.add_argument("--title", default=None, help="title shown on the replay")
    parser.add_argument("--public", action="store_true",
                        help="only the activities revealed to phones")
    parser.add_argument("--film", action="store_true",
                        help="the closing film (title cards, one activity at a time, the day "
                             "in numbers) instead of the replay")
    parser.add_argument("--video", type=Path, default=None, metavar="OUT.mp4|OUT.gif",
                        help="also render a video (needs Chromium)")
    parser.add_argument("--seconds", type=float, default=None,
                        help="video length in seconds (default: the film's own; a replay "
                             "60 for MP4, 20 for GIF)")


def run(args: argparse.Namespace) -> int:
    from crowd.views.replay_page import write_standalone
    from crowd.views.timelapse import TimelineBuilder

    problem = check_db(args.db)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    rooms = [normalize_code(r) for r in args.room] if args.room else None
    activities = [a.strip() for a in args.activities.split(",") if a.strip()] \
        if args.activities else None
    if args.video is not None:
        from crowd.server import video

        lacks = video.missing(args.video.suffix.lstrip(".").lower())
        if lacks:
            print("cannot make the video: missing " + "; ".join(lacks), file=sys.stderr)
            return 3
    if args.film and activities is not None:
        print("the film shows every activity of its rooms: drop --activities", file=sys.stderr)
        return 2
    started = time.perf_counter()
    if args.film:
        written = _write_film(args, rooms, started)
        if written:
            return written
        return _video(args)
    builder = TimelineBuilder(rooms, activities, only_revealed=args.public)
    progress = Progress("replaying the log")
    count = read_log(args.db, rooms, builder.feed, progress)
    progress.done(f"{count:,} events")
    timeline = builder.finish(args.title)
    if not timeline.tracks:
        print("nothing to replay: no activity of these rooms was ever opened", file=sys.stderr)
    size = write_standalone(timeline, args.output, args.title)
    print(f"{args.output}: {len(timeline.tracks)} activities, {size / 1e6:.1f} MB, "
          f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
    return _video(args)


def _write_film(args: argparse.Namespace, rooms: list[str] | None, started: float) -> int:
    """The closing film: the log read twice (what ended hidden, then the frames)."""
    from crowd.server.eventlog import iter_events_file
    from crowd.views.film import build_film
    from crowd.views.film_page import write_film

    film = build_film(lambda: iter_events_file(args.db, rooms), rooms,
                      only_revealed=args.public, title=args.title)
    if not film.scenes:
        print("nothing to film: no activity of these rooms was ever opened", file=sys.stderr)
    size = write_film(film, args.output, args.title)
    print(f"{args.output}: {len(film.scenes)} scenes, {film.seconds:.0f} s, "
          f"{size / 1e6:.1f} MB, {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


def _video(args: argparse.Namespace) -> int:
    if args.video is None:
        return 0
    from crowd.server import video

    fmt = args.video.suffix.lstrip(".").lower()
    base = video.DEFAULTS[fmt]
    # 0 s: the film's own length (a replay's is the format's default)
    seconds = args.seconds or (0.0 if args.film else base.seconds)
    options = video.VideoOptions(base.fps, seconds, base.width, base.height)
    frames = Progress(f"rendering {args.video.name}", options.frames if seconds else None)
    video.render(args.output, args.video, fmt=fmt, options=options, progress=frames)
    frames.done(f"{args.video} ({args.video.stat().st_size / 1e6:.1f} MB)")
    return 0
