"""Bad input against the live server: an error frame with a code, nothing changed,
and every other connection unaffected."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import msgpack
import pytest
import websockets
from websockets.exceptions import InvalidStatus

from crowd.clients import Panel, Phone, Screen
from crowd.core.errors import BadSecret, RateLimited, UnknownRoom
from tests.support import SECRET, ServerProcess


async def _room(server: ServerProcess, title: str) -> tuple[str, str]:
    async with Panel.connect(server.url, server.secret) as panel:
        room = await panel.create_room(title)
        act = await panel.add_activity(room, kind="choice", prompt="?", options=["a", "b"])
        await panel.open(act)
        await panel.project(act)
    return room, act


async def _recv(ws: Any) -> dict[str, Any]:
    frame = await ws.recv()
    return msgpack.unpackb(frame, raw=False) if isinstance(frame, bytes) else json.loads(frame)


async def test_garbage_gets_error_frames_and_harms_no_one(server: ServerProcess) -> None:
    room, act = await _room(server, "Garbage")
    async with Phone.connect(server.url, room) as bystander, \
            websockets.connect(server.ws_url) as ws:
        # before hello
        await ws.send(msgpack.packb({"t": "respond", "activity": act, "value": 0, "seq": 5}))
        reply = await _recv(ws)
        assert (reply["t"], reply["code"], reply["seq"]) == ("error", "no_hello", 5)
        await ws.send(json.dumps({"t": "hello", "role": "phone", "room": room}))
        assert (await _recv(ws))["t"] == "welcome"
        cases: list[tuple[bytes | str, str]] = [
            (b"\xc1\xff\x00", "bad_frame"),
            ("{not json", "bad_frame"),
            ("[1,2,3]", "bad_frame"),
            (json.dumps({"t": "explode", "seq": 1}), "bad_message"),
            (json.dumps({"t": "respond", "activity": act, "seq": 2}), "bad_message"),
            (json.dumps({"t": "respond", "activity": act, "value": 9, "seq": 3}), "bad_value"),
            (json.dumps({"t": "respond", "activity": "NOPE-1", "value": 0, "seq": 4}),
             "unknown_activity"),
            (json.dumps({"t": "open", "activity": act, "seq": 5}), "forbidden"),
            (json.dumps({"t": "hello", "role": "phone", "room": room, "seq": 6}), "no_hello"),
        ]
        for frame, code in cases:
            await ws.send(frame)
            reply = await _recv(ws)
            assert (reply["t"], reply["code"]) == ("error", code), frame
            assert reply["message"]
        # the same connection still works, and so does everyone else
        await ws.send(json.dumps({"t": "respond", "activity": act, "value": 1, "seq": 7}))
        assert (await _recv(ws))["t"] == "ack"
        await bystander.respond(act, 0)
    async with Screen.connect(server.url, room) as screen:
        assert screen.welcome["projected"]["snapshot"]["counts"] == [1, 1]


async def test_oversized_phone_frame_is_closed_with_1009(server: ServerProcess) -> None:
    room, act = await _room(server, "Big")
    async with Phone.connect(server.url, room) as phone, Phone.connect(server.url, room) as other:
        await phone.conn.send("respond", activity=act, value="x" * 8000, seq=1)
        closed = await phone.conn.wait_closed()
        assert closed.code == 1009
        await other.respond(act, 1)  # unaffected


async def test_unknown_room_is_refused_at_hello(server: ServerProcess) -> None:
    with pytest.raises(UnknownRoom):
        async with Phone.connect(server.url, "ZZZZ"):
            pass
    async with websockets.connect(server.ws_url) as ws:
        await ws.send(msgpack.packb({"t": "hello", "role": "screen", "room": "WXYZ"}))
        assert (await _recv(ws))["code"] == "unknown_room"
        with pytest.raises(websockets.ConnectionClosed) as info:
            await ws.recv()
        assert info.value.rcvd is not None and info.value.rcvd.code == 4004


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://127.0.0.1.evil.example"])
async def test_foreign_origin_is_refused_at_the_handshake(server: ServerProcess,
                                                          origin: str) -> None:
    with pytest.raises(InvalidStatus) as info:
        async with websockets.connect(server.ws_url, origin=origin):  # type: ignore[arg-type]
            pass
    assert info.value.response.status_code == 403


async def test_panel_without_origin_is_refused(server: ServerProcess) -> None:
    async with websockets.connect(server.ws_url) as ws:
        await ws.send(msgpack.packb({"t": "hello", "role": "panel", "secret": server.secret}))
        assert (await _recv(ws))["code"] == "bad_origin"


async def test_wrong_secret_is_refused_and_guessing_slows_down(
        fresh_server: ServerProcess) -> None:
    timings = []
    for _ in range(5):
        started = time.monotonic()
        with pytest.raises(BadSecret):
            async with Panel.connect(fresh_server.url, "guess"):
                pass
        timings.append(time.monotonic() - started)
    # the 4th and 5th wrong guesses wait (0.5 s, then 1 s) before the answer
    assert timings[3] >= 0.45 and timings[4] >= 0.95
    assert max(timings[:3]) < 0.45
    async with Panel.connect(fresh_server.url, fresh_server.secret) as panel:
        assert await panel.create_room("Toujours là")


async def test_minting_device_tokens_is_rate_limited_per_address(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "mint.db", secret=SECRET, env={
        "CROWD_MINT_EXEMPT_LOOPBACK": "0", "CROWD_MINT_BURST": "5", "CROWD_MINT_RATE": "0.01"})
    server.start()
    try:
        room, act = await _room(server, "Urne")
        devices = []
        for _ in range(5):
            async with Phone.connect(server.url, room) as phone:
                devices.append(phone.device)
        with pytest.raises(RateLimited):
            async with Phone.connect(server.url, room):
                pass
        # a phone that kept its token is still welcome, and still votes
        async with Phone.connect(server.url, room, device=devices[0]) as phone:
            assert phone.device == devices[0]
            await phone.respond(act, 1)
    finally:
        server.stop()
