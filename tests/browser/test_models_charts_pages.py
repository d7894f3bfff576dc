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


# Where Bokeh drew a plot holding the named source: the frame in page pixels and, for
# `ys`, the pixel heights of those data values on the plot's own y scale.
FRAME = """([name, column]) => {
    let found = null;
    const visit = (view) => {
        if (!view || found) return;
        const model = view.model;
        if (model && model.renderers && view.frame) {
            for (const r of model.renderers) {
                if (!r.data_source || r.data_source.name !== name) continue;
                const f = view.frame.bbox;
                const canvas = view.canvas_view.el.getBoundingClientRect();
                const ys = column ? Array.from(r.data_source.data[column]) : [];
                found = {left: canvas.left + f.left, right: canvas.left + f.right,
                         top: canvas.top + f.top, bottom: canvas.top + f.bottom,
                         ys: ys.map((y) => canvas.top + view.frame.y_scale.compute(y))};
                return;
            }
        }
        for (const child of (view.child_views || [])) visit(child);
        if (view.renderer_views) for (const child of view.renderer_views.values()) visit(child);
    };
    for (const root of Object.values(Bokeh.index)) visit(root);
    return found;
}"""


async def test_the_influence_round_draws_s_and_the_diversity_bars(browser: Any, server: Any
                                                                   ) -> None:
    async with AsyncExitStack() as stack:
        panel = await stack.enter_async_context(Panel.connect(server.url, server.secret))
        code = await panel.create_room("Influence")
        first = await panel.add_activity(code, kind="estimate", prompt="Combien ?", unit="L")
        await panel.open(first)
        await panel.project(first, room=code)
        screen = await open_tab(browser, f"{server.url}/screen/{code}", SCREEN_VIEWPORT)
        phones = [await stack.enter_async_context(Phone.connect(server.url, code))
                  for _ in range(8)]
        guesses = [50, 70, 80, 100, 100, 130, 200, 400]  # the median shown: 100
        for p, g in zip(phones, guesses, strict=True):
            await p.respond(first, g)
        second = (await panel.conn.request("influence_round", activity=first))["activity"]
        # 50 and 130 keep (S = 0), 70 and 80 adopt the median (S = 1), 200 and 400 go
        # half-way in logs (S = 0.5); the two at 100 already said the median: no S
        after = [50, 100, 100, 100, 100, 130, round((200 * 100) ** 0.5, 4),
                 round((400 * 100) ** 0.5, 4)]
        for p, g in zip(phones, after, strict=True):
            await p.respond(second, g)
        await panel.conn.request("set_truth", activity=second, value=110)
        page = screen.page
        s_hist = await screen.source(second, "s_hist", "(d) => d.count.length === 20")
        diversity = await screen.source(second, "diversity", "(d) => d.round.length === 2")
        assert sum(s_hist["count"]) == 6
        bins = {round(left, 1): c for left, c in zip(s_hist["left"], s_hist["count"],
                                                     strict=True)}
        # half-way to 4 decimals: S = 0.5 give or take 1e-5, either side of the 0.5 edge
        assert (bins[0.0], bins[0.4] + bins[0.5], bins[1.0]) == (2, 2, 2)
        # Page's theorem on the bars: the crowd's error and the diversity stack up to the
        # average error, each round
        for i in range(2):
            assert diversity["collective"][i] + diversity["spread"][i] == pytest.approx(
                diversity["average"][i], rel=1e-9)
        # the median stayed at 100: neither closer nor further, whatever `improved` says
        await page.wait_for_function(
            "() => document.querySelector('#insight').innerText.includes('Vraie valeur')")
        text = str(await page.locator("#insight").inner_text())
        assert "ni plus près ni plus loin de la vérité" in text and "plus loin de" not in (
            text.replace("ni plus loin de", ""))
        # drawn inside the 1280 x 720 stage, under the histogram, and readable in size
        main = await page.evaluate(FRAME, ["hist", None])
        s_plot = await page.evaluate(FRAME, ["s_hist", None])
        bars = await page.evaluate(FRAME, ["diversity", "average"])
        for frame in (s_plot, bars):
            assert frame is not None
            assert 0 <= frame["left"] < frame["right"] <= 1280
            assert main["bottom"] <= frame["top"] < frame["bottom"] <= 720
            assert frame["bottom"] - frame["top"] >= 100
        assert s_plot["right"] <= bars["left"]  # side by side
        # the bars' tops follow the figures: the lower error is drawn lower
        higher_first = diversity["average"][0] > diversity["average"][1]
        assert (bars["ys"][0] < bars["ys"][1]) == higher_first
        await screen.close()
