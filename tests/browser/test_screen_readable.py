"""The projector read from the back of the hall, measured on what Chromium rendered.

Twenty options of 120 characters on a 1280x720 beamer and a 1920x1080 screen: every
label and figure is inside the stage and the viewport, none overlaps another, none is
cut, labels and figures are at least 24 px, secondary text at least 18 px; the page
says whether voting is open, what to do when nobody answered yet, and numbers and
plurals are French. An unknown room shows neither a code nor an empty QR code.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from crowd.clients import Panel, Phone
from tests.browser.support import BARS_TOTAL, CHROMIUM, LAID_OUT, open_tab

playwright_api = pytest.importorskip("playwright.async_api")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]

SIZES = [{"width": 1280, "height": 720}, {"width": 1920, "height": 1080}]

# Fonts loaded and two frames painted since: what is measured next is what stays.

def long_option(i: int) -> str:
    base = (f"Proposition {i} : créer une coopérative d'habitants avec jardin partagé, "
            f"atelier de réparation, cantine solidaire et salle commune ouverte à tous")
    return (base + " et encore des détails")[:120]


# What the browser drew for the bars of the page shown: boxes, sizes, cut text.
MEASURE = """() => {
    const stage = document.querySelector("#chart").getBoundingClientRect();
    const boxes = [];
    for (const row of document.querySelectorAll(".board-row:not(.board-off)")) {
        for (const part of row.querySelectorAll(".board-label, .board-figure")) {
            const r = part.getBoundingClientRect();
            const range = document.createRange();
            range.selectNodeContents(part);
            const ink = range.getBoundingClientRect();  // the text itself, wrapped
            boxes.push({
                kind: part.className, text: part.textContent,
                x: ink.left, y: ink.top, right: ink.right, bottom: ink.bottom,
                font: parseFloat(getComputedStyle(part).fontSize),
                cut: part.scrollWidth > part.clientWidth + 1 || ink.right > r.right + 1,
            });
        }
        const fill = row.querySelector(".board-fill").getBoundingClientRect();
        boxes.push({kind: "fill", text: "", x: fill.left, y: fill.top, right: fill.right,
                    bottom: fill.bottom, font: 99, cut: false});
    }
    return {stage: {x: stage.left, y: stage.top, right: stage.right, bottom: stage.bottom},
            viewport: {w: innerWidth, h: innerHeight}, boxes: boxes,
            pager: document.querySelector(".board-pager").textContent};
}"""

SECONDARY = """() => Array.from(document.querySelectorAll(
    ".stage-meta span:not(.hidden), .side-url, .side-devices, .board-pager:not(.hidden)"))
    .filter((el) => el.getClientRects().length)
    .map((el) => [el.className, parseFloat(getComputedStyle(el).fontSize)])"""


def overlaps(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return (min(a["right"], b["right"]) - max(a["x"], b["x"]) > 1
            and min(a["bottom"], b["bottom"]) - max(a["y"], b["y"]) > 1)


async def test_twenty_long_options_are_readable_at_both_projector_sizes(
    browser: Any, server: Any
) -> None:
    options = [long_option(i) for i in range(1, 21)]
    assert all(len(o) == 120 for o in options)
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Assemblée générale")
        act = await panel.add_activity(code, kind="choice", prompt="Quel projet d'abord ?",
                                       options=options)
        await panel.open(act)
        await panel.project(act, room=code)

        screen = await open_tab(browser, f"{server.url}/screen/{code}", SIZES[0])
        page = screen.page
        await page.wait_for_function(BARS_TOTAL, arg=[act, 0])
        # nobody answered yet: open, and what to do
        assert await page.locator("#closed").inner_text() == "Vote ouvert"
        cta = await page.locator("#cta").inner_text()
        assert "Répondez sur votre téléphone" in cta and code in cta
        assert await page.locator("#answers").inner_text() == "0 réponse"

        for i in range(3):  # votes on options 1, 2, 3 (option 20 keeps 0)
            async with Phone.connect(server.url, code) as voter:
                await voter.respond(act, i)
        await page.wait_for_function(BARS_TOTAL, arg=[act, 3])
        assert await page.locator("#answers").inner_text() == "3 réponses"
        assert await page.locator("#cta").is_hidden()

        for size in SIZES:
            await page.set_viewport_size(size)
            await page.wait_for_function("() => window.crowdScreen.board.pages() >= 1")
            await page.evaluate(LAID_OUT)  # the bundled fonts are in, the bars laid out
            await page.evaluate("() => window.crowdScreen.board.turn(0)")
            pages = await page.evaluate("() => window.crowdScreen.board.pages()")
            seen: list[str] = []
            for p in range(pages):
                await page.evaluate(f"() => window.crowdScreen.board.turn({p})")
                drawn = await page.evaluate(MEASURE)
                stage, boxes = drawn["stage"], drawn["boxes"]
                assert boxes, f"page {p + 1} at {size} shows no bars"
                for box in boxes:
                    where = f"{box['kind']} {box['text'][:30]!r} at {size}"
                    assert not box["cut"], f"cut: {where}"
                    inside_x = stage["x"] - 1 <= box["x"] and box["right"] <= stage["right"] + 1
                    inside_y = stage["y"] - 1 <= box["y"] and box["bottom"] <= stage["bottom"] + 1
                    assert inside_x and inside_y, f"outside the stage: {where} {box} {stage}"
                    assert box["right"] <= size["width"] and box["bottom"] <= size["height"], where
                    assert box["font"] >= 24, f"{where}: {box['font']} px"
                for i, a in enumerate(boxes):
                    for b in boxes[i + 1:]:
                        assert not overlaps(a, b), f"{a['text'][:30]!r} over {b['text'][:30]!r}"
                seen += [b["text"] for b in boxes if b["kind"] == "board-label"]
                figures = [b["text"] for b in boxes if b["kind"] == "board-figure"]
                # French figures: a vote and its share, no fraction of a vote, no "(s)"
                assert all("(s)" not in f for f in figures)
                if p == 0:
                    assert figures[0] == "1 voix · 33\u202f%"
                    assert pages == 1 or drawn["pager"] == f"1 / {pages}"
            assert sorted(seen) == sorted(options), f"not every option shown at {size}"
            small = await page.evaluate(SECONDARY)
            assert all(px >= 18 for _, px in small), small
        # no whiskers, nothing drawn beyond the figures: a 0-vote option is a bare bar
        await page.evaluate("() => window.crowdScreen.board.turn(0)")
        assert await page.locator(".board-row").count() == 20

        await panel.close(act)
        await page.wait_for_selector('#closed[data-state="closed"]')
        assert await page.locator("#closed").inner_text() == "Vote clos"
    await screen.close()


async def test_an_unknown_room_shows_no_code_and_no_qr(browser: Any, server: Any) -> None:
    screen = await open_tab(browser, f"{server.url}/screen/ZZZZ", SIZES[0])
    page = screen.page
    await page.wait_for_selector("#join-title:has-text('Salle introuvable')")
    assert await page.locator("#join-body").is_hidden()
    assert await page.locator("#join-problem").is_visible()
    assert "ZZZZ" not in await page.locator("body").inner_text()
    assert await page.locator("#join-qr svg").count() == 0
    await screen.close()


CLOUD = """() => {
    const stage = document.querySelector("#chart").getBoundingClientRect();
    return {stage: {x: stage.left, y: stage.top, right: stage.right, bottom: stage.bottom},
            words: Array.from(document.querySelectorAll(".cloud-word")).map((el) => {
                const r = el.getBoundingClientRect();
                return {text: el.textContent, count: Number(el.dataset.count),
                        x: r.left, y: r.top, right: r.right, bottom: r.bottom,
                        font: parseFloat(getComputedStyle(el).fontSize),
                        turned: getComputedStyle(el).transform !== "none"};
            })};
}"""


async def test_the_word_cloud_sizes_words_by_count_without_overlap(
    browser: Any, server: Any
) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Mots")
        act = await panel.add_activity(code, kind="words", prompt="Un mot pour demain ?",
                                       max_words=3)
        await panel.open(act)
        await panel.project(act, room=code)
        # one word in three spellings from everyone, and words said less and less often
        spellings = ["Coopérative", "cooperative", "coopérative 🌱"]
        others = [f"mot{i}" for i in range(16)]
        for i in range(12):
            answer = [spellings[i % 3], others[i % 16], others[(i * 5 + 3) % 16]]
            async with Phone.connect(server.url, code) as voter:
                await voter.respond(act, answer)
        screen = await open_tab(browser, f"{server.url}/screen/{code}", SIZES[0])
        page = screen.page
        await page.wait_for_function(
            "() => document.querySelectorAll('.cloud-word').length >= 10")
        for size in SIZES:
            await page.set_viewport_size(size)
            await page.wait_for_function(
                f"() => document.querySelector('.cloud').clientWidth > {size['width'] // 2}")
            await page.evaluate(LAID_OUT)  # the bundled fonts are in, the words placed
            drawn = await page.evaluate(CLOUD)
            stage, words = drawn["stage"], drawn["words"]
            texts = [w["text"] for w in words]
            # the three spellings are one word, said 12 times, in the biggest type
            assert sum("oop" in t for t in texts) == 1
            top = max(words, key=lambda w: w["font"])
            assert "oop" in top["text"] and top["count"] == 12
            for w in words:
                assert w["font"] >= 24 and not w["turned"], w
                assert stage["x"] - 1 <= w["x"] and w["right"] <= stage["right"] + 1, w
                assert stage["y"] - 1 <= w["y"] and w["bottom"] <= stage["bottom"] + 1, w
            for i, a in enumerate(words):
                for b in words[i + 1:]:
                    assert not overlaps(a, b), (a["text"], b["text"])
                    if a["count"] > b["count"]:
                        assert a["font"] > b["font"], (a, b)
    await screen.close()


async def test_the_projector_draws_french_letters_and_emoji_with_bundled_fonts(
    browser: Any, server: Any
) -> None:
    """This machine has no emoji font: the word cloud's emoji must come from the font the
    server bundles (Chromium says which font drew each node's glyphs), and so must the
    French letters; both load from this server and are kept for a year."""
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Polices")
        act = await panel.add_activity(code, kind="words", prompt="Un emoji ?")
        await panel.open(act)
        await panel.project(act, room=code)
        async with Phone.connect(server.url, code) as voter:
            await voter.respond(act, ["🌱", "Élan"])
    screen = await open_tab(browser, None, SIZES[0])
    fonts: list[Any] = []
    screen.page.on("response", lambda r: fonts.append(r) if "/fonts/" in r.url else None)
    await screen.page.goto(f"{server.url}/screen/{code}")
    await screen.page.wait_for_function(
        "() => document.querySelectorAll('.cloud-word').length === 2")
    await screen.page.evaluate("() => document.fonts.ready.then(() => true)")
    cdp = await screen.context.new_cdp_session(screen.page)
    await cdp.send("DOM.enable")
    await cdp.send("CSS.enable")
    root = (await cdp.send("DOM.getDocument", {"depth": -1}))["root"]["nodeId"]
    drawn: dict[str, set[str]] = {}
    for word in ("🌱", "Élan"):
        node = (await cdp.send("DOM.querySelector", {
            "nodeId": root, "selector": f".cloud-word[data-word='{word}']"}))["nodeId"]
        used = (await cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node}))["fonts"]
        drawn[word] = {f["familyName"] for f in used if f["isCustomFont"]}
    assert drawn["🌱"] == {"Noto Emoji"}, drawn
    assert drawn["Élan"] == {"Noto Sans"}, drawn
    assert fonts and all(r.status == 200 and r.url.startswith(server.url) for r in fonts)
    for response in fonts:
        assert "immutable" in (await response.all_headers())["cache-control"]
    await screen.close()
