"""Results revealed while a vote is still open stay live on the phone page.

The animator reveals a choice poll while it is open; the phone page shows its results;
more people answer and the page's figures follow within seconds (the server sends phones
the snapshot at most every two seconds), without a reload, a reopen or a close.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from crowd.clients import Panel, Phone
from tests.browser.support import CHROMIUM, open_tab

playwright_api = pytest.importorskip("playwright.async_api")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]


async def test_revealed_results_follow_the_answers_while_the_vote_is_open(
    browser: Any, server: Any
) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Plénière")
        act = await panel.add_activity(code, "choice", "On commence par quoi ?",
                                       options=["La buvette", "La scène"])
        await panel.open(act)
        async with Phone.connect(server.url, code) as first:
            await first.respond(act, 0)
        await panel.reveal(act)
        phone = await open_tab(browser, f"{server.url}/r/{code}")
        card = phone.card(act)
        count = card.locator(".card-results .results-n")
        await count.filter(has_text="1 réponse").wait_for()
        for value in (1, 1):
            async with Phone.connect(server.url, code) as voter:
                await voter.respond(act, value)
        await count.filter(has_text="3 réponses").wait_for()
        figures = await card.locator(".card-results .bar-figure").all_inner_texts()
        assert [f.split("(")[-1] for f in figures] == ["1)", "2)"]  # "33 % (1)", "67 % (2)"
        assert await card.get_attribute("data-state") != "closed"
        await phone.close()
