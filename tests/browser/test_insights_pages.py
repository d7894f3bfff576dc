"""The projector's headline in headless Chromium: it says what the crowd models say, no more.

Real server, real phones (Python clients), the real screen page; each test reads the words
the page rendered over the chart.
"""

from __future__ import annotations

import asyncio
import math
import os
import random
import re
from collections.abc import Sequence
from contextlib import AsyncExitStack
from typing import Any

import pytest

from crowd.clients import Panel, Phone
from tests.browser.support import CHROMIUM, SCREEN_VIEWPORT, open_tab, snapshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]

NBSP = "[\u00a0\u202f]"  # the French space before % never breaks the line


async def projected(server: Any, kind: str, **spec: Any) -> tuple[str, str]:
    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Titres")
        act = await panel.add_activity(code, kind=kind, prompt="?", **spec)
        await panel.open(act)
        await panel.project(act, room=code)
    return code, act


async def answer(server: Any, code: str, act: str, values: Sequence[Any]) -> None:
    async with AsyncExitStack() as stack:
        phones = [await stack.enter_async_context(Phone.connect(server.url, code))
                  for _ in values]
        await asyncio.gather(*(p.respond(act, v) for p, v in zip(phones, values, strict=True)))


async def insight_when(screen: Any, n: int, text: str) -> str:
    """The headline once the screen shows `n` answers and the headline contains `text`."""
    await screen.page.wait_for_function(
        "([n, text]) => document.querySelector('#answers').innerText.startsWith(n + ' ')"
        " && document.querySelector('#insight').innerText.includes(text)", arg=[n, text])
    return str(await screen.page.locator("#insight").inner_text())


async def test_two_camps_are_named_with_their_pole_shares(browser: Any, server: Any) -> None:
    code, act = await projected(server, "temperature", left="froid", right="brûlant")
    screen = await open_tab(browser, f"{server.url}/screen/{code}", SCREEN_VIEWPORT)
    rng = random.Random(1)
    split = [round(max(-1.0, min(1.0, (0.75 if i % 3 else -0.75) + rng.gauss(0, 0.1))), 2)
             for i in range(24)]
    await answer(server, code, act, split)
    text = await insight_when(screen, 24, "deux camps")
    low = round(100 * sum(v < -0.5 for v in split) / 24)
    high = round(100 * sum(v > 0.5 for v in split) / 24)
    # French typography: narrow no-break spaces inside the guillemets
    assert re.search(f"{low}{NBSP}% vers «{NBSP}froid{NBSP}» · {high}{NBSP}% vers "
                     f"«{NBSP}brûlant{NBSP}»", text)
    # The dial shows camps (Esteban & Ray), the trend draws camps next to the mean.
    snap = await snapshot(screen, server, act)
    label = f"{round(100 * snap['camps'])}\u202f%"
    gauge = await screen.source(act, "gauge", f"(d) => d.label[0] === {label!r}")
    assert gauge["value"] == [pytest.approx(snap["camps"])] and snap["camps"] > 0.3  # uniform: 0.1
    trend = await screen.source(act, "trend", "(d) => d.camps && d.camps.length > 0")
    assert trend["camps"][-1] is not None
    await screen.close()


async def test_a_room_spread_evenly_is_not_called_two_camps(browser: Any, server: Any) -> None:
    code, act = await projected(server, "temperature", left="froid", right="brûlant")
    screen = await open_tab(browser, f"{server.url}/screen/{code}", SCREEN_VIEWPORT)
    even = [round(-1 + 2 * i / 23, 2) for i in range(24)]  # uniform from -1 to 1
    await answer(server, code, act, even)
    text = await insight_when(screen, 24, "avis dispersés")
    assert "deux camps" not in text and "consensus" not in text
    await screen.close()


async def test_two_exits_read_as_two_directions(browser: Any, server: Any) -> None:
    code, act = await projected(server, "orientation")
    screen = await open_tab(browser, f"{server.url}/screen/{code}", SCREEN_VIEWPORT)
    rng = random.Random(2)
    arrows = [{"angle": round((90 if i % 2 else 270) + rng.gauss(0, 10), 1) % 360,
               "strength": 1.0} for i in range(24)]
    await answer(server, code, act, arrows)
    text = await insight_when(screen, 24, "deux directions")
    assert "vers O et E" in text or "vers E et O" in text
    assert "s'accorde" not in text and "pas de direction commune" not in text
    box = await screen.page.locator("#insight").bounding_box()
    assert box is not None and box["width"] > 0 and box["y"] + box["height"] <= 720
    await screen.close()


async def test_a_poll_lead_within_the_margin_of_error_says_so(browser: Any, server: Any) -> None:
    code, act = await projected(server, "choice", options=["pain", "fromage"])
    screen = await open_tab(browser, f"{server.url}/screen/{code}", SCREEN_VIEWPORT)
    async with AsyncExitStack() as stack:
        phones = [await stack.enter_async_context(Phone.connect(server.url, code))
                  for _ in range(12)]
        await asyncio.gather(*(p.respond(act, 0 if i < 7 else 1) for i, p in enumerate(phones)))
        # 7 against 5: d = 2/12, Var = (1 - d^2) / 12, 95 % interval -0.391 to +0.725
        text = await insight_when(screen, 12, "dans la marge d'erreur")
        assert "pain devant (+17 points)" in text and "1 voix à déplacer pour égaliser" in text
        assert "écart à 95\u202f%\u202f: \u221239 à +72 points" in text
        await phones[0].respond(act, 1)  # one voter switches: 6 against 6
        text = await insight_when(screen, 12, "Égalité")
        assert "Égalité\u202f: pain et fromage" in text
    await screen.close()


async def test_the_influence_round_reports_who_kept_moved_and_adopted(
    browser: Any, server: Any
) -> None:
    code, first = await projected(server, "estimate", unit="L")
    screen = await open_tab(browser, f"{server.url}/screen/{code}", SCREEN_VIEWPORT)
    async with AsyncExitStack() as stack:
        phones = [await stack.enter_async_context(Phone.connect(server.url, code))
                  for _ in range(4)]
        for phone, value in zip(phones, (80, 100, 100, 200), strict=True):
            await phone.respond(first, value)  # the median shown will be 100
        async with Panel.connect(server.url, server.secret) as panel:
            reply = await panel.conn.request("influence_round", activity=first)
            second = reply["activity"]
            # 80 kept; 200 -> 141.42 half-way in logs (S = 0.5); the two at 100 have no S.
            await phones[0].respond(second, 80)
            await phones[3].respond(second, 141.42)
            await phones[1].respond(second, 100)
            await phones[2].respond(second, 100)
            await panel.conn.request("set_truth", activity=second, value=120)
        text = await insight_when(screen, 4, "gardent leur estimation")
    assert re.search(f"50{NBSP}% gardent leur estimation · 50{NBSP}% se rapprochent de la"
                     f" médiane · 0{NBSP}% l'adoptent", text)
    # 80 -> 80 no closer, 200 -> 141 closer, the two at 100 no change: 25 %; the crowd's
    # geometric mean went from 112.5 to 103.1 L, further from 120.
    assert re.search(f"25{NBSP}% plus près de la vérité, mais pas la foule", text)
    await screen.close()


async def test_an_agreeing_rose_shows_its_arc_and_direction(browser: Any, server: Any) -> None:
    code, act = await projected(server, "orientation")
    screen = await open_tab(browser, f"{server.url}/screen/{code}", SCREEN_VIEWPORT)
    rng = random.Random(3)
    arrows = [{"angle": round(40 + rng.gauss(0, 15), 1) % 360, "strength": 0.5}
              for _ in range(24)]
    await answer(server, code, act, arrows)
    text = await insight_when(screen, 24, "la foule s'accorde")
    snap = await snapshot(screen, server, act)
    assert snap["verdict_code"] == "agree" and snap["arc_deg"] is not None
    # the p-value in plain words; its figure only in smaller type than the words
    assert snap["rayleigh_p"] < 0.001 and "presque jamais par hasard" in text
    await figure_is_smaller(screen, "p < 0,001", "la foule s'accorde")
    assert f"± {round(snap['arc_deg'])}°" in text and "(NE)" in text
    arc = await screen.source(act, "arc", "(d) => d.start.length === 1")
    width = math.degrees(arc["end"][0] - arc["start"][0])  # math angles run anticlockwise
    assert width == pytest.approx(2 * snap["arc_deg"], abs=1e-6)
    assert arc["outer"] == [pytest.approx(snap["resultant_length"])]
    await screen.close()


async def font_px(screen: Any, text: str) -> float:
    """The computed font size of the innermost element of #insight showing `text`."""
    size = await screen.page.evaluate(
        """(text) => {
            const all = Array.from(document.querySelectorAll('#insight *'))
              .filter((e) => e.textContent.includes(text));
            const inner = all.filter((e) => !all.some((o) => o !== e && e.contains(o)));
            const box = inner[0].getBoundingClientRect();
            return box.width > 0 ? parseFloat(getComputedStyle(inner[0]).fontSize) : 0;
        }""", text)
    return float(size)


async def figure_is_smaller(screen: Any, figure: str, words: str) -> None:
    small, big = await font_px(screen, figure), await font_px(screen, words)
    assert 0 < small < 0.7 * big, (figure, small, words, big)


def lobed(n: int, centres: Sequence[float], seed: int) -> list[dict[str, float]]:
    rng = random.Random(seed)
    return [{"angle": round(centres[i % len(centres)] + rng.gauss(0, 12), 1) % 360,
             "strength": 1.0} for i in range(n)]


async def test_a_three_lobed_rose_never_reads_as_agreement(browser: Any, server: Any) -> None:
    # The demo's trap: with many arrows in three equal lobes, Rayleigh alone says "agrees".
    code, act = await projected(server, "orientation")
    screen = await open_tab(browser, f"{server.url}/screen/{code}", SCREEN_VIEWPORT)
    await answer(server, code, act, lobed(60, (0, 120, 240), 4))
    text = await insight_when(screen, 60, "plusieurs directions")
    assert "s'accorde" not in text and "p <" not in text and "p =" not in text
    assert "hasard" not in text  # no chance words for a verdict that is not about agreement
    async with Panel.connect(server.url, server.secret) as panel:
        await panel.close(act)
        await panel.reveal(act)
    phone = await open_tab(browser, f"{server.url}/r/{code}")
    card = phone.card(act)
    await card.get_by_role("button").first.click()
    await card.locator(".tone").first.wait_for()
    words = await card.inner_text()
    assert "plusieurs directions" in words and "s'accorde" not in words and "p <" not in words
    await phone.close()
    await screen.close()


async def test_a_true_bearing_is_judged_by_the_v_test_in_plain_words(
    browser: Any, server: Any
) -> None:
    code, act = await projected(server, "orientation")
    screen = await open_tab(browser, f"{server.url}/screen/{code}", SCREEN_VIEWPORT)
    await answer(server, code, act, lobed(24, (40,), 5))
    async with Panel.connect(server.url, server.secret) as panel:
        await panel.conn.request("set_truth", activity=act, value=45)
        text = await insight_when(screen, 24, "pointe vers la bonne direction")
        assert "(NE, 45°)" in text and "ne pointe pas" not in text
        snap = await snapshot(screen, server, act)
        assert snap["v_test"]["p"] < 0.001
        await figure_is_smaller(screen, "p < 0,001", "pointe vers la bonne direction")
        # The truth was the other way: the same rose does not point there.
        await panel.conn.request("set_truth", activity=act, value=220)
        text = await insight_when(screen, 24, "ne pointe pas nettement vers la bonne direction")
        assert "(SO, 220°)" in text and "la foule s'accorde" in text
    await screen.close()


async def test_a_condorcet_winner_is_named_in_plain_words(browser: Any, server: Any) -> None:
    code, act = await projected(server, "ranking", options=["Buvette", "Accueil", "Scène"])
    screen = await open_tab(browser, f"{server.url}/screen/{code}", SCREEN_VIEWPORT)
    # Accueil beats Buvette 2-1 and Scène 3-0.
    await answer(server, code, act, [[1, 0, 2], [1, 2, 0], [0, 1, 2]])
    text = await insight_when(screen, 3, "bat chacune des autres en duel")
    assert text.startswith("Accueil bat chacune des autres en duel")
    await figure_is_smaller(screen, "gagnant de Condorcet", "bat chacune des autres")
    await screen.close()


async def test_a_phone_reads_pole_shares_not_a_polarisation_index(
    browser: Any, server: Any
) -> None:
    code, act = await projected(server, "temperature", left="froid", right="brûlant")
    values = [-0.9] * 6 + [0.0] * 2 + [0.8] * 4
    await answer(server, code, act, values)
    async with Panel.connect(server.url, server.secret) as panel:
        await panel.close(act)
        await panel.reveal(act)
    phone = await open_tab(browser, f"{server.url}/r/{code}")
    card = phone.card(act)
    await card.get_by_role("button").first.click()
    shares = card.locator(".temp-pole-shares")
    await shares.wait_for()
    # 6 of 12 below -0.5, 4 of 12 above +0.5
    expected = f"50{NBSP}% vers «{NBSP}froid{NBSP}» · 33{NBSP}% vers «{NBSP}brûlant{NBSP}»"
    assert re.fullmatch(expected, await shares.inner_text())
    assert "polarisation" not in await card.inner_text()
    await phone.close()
