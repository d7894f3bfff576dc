"""The standalone replay in headless Chromium, opened from disk with no server running."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from crowd.server import video
from crowd.views.replay_page import write_standalone
from crowd.views.timelapse import Timeline, build_timeline
from tests.browser.support import AXIS_NUMBERS
from tests.test_timelapse import scripted_day

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium"),
]
async_api = pytest.importorskip("playwright.async_api")

SOURCE = """([track, name]) => {
  const doc = Bokeh.documents[0]
  const slider = doc.get_model_by_name("crowd-scrubber")
  const panel = [...doc.all_models].find((m) => m.name === `panel-${track}`)
  const source = [...doc.all_models].find((m) => m.type === "ColumnDataSource" &&
      m.name === name && panel.references().has(m))
  const data = {}
  for (const [k, v] of Object.entries(source.data)) data[k] = Array.from(v)
  return {position: slider.value, data}
}"""


@pytest.fixture(scope="module")
def replay(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Timeline]:
    day = scripted_day(seed=5, phones=10, answers=25, pause_s=300)
    timeline = build_timeline(day.events)
    path = tmp_path_factory.mktemp("replay") / "closing.html"
    write_standalone(timeline, path)
    return path, timeline


@pytest.fixture
async def page() -> AsyncIterator[Any]:
    async with async_api.async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM))
        try:
            yield await browser.new_page(viewport={"width": 1280, "height": 900})
        finally:
            await browser.close()


async def test_standalone_file_plays_offline(page: Any, replay: tuple[Path, Timeline]) -> None:
    path, timeline = replay
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    await page.goto(path.as_uri())
    await page.wait_for_function("() => window.crowdReplay && window.crowdReplay.ready")
    assert await page.evaluate(AXIS_NUMBERS) == ["12\u202f000,0", "0,5"]  # the French way
    first = timeline.tracks[0]
    before = await page.evaluate(SOURCE, [first.id, "bars"])
    # it starts where the day started (the first frame), not on a screen of drafts
    assert before["position"] == pytest.approx(min(t.samples[0].p for t in timeline.tracks),
                                               abs=0.01)
    await page.evaluate("crowdReplay.settled()")
    # the fastest speed, chosen as a person would (the Select's model), then play
    await page.evaluate("""() => {
        Bokeh.documents[0].get_model_by_name("crowd-speed").value = "4" }""")
    await page.get_by_role("button", name="▶ Lecture").click()
    await page.wait_for_function(
        """([track, before]) => {
            const doc = Bokeh.documents[0]
            const panel = [...doc.all_models].find((m) => m.name === `panel-${track}`)
            const source = [...doc.all_models].find((m) => m.type === "ColumnDataSource" &&
                m.name === "bars" && panel.references().has(m))
            return JSON.stringify(Array.from(source.data.value)) !== JSON.stringify(before)
        }""", arg=[first.id, before["data"]["value"]], timeout=20_000)
    playing = await page.evaluate(SOURCE, [first.id, "bars"])
    assert playing["position"] > 0 and playing["data"]["value"] != before["data"]["value"]
    clock = await page.evaluate(
        "Bokeh.documents[0].get_model_by_name('crowd-clock').text")
    assert "clock" in clock
    await page.get_by_role("button", name="⏸ Pause").click()
    await page.wait_for_function(
        "() => !Bokeh.documents[0].get_model_by_name('crowd-play').active")
    paused = await page.evaluate("crowdReplay.position")
    await page.evaluate("crowdReplay.settled()")
    assert await page.evaluate("crowdReplay.position") == paused
    # the scrubber's end shows each activity's last frame
    await page.evaluate("p => crowdReplay.seek(p)", timeline.duration)
    for track in timeline.tracks:
        for name, columns in track.samples[-1].chart.items():
            shown = await page.evaluate(SOURCE, [track.id, name])
            for column, values in columns.items():
                expected = json.loads(json.dumps(values))
                got = shown["data"][column]
                if all(isinstance(v, int | float) for v in expected):
                    # floats travel with 6 significant digits: the same picture, a lighter file
                    assert got == pytest.approx(expected, rel=1e-5), (track.id, name, column)
                else:  # labels and texts travel as they are
                    assert got == expected, (track.id, name, column)
    assert all(url.startswith(("file:", "data:", "blob:")) for url in requests), requests
    assert not errors


async def test_the_replay_page_reads_at_1280x720(page: Any,
                                                 replay: tuple[Path, Timeline]) -> None:
    """French page, a labelled strip of when each activity was open, checkboxes that wrap
    inside the window, titles a room can read, no draft shown at the start."""
    path, timeline = replay
    await page.set_viewport_size({"width": 1280, "height": 720})
    await page.goto(path.as_uri())
    await page.wait_for_function("() => window.crowdReplay && window.crowdReplay.ready")
    await page.evaluate("crowdReplay.settled()")
    assert await page.evaluate("document.documentElement.lang") == "fr"
    strip = page.get_by_text("Quand chaque activité était ouverte")
    assert await strip.is_visible()
    labels = page.locator("label", has_text=timeline.tracks[-1].id)
    box = await labels.first.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 1280
    heads = page.locator(".head")
    assert await heads.count() >= 1
    sizes = await heads.evaluate_all(
        "hs => hs.filter(h => h.offsetParent).map(h => parseFloat(getComputedStyle(h).fontSize))")
    assert sizes and min(sizes) >= 24
    shown = await heads.evaluate_all("hs => hs.filter(h => h.offsetParent).map(h => h.textContent)")
    assert shown and not any("brouillon" in text for text in shown), shown


async def test_video_of_the_replay(replay: tuple[Path, Timeline], tmp_path: Path) -> None:
    """MP4 when imageio-ffmpeg is there, else GIF (the server's GIF jobs are tested too)."""
    path, _ = replay
    short = video.VideoOptions(fps=4, seconds=1.5, width=640, height=360)
    fmt = next((f for f in video.FORMATS if not video.missing(f)), None)
    if fmt is None:
        pytest.skip("video export needs " + "; ".join(video.missing("gif")))
    progress: list[tuple[int, int]] = []
    out = await asyncio.to_thread(
        video.render, path, tmp_path / f"closing.{fmt}", options=short,
        progress=lambda done, total: progress.append((done, total)))
    assert progress[-1] == (short.frames, short.frames)
    data = out.read_bytes()
    if fmt == "gif":
        from PIL import Image

        assert data[:6] == b"GIF89a"
        with Image.open(out) as gif:
            assert gif.n_frames == short.frames and gif.size == (640, 360)
    else:
        assert data[4:8] == b"ftyp" and len(data) > 1000
        probe = await asyncio.to_thread(_mp4_frames, out)
        assert probe == short.frames


def _mp4_frames(path: Path) -> int:
    import imageio_ffmpeg

    frames, _ = imageio_ffmpeg.count_frames_and_secs(str(path))
    return int(frames)


async def test_panel_renders_a_video_with_progress(page: Any, server: Any) -> None:
    """The panel page's "Timelapse et exports" block: a GIF rendered on the server."""
    if video.missing("gif"):
        pytest.skip("this machine cannot render videos: " + ", ".join(video.missing("gif")))
    from crowd.clients import Phone

    await page.set_viewport_size({"width": 1180, "height": 820})
    await page.goto(f"{server.url}/panel#secret={server.secret}")
    await page.fill("#room-title-input", "Clôture panel")
    await page.click("#room-form button[type=submit]")
    await page.wait_for_selector("#room-name:has-text('Clôture panel')")
    code = (await page.inner_text("#room-code")).strip()
    await page.fill("#add-prompt", "Encore ?")
    await page.fill("#add-options", "oui\nnon")
    await page.click("#add-form button[type=submit]")
    item = page.locator(".agenda-item", has_text="Encore ?")
    await item.get_by_role("button", name="Ouvrir").click()
    await page.wait_for_selector(".agenda-item[data-state='open']")
    async with Phone.connect(server.url, code) as phone:
        await phone.respond(phone.open_activities()[0]["id"], 0)
    gif = page.get_by_role("button", name="GIF")
    await gif.wait_for()
    await gif.click()
    done = page.locator("[data-export=video-file]")
    await done.wait_for(timeout=90_000)
    async with page.expect_download() as download:
        await done.click()
    path = await (await download.value).path()
    assert Path(path).read_bytes()[:6] == b"GIF89a"
