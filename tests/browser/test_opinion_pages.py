"""The opinion map in headless Chromium: a phone answers its statements one at a time
with big buttons, and the projector draws the room's dots and its two lists, in the
viewport, readable."""

from __future__ import annotations

import contextlib
import os
from typing import Any

import pytest

from crowd.clients import Panel, Phone
from tests.browser.support import CHROMIUM, SCREEN_VIEWPORT, open_tab

pytest.importorskip("playwright.async_api")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]

STATEMENTS = ["Mutualiser un four entre boulangeries", "Vendre aussi en ligne",
              "Garder une seule assemblée générale par an", "Salarier un livreur commun",
              "Acheter le terrain de la grange"]


async def test_a_phone_votes_statement_by_statement_and_the_projector_maps_the_room(
        browser: Any, server: Any) -> None:
    async with Panel.connect(server.url, server.secret) as panel, \
            contextlib.AsyncExitStack() as stack:
        code = await panel.create_room("Carte")
        act = await panel.add_activity(code, "opinion", "Notre coopérative dans cinq ans",
                                       statements=STATEMENTS, submissions=True)
        await panel.open(act)
        await panel.project(act)
        # a room in two camps, answered by Python phones
        for n in range(14):
            phone = await stack.enter_async_context(Phone.connect(server.url, code))
            for s in range(5):
                camp = 1 if n < 8 else -1
                await phone.respond(act, {"statement": s, "vote": camp if s < 3 else 1})
        screen = await open_tab(browser, f"{server.url}/screen/{code}", SCREEN_VIEWPORT)
        tab = await open_tab(browser, f"{server.url}/r/{code}")
        card = tab.card(act)
        await card.locator(".opinion-statement").wait_for()
        seen = []
        for _ in STATEMENTS:  # five taps, each on the statement shown, then thanks
            statement = (await card.locator(".opinion-statement").inner_text()).strip()
            assert statement in STATEMENTS and statement not in seen
            seen.append(statement)
            agree = card.locator("button.opinion-agree")
            box = await agree.bounding_box()
            assert box["height"] >= 44 and box["y"] + box["height"] <= 844  # a thumb's target
            await agree.click()
        await card.locator(".opinion-done").wait_for()
        await tab.status_is(act, "received")
        assert sorted(seen) == sorted(STATEMENTS)
        # a proposal goes to the animators only
        await card.locator("details.propose summary").click()
        await card.locator("textarea.propose-text").fill("Une cagnotte commune")
        await card.locator("details.propose button").click()
        await card.locator("details.propose p:has-text('Merci')").wait_for()
        state = await panel.watch(code)
        pending = next(a for a in state["activities"] if a["id"] == act)["submissions_pending"]
        assert [p["text"] for p in pending] == ["Une cagnotte commune"]

        dots = await screen.source(act, "dots", "d => d.x.length === 15")
        assert set(dots["group"]) == {"0", "1"}
        lists = await screen.source(act, "lists", "d => d.text.length > 0")
        assert any("livreur" in text or "grange" in text for text in lists["text"])
        # what the projector drew: the map's canvas fills the stage, inside the viewport
        canvas = screen.page.locator("canvas").first
        box = await canvas.bounding_box()
        assert box["width"] >= 800 and box["y"] + box["height"] <= SCREEN_VIEWPORT["height"]
        await tab.close()
        await screen.close()
