"""The phone in English, as a person who taps "EN" sees it: the opinion map, the value
scale and a poll asking for predictions, answered to the end in headless Chromium, with
English words and English number formats (what the browser rendered)."""

from __future__ import annotations

import os
from typing import Any

import pytest

from crowd.activities.value_scale import assigned_pairs
from crowd.clients import Panel
from tests.browser.support import CHROMIUM, open_tab, snapshot

pytest.importorskip("playwright.async_api")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]

STATEMENTS = ["Share one bread oven", "Sell online too", "Hire a common driver"]
ITEMS = ["1 h of plumbing", "1 loaf", "1 kg of tomatoes"]


async def english_phone(browser: Any, url: str) -> Any:
    tab = await open_tab(browser, url)
    await tab.page.locator("#lang").click()  # "EN", as a person taps it
    await tab.page.wait_for_function("() => document.documentElement.lang === 'en'")
    return tab


async def test_the_opinion_map_in_english(browser: Any, server: Any) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Map")
        act = await panel.add_activity(code, "opinion", "Our cooperative in five years",
                                       statements=STATEMENTS)
        await panel.open(act)
    tab = await english_phone(browser, f"{server.url}/r/{code}")
    card = tab.card(act)
    await card.locator(".opinion-statement").wait_for()
    for k, vote in enumerate(["Agree", "Disagree", "Pass"], start=1):
        assert await card.locator(".opinion-progress").inner_text() == \
            f"Statement {k} of 3"
        labels = [await b.inner_text() for b in await card.locator(".opinion-votes button").all()]
        assert labels == ["Agree", "Disagree", "Pass"]
        await card.get_by_role("button", name=vote, exact=True).click()
    done = card.locator(".opinion-done")
    await done.wait_for()
    assert await done.inner_text() == "Thank you! You gave your view on every statement."
    assert await card.locator("details.propose summary").count() == 0  # not allowed here
    await tab.status_is(act, "received")
    snap = await snapshot(tab, server, act)
    assert snap["votes"] == 3
    await tab.close()


async def test_the_value_scale_in_english(browser: Any, server: Any) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Values")
        act = await panel.add_activity(code, "value_scale", "What is worth what?",
                                       items=ITEMS, reference=1, per_phone=3)
        await panel.open(act)
    tab = await english_phone(browser, f"{server.url}/r/{code}")
    card = tab.card(act)
    await card.locator(".vs-pair").wait_for()
    device = await tab.page.evaluate("localStorage.getItem('crowd.device')")
    pairs = assigned_pairs(act, device, len(ITEMS), 3)
    readout = card.locator(".vs-readout")
    for index, (a, b) in enumerate(pairs, start=1):
        await card.locator(f'.vs-progress:text("Pair {index} of 3")').wait_for()
        assert await card.locator(".vs-question").inner_text() == \
            f"How many {ITEMS[b]} is {ITEMS[a]} worth?"
        assert await readout.inner_text() == "The same"
        for _ in range(3):
            await card.get_by_role("button", name="A little more").click()
        assert await readout.inner_text() == "1.4 times as much"  # an English decimal point
        await card.get_by_role("button", name="Submit").click()
    done = card.locator(".vs-done")
    await done.wait_for()
    assert await done.inner_text() == "Thank you! You compared 3 pairs."
    await tab.status_is(act, "received")
    assert (await snapshot(tab, server, act))["judgments"] == 3
    await tab.close()


async def test_a_poll_with_predictions_in_english(browser: Any, server: Any) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Quiz")
        act = await panel.add_activity(code, "choice", "Capital of Pennsylvania?",
                                       options=["Philadelphia", "Harrisburg"], predict=True)
        await panel.open(act)
    tab = await english_phone(browser, f"{server.url}/r/{code}")
    card = tab.card(act)
    await card.locator(".sp-slider").first.wait_for()
    assert await card.locator(".sp-heading").inner_text() == \
        "What share of the room will answer…?"
    assert await card.locator(".sp-total").inner_text() == "Total: 0% · 100% left"
    sliders = card.locator(".sp-slider")
    assert await sliders.nth(1).get_attribute("aria-label") == \
        "What share of the room will answer “Harrisburg”?"
    await sliders.nth(0).press("End")
    for _ in range(4):
        await sliders.nth(0).press("ArrowLeft")  # 80
    await sliders.nth(1).press("End")  # 20
    assert await card.locator(".sp-total").inner_text() == "Total: 100%"
    await card.get_by_role("button", name="Harrisburg").click()
    await card.get_by_role("button", name="Submit").click()
    await tab.status_is(act, "received")
    snap = await snapshot(tab, server, act)
    assert snap["counts"] == [0, 1] and snap["surprise"]["predicted"] == [0.8, 0.2]
    await tab.close()
