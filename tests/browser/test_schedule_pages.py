"""Scheduled votes in headless Chromium: the animator types the times the French way in
the panel's form, the projector counts down to the opening in big letters that push
nothing out of view, the vote opens by itself and the countdown turns to the close; a
phone with nothing to answer says when the next vote opens."""

from __future__ import annotations

import os
import re
import time
from typing import Any

import pytest

from crowd.clients import Panel
from tests.browser.support import CHROMIUM, SCREEN_VIEWPORT, open_tab

playwright_api = pytest.importorskip("playwright.async_api")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]


async def countdown(page: Any, pattern: str, timeout_ms: float = 10_000) -> str:
    """The projector's countdown once its text matches `pattern` (a JS regex)."""
    handle = await page.wait_for_function(
        "(p) => { const s = window.crowdScreen; return s && s.countdown && new RegExp(p)"
        ".test(s.countdown) && document.getElementById('countdown').textContent; }",
        arg=pattern, timeout=timeout_ms)
    return str(await handle.json_value())


async def test_the_projector_counts_down_to_a_scheduled_open_then_to_its_close(
        browser: Any, server: Any) -> None:
    opens = time.time() + 150.0  # "2 min 30 s"
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Plénière du soir")
        vote = await panel.add_activity(code, kind="choice", prompt="Un bal demain ?",
                                        options=["oui", "non"], open_at=opens,
                                        close_at=opens + 600)
    screen = await open_tab(browser, f"{server.url}/screen/{code}", SCREEN_VIEWPORT)
    page = screen.page
    text = await countdown(page, "^Le vote ouvre dans 2\u00a0min\u00a0[0-9]{2}\u00a0s$")
    seconds = int(re.search(r"min (\d+)", text.replace("\u00a0", " ")).group(1))
    assert seconds <= 30  # 150 s ahead: "2 min 30 s" at most
    box = await page.locator("#countdown").bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 720 / 3
    assert box["height"] >= 0.04 * 720  # read from the back of the room
    title = await page.locator("#join-title").bounding_box()
    assert title is not None and title["y"] >= box["y"] + box["height"]  # not hidden
    # it ticks: a later second shows a smaller count
    await countdown(page, f"^Le vote ouvre dans 2\u00a0min\u00a0(?!{seconds:02d})")
    await screen.close()

    # a vote that opens in a few seconds: it opens by itself and goes on the projector,
    # which showed only its join code, the countdown turns to its close, and the
    # question says "Vote ouvert"
    soon = time.time() + 12.0  # the page has time to load, even on a busy machine
    async with Panel.connect(server.url, server.secret) as panel:
        quick = await panel.add_activity(code, kind="choice", prompt="Maintenant ?",
                                         options=["oui", "non"], open_at=soon,
                                         close_at=soon + 90)
    screen = await open_tab(browser, f"{server.url}/screen/{code}", SCREEN_VIEWPORT)
    page = screen.page
    await countdown(page, "^Le vote ouvre dans (1[0-2]|[1-9])\u00a0s$")
    assert await page.locator("body").get_attribute("data-mode") == "join"
    await countdown(page, "^Le vote se ferme dans 1\u00a0min\u00a0[0-9]{2}\u00a0s$", 25_000)
    await page.wait_for_selector("#closed[data-state='open']:has-text('Vote ouvert')")
    prompt_text = await page.locator("#prompt").inner_text()
    assert prompt_text == "Maintenant\u202f?"  # French spacing: the "?" never alone on a line
    assert await page.locator("#countdown").get_attribute("data-activity") == quick
    prompt = await page.locator("#prompt").bounding_box()
    box = await page.locator("#countdown").bounding_box()
    assert prompt is not None and box is not None
    assert prompt["y"] >= box["y"] + box["height"]  # the question is not under it
    assert vote != quick
    await screen.close()


async def test_the_panel_form_takes_french_times_and_refuses_bad_ones(
        browser: Any, server: Any) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Atelier compost")
    tab = await open_tab(browser, f"{server.url}/panel#secret={server.secret}",
                         {"width": 1180, "height": 820})
    page = tab.page
    await page.get_by_role("button", name=code).click()
    await page.wait_for_selector(f"#room-code:has-text('{code}')")
    await page.fill("#add-prompt", "Bac ou tas ?")
    await page.fill("#add-options", "bac\ntas")
    await page.fill("#add-open-at", "dans 10 min")
    await page.fill("#add-close-at", "14 h 99")
    await page.locator("#add-form button[type=submit]").click()
    message = page.locator("#add-form .form-message")
    await message.filter(has_text="14 h 99").wait_for()
    assert await page.locator(".agenda-item").count() == 0  # nothing sent
    await page.fill("#add-close-at", "dans 40 min")
    await page.locator("#add-form button[type=submit]").click()
    item = page.locator(".agenda-item").filter(has_text="Bac ou tas ?")
    await item.locator(".agenda-schedule").wait_for()
    line = await item.locator(".agenda-schedule").inner_text()
    assert re.fullmatch(r"S'ouvre seul à \d{1,2} h( \d{2})? · Se ferme seul à \d{1,2} h( \d{2})?",
                        line.replace("\u00a0", " ")), line
    async with Panel.connect(server.url, server.secret) as panel:
        state = await panel.watch(code)
    spec = state["activities"][0]
    assert 9 * 60 <= spec["open_at"] - time.time() <= 10 * 60 + 5
    assert spec["close_at"] - spec["open_at"] == pytest.approx(30 * 60, abs=2)
    await tab.close()


async def test_a_phone_with_nothing_to_answer_says_when_the_next_vote_opens(
        browser: Any, server: Any) -> None:
    """The phone reads the room's schedule as the projector does: in its welcome, then
    live when the animator adds a sooner vote, and the next one once that opened."""
    later = time.time() + 150.0
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Atelier pain")
        await panel.add_activity(code, kind="choice", prompt="Levain ou levure ?",
                                 options=["levain", "levure"], open_at=later)
        phone = await open_tab(browser, f"{server.url}/r/{code}")
        line = phone.page.locator("#upcoming")
        await phone.page.wait_for_function(
            "() => /^Prochain vote dans 2\u00a0min(\u00a0\\d{2}\u00a0s)?$/"
            ".test(document.getElementById('upcoming').textContent)")
        assert "Rien à voter" in await phone.page.locator("#notice").inner_text()
        # a room with a schedule: its module comes with the page's first wave
        preloaded = await phone.page.eval_on_selector_all(
            "link[rel=modulepreload]", "els => els.map((e) => e.href)")
        assert any(url.endswith("/phone/upcoming.js") for url in preloaded)
        box = await line.bounding_box()
        viewport = phone.page.viewport_size
        assert box is not None and viewport is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
        size = await line.evaluate("(el) => parseFloat(getComputedStyle(el).fontSize)")
        assert size >= 16
        # a sooner vote added now: the phone is told, and counts down to it
        soon = time.time() + 10.0
        quick = await panel.add_activity(code, kind="choice", prompt="Maintenant ?",
                                         options=["oui", "non"], open_at=soon)
        await phone.page.wait_for_function(
            "() => /^Prochain vote dans (1[0-2]|[1-9])\u00a0s$/"
            ".test(document.getElementById('upcoming').textContent)")
        # it opens by itself: its card, and the line turns to the later vote
        await phone.card(quick).wait_for(timeout=20_000)
        await phone.page.wait_for_function(
            "() => document.getElementById('upcoming').textContent.startsWith("
            "'Prochain vote dans 2\u00a0min')")
        await phone.close()


async def test_an_open_vote_that_closes_by_itself_says_so_on_its_card(
        browser: Any, server: Any) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Atelier four")
        vote = await panel.add_activity(code, kind="choice", prompt="On allume le four ?",
                                        options=["oui", "non"], close_at=time.time() + 95)
        other = await panel.add_activity(code, kind="choice", prompt="Et demain ?",
                                         options=["oui", "non"])
        await panel.open(vote)
        await panel.open(other)
        phone = await open_tab(browser, f"{server.url}/r/{code}")
        closing = phone.card(vote).locator(".card-closing")
        await phone.page.wait_for_function(
            "(id) => { const el = document.querySelector(`.card[data-activity='${id}'] "
            ".card-closing`); return !!el && /^Se ferme dans 1\u00a0min(\u00a0\\d{2}\u00a0s)?$/"
            ".test(el.textContent); }", arg=vote)
        box = await closing.bounding_box()
        viewport = phone.page.viewport_size
        assert box is not None and viewport is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
        # the other card closes when the animator says: nothing on it
        assert not await phone.card(other).locator(".card-closing").is_visible()
        # closed by hand before its time: the countdown goes with the open state
        await panel.close(vote)
        await closing.wait_for(state="hidden")
        await phone.close()


async def test_a_vote_tomorrow_is_announced_with_its_day(browser: Any, server: Any) -> None:
    tomorrow = time.localtime(time.time() + 86400)
    nine = time.mktime((tomorrow.tm_year, tomorrow.tm_mon, tomorrow.tm_mday, 9, 0, 0, 0, 0, -1))
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Demain matin")
        await panel.add_activity(code, kind="choice", prompt="Café ou thé ?",
                                 options=["café", "thé"], open_at=nine)
    phone = await open_tab(browser, f"{server.url}/r/{code}")
    line = phone.page.locator("#upcoming")
    await line.wait_for()
    days = "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
    assert re.fullmatch(rf"Prochain vote ({days}) {tomorrow.tm_mday} \w+ à 9\u00a0h",
                        await line.inner_text()), await line.inner_text()
    await phone.close()
