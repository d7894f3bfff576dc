"""The live gestures in headless Chromium: a phone page's gesture reaches the projected chart.

Temperature (a slider dragged with the mouse), weighting (the − / + buttons under the
budget), orientation (a drag on the compass rose) and the estimates' second round driven
from the panel page's buttons. Every wait is on something the pages or the server show:
selectors, Bokeh's data sources, a Python client's frames. Never a sleep.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
from typing import Any

import pytest

from crowd.clients import Panel, Phone, Screen
from tests.browser.support import (
    CHROMIUM,
    LAID_OUT,
    SCREEN_VIEWPORT,
    TIMEOUT_MS,
    open_tab,
    snapshot,
)

playwright_api = pytest.importorskip("playwright.async_api")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]


# Records the answers the page sends and, after each ack has been handled by the page, the
# status line of its card: proof of what the page showed between two acks.
RECORDER = """
(() => {
  window.__sent = [];
  window.__after = [];
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    try {
      const msg = JSON.parse(data);
      if (msg.t === "respond") {
        window.__sent.push({ at: performance.now(), seq: msg.seq, value: msg.value });
      }
    } catch (e) {}
    return send.call(this, data);
  };
  // The page's socket announces each server message as an event: once its listeners ran,
  // note the card's status.
  const dispatch = EventTarget.prototype.dispatchEvent;
  EventTarget.prototype.dispatchEvent = function (event) {
    const result = dispatch.call(this, event);
    if (event && event.type === "ack" && event.detail && typeof event.detail.seq === "number") {
      const line = document.querySelector(".card .card-status");
      const status = line && line.getAttribute("data-status");
      window.__after.push({ seq: event.detail.seq, status: status });
    }
    return result;
  };
})();
"""

async def drag(page: Any, points: list[tuple[float, float]]) -> None:
    """A finger (the mouse) down on the first point, through the others, up on the last."""
    await page.mouse.move(*points[0])
    await page.mouse.down()
    for x, y in points[1:]:
        await page.mouse.move(x, y, steps=4)
    await page.mouse.up()


# ---------------------------------------------------------------- temperature


async def test_temperature_slider_reaches_the_chart_and_only_the_latest_ack_counts(
    browser: Any, server: Any
) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Température")
        act = await panel.add_activity(code, kind="temperature", prompt="Le nouveau local ?",
                                       left="froid", right="brûlant")
        await panel.open(act)
        await panel.project(act, room=code)

    screen = await open_tab(browser, f"{server.url}/screen/{code}", SCREEN_VIEWPORT)
    await screen.source(act, "density", "(d) => d.y.every((v) => v === 0)")

    # The phone's acks are held until the drag is over: the acks of the values sent while
    # moving then arrive after the newest value left, and must not say it is stored.
    phone = await open_tab(browser, None, init_script=RECORDER)
    held: list[str | bytes] = []
    arrived = asyncio.Event()
    routes: list[Any] = []

    def relay(ws: Any) -> None:
        routes.append(ws)
        upstream = ws.connect_to_server()

        def from_server(message: str | bytes) -> None:
            msg = json.loads(message)
            if msg["t"] == "ack" and msg.get("activity") == act:
                held.append(message)
                arrived.set()
                return
            ws.send(message)

        upstream.on_message(from_server)

    await phone.page.route_web_socket("**/ws", relay)
    async with Screen.connect(server.url, code) as watcher:
        await phone.page.goto(f"{server.url}/r/{code}")
        slider = phone.card(act).locator("input.temp-range")
        assert await slider.get_attribute("aria-label") == "Le nouveau local ?"
        await phone.page.evaluate(LAID_OUT)
        box = await slider.bounding_box()
        assert box is not None and box["height"] >= 48  # a thumb-sized target
        y = box["y"] + box["height"] / 2
        await drag(phone.page, [(box["x"] + box["width"] * f, y) for f in (0.5, 0.6, 0.75, 0.9)])

        final = float(await slider.input_value()) / 100
        assert final > 0.6
        sent = await phone.page.wait_for_function(
            "(v) => window.__sent.length && window.__sent[window.__sent.length - 1].value === v"
            " ? window.__sent : null", arg=final)
        sent = await sent.json_value()
        # Sent while moving and again on release, never the same value twice in a row (the
        # throttle's timing is checked on its own below: a socket's send time includes the
        # outbox's work, which a loaded machine stretches and bunches).
        assert len(sent) >= 2
        assert all(a["value"] != b["value"] for a, b in itertools.pairwise(sent)), sent
        while len(held) < len(sent):  # every answer stored and acknowledged, none delivered
            arrived.clear()
            await asyncio.wait_for(arrived.wait(), TIMEOUT_MS / 1000)
        status = phone.card(act).locator(".card-status")
        assert await status.get_attribute("data-status") == "sending"

        for message in held:  # oldest first, as the server sent them
            routes[-1].send(message)
        await phone.status_is(act, "received")
        assert await phone.card(act).locator(".card-status").inner_text() == "Vote reçu ✓"
        after = await phone.page.evaluate(
            "(seqs) => window.__after.filter((m) => seqs.includes(m.seq))",
            [s["seq"] for s in sent])
        assert [a["status"] for a in after] == ["sending"] * (len(sent) - 1) + ["received"]

        frame = await watcher.frame_where(
            lambda f: f["activity"] == act and f["n"] == 1 and abs(f["mean"] - final) < 1e-6)
        assert frame["histogram"][round((final + 1) * 20)] == 1

    mean = await screen.source(
        act, "mean", f"(d) => d.x.length === 1 && Math.abs(d.x[0] - {final}) < 1e-6")
    assert mean["x"] == [pytest.approx(final)]
    density = await screen.source(act, "density", "(d) => d.y.some((v) => v > 0)")
    peak = density["x"][density["y"].index(max(density["y"]))]
    assert abs(peak - final) < 0.15
    assert await screen.page.locator("#insight").inner_text() != ""

    # After a reload the slider stands where the server holds the answer.
    await phone.page.reload()
    await phone.status_is(act, "received")
    assert float(await phone.card(act).locator("input.temp-range").input_value()) / 100 == final
    await phone.close()
    await screen.close()


async def test_live_gestures_leave_at_most_one_answer_per_200_ms(
    browser: Any, server: Any
) -> None:
    """The throttle of the live gestures, timed where it fires: a value pushed every 10 ms
    for 1.2 s leaves at most every 200 ms, and the newest value always leaves in the end.
    A timer never fires early, so the gaps hold however loaded the machine is."""
    tab = await open_tab(browser, f"{server.url}/")
    fired = await tab.page.evaluate("""async () => {
      const { throttle, LIVE_MS } = await import("/static/phone/kinds/throttle.js");
      const fired = [];
      const sender = throttle((v) => fired.push({ at: Date.now(), v }), LIVE_MS);
      for (let i = 1; i <= 120; i++) {
        sender.push(i);
        await new Promise((done) => setTimeout(done, 10));
      }
      await new Promise((done) => setTimeout(done, 2 * LIVE_MS));
      return { fired, ms: LIVE_MS };
    }""")
    times = [f["at"] for f in fired["fired"]]
    values = [f["v"] for f in fired["fired"]]
    assert fired["ms"] == 200
    assert all(b - a >= fired["ms"] - 1 for a, b in itertools.pairwise(times)), times
    assert 2 <= len(values) < 120 and values[-1] == 120 and values == sorted(values)
    await tab.close()


# ---------------------------------------------------------------- weighting


async def test_weighting_buttons_keep_the_budget_and_move_the_shares(
    browser: Any, server: Any
) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Budget")
        act = await panel.add_activity(code, kind="weighting", prompt="Où va l'argent ?",
                                       options=["Toiture", "Serre"], budget=20)
        await panel.open(act)
        await panel.project(act, room=code)

    screen = await open_tab(browser, f"{server.url}/screen/{code}", SCREEN_VIEWPORT)
    await screen.source(act, "shares", "(d) => d.value.length === 2")
    phone = await open_tab(browser, f"{server.url}/r/{code}")
    card = phone.card(act)
    roof = card.locator('.weight-row[data-option="0"]')
    greenhouse = card.locator('.weight-row[data-option="1"]')
    left = card.locator(".budget-left")
    assert await left.inner_text() == "Reste 20 points sur 20"
    assert await card.get_by_role("button", name="Valider").is_disabled()  # nothing given yet
    assert await roof.get_by_role("button", name="Retirer 1 point à Toiture").is_disabled()

    for _ in range(4):
        await roof.get_by_role("button", name="Ajouter 5 points à Toiture").click()
    assert await roof.locator(".weight-figure").inner_text() == "20"
    assert await left.inner_text() == "Reste 0 point sur 20"
    # The budget is spent: no + anywhere, and the other slider cannot take a point.
    for row in (roof, greenhouse):
        for button in await row.locator(".step-btn").all():
            if (await button.inner_text()).startswith("+"):
                assert await button.is_disabled()
    slider = greenhouse.locator("input.weight-range")
    await slider.focus()
    await phone.page.keyboard.press("End")
    assert await slider.input_value() == "0"

    await roof.get_by_role("button", name="Retirer 5 points à Toiture").click()
    await roof.get_by_role("button", name="Retirer 1 point à Toiture").click()
    await greenhouse.get_by_role("button", name="Ajouter 1 point à Serre").click()
    await phone.page.keyboard.press("End")  # focus is on that button: the slider keeps its value
    await slider.focus()
    await phone.page.keyboard.press("End")  # takes what is left, and no more
    assert await slider.input_value() == "6"
    assert await left.inner_text() == "Reste 0 point sur 20"
    await card.get_by_role("button", name="Valider").click()
    await phone.status_is(act, "received")

    shares = await screen.source(act, "shares", "(d) => d.value[0] > 0")
    assert shares["value"] == [70.0, 30.0]
    assert (await snapshot(phone, server, act))["mean_shares"] == [0.7, 0.3]
    await phone.close()
    await screen.close()


async def test_weighting_results_mark_the_truthful_share_on_phone_and_panel(
    browser: Any, server: Any
) -> None:
    """Next to each mean share, Freeman et al.'s truthful share as a tick across the bar,
    where the server computed it, on the revealed results of a phone and in the panel."""
    options = ["Toiture", "Serre", "Four"]
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Budget partagé")
        act = await panel.add_activity(code, kind="weighting", prompt="Où va l'argent ?",
                                       options=options, budget=10)
        await panel.open(act)
        for split in ([10, 0, 0], [0, 10, 0], [5, 5, 0], [2, 3, 5], [6, 0, 4]):
            async with Phone.connect(server.url, code) as crowd:
                await crowd.respond(act, split)
        await panel.close(act)
        await panel.reveal(act)
    phone = await open_tab(browser, f"{server.url}/r/{code}")
    snap = await snapshot(phone, server, act)
    truthful = snap["truthful_shares"]
    assert truthful is not None and truthful != snap["mean_shares"]
    order = snap["ranking"] or list(range(len(options)))
    panel_tab = await open_tab(browser, f"{server.url}/panel#secret={server.secret}",
                               {"width": 1180, "height": 820})
    await panel_tab.page.get_by_role("button", name=code).click()
    places = {"phone": phone.card(act), "panel": panel_tab.page.locator(
        f'.agenda-item[data-activity="{act}"]')}
    for where, root in places.items():
        marks = root.locator(".bar-mark")
        if where == "phone":  # a closed vote's card is folded: its prompt unfolds it
            await root.locator(".card-toggle").click()
        await marks.first.wait_for()
        assert await marks.count() == len(options), where
        tracks = root.locator(".bar-track")
        for row, i in enumerate(order):
            track = await tracks.nth(row).bounding_box()
            mark = await marks.nth(row).bounding_box()
            assert track is not None and mark is not None
            at = (mark["x"] + mark["width"] / 2 - track["x"]) / track["width"]
            assert at == pytest.approx(truthful[i], abs=0.02), (where, options[i])
        assert "personne ne gagne à exagérer" in await root.inner_text()
    for tab in (phone, panel_tab):
        await tab.close()


# ---------------------------------------------------------------- orientation


async def test_orientation_drag_on_the_rose_moves_the_projected_rose(
    browser: Any, server: Any
) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Boussole")
        act = await panel.add_activity(code, kind="orientation", prompt="Où va la scène ?")
        await panel.open(act)
        await panel.project(act, room=code)

    screen = await open_tab(browser, f"{server.url}/screen/{code}", SCREEN_VIEWPORT)
    await screen.source(act, "arrow", "(d) => d.x1.length === 0")
    phone = await open_tab(browser, f"{server.url}/r/{code}")
    rose = phone.card(act).locator("svg.rose")
    assert await rose.get_attribute("role") == "slider"
    await rose.wait_for()
    await phone.page.evaluate(LAID_OUT)  # the rose is where it stays under the finger
    box = await rose.bounding_box()
    assert box is not None
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    radius = box["width"] * 100 / 250  # rose.js: R = 100 in a 250-unit viewBox (no places)
    # From the north, round to the east, ending at 80 % of the radius.
    await drag(phone.page, [(cx, cy - radius * 0.5), (cx + radius * 0.5, cy - radius * 0.5),
                            (cx + radius * 0.8, cy)])
    # The readout follows the finger (drawn on the next frame: awaited, not read at once).
    readout = phone.card(act).locator(".rose-readout")
    await playwright_api.expect(readout).to_have_text(re.compile(r"^90°.*\(E\).*80"),
                                                      timeout=TIMEOUT_MS)
    await phone.status_is(act, "received")
    # The arrow points east, as long as the rose's radius (one answer, one direction): the
    # value of the release reached the projector, not only one sent while moving.
    arrow = await screen.source(
        act, "arrow", "(d) => d.x1.length === 1 && d.x1[0] > 0.99 && Math.abs(d.y1[0]) < 0.03")
    assert abs(arrow["y1"][0]) < 0.03
    snap = await snapshot(phone, server, act)
    assert snap["n"] == 1
    assert snap["mean_deg"] == pytest.approx(90, abs=1.5)
    rose_data = await screen.source(act, "rose", "(d) => d.outer.some((v) => v > 0.5)")
    assert max(rose_data["outer"]) == pytest.approx(1.0)
    await phone.close()
    await screen.close()


# ---------------------------------------------------------------- estimates: round 2


async def test_panel_buttons_run_the_influence_round_and_the_truth(
    browser: Any, server: Any
) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Sagesse des foules")
        act = await panel.add_activity(code, kind="estimate", prompt="Combien de litres ?",
                                       unit="L", min=0)
        await panel.open(act)
        await panel.project(act, room=code)
        for value in (100, 120, 140):
            async with Phone.connect(server.url, code) as crowd:
                await crowd.respond(act, value)

    tab = await open_tab(browser, f"{server.url}/panel#secret={server.secret}",
                         {"width": 1180, "height": 820})
    page = tab.page
    await page.get_by_role("button", name=code).click()
    item = page.locator(f'.agenda-item[data-activity="{act}"]')
    await item.locator(".live-line:has-text('médiane 120 L')").wait_for()
    phone = await open_tab(browser, f"{server.url}/r/{code}")
    await phone.card(act).wait_for()
    screen = await open_tab(browser, f"{server.url}/screen/{code}", SCREEN_VIEWPORT)

    await item.get_by_role("button", name="Deuxième tour").click()
    await page.wait_for_selector(".flash-ok:has-text('Deuxième tour ouvert')")
    second = await page.locator(".agenda-item[data-state='open']").get_attribute("data-activity")
    assert second and second != act
    assert await item.get_attribute("data-state") == "closed"
    assert await item.get_by_role("button", name="Deuxième tour").count() == 0

    card = phone.card(second)
    await card.wait_for()
    assert "2e tour" in await card.locator(".card-kind").text_content()
    social = await card.locator(".social").inner_text()
    assert "2e tour" in social and "médiane 120 L" in social and "entre 110 L et 130 L" in social
    await card.locator("input").fill("124")
    await card.get_by_role("button", name="Valider").click()
    await phone.status_is(second, "received")

    truth = page.locator(f'.agenda-item[data-activity="{second}"] input[data-action="truth"]')
    await truth.fill("125")
    await page.locator(f'.agenda-item[data-activity="{second}"]').get_by_role(
        "button", name="Enregistrer").click()
    await page.wait_for_selector(".flash-ok:has-text('Vraie valeur enregistrée')")

    # The projection moved to round 2: both medians, the truth, and the verdict in words.
    await screen.source(second, "truth", "(d) => d.x.length === 1 && d.x[0] === 125")
    medians = await screen.source(second, "median1", "(d) => d.x.length === 1")
    assert medians["x"] == [120]
    await screen.page.wait_for_selector("#insight:has-text('plus près de la vérité')")
    assert "120 L → 124 L" in await screen.page.locator("#insight").inner_text()
    live = page.locator(f'.agenda-item[data-activity="{second}"] .live-line')
    await live.filter(has_text="plus près de la vérité").wait_for()
    for t in (tab, phone, screen):
        await t.close()
