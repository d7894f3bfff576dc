"""The influence round as an experiment, in headless Chromium: a phone rates its
confidence with its estimate, sees the median or not according to its arm, and the
projector says what the confidence and the arms show, in words."""

from __future__ import annotations

import os
import random
from contextlib import AsyncExitStack
from typing import Any

import pytest

from crowd.activities.estimate import arm_of
from crowd.activities.estimate_others import OthersDraw
from crowd.clients import Panel, Phone
from tests.browser.support import CHROMIUM, SCREEN_VIEWPORT, open_tab, snapshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]

ARMS = ["median", "none"]


async def answer_on_the_page(phone: Any, act: str, text: str, confidence: int) -> None:
    card = phone.card(act)
    await card.locator(".estimate-input").fill(text)
    await card.get_by_role("button", name=f"Confiance {confidence} sur 6").click()
    await card.get_by_role("button", name="Valider").click()
    await phone.status_is(act, "received")


async def test_confidence_and_arms_from_the_phone_to_the_projector(
    browser: Any, server: Any
) -> None:
    async with AsyncExitStack() as stack:
        panel = await stack.enter_async_context(Panel.connect(server.url, server.secret))
        code = await panel.create_room("Expérience")
        first = await panel.add_activity(code, kind="estimate", prompt="Combien de litres ?",
                                         unit="L", confidence=True)
        await panel.open(first)
        await panel.project(first, room=code)
        screen = await open_tab(browser, f"{server.url}/screen/{code}", SCREEN_VIEWPORT)
        phone = await open_tab(browser, f"{server.url}/r/{code}")
        await answer_on_the_page(phone, first, "120", 5)

        rng = random.Random(5)
        phones = [await stack.enter_async_context(Phone.connect(server.url, code))
                  for _ in range(23)]
        guesses = [round(100 * 2 ** rng.uniform(-1.5, 1.5)) for _ in phones]
        for p, g in zip(phones, guesses, strict=True):
            await p.respond(first, {"value": g, "confidence": 3})
        reply = await panel.conn.request("influence_round", activity=first, arms=ARMS)
        second = reply["activity"]
        shown = (await snapshot(screen, server, first))["median"]

        # the page shows the median only to a device of the informed arm
        device = await phone.page.evaluate("() => localStorage.getItem('crowd.device')")
        arm = arm_of(first, device, ARMS)
        card = phone.card(second)
        await card.locator(".estimate-input").wait_for()
        words = await card.inner_text()
        assert ("médiane" in words) == (arm == "median"), (arm, words)
        await answer_on_the_page(phone, second, "130", 6)  # rated again, more sure

        for p, g in zip(phones, guesses, strict=True):
            informed = arm_of(first, p.device, ARMS) == "median"
            revised = round((g * shown) ** 0.5, 2) if informed else g
            await p.respond(second, {"value": revised, "confidence": 4})
        await panel.conn.request("set_truth", activity=second, value=shown)
        # while round 2 is open, the projector shows the room no figure (round 1's
        # median would inform the arm shown nothing): the veil, the count
        await screen.page.locator("#veil .veil-code").wait_for()
        assert await screen.page.locator("#answers").inner_text() == "24 réponses"
        assert await screen.page.locator("#insight").inner_text() == ""
        await panel.close(second)

        snap = await snapshot(screen, server, second)
        conf = snap["paired"]["confidence"]
        # the page's ratings reached the server: 5 -> 6 with 23 phones at 3 -> 4
        assert conf["n"] == 24
        assert conf["before"] == pytest.approx((5 + 23 * 3) / 24)
        assert conf["after"] == pytest.approx((6 + 23 * 4) / 24)
        arms = snap["paired"]["arms"]
        informed = sum(arm_of(first, p.device, ARMS) == "median" for p in phones)
        informed += arm == "median"
        assert arms["n"] == [informed, 24 - informed]
        # with the truth at the median shown, moving half-way to it always helps
        assert arms["difference"]["interval"]["low"] > 0
        await screen.page.wait_for_function(
            "() => document.querySelector('#insight').innerText.includes('voir la médiane')")
        text = str(await screen.page.locator("#insight").inner_text())
        assert "voir la médiane a aidé à se rapprocher de la vérité" in text
        assert f"{informed} avec la médiane · {24 - informed} sans information" in text
        assert "Confiance 3,1 → 4,1 sur 6 · plus sûrs" in text
        await phone.close()
        await screen.close()


async def test_a_phone_shows_what_other_people_answered(browser: Any, server: Any) -> None:
    """In the arms that show other people, the page says, in French with French number
    formats, the number this device alone was sent, and says it where it can be read."""
    arms = ["one_other", "median_of_5"]
    async with AsyncExitStack() as stack:
        panel = await stack.enter_async_context(Panel.connect(server.url, server.secret))
        code = await panel.create_room("Autres réponses")
        first = await panel.add_activity(code, kind="estimate", prompt="Combien de pas ?")
        await panel.open(first)
        phone = await open_tab(browser, f"{server.url}/r/{code}")
        card = phone.card(first)
        await card.locator(".estimate-input").fill("1000")
        await card.get_by_role("button", name="Valider").click()
        await phone.status_is(first, "received")
        device = await phone.page.evaluate("() => localStorage.getItem('crowd.device')")
        answers = {device: 1000.0}
        for value in (1200, 1100, 1150, 1300, 1250):
            p = await stack.enter_async_context(Phone.connect(server.url, code))
            await p.respond(first, value)
            answers[p.device] = float(value)
        reply = await panel.conn.request("influence_round", activity=first, arms=arms)
        second = reply["activity"]

        arm = arm_of(first, device, arms)
        want = OthersDraw.draw(first, answers).shown(device, arm)
        assert want is not None and want["n"] == (1 if arm == "one_other" else 5)
        figure = f"{round(want['value']):,}".replace(",", "\u202f")  # French thousands
        line = (f"Une autre personne a répondu\u202f: {figure}" if arm == "one_other"
                else f"La médiane de 5 autres personnes\u202f: {figure}")
        social = phone.card(second).locator(".social-own .social-main")
        await social.wait_for()
        assert await social.inner_text() == line
        box = await social.bounding_box()
        viewport = phone.page.viewport_size
        assert box is not None and viewport is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
        assert box["height"] > 0
        assert "La foule a répondu" not in await phone.card(second).inner_text()
        await phone.close()


async def test_the_projector_names_the_arms_it_compares(browser: Any, server: Any) -> None:
    """One other person's answer against no information: the projector names both groups
    (not "voir la médiane", which nobody saw)."""
    arms = ["one_other", "none"]
    async with AsyncExitStack() as stack:
        panel = await stack.enter_async_context(Panel.connect(server.url, server.secret))
        code = await panel.create_room("Une autre réponse")
        first = await panel.add_activity(code, kind="estimate", prompt="Combien de pas ?")
        await panel.open(first)
        await panel.project(first, room=code)
        screen = await open_tab(browser, f"{server.url}/screen/{code}", SCREEN_VIEWPORT)
        rng = random.Random(8)
        phones = [await stack.enter_async_context(Phone.connect(server.url, code))
                  for _ in range(24)]
        guesses = [round(1000 * 2 ** rng.uniform(-1.5, 1.5)) for _ in phones]
        for p, g in zip(phones, guesses, strict=True):
            await p.respond(first, g)
        second = (await panel.conn.request("influence_round", activity=first,
                                           arms=arms))["activity"]
        informed = [arm_of(first, p.device, arms) == "one_other" for p in phones]
        assert 0 < sum(informed) < 24
        for p, g, told in zip(phones, guesses, informed, strict=True):
            await p.respond(second, 1000 if told else g)  # those told found the truth
        await panel.conn.request("set_truth", activity=second, value=1000)
        await panel.close(second)  # an experiment's figures wait for the close
        await screen.page.wait_for_function(
            "() => document.querySelector('#insight').innerText.includes('autre personne')")
        text = str(await screen.page.locator("#insight").inner_text())
        assert ("avec la réponse d'une autre personne, on s'est plus rapproché de la vérité"
                " que sans information") in text
        assert (f"{sum(informed)} avec la réponse d'une autre personne · "
                f"{24 - sum(informed)} sans information") in text
        assert "voir la médiane" not in text
        await screen.close()


async def test_the_panel_runs_the_second_round_as_an_experiment(browser: Any, server: Any) -> None:
    """The animator chooses, beside "Deuxième tour", what each phone will see: the four
    arms split the phones at random, and the phones of the room are told their arms."""
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Expérience au panneau")
        first = await panel.add_activity(code, kind="estimate", prompt="Combien de pas ?")
        await panel.open(first)
        for value in (900, 1000, 1100):
            async with Phone.connect(server.url, code) as crowd:
                await crowd.respond(first, value)
    # an animator with the panel on a phone, in one hand
    tab = await open_tab(browser, f"{server.url}/panel#secret={server.secret}",
                         {"width": 390, "height": 844})
    page = tab.page
    await page.get_by_role("button", name=code).click()
    item = page.locator(f'.agenda-item[data-activity="{first}"]')
    chooser = item.get_by_label("Chaque téléphone voit")
    await chooser.wait_for()
    assert await chooser.input_value() == "median"  # by default everyone sees the median
    await chooser.select_option(label="au hasard\u202f: la médiane, rien, une autre réponse, "
                                      "ou la médiane de 5 (expérience)")
    box = await chooser.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert box["height"] >= 44  # a thumb's target
    async with Phone.connect(server.url, code) as watcher:
        await item.get_by_role("button", name="Deuxième tour").click()
        await page.wait_for_selector(".flash-ok:has-text('Deuxième tour ouvert')")
        second = await watcher.next_activity()
        while second["id"] == first:  # the first round closing comes first
            second = await watcher.next_activity()
    assert second["previous"] == first and second["round"] == 2
    assert second["arms"] == ["median", "none", "one_other", "median_of_5"]
    # a round 1 closed on the projector was seen by the room: no experiment offered
    async with Panel.connect(server.url, server.secret) as panel:
        seen = await panel.add_activity(code, kind="estimate", prompt="Combien de marches ?")
        await panel.open(seen)
        async with Phone.connect(server.url, code) as crowd:
            await crowd.respond(seen, 40)
        await panel.close(seen)
    item = page.locator(f'.agenda-item[data-activity="{seen}"]')
    await item.get_by_role("button", name="Deuxième tour").wait_for()
    assert await item.get_by_label("Chaque téléphone voit").count() == 0
    await tab.close()
