"""An activity's chart as PNG and SVG, for slides and newsletters: linked from the report,
saved by the server's headless Chromium, real images of the right chart."""

from __future__ import annotations

import contextlib
import io
import os
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from crowd.clients import Panel, Phone
from crowd.views.charts import BAR
from tests.browser.support import CHROMIUM, open_tab

pytest.importorskip("playwright.async_api")
Image = pytest.importorskip("PIL.Image")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]
SVG = "{http://www.w3.org/2000/svg}"


def _texts(svg: bytes) -> list[str]:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return [t.text or "" for t in root.iter(f"{SVG}text")]


async def test_each_chart_as_png_and_svg_from_the_report(browser: Any, server: Any) -> None:
    async with Panel.connect(server.url, server.secret) as panel, \
            contextlib.AsyncExitStack() as stack:
        code = await panel.create_room("Images pour la lettre")
        poll = await panel.add_activity(code, "choice", "Quel goûter ?",
                                        options=["crêpes", "gaufres", "fruits"])
        mood = await panel.add_activity(code, "temperature", "Votre énergie ?")
        draft = await panel.add_activity(code, "choice", "Entre animateurs", options=["a", "b"])
        for act in (poll, mood, draft):
            await panel.open(act)
        for k in range(4):
            phone = await stack.enter_async_context(Phone.connect(server.url, code))
            await phone.respond(poll, [1, 1, 0, 1][k])
            await phone.respond(mood, [0.5, -0.2, 0.8, 0.1][k])
        for act in (poll, mood):
            await panel.close(act)
            await panel.reveal(act)
    tab = await open_tab(browser, f"{server.url}/api/rooms/{code}/report",
                         {"width": 1100, "height": 900})
    page = tab.page
    links = page.locator("section", has_text="Quel goûter").locator(".images a")
    assert await links.all_inner_texts() == ["PNG", "SVG"]
    png_url = await links.nth(0).evaluate("a => a.href")
    svg_url = await links.nth(1).evaluate("a => a.href")
    assert png_url == f"{server.url}/api/rooms/{code}/charts/{poll}.png"
    reply = await page.request.get(png_url, timeout=90_000)
    assert reply.ok and reply.headers["content-type"] == "image/png"
    png = await reply.body()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(png)) as image:
        assert image.width == 1280 and image.height >= 400
        colours = {c for _, c in image.convert("RGB").getcolors(1 << 20)}
    bar = tuple(int(BAR[i:i + 2], 16) for i in (1, 3, 5))
    assert bar in colours  # the projector's bars are drawn
    reply = await page.request.get(svg_url, timeout=90_000)
    assert reply.ok and reply.headers["content-type"].startswith("image/svg+xml")
    texts = _texts(await reply.body())
    assert {"crêpes", "gaufres", "fruits"} <= set(texts)  # the options of this chart
    assert any("75" in t for t in texts)  # 3 of 4 chose "gaufres"
    # a chart of two figures (the temperature's density and its dial) is one SVG
    reply = await page.request.get(f"{server.url}/api/rooms/{code}/charts/{mood}.svg",
                                   timeout=90_000)
    root = ET.fromstring(await reply.body())
    texts = _texts(await reply.body())
    assert len(root.findall(f"{SVG}svg")) >= 2 and "brûlant" in "".join(texts)
    # its axes' numbers the French way, as on the projector: "0,5", never "0.5"
    decimals = [t for t in texts if re.fullmatch(r"[-\u2212]?\d+[.,]\d+", t)]
    assert decimals and all("," in t for t in decimals), texts
    # an activity not revealed is not an image for the public; it is for the animator
    hidden = f"{server.url}/api/rooms/{code}/charts/{draft}.png"
    assert (await page.request.get(hidden)).status == 404
    reply = await page.request.get(hidden, headers={"X-Crowd-Secret": server.secret},
                                   timeout=90_000)
    assert reply.ok and (await reply.body()).startswith(b"\x89PNG")
    wrong = await page.request.get(f"{server.url}/api/rooms/{code}/charts/{poll}.gif")
    assert wrong.status == 404 and "ID.png" in (await wrong.json())["message"]
    await tab.close()
