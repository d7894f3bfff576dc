"""The HTTP edge against a real server: slow sockets, per-address caps, proxy headers,
Host names, security headers, and the animator secret kept out of addresses and out of
other sites' reach (docs/reliability.md, "The HTTP edge")."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import bokeh
import httpx
import msgpack
import pytest
import websockets
from bokeh.util.paths import static_path as bokeh_static_path

from crowd.clients import Panel
from crowd.clients.connection import http_origin
from crowd.server.edge import HostAllowList
from crowd.server.hub import Hub
from crowd.server.security import SignedLinks
from tests.inprocess import in_process_server
from tests.support import SECRET, ServerProcess

TIMEOUT_S = 2.0  # the edge server's request timeout
KEEP_ALIVE_S = 0.5
CAP = 8


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server with short HTTP bounds, set through the environment."""
    server = ServerProcess(tmp_path_factory.mktemp("edge") / "edge.db", secret=SECRET,
                           env={"CROWD_REQUEST_TIMEOUT_S": str(TIMEOUT_S),
                                "CROWD_KEEP_ALIVE_S": str(KEEP_ALIVE_S),
                                "CROWD_MAX_HTTP_PER_ADDRESS": str(CAP)})
    server.start()
    yield server
    server.stop()


async def _response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    """One whole HTTP/1.1 response with a Content-Length."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in
               (line.partition(":") for line in lines[1:] if line)}
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return int(lines[0].split()[1]), headers, body


async def _closed_after(reader: asyncio.StreamReader, limit: float) -> float | None:
    """Seconds until the server closes the socket (EOF or reset), None if it did not."""
    started = time.monotonic()
    try:
        async with asyncio.timeout(limit):
            while await reader.read(65536):
                pass
    except TimeoutError:
        return None
    except ConnectionError:
        pass
    return time.monotonic() - started


async def _trickle(writer: asyncio.StreamWriter, data: bytes, every: float) -> None:
    """A byte at a time: the slow client under test (the pauses are its behaviour)."""
    with contextlib.suppress(ConnectionError):
        for i in range(len(data)):
            writer.write(data[i:i + 1])
            await writer.drain()
            await asyncio.sleep(every)


def _get(path: str, port: int, extra: str = "") -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{extra}\r\n".encode()


# ---------------------------------------------------------------- slow sockets


async def test_slow_requests_after_the_first_are_closed(edge: ServerProcess) -> None:
    """A keep-alive socket trickling its next request, a body trickling after the
    response, a body the app waits for, an idle keep-alive: each closed in time."""
    port = edge.port
    junk = b"X-Padding: " + b"a" * 200

    async def second_request_trickled() -> float | None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(_get("/healthz", port))
        assert (await _response(reader))[0] == 200
        feeding = asyncio.create_task(_trickle(writer, _get("/healthz", port)[:-2] + junk,
                                               0.05))
        closed = await _closed_after(reader, TIMEOUT_S + 4)
        feeding.cancel()
        writer.close()
        return closed

    async def body_trickled(path: str, headers: str) -> float | None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{headers}"
                     f"Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n"
                     .encode())
        feeding = asyncio.create_task(_trickle(writer, b" " * 10_000, 0.05))
        closed = await _closed_after(reader, TIMEOUT_S + 4)
        feeding.cancel()
        writer.close()
        return closed

    async def idle_keep_alive() -> float | None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(_get("/healthz", port))
        assert (await _response(reader))[0] == 200
        closed = await _closed_after(reader, TIMEOUT_S + 4)
        writer.close()
        return closed

    trickled, refused_body, awaited_body, idle = await asyncio.gather(
        second_request_trickled(),
        body_trickled("/healthz", ""),  # 405 at once, then the body goes on trickling
        body_trickled("/api/links", f"X-Crowd-Secret: {SECRET}\r\n"),  # the app reads it
        idle_keep_alive())
    print(f"\nslow HTTP (timeout {TIMEOUT_S} s, keep-alive {KEEP_ALIVE_S} s): trickled 2nd "
          f"request closed after {trickled} s, trickled body after a 405 {refused_body} s, "
          f"trickled body the app waits for {awaited_body} s, idle keep-alive {idle} s")
    assert trickled is not None and trickled <= TIMEOUT_S + 1.5
    assert refused_body is not None and refused_body <= TIMEOUT_S + 1.5
    assert awaited_body is not None and awaited_body <= TIMEOUT_S + 1.5
    assert idle is not None and idle <= KEEP_ALIVE_S + 1.0


async def test_a_client_that_stops_reading_is_cut_off(edge: ServerProcess) -> None:
    """5 MB asked, nothing read: once the kernel's buffers are full the server waits on
    us; after a whole timeout without progress it lets go of the socket."""
    loop = asyncio.get_running_loop()
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connect: the window
    sock.setblocking(False)
    await loop.sock_connect(sock, ("127.0.0.1", edge.port))
    path = f"/bokeh/{bokeh.__version__}/js/compiler.js"
    await loop.sock_sendall(sock, _get(path, edge.port))
    await asyncio.sleep(TIMEOUT_S + 1.5)  # the stalled reader is the behaviour under test
    got, reset = 0, False
    try:
        async with asyncio.timeout(20):
            while chunk := await loop.sock_recv(sock, 1 << 20):
                got += len(chunk)
    except ConnectionError:
        reset = True
    finally:
        sock.close()
    size = (Path(bokeh_static_path()) / "js" / "compiler.js").stat().st_size
    print(f"\nstalled reader: {got:,} bytes (headers included) of a {size:,} bytes file, "
          f"then {'reset' if reset else 'EOF'}")
    # what the kernel's buffers held (4 MiB at most) came; the rest was never sent
    assert got < size, "the server kept the stalled socket and its response"


async def test_http_sockets_are_capped_per_address(edge: ServerProcess) -> None:
    """Sockets that have not become websockets count per address: beyond the cap a new
    one is told 503 at once; other addresses, and /healthz from them, are served."""
    held = [await asyncio.open_connection("127.0.0.1", edge.port, local_addr=("127.0.0.21", 0))
            for _ in range(CAP)]
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", edge.port,
                                                       local_addr=("127.0.0.21", 0))
        status, headers, body = await asyncio.wait_for(_response(reader), 5)
        writer.close()
        async with httpx.AsyncClient(base_url=edge.url, transport=httpx.AsyncHTTPTransport(
                local_address="127.0.0.22")) as http:
            other = (await http.get("/healthz")).status_code
    finally:
        for _, w in held:
            w.close()
    print(f"\nHTTP cap {CAP} per address: the next socket -> {status} "
          f"{json.loads(body)['code']} (retry-after {headers.get('retry-after')}); "
          f"another address -> {other}")
    assert status == 503 and headers.get("retry-after") and other == 200

    async def served_again() -> int:  # the server sees the closes (another process)
        while True:
            async with httpx.AsyncClient(base_url=edge.url, transport=httpx.AsyncHTTPTransport(
                    local_address="127.0.0.21")) as http:
                code = (await http.get("/healthz")).status_code
            if code == 200:
                return code
            await asyncio.sleep(0.05)

    assert await asyncio.wait_for(served_again(), 5) == 200


async def test_websockets_leave_the_http_count(edge: ServerProcess) -> None:
    """Once upgraded, a socket is the hub's to count (its own per-address cap)."""
    async with Panel.connect(edge.url, edge.secret) as panel:
        room = await panel.create_room("Compte")
    sockets = [await websockets.connect(edge.ws_url, local_addr=("127.0.0.23", 0))
               for _ in range(CAP + 2)]
    try:
        for ws in sockets:
            await ws.send(msgpack.packb({"t": "hello", "role": "screen", "room": room}))
            assert msgpack.unpackb(await ws.recv())["t"] == "welcome"
    finally:
        for ws in sockets:
            await ws.close()


# ---------------------------------------------------------------- proxy headers


@contextlib.asynccontextmanager
async def _guarded_server(db: Path, **options: Any) -> AsyncIterator[tuple[str, Hub]]:
    """A real in-process server whose guard locks out after two wrong secrets (not ten,
    without the delays): the rule under test is whose address is counted."""
    async with in_process_server(db, **options) as (url, hub):
        assert hub.guard is not None
        hub.guard.lockout_after, hub.guard.free_tries = 2, 5
        yield url, hub


async def _guess(url: str, source: str, headers: dict[str, str]) -> int:
    transport = httpx.AsyncHTTPTransport(local_address=source)
    async with httpx.AsyncClient(base_url=url, transport=transport) as http:
        reply = await http.get("/api/rooms/ABCD/export/events.msgpack",
                               headers={"X-Crowd-Secret": "wrong", **headers})
        return reply.status_code


async def _panel_from(url: str, source: str) -> str:
    async with websockets.connect(url.replace("http", "ws") + "/ws", origin=http_origin(url),  # type: ignore[arg-type]
                                  local_addr=(source, 0)) as ws:
        await ws.send(msgpack.packb({"t": "hello", "role": "panel", "secret": SECRET}))
        reply = msgpack.unpackb(await ws.recv())
    return str(reply.get("code", reply["t"]))


async def test_forwarded_for_is_ignored_unless_the_operator_names_the_proxy(
        tmp_path: Path) -> None:
    spoof = {"X-Forwarded-For": "127.0.0.32"}
    async with _guarded_server(tmp_path / "a.db") as (url, _):
        for _ in range(2):
            await _guess(url, "127.0.0.31", spoof)
        victim, guesser = await _panel_from(url, "127.0.0.32"), await _panel_from(
            url, "127.0.0.31")
    async with _guarded_server(tmp_path / "b.db", forwarded_allow_ips=["127.0.0.33"]) as (
            url, _):
        for _ in range(2):
            await _guess(url, "127.0.0.33", {"X-Forwarded-For": "127.0.0.34"})
        behind_proxy, proxy = await _panel_from(url, "127.0.0.34"), await _panel_from(
            url, "127.0.0.33")
    print(f"\nX-Forwarded-For by default: named address -> {victim}, real guesser -> "
          f"{guesser}; from a named proxy: the forwarded address -> {behind_proxy}, "
          f"the proxy itself -> {proxy}")
    assert (victim, guesser) == ("welcome", "locked_out")
    assert (behind_proxy, proxy) == ("locked_out", "welcome")


# ---------------------------------------------------------------- Host names


async def _raw_status(port: int, request: bytes) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    line = await asyncio.wait_for(reader.readline(), 5)
    writer.close()
    return int(line.split()[1])


def _ws_handshake(port: int, host: str, origin: str) -> bytes:
    return (f"GET /ws HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade"
            f"\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13"
            f"\r\nOrigin: {origin}\r\n\r\n").encode()


async def test_dns_rebinding_names_are_refused(server: ServerProcess) -> None:
    """`Host: evil.example` with a matching Origin (a rebound name) gets no page, no API
    and no websocket; this server's own names get all three."""
    port = server.port
    evil = f"evil.example:{port}"
    refused = {
        "page": await _raw_status(port, _get("/", port).replace(
            f"Host: 127.0.0.1:{port}".encode(), f"Host: {evil}".encode())),
        "api": await _raw_status(port, f"GET /healthz HTTP/1.1\r\nHost: {evil}\r\n"
                                       f"Origin: http://{evil}\r\n\r\n".encode()),
        "websocket": await _raw_status(port, _ws_handshake(port, evil, f"http://{evil}")),
    }
    own = {
        "page": await _raw_status(port, _get("/", port)),
        "localhost": await _raw_status(port, f"GET / HTTP/1.1\r\nHost: localhost:{port}"
                                             f"\r\n\r\n".encode()),
        "websocket": await _raw_status(port, _ws_handshake(
            port, f"127.0.0.1:{port}", f"http://127.0.0.1:{port}")),
    }
    print(f"\nHost evil.example -> {refused}; own names -> {own}")
    assert refused == {"page": 400, "api": 400, "websocket": 403}
    assert own == {"page": 200, "localhost": 200, "websocket": 101}


def test_host_allow_list_rules() -> None:
    rule = HostAllowList(None, public_url="http://festival.lan:8000",  # type: ignore[arg-type]
                         bind_host="0.0.0.0", allowed=["crowd.example"])
    for ok in ("festival.lan:8000", "FESTIVAL.LAN.", "localhost", "127.0.0.1:8000",
               "127.9.9.9", "[::1]:8000", "crowd.example", None):
        assert rule.allows(ok), ok
    for bad in ("evil.example", "festival.lan.evil.example", "crowd.example.evil", "",
                "8.8.8.8", "[2001:db8::1]"):
        assert not rule.allows(bad), bad
    anything = HostAllowList(None, public_url="", bind_host="", allowed=["*"])  # type: ignore[arg-type]
    assert anything.allows("evil.example")


# ---------------------------------------------------------------- headers, CORS


PAGES = ["/", "/panel", "/r/ABCD", "/screen/ABCD"]


async def test_every_response_has_the_security_headers(server: ServerProcess) -> None:
    async with httpx.AsyncClient(base_url=server.url) as http:
        paths = [*PAGES, "/healthz", "/api/rooms/ZZZZ", "/static/home.js", "/nope",
                 f"/bokeh/{bokeh.__version__}/js/bokeh.min.js"]
        for path in paths:
            reply = await http.get(path)
            csp = reply.headers.get("content-security-policy", "")
            assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp, path
            assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0], path
            assert reply.headers.get("x-content-type-options") == "nosniff", path
            assert reply.headers.get("referrer-policy") == "no-referrer", path
            assert reply.headers.get("x-frame-options") == "DENY", path
        for path in PAGES:  # what the policy would block must not be in our pages
            page = (await http.get(path)).text.lower()
            scripts = page.split("<script")[1:]
            assert all(s.split(">")[0].count(" src=") == 1 for s in scripts), path
            assert " onload=" not in page and " onclick=" not in page, path


async def test_no_cross_origin_access_is_granted(server: ServerProcess) -> None:
    """A foreign page cannot send X-Crowd-Secret: the preflight finds no CORS grant."""
    evil = {"Origin": "http://evil.example"}
    async with httpx.AsyncClient(base_url=server.url) as http:
        replies = [
            await http.options("/api/rooms/ABCD/export/events.msgpack", headers={
                **evil, "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "x-crowd-secret"}),
            await http.options("/api/links", headers={
                **evil, "Access-Control-Request-Method": "POST"}),
            await http.get("/healthz", headers=evil),
            await http.get("/api/rooms/ABCD", headers=evil),
        ]
    for reply in replies:
        assert not [h for h in reply.headers if h.lower().startswith("access-control-")]
    assert replies[0].status_code >= 400 and replies[1].status_code >= 400


# ---------------------------------------------------------------- the secret's reach


async def test_a_foreign_page_cannot_lock_the_animator_out(server: ServerProcess) -> None:
    """What a foreign page can make the animator's browser send, many times over: images
    with `?secret=` (no Origin, `Sec-Fetch-Site: cross-site`), and the header from a
    foreign Origin. None of it counts: the animator's address stays welcome."""
    address = "127.0.0.41"
    async with Panel.connect(server.url, server.secret) as panel:
        room = await panel.create_room("Voisins")
        act = await panel.add_activity(room, kind="choice", prompt="?", options=["a", "b"])
    paths = [f"/api/rooms/{room}/export/events.msgpack", f"/api/rooms/{room}/export/summary",
             f"/replay/{room}", f"/api/activities/{act}/chart", f"/api/rooms/{room}/video"]
    image = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Dest": "image"}
    transport = httpx.AsyncHTTPTransport(local_address=address)
    async with httpx.AsyncClient(base_url=server.url, transport=transport) as http:
        in_address = [(await http.get(p, params={"secret": f"wrong{i}"}, headers=image))
                      .status_code for i in range(3) for p in paths[:4]]
        foreign = [(await http.get(p, headers={"X-Crowd-Secret": f"wrong{i}",
                                               "Origin": "http://evil.example"})).status_code
                   for i in range(3) for p in paths[:4]]
        site = [(await http.get(p, headers={"X-Crowd-Secret": f"wrong{i}",
                                            "Sec-Fetch-Site": "same-site"})).status_code
                for i in range(3) for p in paths[:4]]
    welcome = await _panel_from(server.url, address)
    print(f"\n12 `?secret=` images -> {set(in_address)}, 12 foreign-Origin headers -> "
          f"{set(foreign)}, 12 same-site -> {set(site)}; the animator's panel from that "
          f"address -> {welcome}")
    assert set(in_address) == {400} and set(foreign) == {403} and set(site) == {403}
    assert welcome == "welcome"


async def test_signed_links_open_one_animator_page_for_a_minute(server: ServerProcess) -> None:
    async with Panel.connect(server.url, server.secret) as panel:
        room = await panel.create_room("Lien")
        hidden = await panel.add_activity(room, kind="choice", prompt="Caché ?",
                                          options=["a", "b"])
    summary = f"/api/rooms/{room}/export/summary"
    async with httpx.AsyncClient(base_url=server.url) as http:
        assert (await http.post("/api/links", json={"path": summary})).status_code == 401
        assert (await http.post("/api/links", json={"path": "/panel"}, headers={
            "X-Crowd-Secret": SECRET})).status_code == 400
        made = await http.post("/api/links", json={"path": summary},
                               headers={"X-Crowd-Secret": SECRET})
        assert made.status_code == 200 and made.json()["expires"] > time.time()
        url = made.json()["url"]
        assert SECRET not in url and url.startswith(summary + "?link=")
        page = await http.get(url)
        assert page.status_code == 200 and "Caché ?" in page.text  # the animator's view
        token = url.split("link=")[1]
        other = await http.get(f"/api/rooms/{room}/export/events.msgpack?link={token}")
        forged = await http.get(url[:-3] + "AAA")
        public = await http.get(summary)
    assert other.status_code == 403 and forged.status_code == 403
    assert other.json()["code"] == "link_expired"
    assert "Caché ?" not in public.text and hidden


def test_signed_links_expire_and_name_their_path() -> None:
    links = SignedLinks("s3cret", ttl_s=60)
    token = links.sign("/replay/ABCD", now=1000.0)
    assert links.verify("/replay/ABCD", token, now=1059.0)
    assert not links.verify("/replay/ABCD", token, now=1061.0)
    assert not links.verify("/replay/ABCE", token, now=1001.0)
    assert not SignedLinks("other").verify("/replay/ABCD", token, now=1001.0)
    assert not links.verify("/replay/ABCD", "9" * 5000 + ".x", now=1001.0)
