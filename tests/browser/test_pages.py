"""The three pages in headless Chromium against a real server.

Each test creates its own room through the Python clients (or through the panel page),
drives the pages as a participant or an animator would, and waits on what the pages
show (selectors, `window.crowdScreen`, Bokeh's documents): never on sleeps.
"""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

import pytest

from crowd.clients import Panel, Phone
from tests.browser.support import BARS_TOTAL, CHROMIUM, TIMEOUT_MS, open_tab, snapshot

playwright_api = pytest.importorskip("playwright.async_api")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]





async def test_phone_vote_is_acknowledged_and_moves_the_projected_chart(
    browser: Any, server: Any
) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Fête des voisins")
        act = await panel.add_activity(
            code, kind="choice", prompt="Quel jour ?", options=["Samedi", "Dimanche"]
        )
        await panel.open(act)
        await panel.project(act, room=code)

    screen = await open_tab(browser, f"{server.url}/screen/{code}", {"width": 1280, "height": 720})
    await screen.page.wait_for_function(BARS_TOTAL, arg=[act, 0])

    phone = await open_tab(browser, "about:blank")
    # The first connection never delivers its acks: the page must say "Envoi…" (the vote
    # is stored, but the page cannot know), then, once that connection drops, reconnect,
    # send the vote again with the same seq and take the `dup` ack as the receipt.
    connections: list[Any] = []
    held: list[dict[str, Any]] = []
    passed: list[dict[str, Any]] = []
    ack_held = asyncio.Event()

    def relay(ws: Any) -> None:
        connections.append(ws)
        first = len(connections) == 1
        upstream = ws.connect_to_server()

        def from_server(message: str | bytes) -> None:
            msg = json.loads(message)
            if msg["t"] == "ack":
                (held if first else passed).append(msg)
                if first:
                    ack_held.set()
                    return
            ws.send(message)

        upstream.on_message(from_server)

    await phone.page.route_web_socket("**/ws", relay)
    await phone.page.goto(f"{server.url}/r/{code}")
    await phone.card(act).get_by_role("button", name="Dimanche").click()

    await phone.status_is(act, "sending")
    # Tallied (the screen's Bokeh data moved), stored and acknowledged, but not delivered.
    await screen.page.wait_for_function(BARS_TOTAL, arg=[act, 1])
    await asyncio.wait_for(ack_held.wait(), TIMEOUT_MS / 1000)
    assert len(held) == 1
    assert await phone.card(act).locator(".card-status").inner_text() == "Envoi…"
    assert await phone.card(act).get_by_text("Vote reçu").count() == 0
    outbox = json.loads(await phone.page.evaluate("localStorage.getItem('crowd.outbox')"))
    assert [(e["activity"], e["value"], e["seq"]) for e in outbox] == [(act, 1, held[0]["seq"])]

    await connections[0].close()
    await phone.status_is(act, "received")
    assert len(connections) == 2
    assert [(a["seq"], a.get("dup")) for a in passed] == [(held[0]["seq"], True)]
    assert await phone.card(act).locator(".card-status").inner_text() == "Vote reçu ✓"
    pressed = phone.card(act).locator('.opt[aria-pressed="true"]')
    assert await pressed.inner_text() == "Dimanche"
    assert await phone.page.evaluate("localStorage.getItem('crowd.outbox')") == "[]"

    hook = await screen.page.evaluate("window.crowdScreen")
    assert hook["activity"] == act
    assert hook["frames"] >= 1
    assert hook["lastChart"]["bars"]["value"] == [0, 1]
    await phone.close()
    await screen.close()


# ---------------------------------------------------------------- (b) reload, close, reveal


async def test_phone_keeps_its_answer_after_reload_then_sees_closed_and_results(
    browser: Any, server: Any
) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("AG")
        act = await panel.add_activity(
            code, kind="choice", prompt="Budget ?", options=["Pour", "Contre", "Abstention"]
        )
        await panel.open(act)

        phone = await open_tab(browser, f"{server.url}/r/{code}")
        await phone.card(act).get_by_role("button", name="Pour").click()
        await phone.status_is(act, "received")
        device = await phone.page.evaluate("localStorage.getItem('crowd.device')")

        await phone.page.reload()
        await phone.status_is(act, "received")
        pressed = phone.card(act).locator('.opt[aria-pressed="true"]')
        assert await pressed.inner_text() == "Pour"
        assert await phone.page.evaluate("localStorage.getItem('crowd.device')") == device

        await panel.close(act)
        await phone.page.wait_for_selector(f'.card[data-activity="{act}"][data-state="closed"]')
        # closed: folded to one line, a tap on it unfolds it
        await phone.page.wait_for_selector(f'.card.folded[data-activity="{act}"]')
        await phone.card(act).get_by_role("button", name="Budget ?").click()
        await phone.status_is(act, "closed")
        assert "Vote clos" in await phone.card(act).locator(".card-status").inner_text()
        assert await phone.card(act).locator(".opt").count() == 0

        await panel.reveal(act)
        results = phone.card(act).locator(".card-results")
        await phone.page.wait_for_selector(
            f'.card[data-activity="{act}"] .card-results .bar-row.mine'
        )
        mine = results.locator(".bar-row.mine")
        assert "Pour" in await mine.inner_text()
        assert "100" in await mine.locator(".bar-figure").inner_text()
    await phone.close()


# ---------------------------------------------------------------- (c) the panel page


async def test_panel_creates_a_room_and_opens_an_activity(browser: Any, server: Any) -> None:
    tab = await open_tab(
        browser, f"{server.url}/panel#secret={server.secret}", {"width": 1024, "height": 768}
    )
    page = tab.page
    await page.wait_for_selector("#room-form")
    assert "secret" not in page.url  # the secret leaves the address bar
    await page.fill("#room-title-input", "Assemblée du panel")
    await page.click("#room-form button[type=submit]")
    await page.wait_for_selector("#room-name:has-text('Assemblée du panel')")
    code = (await page.inner_text("#room-code")).strip()
    assert len(code) == 4
    assert await page.get_attribute("#screen-link", "href") == f"/screen/{code}"
    await page.wait_for_selector("#room-qr svg")

    await page.fill("#add-prompt", "On repeint la grange en quelle couleur ?")
    await page.fill("#add-options", "Rouge\nVert\nBleu")
    await page.click("#add-form button[type=submit]")
    item = page.locator(".agenda-item", has_text="repeint la grange")
    await item.wait_for()
    assert await item.get_attribute("data-state") == "draft"
    await item.get_by_role("button", name="Ouvrir").click()
    await page.wait_for_selector(".agenda-item[data-state='open']")

    async with Phone.connect(server.url, code) as phone:
        opened = phone.open_activities()
        assert [a["prompt"] for a in opened] == ["On repeint la grange en quelle couleur ?"]
        assert opened[0]["options"] == ["Rouge", "Vert", "Bleu"]
        # The panel counts the phone ("appareils connectés", from the room's pulse)...
        # (a function: a string expression is eval'd in the page, which its CSP forbids)
        await page.wait_for_function("() => document.querySelector('#connected').textContent"
                                     " === '1'")
        # ...and shows its vote live, from frames.
        await phone.respond(opened[0]["id"], 1)
        await (
            item.locator(".bar-row", has_text="Vert")
            .locator(".bar-figure:has-text('1 ·')")
            .wait_for()
        )
        await page.wait_for_selector(".agenda-item .agenda-n:has-text('1 réponse')")

    # The agenda goes out as a JSON file and comes back in (here: a second copy).
    async with page.expect_download() as download:
        await page.click("#export")
    path = await (await download.value).path()
    agenda = json.loads(path.read_text(encoding="utf-8"))
    assert agenda["format"] == "crowd-agenda"
    assert [a["options"] for a in agenda["activities"]] == [["Rouge", "Vert", "Bleu"]]
    await page.set_input_files("#import", path)
    await page.wait_for_selector(".flash-ok:has-text('1 activité importée')")
    assert await page.locator(".agenda-item", has_text="repeint la grange").count() == 2
    await tab.close()


# ---------------------------------------------------------------- (d) every poll kind


async def test_each_poll_kind_can_be_answered_from_the_phone(browser: Any, server: Any) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Tous les types")
        ids = {}
        for kind, spec in [
            ("choice", {"options": ["Oui", "Non"]}),
            ("approval", {"options": ["Compost", "Vélo", "Énergie"], "max": 2}),
            ("ranking", {"options": ["Toiture", "Cuisine", "Jardin"]}),
            ("grades", {"options": ["Four", "Serre"]}),
            ("estimate", {"unit": "kg", "min": 0, "max": 2000}),
            ("words", {"max_words": 3}),
        ]:
            ids[kind] = await panel.add_activity(code, kind=kind, prompt=f"Question {kind}", **spec)
            await panel.open(ids[kind])

    tab = await open_tab(browser, f"{server.url}/r/{code}")
    for kind in ids:
        await tab.card(ids[kind]).wait_for()

    choice = tab.card(ids["choice"])
    await choice.get_by_role("button", name="Non").click()

    approval = tab.card(ids["approval"])
    await approval.get_by_role("button", name="Compost").click()
    await approval.get_by_role("button", name="Énergie").click()
    assert await approval.get_by_role("button", name="Vélo").is_disabled()  # max 2
    await approval.get_by_role("button", name="Valider").click()

    ranking = tab.card(ids["ranking"])
    await ranking.get_by_role("button", name="Jardin", exact=True).click()
    await ranking.get_by_role("button", name="Toiture", exact=True).click()
    await ranking.get_by_role("button", name="Monter Toiture").click()
    await ranking.get_by_role("button", name="Valider").click()

    grades = tab.card(ids["grades"])
    await grades.locator(".grade-row").nth(0).get_by_role("button", name="Très bien").click()
    await grades.locator(".grade-row").nth(1).get_by_role("button", name="Passable").click()
    await grades.get_by_role("button", name="Valider").click()

    estimate = tab.card(ids["estimate"])
    await estimate.locator("input").fill("1 234,5")
    await estimate.get_by_role("button", name="Valider").click()

    words = tab.card(ids["words"])
    await words.locator("input").nth(0).fill("Solidarité")
    await words.locator("input").nth(1).fill("partage")
    await words.get_by_role("button", name="Envoyer").click()

    for kind in ids:
        await tab.status_is(ids[kind], "received")

    assert (await snapshot(tab, server, ids["choice"]))["counts"] == [0, 1]
    assert (await snapshot(tab, server, ids["approval"]))["counts"] == [1, 0, 1]
    assert (await snapshot(tab, server, ids["ranking"]))["counts"] == [1, 0, 0]  # Toiture 1st
    assert (await snapshot(tab, server, ids["grades"]))["majority"] == [5, 2]
    assert (await snapshot(tab, server, ids["estimate"]))["median"] == 1234.5
    # the words as typed (variants of a word are counted together, in their usual spelling)
    assert sorted((await snapshot(tab, server, ids["words"]))["words"]) == ["Solidarité", "partage"]

    # The nickname goes through its own ack.
    await tab.page.fill("#nick", "Camille")
    await tab.page.click("#nick-form button[type=submit]")
    await tab.page.wait_for_selector("#nick-status:has-text('Pseudo enregistré')")
    await tab.close()


# ---------------------------------------------------------------- (e) the home page


async def test_home_page_sends_a_typed_code_to_the_phone_page(browser: Any, server: Any) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Accueil")

    tab = await open_tab(browser, f"{server.url}/")
    page = tab.page
    await page.fill("#code", "ZZZZ")  # not a code: Z is not in the alphabet
    await page.press("#code", "Enter")
    await page.wait_for_selector("#message:has-text('4 caractères')")

    await page.fill("#code", code.lower())
    await page.press("#code", "Enter")
    await page.wait_for_url(f"**/r/{code}")
    await page.wait_for_selector("#room-title:has-text('Accueil')")

    # English is one tap away, and remembered.
    await page.click("#lang")
    await page.wait_for_selector("#nick-form label:has-text('Nickname')")
    await page.goto(f"{server.url}/")
    await page.wait_for_selector("h1:has-text('Join a room')")
    await tab.close()
