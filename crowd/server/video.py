"""The timelapse or the closing film as a video (MP4) or an animated GIF, by headless Chromium.

The standalone replay (or film) file is opened from disk in Debian's Chromium through
Playwright; for each frame the page seeks its own player (`crowdReplay.seek` or
`crowdFilm.seek`, which wait for the charts to repaint) and Chromium takes a screenshot.
A replay's video lasts a fixed time (60 s by default); a film's lasts the film, title
cards and finale included, unless a length is asked for. `imageio-ffmpeg` (whose wheel ships an
ffmpeg binary) encodes the MP4; Pillow, already a Bokeh dependency, writes the GIF.

`missing(fmt)` says in words what this machine lacks, so callers can refuse clearly and
everything else keeps working. Run as `python -m crowd.server.video REPLAY.html OUT.mp4`, it
prints one JSON line per progress step (the server's background jobs read them).
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHROMIUM_PATHS = (
    "/usr/bin/chromium", "/usr/bin/chromium-browser",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    r"C:\Program Files\Google\Chrome\Application\chrome.exe",
    r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe",
)
FORMATS = ("mp4", "gif")
#: The page is ready: a replay file or a closing film (`crowd.views.film_page`).
READY = ("(window.crowdReplay && window.crowdReplay.ready)"
         " || (window.crowdFilm && window.crowdFilm.ready)")
MAX_FILM_FRAMES = 12 * 600  # a film's video: at most 10 minutes at 12 frames a second


@dataclass(frozen=True, slots=True)
class VideoOptions:
    """Frame count and size: MP4 for screens, a short light GIF for messaging apps."""

    fps: int
    seconds: float
    width: int
    height: int

    @property
    def frames(self) -> int:
        return max(2, round(self.fps * self.seconds))


DEFAULTS = {"mp4": VideoOptions(fps=12, seconds=60.0, width=1280, height=720),
            "gif": VideoOptions(fps=5, seconds=20.0, width=800, height=450)}


def chromium_path() -> str | None:
    for path in CHROMIUM_PATHS:
        if Path(path).exists():
            return path
    return next((found for name in ("chromium", "chromium-browser", "google-chrome", "chrome")
                 if (found := shutil.which(name))), None)


def missing(fmt: str) -> list[str]:
    """What this machine lacks to render `fmt`, in words (empty: it can)."""
    lacks = []
    if chromium_path() is None:
        lacks.append("Chromium (/usr/bin/chromium): install Debian's package "
                     "`apt-get install chromium`")
    try:
        import playwright  # noqa: F401
    except ImportError:
        lacks.append("the Python package playwright: `pip install playwright`")
    if fmt == "mp4":
        try:
            import imageio_ffmpeg  # noqa: F401
        except ImportError:
            lacks.append("the Python package imageio-ffmpeg (ships ffmpeg): "
                         "`pip install imageio-ffmpeg` or `pip install 'crowd[video]'`")
    if fmt not in FORMATS:
        lacks.append(f"a known format ({', '.join(FORMATS)}), not {fmt!r}")
    return lacks


class VideoUnavailable(RuntimeError):
    """This machine cannot render videos; the message says what to install."""


def render(html_path: str | Path, out_path: str | Path, *, fmt: str | None = None,
           options: VideoOptions | None = None,
           progress: Callable[[int, int], None] | None = None) -> Path:
    """Render the replay file to `out_path` (format from `fmt` or the file's suffix)."""
    out = Path(out_path)
    fmt = (fmt or out.suffix.lstrip(".")).lower()
    lacks = missing(fmt)
    if lacks:
        raise VideoUnavailable("video export needs " + "; ".join(lacks))
    opts = options or DEFAULTS[fmt]
    from playwright.sync_api import sync_playwright

    url = Path(html_path).resolve().as_uri()
    total = 0
    images: list[Any] = []
    writer = None
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium_path())
            try:
                page = browser.new_page(viewport={"width": opts.width, "height": opts.height})
                page.goto(url)
                page.wait_for_function(READY, timeout=60_000)
                player = "crowdFilm" if page.evaluate("!!window.crowdFilm") else "crowdReplay"
                if player == "crowdReplay":
                    page.evaluate("crowdReplay.videoMode()")
                    duration = float(page.evaluate("crowdReplay.data.duration"))
                else:
                    duration = float(page.evaluate("crowdFilm.length"))
                total = _frames(opts, fmt, duration if player == "crowdFilm" else None)
                if fmt == "mp4":
                    writer = _mp4_writer(out, opts)
                for i in range(total):
                    page.evaluate(f"p => {player}.seek(p)", duration * i / (total - 1))
                    png = page.screenshot(type="png")
                    if writer is not None:
                        writer.send(_rgb_bytes(png, opts))
                    else:
                        images.append(_gif_frame(png))
                    if progress is not None:
                        progress(i + 1, total)
            finally:
                browser.close()
        if writer is not None:
            writer.close()
            writer = None
        else:
            _save_gif(images, out, opts)
    finally:
        if writer is not None:
            writer.close()
    return out


def _frames(opts: VideoOptions, fmt: str, film_seconds: float | None) -> int:
    """Frames to take: as asked; else a film in real time (its own length, capped), a
    replay in the format's default length."""
    if opts.seconds > 0:
        return opts.frames
    if film_seconds is not None:
        return max(2, min(MAX_FILM_FRAMES, round(film_seconds * opts.fps)))
    return VideoOptions(opts.fps, DEFAULTS[fmt].seconds, opts.width, opts.height).frames


def _mp4_writer(out: Path, opts: VideoOptions) -> Any:
    import imageio_ffmpeg

    writer = imageio_ffmpeg.write_frames(
        str(out), (opts.width, opts.height), fps=opts.fps, codec="libx264",
        pix_fmt_in="rgb24", pix_fmt_out="yuv420p", quality=7, macro_block_size=8,
        output_params=["-movflags", "+faststart"])
    writer.send(None)  # start the generator (and ffmpeg)
    return writer


def _rgb_bytes(png: bytes, opts: VideoOptions) -> bytes:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as img:
        rgb = img.convert("RGB")
        if rgb.size != (opts.width, opts.height):
            rgb = rgb.resize((opts.width, opts.height))
        return rgb.tobytes()


def _gif_frame(png: bytes) -> Any:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as img:
        # An adaptive palette per frame: the charts have few colours, the GIF stays small.
        return img.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT)


def _save_gif(images: list[Any], out: Path, opts: VideoOptions) -> None:
    if not images:
        raise ValueError("no frame to write")
    hold = [round(1000 / opts.fps)] * len(images)
    hold[-1] = 3000  # linger on the final results before looping
    images[0].save(out, save_all=True, append_images=images[1:], duration=hold, loop=0,
                   optimize=True, disposal=1)


# ---------------------------------------------------------------- child process entry


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crowd.server.video", description=__doc__)
    parser.add_argument("html", type=Path, help="a standalone replay file")
    parser.add_argument("out", type=Path, help="output .mp4 or .gif")
    parser.add_argument("--fps", type=int, default=None)
    parser.add_argument("--seconds", type=float, default=None,
                        help="video length (default: a film's own, 60 s for a replay)")
    args = parser.parse_args(argv)
    fmt = args.out.suffix.lstrip(".").lower()
    base = DEFAULTS.get(fmt, DEFAULTS["mp4"])
    opts = VideoOptions(fps=args.fps or base.fps, seconds=args.seconds or 0.0,
                        width=base.width, height=base.height)  # 0: the page's own length

    def report(done: int, total: int) -> None:
        print(json.dumps({"done": done, "total": total}), flush=True)

    try:
        render(args.html, args.out, fmt=fmt, options=opts, progress=report)
    except VideoUnavailable as exc:
        print(json.dumps({"error": str(exc)}), flush=True)
        return 3
    print(json.dumps({"file": str(args.out), "bytes": args.out.stat().st_size}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
