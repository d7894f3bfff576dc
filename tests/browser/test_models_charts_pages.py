"""Crowd models drawn on the projector, in headless Chromium: the weighting's truthful
share as a tick on its bar, the influence round's S histogram and diversity bars."""

from __future__ import annotations

import os
from contextlib import AsyncExitStack
from typing import Any

import pytest

from crowd.clients import Panel, Phone
from tests.browser.support import CHROMIUM, SCREEN_VIEWPORT, open_tab

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]


async def test_the_truthful_share_is_a_tick_on_the_weighting_bar(browser: Any, server: Any
                                                                  ) -> None:
    async with AsyncExitStack() as stack:
        panel = await stack.enter_async_context(Panel.connect(server.url, server.secret))
        code = await panel.create_room("Budget")
        act = await panel.add_activity(code, kind="weighting", prompt="Le budget ?",
                                       options=["scène", "buvette", "jeux"], budget=100)
        await panel.open(act)
        await panel.project(act, room=code)
        screen = await open_tab(browser, f"{server.url}/screen/{code}", SCREEN_VIEWPORT)
        # (100, 0, 0) and (0, 50, 50): the mean gives 50/25/25, independent markets a third
        # each (worked out in tests/models/test_phantoms.py)
        for allocation in ([100, 0, 0], [0, 50, 50]):
            phone = await stack.enter_async_context(Phone.connect(server.url, code))
            await phone.respond(act, allocation)
        page = screen.page
        await page.wait_for_function(
            "() => document.querySelectorAll('.board-mark:not(.hidden)').length === 3"
            " && document.querySelector('#insight').innerText.includes('trait blanc')")
        await page.wait_for_function("() => document.getAnimations().length === 0")  # widths
        boxes = await page.evaluate("""() => Array.from(document.querySelectorAll('.board-row'))
            .map((row) => {
              const bar = row.querySelector('.board-bar').getBoundingClientRect();
              const fill = row.querySelector('.board-fill').getBoundingClientRect();
              const mark = row.querySelector('.board-mark').getBoundingClientRect();
              return {bar: bar.left, fill: fill.width, mark: mark.left + mark.width / 2,
                      top: mark.top, bottom: mark.bottom, ftop: fill.top, fbottom: fill.bottom};
            })""")
        # the fill is 50 % and 25 % of the scale: the tick at a third sits at 2/3 and 4/3
        # of those widths from the bar's start
        scale = boxes[0]["fill"] / 0.5
        assert boxes[1]["fill"] == pytest.approx(scale * 0.25, abs=2)
        for box in boxes:
            assert box["mark"] - box["bar"] == pytest.approx(scale / 3, abs=3)
            assert box["top"] <= box["ftop"] and box["bottom"] >= box["fbottom"]  # crosses it
        text = str(await page.locator("#insight").inner_text())
        assert "le partage où exagérer ne sert à rien" in text
        await screen.close()
