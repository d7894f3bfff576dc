"""A choice poll with predictions in headless Chromium: the phone picks an answer, shares
100 % among the options on sliders that cannot go beyond what is left, sends exactly what
it shows; the projector then names the surprisingly popular answer on screen, and the
phone's revealed results say it too."""

from __future__ import annotations

import os
from typing import Any

import pytest

from crowd.clients import Panel, Phone
from crowd.models.surprise import surprisingly_popular
from tests.browser.support import CHROMIUM, SCREEN_VIEWPORT, open_tab, snapshot

playwright_api = pytest.importorskip("playwright.async_api")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]

OPTIONS = ["Philadelphie", "Harrisburg", "Pittsburgh"]
NNBSP = "\u202f"


async def test_a_phone_predicts_and_the_projector_names_the_surprising_answer(
    browser: Any, server: Any
) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Quiz")
        act = await panel.add_activity(code, kind="choice", predict=True, options=OPTIONS,
                                       prompt="Quelle est la capitale de la Pennsylvanie ?")
        await panel.open(act)
        await panel.project(act, room=code)

        screen = await open_tab(browser, f"{server.url}/screen/{code}", SCREEN_VIEWPORT)
        phone = await open_tab(browser, f"{server.url}/r/{code}")
        card = phone.card(act)
        await card.locator(".sp-slider").first.wait_for()
        assert await card.locator(".sp-heading").inner_text() == \
            f"Quelle part de la salle répondra…{NNBSP}?"
        total = card.locator(".sp-total")
        valider = card.get_by_role("button", name="Valider")
        assert await total.inner_text() == f"Total{NNBSP}: 0{NNBSP}% · il reste 100{NNBSP}%"
        assert await valider.is_disabled()
        sliders = card.locator(".sp-slider")
        assert await sliders.count() == 3
        for i in range(3):
            box = await sliders.nth(i).bounding_box()
            assert box is not None and box["width"] >= 300 and box["height"] >= 48
            label = await sliders.nth(i).get_attribute("aria-label")
            assert label == f"Quelle part de la salle répondra «{NNBSP}{OPTIONS[i]}{NNBSP}»{NNBSP}?"

        # Shares first, then the answer: "Valider" waits for both.
        await sliders.nth(0).press("End")  # all of it to Philadelphie
        assert await total.inner_text() == f"Total{NNBSP}: 100{NNBSP}%"
        assert await card.locator(".sp-need").inner_text() != ""  # no answer picked yet
        assert await valider.is_disabled()
        await sliders.nth(1).press("End")  # nothing left: the slider stays at 0
        assert await sliders.nth(1).input_value() == "0"
        for _ in range(6):
            await sliders.nth(0).press("ArrowLeft")  # 100 -> 70
        await sliders.nth(1).press("End")  # takes what is left: 30
        shown = [await card.locator(".sp-share").nth(i).inner_text() for i in range(3)]
        assert shown == [f"70{NNBSP}%", f"30{NNBSP}%", f"0{NNBSP}%"]
        await card.get_by_role("button", name="Harrisburg").click()
        assert await card.locator(".sp-need").inner_text() == ""
        assert await valider.is_enabled()
        await valider.click()
        await phone.status_is(act, "received")
        snap = await snapshot(phone, server, act)
        assert snap["counts"] == [0, 1, 0]
        assert snap["surprise"]["n"] == 1 and snap["surprise"]["predicted"] == [0.7, 0.3, 0.0]

        # Below ten predictions the projector says it waits, and names no answer.
        line = screen.page.locator("#surprise")
        await line.locator("text=il faut 10 pronostics").wait_for()
        assert await line.get_attribute("data-answer") == ""

        # Nineteen more phones: most say Philadelphie expecting everyone to; a few know.
        crowd = [{"choice": 0, "predicted": [85, 10, 5]}] * 12 + \
                [{"choice": 1, "predicted": [70, 25, 5]}] * 7
        for value in crowd:
            async with Phone.connect(server.url, code) as other:
                await other.respond(act, value)
        every = [*crowd, {"choice": 1, "predicted": [70, 30, 0]}]
        model = surprisingly_popular([v["choice"] for v in every],
                                     [[p / 100 for p in v["predicted"]] for v in every], 3)
        assert model.answer == 1
        await screen.page.wait_for_function(
            "() => document.querySelector('#surprise').getAttribute('data-answer') === '1'")
        text = await line.inner_text()
        actual = round(100 * model.actual[1])
        predicted = round(100 * model.predicted[1])
        assert text == (f"Réponse surprenante{NNBSP}: «{NNBSP}Harrisburg{NNBSP}», choisie par "
                        f"{actual}{NNBSP}%, la salle en prévoyait {predicted}{NNBSP}%")
        box = await line.bounding_box()
        assert box is not None and box["height"] > 0
        assert box["x"] >= 0 and box["x"] + box["width"] <= SCREEN_VIEWPORT["width"]
        assert box["y"] >= 0 and box["y"] + box["height"] <= SCREEN_VIEWPORT["height"]
        size = await line.evaluate("(el) => parseFloat(getComputedStyle(el).fontSize)")
        assert size >= 20  # readable from the back of the room

        # Revealed: the phone's results say it as well.
        await panel.close(act)
        await panel.reveal(act)
        result = card.locator(".sp-result")
        await result.wait_for(state="attached")
        await phone.page.wait_for_selector(f'.card.folded[data-activity="{act}"]')
        await card.get_by_role("button", name="Quelle est la capitale").click()  # unfolds
        await result.wait_for()
        assert await result.inner_text() == text
        assert "mine" in (await card.locator(".bar-row").nth(1).get_attribute("class") or "")
    await phone.close()
    await screen.close()
