"""Phones in a plenary: nobody misses a vote, on real pages in headless Chromium.

Each test drives a real server through the Python panel client and looks at what the
phone page rendered (bounding boxes against the viewport, computed styles), at the two
phone sizes the issue names: a Pixel 5 (393x851) and a small 360x640 Android.
"""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

import pytest

from crowd.clients import Panel, Phone
from tests.browser.support import CHROMIUM, TIMEOUT_MS, open_tab, snapshot

playwright_api = pytest.importorskip("playwright.async_api")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]

PIXEL_5 = {"width": 393, "height": 851}
SMALL_PHONE = {"width": 360, "height": 640}

LONG = [f"Option {i} : une proposition assez longue pour tenir sur deux lignes au moins"
        for i in range(1, 13)]

# Records vibrations (the headless browser has no motor).
VIBRATIONS = ("window.__buzz = [];"
              "navigator.vibrate = (p) => { window.__buzz.push(p); return true; };")

IN_VIEW = """(el) => { const r = el.getBoundingClientRect();
    return r.height > 0 && r.bottom > 0 && r.top < window.innerHeight; }"""


async def in_view(locator: Any) -> bool:
    return bool(await locator.evaluate(IN_VIEW))


async def test_a_scrolled_phone_sees_a_new_vote_and_open_cards_come_first(
    browser: Any, server: Any
) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Plénière")
        old = await panel.add_activity(code, kind="approval", prompt="Ateliers de l'an dernier ?",
                                       options=LONG)
        long_open = await panel.add_activity(code, kind="approval", prompt="Quels ateliers ?",
                                             options=LONG)
        await panel.open(old)
        await panel.close(old)
        await panel.reveal(old)  # phones keep closed activities whose results are shown
        await panel.open(long_open)
        fresh = await panel.add_activity(code, kind="choice", prompt="On mange à quelle heure ?",
                                         options=["12 h", "13 h"])

        phone = await open_tab(browser, f"{server.url}/r/{code}", PIXEL_5, VIBRATIONS)
        page = phone.page
        await page.wait_for_selector(f'.card[data-activity="{long_open}"] .opt')
        # the closed card sits below the open one, folded to one line
        order = await page.eval_on_selector_all(".card", "els => els.map(e => e.dataset.activity)")
        assert order == [long_open, old]
        folded = phone.card(old)
        assert "folded" in (await folded.get_attribute("class") or "")
        assert (await folded.bounding_box())["height"] < 110

        # reading the bottom of the long card when a vote opens above
        await page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        await page.wait_for_function("() => window.scrollY > 600")
        await panel.open(fresh)
        bar = page.locator(".newvote")
        await bar.wait_for(state="visible", timeout=2000)
        assert await in_view(bar)
        text = await bar.inner_text()
        assert "Nouveau vote" in text and "On mange à quelle heure ?" in text
        assert not await in_view(phone.card(fresh))
        assert await page.evaluate("window.__buzz.length") >= 1
        order = await page.eval_on_selector_all(".card", "els => els.map(e => e.dataset.activity)")
        assert order == [fresh, long_open, old]  # the most recently opened on top

        await bar.click()
        await page.wait_for_function(f"() => ({IN_VIEW})(document.querySelector("
                                     f"'.card[data-activity=\"{fresh}\"]'))")
        await bar.wait_for(state="hidden")
        # the card's first option is on screen, not under the sticky header
        first = phone.card(fresh).locator(".opt").first
        header = await page.locator(".top").bounding_box()
        assert (await first.bounding_box())["y"] >= header["y"] + header["height"]

        # the old question reopens: it climbs on top and unfolds
        await panel.open(old)
        await page.wait_for_function(
            f"() => document.querySelector('.card').dataset.activity === '{old}'")
        assert "folded" not in (await phone.card(old).get_attribute("class") or "")
        # someone answers the reopened question; at its close the phone shows today's
        # figures, not those of the first reveal
        async with Phone.connect(server.url, code) as voter:
            await voter.respond(old, [0])
        await panel.close(old)
        await page.wait_for_function(
            f"() => document.querySelector('.card[data-activity=\"{old}\"] .results-n')"
            f".textContent.indexOf('1') >= 0")
        # a tap on a folded card's line unfolds it (its results, its "Vote clos")
        await panel.close(fresh)
        await page.wait_for_selector(f'.card.folded[data-activity="{fresh}"]')
        await phone.card(fresh).get_by_role("button", name="On mange à quelle heure ?").click()
        await phone.status_is(fresh, "closed")
    await phone.close()


async def test_acknowledgement_beside_the_finger_and_an_honest_connection_light(
    browser: Any, server: Any
) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Quai de la gare")  # one line, two if squeezed
        act = await panel.add_activity(code, kind="choice", prompt="Quel train ?",
                                       options=[f"Train {i}" for i in range(1, 11)])
        await panel.open(act)

    phone = await open_tab(browser, "about:blank", SMALL_PHONE)
    page = phone.page
    relay_rules = {"drop_acks": True, "drop_pongs": False}
    got_ack = asyncio.Event()

    def relay(ws: Any) -> None:
        upstream = ws.connect_to_server()

        def from_server(message: str | bytes) -> None:
            t = json.loads(message)["t"]
            if t == "ack" and relay_rules["drop_acks"]:
                got_ack.set()  # stored by the server, never delivered
                return
            if t == "pong" and relay_rules["drop_pongs"]:
                return
            ws.send(message)

        upstream.on_message(from_server)

    await page.route_web_socket("**/ws", relay)
    await page.goto(f"{server.url}/r/{code}")
    conn = page.locator("#conn")
    await page.wait_for_selector('#conn[data-state="online"]')
    card = phone.card(act)

    async def layout() -> tuple[float, float]:
        """The header's height and where the card starts in the page (whatever the
        scroll): what the light must not move."""
        header = await page.locator(".top").bounding_box()
        assert header is not None
        return header["height"], await card.evaluate(
            "(el) => el.getBoundingClientRect().top + window.scrollY")

    async def spelled_out(words: str) -> None:
        """The light's words are read, whole, inside the screen, and the page stays put."""
        assert words in await conn.inner_text()
        text = await conn.locator(".conn-text").bounding_box()
        assert text is not None and text["x"] >= 0
        assert text["x"] + text["width"] <= SMALL_PHONE["width"]
        assert await layout() == steady

    steady = await layout()

    option = phone.card(act).get_by_role("button", name="Train 9")
    await option.click()
    await asyncio.wait_for(got_ack.wait(), TIMEOUT_MS / 1000)
    await phone.status_is(act, "sending")
    status = phone.card(act).locator(".card-status")
    # "Envoi…" stands right under the tapped option, not at the bottom of the card
    opt_box, status_box = await option.bounding_box(), await status.bounding_box()
    assert 0 <= status_box["y"] - (opt_box["y"] + opt_box["height"]) < 24
    tick = "(el) => getComputedStyle(el, '::before').content"
    assert "✓" not in await option.evaluate(tick)  # pending, not ticked
    # a vote waits: the light does not say "connected"
    assert await conn.get_attribute("data-state") == "pending"
    assert "Connecté" not in await conn.inner_text()
    await spelled_out("Réponse en attente d'envoi…")

    # a missed pong: within 2 s the light stops saying "connected"
    relay_rules["drop_pongs"] = True
    await page.evaluate("window.dispatchEvent(new Event('online'))")  # the page checks now
    await page.wait_for_selector('#conn[data-state="unsure"]', timeout=2000)
    relay_rules["drop_pongs"] = False
    relay_rules["drop_acks"] = False

    # the browser goes offline: said within 2 s
    await phone.context.set_offline(True)
    await page.wait_for_selector('#conn[data-state="offline"]', timeout=2000)
    await spelled_out("Hors ligne")
    await phone.context.set_offline(False)
    # back online: the unacknowledged answer leaves again, is acknowledged, ticked
    await phone.status_is(act, "received")
    await page.wait_for_selector('#conn[data-state="online"]')
    assert "✓" in await option.evaluate(tick)
    opt_box, status_box = await option.bounding_box(), await status.bounding_box()
    assert 0 <= status_box["y"] - (opt_box["y"] + opt_box["height"]) < 24
    assert await status.inner_text() == "Vote reçu ✓"
    await phone.close()


async def test_second_tab_learns_the_vote_and_unsent_selections_survive_a_reload(
    browser: Any, server: Any
) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Atelier")
        choice = await panel.add_activity(code, kind="choice", prompt="Salle ?",
                                          options=["Grange", "Verger"])
        ranking = await panel.add_activity(code, kind="ranking", prompt="Priorités ?",
                                           options=["Eau", "Toit", "Four", "Haie"])
        approval = await panel.add_activity(code, kind="approval", prompt="Outils ?",
                                            options=["Pelle", "Scie", "Niveau"])
        temp = await panel.add_activity(code, kind="temperature", prompt="Le rythme ?",
                                        left="trop lent", right="trop rapide")
        for act in (choice, ranking, approval, temp):
            await panel.open(act)

    first = await open_tab(browser, f"{server.url}/r/{code}", PIXEL_5)
    await first.page.wait_for_selector('#conn[data-state="online"]')  # the device is known
    second_page = await first.context.new_page()  # same phone, same storage
    await second_page.goto(f"{server.url}/r/{code}")
    await second_page.wait_for_selector(f'.card[data-activity="{choice}"] .opt')

    await first.card(choice).get_by_role("button", name="Verger").click()
    await first.status_is(choice, "received")
    # the other tab shows the same answer, acknowledged, without a reload
    await second_page.wait_for_selector(
        f'.card[data-activity="{choice}"][data-status="received"] .opt[aria-pressed="true"]')
    assert await second_page.locator(
        f'.card[data-activity="{choice}"] .opt[aria-pressed="true"]').inner_text() == "Verger"
    await second_page.close()

    # a ranking and approvals being built, not sent, then the page reloads
    for name in ("Four", "Eau"):
        await first.card(ranking).get_by_role("button", name=name).click()
    await first.card(approval).get_by_role("button", name="Scie").click()
    await first.page.reload()
    await first.page.wait_for_selector(f'.card[data-activity="{ranking}"] .ranked-item')
    ranked = await first.card(ranking).locator(".ranked-label").all_inner_texts()
    assert ranked == ["Four", "Eau"]
    pressed = first.card(approval).locator('.opt[aria-pressed="true"]')
    assert await pressed.all_inner_texts() == ["Scie"]

    # temperature: "in the middle" without moving the slider away and back
    await first.card(temp).get_by_role("button", name="Je suis au milieu").click()
    await first.status_is(temp, "received")
    snap = await snapshot(first, server, temp)
    assert snap["n"] == 1 and snap["mean"] == 0
    await first.close()


async def test_ranking_results_order_agrees_with_their_figures_and_shows_ties(
    browser: Any, server: Any
) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Classement")
        act = await panel.add_activity(code, kind="ranking", prompt="Par quoi commencer ?",
                                       options=["Buvette", "Accueil", "Scène", "Parking"])
        await panel.open(act)
        # a cycle among the first three (each beats the next, 2 to 1), all above Parking
        for ballot in ([0, 1, 2, 3], [1, 2, 0, 3], [2, 0, 1, 3]):
            async with Phone.connect(server.url, code) as voter:
                await voter.respond(act, ballot)
        await panel.close(act)
        await panel.reveal(act)

        phone = await open_tab(browser, f"{server.url}/r/{code}", SMALL_PHONE)
        await phone.card(act).get_by_role("button", name="Par quoi commencer ?").click()
        rows = phone.card(act).locator(".card-results .bar-row")
        await rows.first.wait_for()
        labels = await rows.locator(".bar-label").all_inner_texts()
        figures = await rows.locator(".bar-figure").all_inner_texts()
        wins = [int(f.split()[1]) for f in figures]  # "bat 2 options sur 3 en duel · …"
        places = [int(label.split(".")[0]) for label in labels]
        # shown top to bottom: figures never rise, places follow the figures, ties share one
        assert wins == sorted(wins, reverse=True)
        assert wins == [1, 1, 1, 0]  # the cycle is a three-way tie
        for i in range(len(wins)):
            assert places[i] == 1 + sum(w > wins[i] for w in wins)
            tied = wins.count(wins[i]) > 1
            assert ("ex æquo" in labels[i]) == tied
        snap = await snapshot(phone, server, act)
        names = ["Buvette", "Accueil", "Scène", "Parking"]
        # the same order as the server's Schulze ranking (ties in option order)
        assert [label.split(". ", 1)[1].split(" (")[0] for label in labels] == [
            names[i] for i in snap["ranking"]]
        assert labels[-1].startswith("4. Parking") and wins[-1] == 0
    await phone.close()


async def test_the_phone_page_is_light_on_a_bad_wifi(browser: Any, server: Any) -> None:
    """Every module the page runs was named up front (no import waterfall), arrives
    compressed from a versioned URL kept a year, and a reload asks the network for the
    page alone."""
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Wifi")
        act = await panel.add_activity(code, kind="choice", prompt="Ça passe ?",
                                       options=["Oui", "Non"])
        await panel.open(act)
    phone = await open_tab(browser, None, PIXEL_5)
    page = phone.page
    cdp = await phone.context.new_cdp_session(page)
    await cdp.send("Network.enable")
    network: list[str] = []
    cdp.on("Network.requestWillBeSent", lambda e: network.append(e["request"]["url"]))
    cdp.on("Network.requestServedFromCache", lambda e: network.append("cache"))
    responses: dict[str, Any] = {}
    page.on("response", lambda r: responses.setdefault(r.url, r))

    await page.goto(f"{server.url}/r/{code}")
    await page.wait_for_selector(f'.card[data-activity="{act}"] .opt')
    preloaded = set(await page.eval_on_selector_all(
        "link[rel=modulepreload]", "els => els.map((e) => e.href)"))
    modules = {url for url in responses if url.endswith(".js")}
    assert modules and modules <= preloaded, modules - preloaded
    for url in modules:
        assert "/static/v/" in url
        headers = await responses[url].all_headers()
        assert "immutable" in headers["cache-control"]
        if int(headers.get("content-length", "1000")) >= 1000:
            assert headers.get("content-encoding") == "gzip", url
    # only the kind on screen was fetched (the server named it), the styles came inline,
    # and the page itself came compressed
    assert any(url.endswith("/phone/kinds/choice.js") for url in modules)
    assert not any(url.endswith(("/kinds/ranking.js", "/kinds/estimate.js")) for url in modules)
    # nothing scheduled in this room: the schedule's module stays on the server
    assert not any(url.endswith(("/phone/upcoming.js", "/shared/when.js")) for url in modules)
    assert not [url for url in responses if url.endswith(".css")]
    page_headers = await responses[f"{server.url}/r/{code}"].all_headers()
    assert page_headers.get("content-encoding") == "gzip"

    await page.wait_for_load_state("networkidle")
    network.clear()
    await page.reload()
    await page.wait_for_selector(f'.card[data-activity="{act}"] .opt')
    await page.wait_for_load_state("networkidle")
    reached = [u for u in network if u != "cache"]
    cached = network.count("cache")
    assert len(reached) - cached == 1, network  # the page; everything else from cache

    # A kind this page has not loaded yet comes when its first card shows.
    async with Panel.connect(server.url, server.secret) as panel:
        guess = await panel.add_activity(code, kind="estimate", prompt="Combien ?")
        await panel.open(guess)
    await page.locator(f'.card[data-activity="{guess}"] input').first.wait_for()
    assert any(u.endswith("/phone/kinds/estimate.js") for u in network)
    await phone.close()
