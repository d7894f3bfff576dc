"""The closing film as Chromium renders it at 1280x720: it plays by itself from a file,
title card then chart growing, text a hall can read, keys and controls, the finale's
figures equal to the room's counts, and no hidden answer anywhere."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

import pytest

from crowd.activities import activity_type
from crowd.clients import Panel, Phone
from crowd.views.film import Film, build_film
from crowd.views.film_page import FILM_MIN_PX, write_film
from tests.browser.support import AXIS_NUMBERS, CHROMIUM, SCREEN_VIEWPORT, open_tab
from tests.test_film import HIDDEN, festival_day

pytest.importorskip("playwright.async_api")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]

#: The smallest font size of any visible text, shadow roots included; and the texts and
#: boxes that leave the viewport.
RENDERED = """() => {
  const out = {min: 1e9, smallest: "", outside: [], texts: 0}
  const W = innerWidth, H = innerHeight
  function visit(root) {
    for (const el of root.querySelectorAll("*")) {
      if (el.shadowRoot) visit(el.shadowRoot)
      const style = getComputedStyle(el)
      if (style.display === "none" || style.visibility === "hidden") continue
      if (el.closest("[hidden]")) continue
      const own = [...el.childNodes].filter((n) => n.nodeType === 3 && n.textContent.trim())
      if (!own.length) continue
      const box = el.getBoundingClientRect()
      if (box.width === 0 || box.height === 0) continue
      out.texts += 1
      const size = parseFloat(style.fontSize)
      if (size < out.min) { out.min = size; out.smallest = el.textContent.slice(0, 40) }
      if (box.left < -1 || box.top < -1 || box.right > W + 1 || box.bottom > H + 1)
        out.outside.push(el.textContent.slice(0, 40))
    }
  }
  visit(document)
  for (const root of document.querySelectorAll("[data-root-id] > *")) {
    const box = root.getBoundingClientRect()
    if (box.width && (box.right > W + 1 || box.bottom > H + 1)) out.outside.push("chart")
  }
  return out
}"""

#: Font sizes set on the film's Bokeh models (canvas text has no computed style).
MODEL_FONTS = """() => {
  const props = ["major_label_text_font_size", "axis_label_text_font_size",
                 "text_font_size", "label_text_font_size", "title_text_font_size"]
  const sizes = []
  for (const model of Bokeh.documents[0].all_models) {
    for (const prop of props) {
      if (!(prop in model.properties)) continue
      const v = model[prop]
      const text = typeof v === "string" ? v : v && v.value
      if (typeof text === "string") sizes.push(parseFloat(text))
    }
  }
  return sizes
}"""

TOTAL = """(track) => {
  const doc = Bokeh.documents[0]
  const panel = doc.get_model_by_name(`panel-${track}`)
  const source = [...doc.all_models].find((m) => m.type === "ColumnDataSource" &&
      m.name === "bars" && panel.references().has(m))
  return Array.from(source.data.value).reduce((a, b) => a + b, 0)
}"""


@pytest.fixture(scope="module")
def film_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Film]:
    day = festival_day()
    film = build_film(lambda: iter(day.events))
    path = tmp_path_factory.mktemp("film") / "film.html"
    write_film(film, path)
    return path, film


async def test_the_film_plays_by_itself_from_a_file(browser: Any,
                                                     film_file: tuple[Path, Film]) -> None:
    path, film = film_file
    tab = await open_tab(browser, None, SCREEN_VIEWPORT)
    page = tab.page
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    await page.goto(path.as_uri() + "?speed=3")
    await page.wait_for_function("() => window.crowdFilm && window.crowdFilm.ready")
    assert await page.evaluate("document.documentElement.lang") == "fr"
    assert await page.evaluate(AXIS_NUMBERS) == ["12\u202f000,0", "0,5"]  # as on the projector
    first = film.timeline.tracks[film.scenes[0].tracks[0]]
    # a title card first, naming the activity and the time it opened
    assert await page.evaluate("crowdFilm.kind") == "card"
    card = page.locator("#card")
    assert await card.is_visible()
    assert first.activity["prompt"] in await card.inner_text()
    assert "Ouverte à" in await card.inner_text()
    rendered = await page.evaluate(RENDERED)
    assert rendered["min"] >= FILM_MIN_PX and not rendered["outside"], rendered
    # then, by itself, the chart, growing as the answers came
    await page.wait_for_function("() => crowdFilm.kind === 'scene'")
    assert not await card.is_visible()
    early = await page.evaluate(TOTAL, first.id)
    final = sum(first.samples[-1].chart["bars"]["value"])
    await page.wait_for_function(f"() => ({TOTAL})('{first.id}') > {early}")
    await page.wait_for_function(f"() => ({TOTAL})('{first.id}') === {final}", timeout=20_000)
    box = await page.locator("#stage [data-root-id] > *").bounding_box()
    assert box and box["height"] > 400 and box["width"] > 1000
    clock = await page.inner_text("#clock")
    assert len(clock) == 5 and clock[2] == ":"
    rendered = await page.evaluate(RENDERED)
    assert rendered["texts"] >= 3 and rendered["min"] >= FILM_MIN_PX, rendered
    assert not rendered["outside"], rendered
    assert min(await page.evaluate(MODEL_FONTS)) >= FILM_MIN_PX
    # it goes on to the next card by itself
    await page.wait_for_function("() => crowdFilm.chapter === 2", timeout=20_000)
    assert await card.is_visible()
    assert all(url.startswith(("file:", "data:", "blob:")) for url in requests), requests
    await tab.close()


async def test_keys_controls_and_the_finale(browser: Any, film_file: tuple[Path, Film]) -> None:
    path, film = film_file
    tab = await open_tab(browser, path.as_uri(), SCREEN_VIEWPORT)
    page = tab.page
    await page.wait_for_function("() => window.crowdFilm && window.crowdFilm.ready")
    controls = page.locator("#controls")
    opacity = "() => getComputedStyle(document.querySelector('#controls')).opacity"
    assert await page.evaluate(opacity) == "0"
    await page.mouse.move(400, 300)
    await page.mouse.move(420, 310)
    await page.wait_for_function(f"() => ({opacity})() === '1'")
    box = await controls.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 1280
    assert box["y"] + box["height"] <= 720
    await page.wait_for_function(f"() => ({opacity})() === '0'", timeout=8_000)  # hides by itself
    await page.keyboard.press("Space")
    assert await page.evaluate("crowdFilm.playing") is False
    await page.keyboard.press("Space")
    assert await page.evaluate("crowdFilm.playing") is True
    await page.keyboard.press("ArrowRight")
    assert await page.evaluate("[crowdFilm.chapter, crowdFilm.kind]") == [2, "card"]
    together = [film.timeline.tracks[k].activity["prompt"] for k in film.scenes[1].tracks]
    text = await page.locator("#card").text_content() or ""
    assert all(prompt in text for prompt in together) and "2 activités en même temps" in text
    # the two activities that ran together, side by side, inside the frame
    await page.evaluate("crowdFilm.go(3)")
    await page.evaluate("crowdFilm.settled()")
    rendered = await page.evaluate(RENDERED)
    assert rendered["min"] >= FILM_MIN_PX and not rendered["outside"], rendered
    shown = await page.evaluate(
        "Bokeh.documents[0].get_model_by_name('film-grid').children.length")
    assert shown == len(film.scenes[1].tracks) == 2
    await page.keyboard.press("ArrowLeft")
    await page.keyboard.press("ArrowLeft")
    assert await page.evaluate("crowdFilm.chapter") == 0
    await page.keyboard.press("f")
    assert await page.evaluate("crowdFilm.fullscreenAsked") == 1
    for _ in film.scenes:
        await page.keyboard.press("ArrowRight")
    assert await page.evaluate("crowdFilm.kind") == "finale"
    finale = page.locator("#finale")
    assert "La journée en chiffres" in await finale.inner_text()
    shown = {await tile.get_attribute("data-figure"): await tile.locator("b").inner_text()
             for tile in await finale.locator(".figure").all()}
    figures = film.figures
    assert shown == {"participants": str(figures["participants"]),
                     "answers": str(figures["answers"]),
                     "activities": str(figures["activities"]),
                     "calls": f"{figures['confirmed']}/{figures['quota']}"}
    assert "réponses" in await finale.inner_text() and "soleil" in await finale.inner_text()
    rendered = await page.evaluate(RENDERED)
    assert rendered["min"] >= FILM_MIN_PX and not rendered["outside"], rendered
    await page.mouse.move(500, 500)
    await page.get_by_role("button", name="English").click()
    assert await page.evaluate("document.documentElement.lang") == "en"
    assert "The day in numbers" in await finale.inner_text()
    assert "answers" in await finale.inner_text()
    await tab.close()


async def test_the_rooms_film_at_its_route(browser: Any, server: Any) -> None:
    """The film the server makes for the audience: revealed activities only, no hidden
    word, and a finale that counts what the room's results count."""
    async with Panel.connect(server.url, server.secret) as panel, \
            contextlib.AsyncExitStack() as stack:
        code = await panel.create_room("Clôture du festival")
        poll = await panel.add_activity(code, "choice", "On recommence l'an prochain ?",
                                        options=["oui", "non"])
        cloud = await panel.add_activity(code, "words", "Un mot pour finir")
        secret = await panel.add_activity(code, "choice", "Question des animateurs",
                                          options=["a", "b"])
        for act in (poll, cloud, secret):
            await panel.open(act)
        phones = [await stack.enter_async_context(Phone.connect(server.url, code))
                  for _ in range(5)]
        for k, phone in enumerate(phones):
            await phone.respond(poll, k % 2)
            await phone.respond(secret, 0)
            if k < 4:
                await phone.respond(cloud, [["merci", "bravo", HIDDEN, "merci"][k]])
        entry = activity_type("words").entries([HIDDEN])[0]
        await panel.conn.request("moderate", activity=cloud, entry=entry, action="hide")
        for act in (poll, cloud, secret):
            await panel.close(act)
        for act in (poll, cloud):
            await panel.reveal(act)
    tab = await open_tab(browser, None, SCREEN_VIEWPORT)
    page = tab.page
    await page.goto(f"{server.url}/film/{code}", timeout=90_000)  # built in the export child
    await page.wait_for_function("() => window.crowdFilm && window.crowdFilm.ready", timeout=60_000)
    content = await page.content()
    assert HIDDEN not in content and entry not in content
    assert "Question des animateurs" not in content
    await page.evaluate("crowdFilm.go(crowdFilm.chapters.length - 1)")
    results = await (await page.request.get(
        f"{server.url}/api/rooms/{code}/export/results.json")).json()
    counted = {tile: await page.locator(f"[data-figure={tile}] b").inner_text()
               for tile in ("participants", "answers", "activities")}
    assert counted == {"participants": "5",
                       "answers": str(sum(a["n"] for a in results["activities"])),
                       "activities": str(len(results["activities"]))}
    assert counted["answers"] == "9"
    reply = await page.request.get(f"{server.url}/api/rooms/{code}/film.html")
    assert reply.ok and "attachment" in reply.headers["content-disposition"]
    assert json.dumps(HIDDEN)[1:-1] not in (await reply.text())
    await tab.close()


async def test_video_of_the_film(film_file: tuple[Path, Film], tmp_path: Path) -> None:
    """The same film as a video, title cards to finale: MP4 when imageio-ffmpeg is
    there, else GIF."""
    import asyncio

    from crowd.server import video

    path, _ = film_file
    fmt = next((f for f in video.FORMATS if not video.missing(f)), None)
    if fmt is None:
        pytest.skip("video export needs " + "; ".join(video.missing("gif")))
    short = video.VideoOptions(fps=2, seconds=4, width=640, height=360)
    progress: list[tuple[int, int]] = []
    out = await asyncio.to_thread(
        video.render, path, tmp_path / f"film.{fmt}", options=short,
        progress=lambda done, total: progress.append((done, total)))
    assert progress[-1] == (short.frames, short.frames)
    frames = _frames(out, fmt)
    assert len(frames) == short.frames
    assert frames[0] != frames[-1]  # a title card first, the finale last


def _frames(path: Path, fmt: str) -> list[bytes]:
    if fmt == "gif":
        from PIL import Image, ImageSequence

        with Image.open(path) as gif:
            return [frame.convert("RGB").tobytes() for frame in ImageSequence.Iterator(gif)]
    import imageio_ffmpeg

    reader = imageio_ffmpeg.read_frames(str(path))
    next(reader)  # the stream's description
    return list(reader)


async def test_the_server_renders_the_film_as_a_video(browser: Any, server: Any) -> None:
    from crowd.server import video

    if video.missing("gif"):
        pytest.skip("this machine cannot render videos: " + ", ".join(video.missing("gif")))
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Film en vidéo")
        poll = await panel.add_activity(code, "choice", "Une vidéo ?", options=["oui", "non"])
        await panel.open(poll)
        async with Phone.connect(server.url, code) as phone:
            await phone.respond(poll, 0)
        await panel.close(poll)
    tab = await open_tab(browser, None, SCREEN_VIEWPORT)
    headers = {"X-Crowd-Secret": server.secret}
    reply = await tab.page.request.post(
        f"{server.url}/api/rooms/{code}/video?format=gif&of=film&seconds=2", headers=headers)
    assert reply.status == 202
    job = await reply.json()
    for _ in range(600):
        job = await (await tab.page.request.get(f"{server.url}/api/video-jobs/{job['id']}",
                                                headers=headers)).json()
        if job["status"] in ("done", "failed"):
            break
        await tab.page.wait_for_timeout(200)
    assert job["status"] == "done", job
    # named as the film it is, in the job and in the download
    assert job["of"] == "film" and job["name"] == f"crowd-{code.lower()}-film.gif"
    reply = await tab.page.request.get(f"{server.url}{job['file']}", headers=headers)
    assert job["name"] in reply.headers["content-disposition"]
    gif = await reply.body()
    assert gif[:6] == b"GIF89a"
    await tab.close()
