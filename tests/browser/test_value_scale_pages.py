"""The value scale in headless Chromium: a phone answers the pairs it is asked on the
logarithmic slider (as a thumb would: dragging, the big buttons), and the projector
places the items on the ratio axis, in order, inside a 1280 x 720 screen."""

from __future__ import annotations

import json
import math
import os
from typing import Any

import numpy as np
import pytest

from crowd.activities.value_scale import LEVEL_WORDS, assigned_pairs
from crowd.clients import Panel
from crowd.models import ratios
from tests.browser.support import CHROMIUM, LAID_OUT, SCREEN_VIEWPORT, open_tab, snapshot

playwright_api = pytest.importorskip("playwright.async_api")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]

ITEMS = ["1 h de plomberie", "1 pain", "1 kg de tomates", "1 Ğ1"]

# Where Bokeh drew each point of the named source: page pixels of the glyph centres and
# of the plot's frame, from the plot view's own scales (what is on the canvas).
POINTS = """([name]) => {
    const out = [];
    const visit = (view) => {
        if (!view) return;
        const model = view.model;
        if (model && model.renderers && view.frame) {
            for (const r of model.renderers) {
                const source = r.data_source;
                if (!source || source.name !== name) continue;
                if (!r.glyph || r.glyph.type !== "Scatter") continue;
                const box = view.el.getBoundingClientRect();
                const xs = Array.from(source.data.weight), ys = Array.from(source.data.y);
                const f = view.frame.bbox;
                const canvas = view.canvas_view.el.getBoundingClientRect();
                out.push({
                    labels: Array.from(source.data.label), weights: xs,
                    x: xs.map((x) => canvas.left + view.frame.x_scale.compute(x)),
                    y: ys.map((y) => canvas.top + view.frame.y_scale.compute(y)),
                    frame: {left: canvas.left + f.left, right: canvas.left + f.right,
                            top: canvas.top + f.top, bottom: canvas.top + f.bottom},
                    plot: {left: box.left, right: box.right, top: box.top, bottom: box.bottom},
                });
            }
        }
        for (const child of (view.child_views || [])) visit(child);
        if (view.renderer_views) for (const child of view.renderer_views.values()) visit(child);
    };
    for (const root of Object.values(Bokeh.index)) visit(root);
    return out.length ? out[0] : null;
}"""


async def drag_to(page: Any, slider: Any, fraction: float) -> None:
    """Presses the slider's thumb and moves it to `fraction` of the track, as a finger."""
    await page.evaluate(LAID_OUT)
    box = await slider.bounding_box()
    assert box is not None
    y = box["y"] + box["height"] / 2
    await page.mouse.move(box["x"] + box["width"] / 2, y)
    await page.mouse.down()
    await page.mouse.move(box["x"] + box["width"] * fraction, y, steps=8)
    await page.mouse.up()


async def test_a_phone_compares_its_pairs_and_the_projector_places_the_items(
    browser: Any, server: Any
) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Marché")
        act = await panel.add_activity(code, kind="value_scale", prompt="Que vaut quoi ?",
                                       items=ITEMS, reference=1, per_phone=3)
        await panel.open(act)
        await panel.project(act, room=code)

    screen = await open_tab(browser, f"{server.url}/screen/{code}", SCREEN_VIEWPORT)
    await screen.source(act, "items", "(d) => d.label.length === 0")
    phone = await open_tab(browser, f"{server.url}/r/{code}")
    card = phone.card(act)
    await card.locator(".vs-pair").wait_for()
    device = await phone.page.evaluate("localStorage.getItem('crowd.device')")
    pairs = assigned_pairs(act, device, len(ITEMS), 3)

    # Pair 1: the question names the pair the server would have given this device.
    question = card.locator(".vs-question")
    a, b = ITEMS[pairs[0][0]], ITEMS[pairs[0][1]]
    assert await question.inner_text() == f"{a} vaut combien de {b}\u202f?"
    assert await card.locator(".vs-progress").inner_text() == "Paire 1 sur 3"
    readout = card.locator(".vs-readout")
    assert await readout.inner_text() == "Autant"  # the slider starts in the middle
    slider = card.locator(".vs-range")
    box = await slider.bounding_box()
    assert box is not None and box["width"] >= 300 and box["height"] >= 48
    for button in await card.locator(".vs-steps button, .submit").all():
        size = await button.bounding_box()
        assert size is not None and size["height"] >= 48  # a thumb's target
    # A finger drags the thumb three quarters of the way: 10^(0.5 * 2) = 10 times more.
    await drag_to(phone.page, slider, 0.75)
    said = [float(await readout.get_attribute("data-ratio"))]
    assert 6 <= said[0] <= 16 and (await readout.inner_text()).endswith("fois plus")
    await card.get_by_role("button", name="Valider").click()

    # Pair 2: "Plus" three times from "autant": 10^0.15 = 1,4 times more.
    await card.locator('.vs-progress:text("Paire 2 sur 3")').wait_for()
    for _ in range(3):
        await card.get_by_role("button", name="Un peu plus").click()
    assert await readout.inner_text() == "1,4 fois plus"
    said.append(1.4)
    await card.get_by_role("button", name="Valider").click()

    # Pair 3: all the way to the left, a hundred times less.
    await card.locator('.vs-progress:text("Paire 3 sur 3")').wait_for()
    await drag_to(phone.page, slider, 0.0)
    assert await readout.inner_text() == "100 fois moins"
    said.append(0.01)
    await card.get_by_role("button", name="Valider").click()
    await card.locator(".vs-done").wait_for()
    assert await card.locator(".vs-done").inner_text() == "Merci\u202f! Vous avez comparé 3 paires."
    await phone.status_is(act, "received")

    # The server holds the three judgments, as the phone showed them.
    snap = await snapshot(phone, server, act)
    assert snap["judgments"] == 3 and snap["n"] == 1
    first = [min(p) for p in pairs]
    second = [max(p) for p in pairs]
    logs = [math.log(r) if a < b else -math.log(r) for (a, b), r in zip(pairs, said, strict=True)]
    expected = ratios.fit(len(ITEMS), first, second, logs, reference=1)
    for got, want in zip(snap["weights"], expected.log_weights, strict=True):
        assert (got is None) == (want is None)
        if want is not None:
            assert got == pytest.approx(math.exp(want))

    # The projector: the items compared, one row each in the animator's order, each
    # point where its value falls on the log axis, all inside the screen.
    linked = [i for i, w in enumerate(snap["weights"]) if w is not None]
    final = [snap["weights"][i] for i in linked]
    await screen.source(act, "items", f"(d) => d.label.length === {len(linked)} && d.weight"
                        f".every((w, i) => Math.abs(w / {final}[i] - 1) < 1e-9)")
    drawn = await (await screen.page.wait_for_function(
        f"(args) => {{ const p = ({POINTS})(args); return p && p.weights.every("
        f"(w, i) => Math.abs(w / {final}[i] - 1) < 1e-9)"
        # laid out: Bokeh places the glyphs on the frame after the data arrived
        f" && p.x.concat(p.y).every(Number.isFinite) ? p : null; }}",
        arg=["items"])).json_value()
    assert drawn["labels"] == [ITEMS[i] for i in linked]
    xs, ys = drawn["x"], drawn["y"]
    assert ys == sorted(ys)  # first item on top (smaller page y)
    by_value = sorted(range(len(linked)), key=lambda p: snap["weights"][linked[p]])
    assert [xs[p] for p in by_value] == sorted(xs)  # worth more, further right
    frame = drawn["frame"]
    for x, y in zip(xs, ys, strict=True):
        assert frame["left"] <= x <= frame["right"] and frame["top"] <= y <= frame["bottom"]
    assert frame["left"] >= 0 and frame["right"] <= 1280 and frame["bottom"] <= 720
    order = [linked[p] for p in by_value]
    xs = [xs[p] for p in by_value]
    # one decade on the axis is the same distance wherever it is: a log axis
    weights = np.array([snap["weights"][i] for i in order])
    slope, offset = np.polyfit(np.log10(weights), xs, 1)
    assert slope > 0 and np.abs(np.polyval([slope, offset], np.log10(weights)) - xs).max() < 1
    # the gauge says the server's judgment of these answers (an earlier frame may still be
    # drawn: awaited). Three pairs drawn among four items make a cycle only when they close
    # a triangle; without a cycle nothing can contradict, and the room is coherent.
    words = LEVEL_WORDS[snap["level"]]
    if len({i for p in pairs for i in p}) == 4:
        assert snap["level"] == "coherent"
    gauge = await screen.source(
        act, "gauge", f"(d) => d.label.length === 1 && d.label[0] === {json.dumps(words)}")
    assert gauge["label"] == [words]
    await phone.close()
    await screen.close()
