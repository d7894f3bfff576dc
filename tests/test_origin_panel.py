"""Animator authority (docs/reliability.md, promise 5), what tests/test_bad_input.py and
tests/test_security.py do not already cover: the panel refused for every kind of wrong
Origin even with the right secret, and the lock-out after 10 wrong secrets.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import time
from typing import Any

import msgpack
import pytest
import websockets
from websockets.exceptions import InvalidStatus

from crowd.clients import Panel
from crowd.clients.connection import http_origin
from tests.support import SECRET, ServerProcess

# {own} is this server's origin (http://127.0.0.1:PORT), {host} its host:port.
REFUSED_AT_HANDSHAKE = [
    "http://evil.example",  # foreign
    "null",  # sandboxed frame, file://
    "http://{host}.evil.example",  # look-alikes of our own origin
    "http://{host}@evil.example",
    "http://127.0.0.1.evil.example",
    "http://localhost:{port}",  # the same machine under another name is another origin
    "http://127.0.0.1:{other_port}",  # another service on this machine
    "{own}/panel",  # an origin has no path
    "ws://{host}",
    "https://evil.example:443",
]


async def _recv(ws: Any) -> dict[str, Any]:
    frame = await ws.recv()
    return msgpack.unpackb(frame, raw=False) if isinstance(frame, bytes) else json.loads(frame)


def _origin(template: str, server: ServerProcess) -> str:
    own = http_origin(server.url)
    host = own.split("://", 1)[1]
    return template.format(own=own, host=host, port=server.port, other_port=server.port + 1)


@pytest.mark.parametrize("template", REFUSED_AT_HANDSHAKE)
async def test_panel_with_a_wrong_origin_is_refused_even_with_the_secret(
        server: ServerProcess, template: str) -> None:
    origin = _origin(template, server)
    with pytest.raises(InvalidStatus) as info:
        async with websockets.connect(server.ws_url, origin=origin) as ws:  # type: ignore[arg-type]
            await ws.send(msgpack.packb({"t": "hello", "role": "panel", "secret": SECRET}))
            await _recv(ws)
    assert info.value.response.status_code == 403, origin


async def test_panel_without_origin_is_closed_with_1008_even_with_the_secret(
        server: ServerProcess) -> None:
    async with websockets.connect(server.ws_url) as ws:  # no Origin: a script, not a page
        await ws.send(msgpack.packb({"t": "hello", "role": "panel", "secret": SECRET}))
        reply = await _recv(ws)
        with pytest.raises(websockets.ConnectionClosed):
            await ws.recv()
    assert reply["code"] == "bad_origin" and ws.close_code == 1008
    # the page of this server itself is the one way in
    async with Panel.connect(server.url, server.secret) as panel:
        assert panel.welcome["you"]["role"] == "panel"


async def test_ten_wrong_secrets_lock_the_address_out(server: ServerProcess) -> None:
    # from addresses of their own (127.0.0.0/8 is all loopback): the rest of the session
    # keeps using 127.0.0.1
    guesser, other = "127.0.0.4", "127.0.0.5"
    origin = http_origin(server.url)

    async def attempt(secret: str, address: str) -> tuple[str, int | None, float]:
        started = time.monotonic()
        async with websockets.connect(server.ws_url, origin=origin,  # type: ignore[arg-type]
                                      local_addr=(address, 0)) as ws:
            await ws.send(msgpack.packb({"t": "hello", "role": "panel", "secret": secret}))
            reply = await _recv(ws)
            if reply["t"] == "error":
                with pytest.raises(websockets.ConnectionClosed):
                    await ws.recv()
            return reply.get("code", reply["t"]), ws.close_code, time.monotonic() - started

    # ten guesses at once: the answers are delayed, up to 5 s, and the tenth locks out
    guesses = await asyncio.gather(*(attempt(f"guess-{i}", guesser) for i in range(10)))
    right_secret_now = await attempt(SECRET, guesser)
    elsewhere = await attempt(SECRET, other)
    codes = sorted((code, close) for code, close, _ in guesses)
    print(f"\nlock-out: 10 wrong secrets at once -> {codes} in {max(t for *_, t in guesses):.1f}"
          f" s; the right secret from the same address -> {right_secret_now[:2]} in "
          f"{right_secret_now[2]:.2f} s; from another address -> {elsewhere[0]}")
    # every guess refused; those still waiting when the tenth locked the address out are
    # answered `locked_out` (only the three free tries are answered at once)
    assert set(codes) == {("bad_secret", 4003), ("locked_out", 4029)}
    assert codes.count(("bad_secret", 4003)) >= 3
    assert right_secret_now[:2] == ("locked_out", 4029) and right_secret_now[2] < 0.5
    assert elsewhere[0] == "welcome"


async def test_wrong_secrets_over_http_count_against_the_same_guard(
        server: ServerProcess) -> None:
    """The chart API takes the animator secret too (X-Crowd-Secret, for drafts and hidden
    results): guessing there must be slowed and locked out like on the panel's socket,
    or it is a way around the lock-out."""
    async with Panel.connect(server.url, server.secret) as panel:
        room = await panel.create_room("Oracle")
        draft = await panel.add_activity(room, kind="choice", prompt="?", options=["a", "b"])
    guesser = "127.0.0.6"

    def guess(secret: str) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30,
                                          source_address=(guesser, 0))
        try:
            conn.request("GET", f"/api/activities/{draft}/chart",
                         headers={"X-Crowd-Secret": secret})
            return conn.getresponse().status
        finally:
            conn.close()

    started = time.monotonic()
    statuses = await asyncio.gather(*(asyncio.to_thread(guess, f"guess-{i}")
                                      for i in range(10)))
    took = time.monotonic() - started
    async with websockets.connect(server.ws_url, origin=http_origin(server.url),  # type: ignore[arg-type]
                                  local_addr=(guesser, 0)) as ws:
        await ws.send(msgpack.packb({"t": "hello", "role": "panel", "secret": SECRET}))
        reply = await _recv(ws)
    print(f"\nwrong secrets over HTTP: 10 guesses -> {sorted(statuses)} in {took:.2f} s; then "
          f"the panel from that address with the right secret -> {reply.get('code', reply['t'])}")
    assert all(status in (403, 429) for status in statuses)
    assert reply.get("code") == "locked_out"
