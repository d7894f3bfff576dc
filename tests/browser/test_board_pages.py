"""The board in headless Chromium: a phone at 360 px posts and upvotes with big buttons,
and the projector shows the questions (the pinned one large), the wall of ideas by
category and the synergy map of needs and offers; what the moderation holds back and
markup typed by a participant never reach a page as anything but text."""

from __future__ import annotations

import contextlib
import os
from typing import Any

import pytest

from crowd.clients import Panel, Phone
from tests.browser.support import CHROMIUM, SCREEN_VIEWPORT, open_tab

pytest.importorskip("playwright.async_api")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium"),
]

NARROW = {"width": 360, "height": 740}
MARKUP = '<img src=x onerror="window.pwned=1">Un four <b>commun</b>'


async def test_a_phone_at_360px_posts_and_upvotes(browser: Any, server: Any) -> None:
    async with Panel.connect(server.url, server.secret) as panel, \
            contextlib.AsyncExitStack() as stack:
        code = await panel.create_room("Questions")
        act = await panel.add_activity(code, "board", "Vos questions au bureau")
        await panel.open(act)
        phones = [await stack.enter_async_context(Phone.connect(server.url, code))
                  for _ in range(3)]
        asked = await phones[0].post(act, "Quand ouvre la nouvelle fournée ?")
        await phones[1].post(act, MARKUP)
        await phones[2].post(act, "Le trésorier est un connard")  # held back by the list
        tab = await open_tab(browser, f"{server.url}/r/{code}", NARROW)
        card = tab.card(act)
        item = card.locator(f'.board-post[data-post="{asked}"]')
        await item.wait_for()
        texts = await card.locator(".board-post-text").all_inner_texts()
        assert "Le trésorier est un connard" not in texts
        assert MARKUP in texts  # shown as typed: text, not markup
        assert await tab.page.evaluate("window.pwned === undefined")
        assert await card.locator(".board-post img, .board-post b").count() == 0
        # upvote: a big button inside the narrow screen, and the server counts it
        upvote = item.locator("button.board-upvote")
        box = await upvote.bounding_box()
        assert box["height"] >= 44 and box["x"] + box["width"] <= NARROW["width"]
        await upvote.click()
        await tab.page.wait_for_selector(
            f'.board-post[data-post="{asked}"] button.board-upvote[aria-pressed="true"]')
        listed = await phones[0].next_board()
        while next((p["votes"] for p in listed["snapshot"]["posts"] if p["id"] == asked),
                   0) != 1:
            listed = await phones[0].next_board()
        # post from the form: the field and the button fit the width, the post comes back
        area = card.locator("textarea.board-text")
        area_box = await area.bounding_box()
        assert area_box["x"] + area_box["width"] <= NARROW["width"]
        await area.fill("Peut-on visiter le fournil ?")
        send = card.locator("button.board-send")
        assert (await send.bounding_box())["height"] >= 48
        await send.click()
        await card.locator(".board-say:has-text('Merci')").wait_for()
        await card.locator(".board-post-text:has-text('Peut-on visiter le fournil')").wait_for()
        # the phone's own post has no upvote button
        own = card.locator(".board-post:has-text('Peut-on visiter le fournil')")
        assert await own.locator("button.board-upvote").count() == 0
        await tab.close()


async def test_the_projector_shows_the_pinned_question_large_and_the_top_ones(
        browser: Any, server: Any) -> None:
    async with Panel.connect(server.url, server.secret) as panel, \
            contextlib.AsyncExitStack() as stack:
        code = await panel.create_room("Plénière")
        act = await panel.add_activity(code, "board", "Vos questions")
        await panel.open(act)
        await panel.project(act)
        phones = [await stack.enter_async_context(Phone.connect(server.url, code))
                  for _ in range(6)]
        posts = [await phones[n].post(act, f"Question numéro {n}") for n in range(3)]
        hidden = await phones[3].post(act, "Une question à cacher")
        await phones[4].post(act, MARKUP)
        for n in (3, 4, 5):
            await phones[n].upvote(posts[2])
        await panel.board_pin(act, posts[1])
        await panel.conn.request("moderate", activity=act, entry=hidden, action="hide")
        screen = await open_tab(browser, f"{server.url}/screen/{code}", SCREEN_VIEWPORT)
        pinned = screen.page.locator(f'.posts-pinned[data-post="{posts[1]}"] .posts-pinned-text')
        await pinned.wait_for()
        first = screen.page.locator(".posts-item").first
        await screen.page.wait_for_function(
            "() => (document.querySelector('.posts-item .posts-count') || {}).textContent === '3'")
        assert "Question numéro 2" in await first.inner_text()
        size = float((await pinned.evaluate("e => getComputedStyle(e).fontSize"))[:-2])
        other = float((await first.locator(".posts-text").evaluate(
            "e => getComputedStyle(e).fontSize"))[:-2])
        assert size >= 1.4 * other
        box = await pinned.bounding_box()
        assert box["y"] + box["height"] <= SCREEN_VIEWPORT["height"]
        page_text = await screen.page.locator("body").inner_text()
        assert "Une question à cacher" not in page_text
        assert MARKUP in page_text and await screen.page.evaluate("window.pwned === undefined")
        await screen.close()


async def test_the_projector_shows_ideas_by_category(browser: Any, server: Any) -> None:
    async with Panel.connect(server.url, server.secret) as panel, \
            contextlib.AsyncExitStack() as stack:
        code = await panel.create_room("Atelier")
        act = await panel.add_activity(code, "board", "Vos idées", mode="ideas",
                                       categories=["Lieu", "Outils"])
        await panel.open(act)
        await panel.project(act)
        phones = [await stack.enter_async_context(Phone.connect(server.url, code))
                  for _ in range(4)]
        tool = await phones[0].post(act, "Un four commun", category="Outils")
        await phones[1].post(act, "La grange", category="Lieu")
        await phones[2].post(act, "Sans case")
        await phones[3].upvote(tool)
        screen = await open_tab(browser, f"{server.url}/screen/{code}", SCREEN_VIEWPORT)
        await screen.page.locator(".posts-column").nth(2).wait_for()
        headings = await screen.page.locator(".posts-category").all_inner_texts()
        assert headings == ["Lieu", "Outils", "Autres idées"]
        voted = screen.page.locator(f'.posts-idea[data-post="{tool}"]')
        plain = screen.page.locator(".posts-idea:has-text('La grange')")
        await screen.page.wait_for_function(
            f"() => (document.querySelector('.posts-idea[data-post=\"{tool}\"]') || {{}})"
            ".textContent?.includes('1 soutien')")
        big = float((await voted.evaluate("e => getComputedStyle(e).fontSize"))[:-2])
        small = float((await plain.evaluate("e => getComputedStyle(e).fontSize"))[:-2])
        assert big > 1.5 * small
        for column in await screen.page.locator(".posts-column").all():
            box = await column.bounding_box()
            assert box["x"] + box["width"] <= SCREEN_VIEWPORT["width"]
        await screen.close()


async def test_the_projector_maps_needs_and_offers(browser: Any, server: Any) -> None:
    async with Panel.connect(server.url, server.secret) as panel, \
            contextlib.AsyncExitStack() as stack:
        code = await panel.create_room("Restitution")
        act = await panel.add_activity(code, "board", "Besoins et offres", mode="needs_offers",
                                       categories=["Pain", "Bois", "Brasserie"])
        await panel.open(act)
        await panel.project(act)
        phones = [await stack.enter_async_context(Phone.connect(server.url, code))
                  for _ in range(4)]
        need = await phones[0].post(act, "Cherche un pétrin", type="need", category="Pain")
        await phones[1].post(act, "Prête un pétrin", type="offer", category="Pain")
        await phones[2].post(act, "Cherche des fûts", type="need", category="Brasserie")
        await phones[1].help(need)  # phone 1's offer answers the need: a solid edge
        screen = await open_tab(browser, f"{server.url}/screen/{code}", SCREEN_VIEWPORT)
        nodes = await screen.source(act, "nodes", "d => d.x.length === 3")
        assert sorted(nodes["type"]) == ["need", "need", "offer"]
        solid = await screen.source(act, "solid", "d => d.xs.length === 1")
        assert len(solid["xs"][0]) == 2
        counts = await screen.source(act, "counts", "d => d.text.length === 1")
        assert counts["text"] == ["2\u202fbesoins · 1\u202foffre · 1\u202flien"]
        hubs = await screen.source(act, "hubs", "d => d.text.length === 3")
        assert hubs["text"] == ["Pain", "Bois", "Brasserie"]
        canvas = screen.page.locator("canvas").first
        box = await canvas.bounding_box()
        assert box["width"] >= 800 and box["y"] + box["height"] <= SCREEN_VIEWPORT["height"]
        # a similar need of the same category: suggested to the animator, dashed once shown
        from tests.browser.test_panel_presenter import open_panel
        other = await phones[3].post(act, "Pétrin d'occasion cherché", type="need",
                                     category="Pain")
        tab = await open_panel(browser, server, code, {"width": 1280, "height": 2000})
        suggestion = tab.page.locator(f'.posts-suggestion[data-need="{other}"]')
        await suggestion.locator("[data-link=accept]").click(timeout=20_000)
        dashed = await screen.source(act, "dashed", "d => d.xs.length === 1")
        assert len(dashed["xs"][0]) == 2
        counts = await screen.source(act, "counts", "d => d.text[0].includes('2\u202fliens')")
        assert counts["text"] == ["3\u202fbesoins · 1\u202foffre · 2\u202fliens"]
        await tab.close()
        await screen.close()


async def test_the_panel_moderates_answers_and_pins_and_a_hidden_post_reaches_no_screen(
        browser: Any, server: Any) -> None:
    """The animator's board on the panel: every post with its contact, the insult waiting;
    approve, hide, merge (the votes add up), answered, pinned. A hidden post is in no
    frame the projector received, no public export and not in the replay."""
    import urllib.request

    from tests.browser.test_panel_moderation import RECORD_FRAMES
    from tests.browser.test_panel_presenter import open_panel

    def public(url: str) -> str:
        with urllib.request.urlopen(url, timeout=60) as reply:  # a replay page is built
            return str(reply.read().decode("utf-8"))

    async with Panel.connect(server.url, server.secret) as panel, \
            contextlib.AsyncExitStack() as stack:
        code = await panel.create_room("Restitution")
        act = await panel.add_activity(code, "board", "Vos questions")
        await panel.advance(code)  # open and projected
        screen = await open_tab(browser, f"{server.url}/screen/{code}", SCREEN_VIEWPORT,
                                init_script=RECORD_FRAMES)
        tab = await open_panel(browser, server, code, {"width": 1280, "height": 2000})
        page = tab.page
        phones = [await stack.enter_async_context(Phone.connect(server.url, code))
                  for _ in range(5)]
        first = await phones[0].post(act, "Quel budget pour le four ?")
        twin = await phones[1].post(act, "Le budget du four ?")
        secret = await phones[2].post(act, "Mon voisin Paul Martin triche")
        insult = await phones[3].post(act, "Quel connard ce bureau")
        await phones[4].upvote(first)
        await phones[3].upvote(twin)

        def row(post: str) -> Any:
            return page.locator(f'.agenda-item[data-activity="{act}"] .posts-row'
                                f'[data-post="{post}"]')

        await row(insult).locator(".mod-flag").wait_for()
        assert await row(insult).get_attribute("data-status") == "waiting"
        await screen.page.locator(f'.posts-item[data-post="{secret}"]').wait_for()
        await row(secret).locator("[data-mod=hide]").click()
        await page.wait_for_selector(f'.posts-row[data-post="{secret}"][data-status="hidden"]')
        await screen.page.locator(f'.posts-item[data-post="{secret}"]').wait_for(
            state="detached")
        told = len(await screen.page.evaluate("window.__received"))  # before the hide
        # merging the twin adds its votes: phone 3 and phone 1 (its author) join phone 4
        await row(twin).locator("select.mod-into").select_option(first)
        await row(twin).locator("[data-mod=merge]").click()
        await screen.page.wait_for_function(
            f"() => (document.querySelector('.posts-item[data-post=\"{first}\"] .posts-count')"
            " || {}).textContent === '3'")
        await row(first).locator("[data-board=pin]").click()
        await screen.page.locator(f'.posts-pinned[data-post="{first}"]').wait_for()
        await row(first).locator("[data-board=answer]").click()
        await page.wait_for_selector(f'.posts-row[data-post="{first}"] '
                                     "[data-board=answer]:has-text('Pas encore répondue')")
        # sort by time: the newest post first
        await page.locator(f'.agenda-item[data-activity="{act}"] [data-sort=time]').click()
        rows = page.locator(f'.agenda-item[data-activity="{act}"] .posts-row')
        await page.wait_for_function(
            f"() => document.querySelector('.agenda-item[data-activity=\"{act}\"] .posts-row')"
            f".dataset.post === '{insult}'")
        assert await rows.count() == 4
        # approved, the insult reaches the screen
        await row(insult).locator("[data-mod=approve]").click()
        await screen.page.locator(f'.posts-item[data-post="{insult}"]').wait_for()
        received = (await screen.page.evaluate("window.__received"))[told:]
        assert received and not any("Paul Martin" in m for m in received)
        assert "Paul Martin" not in await screen.page.locator("body").inner_text()
        for export in ("results.json", "results.csv", "summary"):
            text = public(f"{server.url}/api/rooms/{code}/export/{export}")
            assert "Paul Martin" not in text, export
        assert "Paul Martin" not in public(f"{server.url}/replay/{code}")
        await tab.close()
        await screen.close()


async def test_the_panel_prepares_a_board_of_needs_and_offers(browser: Any, server: Any) -> None:
    """The add form: kind "Mur", mode and categories, and the board reaches the agenda
    with its spec."""
    from tests.browser.test_panel_presenter import open_panel

    async with Panel.connect(server.url, server.secret) as panel:
        code = await panel.create_room("Restitution préparée")
        tab = await open_panel(browser, server, code, {"width": 1180, "height": 900})
        page = tab.page
        await page.select_option("#add-kind", "board")
        assert await page.locator("label[data-field='categories']").is_visible()
        assert await page.locator("label[data-field='options']").is_hidden()
        await page.fill("#add-prompt", "Vos besoins, vos offres")
        await page.select_option("#add-board-mode", "needs_offers")
        await page.fill("#add-categories", "Pain\nBois\n\nBrasserie")
        await page.click("#add-form button[type=submit]")
        item = page.locator(".agenda-item[data-state='draft']", has_text="Vos besoins")
        await item.wait_for()
        act = await item.get_attribute("data-activity")
        state = await panel.watch(code)
        spec = next(a for a in state["activities"] if a["id"] == act)
        assert (spec["kind"], spec["mode"], spec["categories"]) == (
            "board", "needs_offers", ["Pain", "Bois", "Brasserie"])
        assert spec["moderation"]["mode"] == "filter"  # the queue of a moderated board
        await tab.close()


async def test_a_phone_at_360px_offers_help_and_gives_a_contact_only_with_consent(
        browser: Any, server: Any) -> None:
    async with Panel.connect(server.url, server.secret) as panel, \
            contextlib.AsyncExitStack() as stack:
        code = await panel.create_room("Besoins")
        act = await panel.add_activity(code, "board", "Besoins et offres", mode="needs_offers",
                                       categories=["Pain", "Bois"])
        await panel.open(act)
        other = await stack.enter_async_context(Phone.connect(server.url, code))
        need = await other.post(act, "Cherche un pétrin", type="need", category="Pain",
                                contact="lea@coop.fr")
        tab = await open_tab(browser, f"{server.url}/r/{code}", NARROW)
        card = tab.card(act)
        # the form's controls fit the narrow screen, thumb-sized
        for selector in ("button.board-type", "select.board-category", "input.board-contact",
                         "input.board-consent", "button.board-send"):
            box = await card.locator(selector).first.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= NARROW["width"], selector
        assert (await card.locator("button.board-type").first.bounding_box())["height"] >= 44
        # "Je peux aider" on the need: linked, and its author's contact is shown
        await card.locator(f'.board-post[data-post="{need}"] button.board-help').click()
        await card.locator(".board-say:has-text('lea@coop.fr')").wait_for()
        # an offer with a contact but no consent: the contact is not sent
        await card.locator("textarea.board-text").fill("Prête une remorque")
        await card.locator("button.board-type[data-value='offer']").click()
        await card.locator("select.board-category").select_option("Bois")
        await card.locator("input.board-contact").fill("06 11 22 33 44")
        await card.locator("button.board-send").click()
        await card.locator(".board-say:has-text('Merci')").wait_for()
        await panel.watch(code)  # the animators' list of every post, with contacts
        posts = (await panel.next_board_posts(timeout=15))["posts"]
        while not any(p["text"] == "Prête une remorque" for p in posts):
            posts = (await panel.next_board_posts(timeout=15))["posts"]
        offer = next(p for p in posts if p["text"] == "Prête une remorque")
        assert (offer["type"], offer["category"], offer["contact"]) == ("offer", "Bois", None)
        await tab.close()
