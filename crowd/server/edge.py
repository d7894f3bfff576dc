"""Two small ASGI middlewares in front of every route: the Host allow-list and the
security headers.

**Host allow-list (DNS rebinding).** A page on `evil.example` whose name the attacker
then points at this server's LAN address is, for the browser, a page of the same origin
as `http://evil.example:8000/...`: its requests carry `Host: evil.example` and a
matching `Origin`, so the Origin check alone lets them in. Only the names this server is
really reached by are answered: this machine's addresses and name (and `NAME.local`),
loopback, `localhost`, the public URL's host, `CROWD_ALLOWED_HOSTS` ('*' disables the
check). A refused page or API call gets 400; a refused websocket is closed before
accept (HTTP 403).

**Security headers.** Every HTTP response says `nosniff`, `no-referrer` and may not be
framed; pages get a Content-Security-Policy that allows scripts from this server only.
A route may set its own policy (the replay page, whose standalone HTML is all inline).

**What anonymous requests may make the server compute.** Results, summaries, charts,
QR codes and replays are computed from the whole room; a few keep-alive sockets looping
on one of them would take the server's CPU from the phones. Two bounds, used by every
route that computes (through `crowd.server.httpauth.viewer`): `AnonymousBudget`, a
token bucket per client address for requests without the animator secret (429 with
`Retry-After` beyond it), and `Recent`, which keeps each computed answer while the
engine's state has not moved and, for the public view, for a second after it has: a
busy room is computed again at most about once a second per resource.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import socket
import time
from collections import OrderedDict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crowd.server.netinfo import lan_addresses
from crowd.server.security import TokenBucket, is_loopback

#: Pages, API, websockets: scripts and data from this server only. Styles may be inline
#: (BokehJS writes <style> elements into its views; the printable summary uses style
#: attributes); nothing may frame us, be framed by us, or post our forms elsewhere.
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'{ws}; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")

#: The replay's standalone HTML: BokehJS, its document and the replay's script are all
#: inline and its callbacks are compiled at run time (CustomJS). It fetches nothing, so
#: it may connect nowhere, and it runs sandboxed (an opaque origin): a script in it
#: could not read the panel's storage (where the animator secret is kept) nor its opener.
REPLAY_CSP = ("default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; "
              "style-src 'unsafe-inline'; img-src data: blob:; font-src data:; "
              "connect-src 'none'; base-uri 'none'; form-action 'none'; "
              "frame-ancestors 'none'; sandbox allow-scripts allow-popups allow-downloads")

COMMON_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),  # frame-ancestors for browsers without CSP 2
]

_HOST_RE = re.compile(r"^[a-z0-9.\-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$")
REFRESH_S = 5.0


def host_name(header: str) -> str:
    """The host of a Host header, lowercase, without port, brackets or final dot."""
    value = header.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        return value[1:end] if end > 0 else ""
    if value.count(":") == 1:
        value = value.split(":", 1)[0]
    return value.rstrip(".")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


class HostAllowList:
    """Refuses requests and websockets whose Host this server is not known by."""

    def __init__(self, app: ASGIApp, *, public_url: str, bind_host: str,
                 allowed: Iterable[str]) -> None:
        self.app = app
        extra = [host_name(a) for a in allowed if a.strip()]
        self.any = "*" in extra
        machine = socket.gethostname().lower()
        names = {"localhost", host_name(urlsplit(public_url).netloc), host_name(bind_host),
                 machine, f"{machine}.local", *extra}  # .local: its mDNS name on the LAN
        self.names = {n for n in names if n and n not in {"0.0.0.0", "::"}}
        self._addresses: set[str] = set()
        self._refreshed = float("-inf")

    def allows(self, header: str | None) -> bool:
        if self.any or header is None:  # no Host: HTTP/1.0, not a browser
            return True
        name = host_name(header)
        if name in self.names:
            return True
        try:
            address = ipaddress.ip_address(name)
        except ValueError:
            return False
        if address.is_loopback:
            return True
        return str(address) in self._machine_addresses()

    def _machine_addresses(self) -> set[str]:
        """This machine's addresses, read again (at most every few seconds) on a miss:
        a laptop may change wifi during the day."""
        now = time.monotonic()
        if now - self._refreshed > REFRESH_S:
            self._refreshed = now
            self._addresses = set(lan_addresses())
        return self._addresses

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or self.allows(_header(scope, b"host")):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})  # before accept: 403
            return
        body = (b"unknown host name: this server answers to its own addresses; "
                b"add the name to CROWD_ALLOWED_HOSTS\n")
        await send({"type": "http.response.start", "status": 400, "headers": [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", str(len(body)).encode()), *COMMON_HEADERS]})
        await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """Adds the common headers, and the page policy unless the route set its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = page_csp(_header(scope, b"host"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {key.lower() for key, _ in headers}
                headers += [(k, v) for k, v in COMMON_HEADERS if k not in present]
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", csp))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


@functools.lru_cache(maxsize=64)
def page_csp(host: str | None) -> bytes:
    """PAGE_CSP naming this server's websocket origin too: older browsers (Safari before
    15.4) do not count ws:// of the same host as 'self'."""
    ws = ""
    if host and _HOST_RE.match(host.strip().lower()):
        value = host.strip().lower()
        ws = f" ws://{value} wss://{value}"
    return PAGE_CSP.format(ws=ws).encode()


#: Anonymous requests to the routes that compute, per client address: sustained per
#: second, and burst (a person clicking around never meets it; a loop does).
ANONYMOUS_RATE = 10.0
ANONYMOUS_BURST = 30.0
#: How long the public view of a computed answer is reused after the state moved on.
RECOMPUTE_AFTER_S = 1.0


class AnonymousBudget:
    """A token bucket per client address for anonymous requests to computed routes.

    Loopback may be exempt (the simulated crowd and the benchmarks run on the server's
    machine): the same switch as the device-mint limit, `CROWD_MINT_EXEMPT_LOOPBACK`.
    At most `max_addresses` buckets are kept, the least recently used dropped first
    (which only gives that address a fresh burst).
    """

    def __init__(self, rate: float | None = None, burst: float | None = None, *,
                 exempt_loopback: bool = True, max_addresses: int = 4096) -> None:
        self.rate = ANONYMOUS_RATE if rate is None else rate
        self.burst = ANONYMOUS_BURST if burst is None else burst
        self.exempt_loopback = exempt_loopback
        self.max_addresses = max_addresses
        self._buckets: OrderedDict[str, TokenBucket] = OrderedDict()

    def wait(self, address: str, now: float) -> float:
        """0 when the request may go on (it spent a token), else the seconds until the
        address has a token again."""
        if self.exempt_loopback and is_loopback(address):
            return 0.0
        bucket = self._buckets.get(address)
        if bucket is None:
            bucket = self._buckets[address] = TokenBucket(self.rate, self.burst)
            while len(self._buckets) > self.max_addresses:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(address)
        if bucket.take(now):
            return 0.0
        return max(0.0, 1.0 - bucket.tokens) / self.rate


@dataclass(slots=True)
class _Answer:
    version: int
    built: float
    value: Any


class Recent:
    """Computed answers (a room's results, an activity's chart...), each kept with the
    version of the state it was computed from (the engine's `applied` count).

    `get` returns the kept answer when the state has not moved since, or when it is
    younger than `max_age` seconds (the public view: `RECOMPUTE_AFTER_S`; the
    animator's asks 0, always the current state). At most `size` answers, the least
    recently used dropped first.
    """

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._answers: OrderedDict[Hashable, _Answer] = OrderedDict()

    def get(self, key: Hashable, version: int, now: float, max_age: float) -> Any | None:
        answer = self._answers.get(key)
        if answer is None or (answer.version != version and now - answer.built >= max_age):
            return None
        self._answers.move_to_end(key)
        return answer.value

    def put(self, key: Hashable, version: int, now: float, value: Any) -> None:
        self._answers[key] = _Answer(version, now, value)
        self._answers.move_to_end(key)
        while len(self._answers) > self.size:
            self._answers.popitem(last=False)

    def clear(self) -> None:
        self._answers.clear()
