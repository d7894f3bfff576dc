"""Text in the projector's Bokeh charts, measured as Chromium drew it at 1280x720.

Every string the page draws on a canvas goes through `fillText` with the font it is
drawn in: the page records each (text, font size) pair, and the test reads what the
charts of each kind really drew. Labels and values (ticks, options, places, figures)
are at least 24 px; the secondary text (legends, axis titles, a gauge's title) at least
18 px.
"""

from __future__ import annotations

import os
import re
from typing import Any

import pytest

from crowd.clients import Panel, Phone
from tests.browser.support import CHROMIUM, LAID_OUT, SCREEN_VIEWPORT, open_tab

playwright_api = pytest.importorskip("playwright.async_api")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]

RECORD_TEXT = """
window.__drawn = [];
const fill = CanvasRenderingContext2D.prototype.fillText;
CanvasRenderingContext2D.prototype.fillText = function (text, x, y, maxWidth) {
  window.__drawn.push([String(text), this.font]);
  return fill.apply(this, arguments);
};
"""

# kind, spec, answers, what must be drawn, the secondary strings of that chart
CASES = [
    ("ranking", {"options": ["La buvette", "L'accueil", "La scène", "Le parking"]},
     [[0, 1, 2, 3], [1, 0, 2, 3], [0, 2, 1, 3]], {"La buvette", "1.", "2"}, set()),
    ("grades", {"options": ["Four", "Moulin"]}, [[4, 2], [5, 3], [3, 3]], {"Four"},
     {"À rejeter", "Insuffisant", "Passable", "Assez bien", "Bien", "Très bien",
      "Excellent"}),
    ("estimate", {"unit": "kg"}, [550, 600, 640, 700], {"kg", "600"},
     {"médiane", "médiane 1er tour", "vraie valeur"}),
    ("temperature", {"left": "Trop froid", "right": "Trop chaud"}, [-0.4, 0.1, 0.6],
     {"Trop froid", "Trop chaud", "minutes"}, {"minutes", "camps"}),
    ("orientation", {}, [10, 20, 30], {"N", "S"}, set()),
]


def size(font: str) -> float:
    match = re.search(r"([\d.]+)px", font)
    assert match, font
    return float(match.group(1))


@pytest.mark.parametrize(("kind", "spec", "answers", "expected", "secondary"), CASES,
                         ids=[c[0] for c in CASES])
async def test_chart_text_is_readable_from_the_back_at_720p(
    browser: Any, server: Any, kind: str, spec: dict[str, Any], answers: list[Any],
    expected: set[str], secondary: set[str]
) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Lisible")
        act = await panel.add_activity(code, kind, "Alors ?", results="live", **spec)
        await panel.open(act)
        await panel.project(act, room=code)
        for value in answers:
            async with Phone.connect(server.url, code) as phone:
                await phone.respond(act, value)
    screen = await open_tab(browser, None, SCREEN_VIEWPORT, init_script=RECORD_TEXT)
    await screen.page.goto(f"{server.url}/screen/{code}")
    await screen.page.locator("#answers", has_text=str(len(answers))).wait_for()
    await screen.page.wait_for_function(
        "(want) => want.every((w) => window.__drawn.some(([t]) => t === w))",
        arg=sorted(expected))
    await screen.page.evaluate(LAID_OUT)
    drawn = [(text, size(font)) for text, font in await screen.page.evaluate("window.__drawn")
             if text.strip()]
    small = sorted({(t, s) for t, s in drawn if s < 18})
    assert small == [], f"{kind}: text under 18 px: {small}"
    labels = sorted({(t, s) for t, s in drawn if t not in secondary and s < 24})
    assert labels == [], f"{kind}: labels or values under 24 px: {labels}"
    await screen.close()


# answers, the language of the projector, a tick that must be drawn, a pattern none may match
NUMBERS = [
    ([12000, 15500, 18000, 21000, 24500], "fr", "\u202f000", r"-?\d{4,}|.*e[+-]\d+"),
    ([0.25, 0.5, 0.75, 0.3, 0.6], "fr", ",", r"-?\d+\.\d+"),
    ([12000, 15500, 18000, 21000, 24500], "en", ",000", r"-?\d{4,}|.*\u202f.*"),
]


@pytest.mark.parametrize(("answers", "lang", "drawn_tick", "never"), NUMBERS,
                         ids=["fr-thousands", "fr-decimals", "en-thousands"])
async def test_axis_numbers_are_written_in_the_projectors_language(
    browser: Any, server: Any, answers: list[float], lang: str, drawn_tick: str, never: str
) -> None:
    """BokehJS writes "12000" and "0.5" whatever the page's language: the projector's
    axes say "12 000" and "0,5" in French, "12,000" in English."""
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Chiffres")
        act = await panel.add_activity(code, "estimate", "Combien ?", results="live")
        await panel.open(act)
        await panel.project(act, room=code)
        for value in answers:
            async with Phone.connect(server.url, code) as phone:
                await phone.respond(act, value)
    remember = f"localStorage.setItem('crowd.lang', '{lang}');"
    screen = await open_tab(browser, None, SCREEN_VIEWPORT, init_script=RECORD_TEXT + remember)
    await screen.page.goto(f"{server.url}/screen/{code}")
    await screen.page.locator("#answers", has_text=str(len(answers))).wait_for()
    # the histogram's count axis and the values' axis are both drawn
    numbers = re.compile(r"[-\u2212]?[\d\u202f,.]+")
    await screen.page.wait_for_function(
        "([tick, pattern]) => window.__drawn.some(([t]) => t.includes(tick)"
        " && new RegExp('^' + pattern + '$').test(t))", arg=[drawn_tick, numbers.pattern])
    await screen.page.evaluate(LAID_OUT)
    ticks = sorted({t for t, _ in await screen.page.evaluate("window.__drawn")
                    if numbers.fullmatch(t)})
    assert ticks and [t for t in ticks if re.fullmatch(never, t)] == [], ticks
    assert await screen.page.evaluate("document.documentElement.lang") == lang
    await screen.close()
