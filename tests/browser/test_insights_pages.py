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
    assert f"± {round(snap['arc_deg'])}°" in text and "(NE)" in text
    arc = await screen.source(act, "arc", "(d) => d.start.length === 1")
    width = math.degrees(arc["end"][0] - arc["start"][0])  # math angles run anticlockwise
    assert width == pytest.approx(2 * snap["arc_deg"], abs=1e-6)
    assert arc["outer"] == [pytest.approx(snap["resultant_length"])]
    await screen.close()
