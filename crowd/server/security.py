"""Who may connect and how much: device tokens, the animator secret, rate limits, Origin.

Plain classes with the clock passed in, so each rule is tested without a server.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import re
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlsplit


def is_loopback(address: str) -> bool:
    """A client on this machine (the simulated crowd, benchmarks): exempt from the
    per-address budgets that default to exempting it."""
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


_TOKEN_BODY = re.compile(r"[A-Za-z0-9_-]{1,64}")


class DeviceTokens:
    """Random device tokens signed by the server: unforgeable by guessing.

    A phone keeps its token in localStorage; presenting it again after a reload or a
    reconnect makes it the same device (one voice per activity).

    A token is bound to the role it was minted for: a screen's or a panel's token is
    refused as a phone's, so tokens minted outside the phones' limit cannot vote.
    Phones' tokens keep the original form (a phone keeps its token across upgrades).
    """

    def __init__(self, key: bytes) -> None:
        self._key = key

    def _mac(self, body: str, role: str) -> str:
        signed = body if role == "phone" else f"{role}:{body}"
        digest = hmac.new(self._key, signed.encode(), hashlib.sha256).digest()[:9]
        return base64.urlsafe_b64encode(digest).decode()

    def mint(self, role: str = "phone") -> str:
        body = secrets.token_urlsafe(12)
        return f"{body}.{self._mac(body, role)}"

    def verify(self, token: str, role: str = "phone") -> bool:
        body, _, mac = token.partition(".")
        # A body is what `mint` makes (URL-safe base64): `screen:B` would sign like
        # the screen token `B`, and pass for a phone's.
        return (_TOKEN_BODY.fullmatch(body) is not None
                and hmac.compare_digest(mac, self._mac(body, role)))


@dataclass(slots=True)
class _Failures:
    count: int = 0
    last: float = 0.0
    locked_until: float = 0.0


@dataclass(slots=True)
class SecretGuard:
    """Slows then locks out repeated wrong animator secrets, per client address."""

    secret: str
    free_tries: int = 3
    lockout_after: int = 10
    lockout_s: float = 300.0
    forget_after_s: float = 600.0
    _seen: dict[str, _Failures] = field(default_factory=dict)

    def locked(self, address: str, now: float) -> bool:
        f = self._seen.get(address)
        return f is not None and f.locked_until > now

    def check(self, address: str, attempt: str | None, now: float,
              valid: bool = False) -> tuple[bool, float]:
        """(accepted, seconds to wait before answering) for one attempt; `valid`: the
        attempt is known good another way (a room link's secret, crowd.server.access)."""
        f = self._seen.get(address)
        if f is not None and now - f.last > self.forget_after_s and f.locked_until <= now:
            f = self._seen.pop(address)
            f = None
        if valid or (attempt is not None
                     and hmac.compare_digest(attempt.encode(), self.secret.encode())):
            if f is not None and f.locked_until <= now:
                self._seen.pop(address, None)  # the animator found the secret: start afresh
            return True, 0.0
        f = self._seen.setdefault(address, _Failures())
        f.count += 1
        f.last = now
        if f.count >= self.lockout_after:
            f.locked_until = now + self.lockout_s
        delay = 0.0 if f.count <= self.free_tries else min(5.0, 0.25 * 2 ** (f.count - 3))
        return False, delay


@dataclass(slots=True)
class TokenBucket:
    """Per-connection input budget: `rate` per second, bursts up to `burst`."""

    rate: float
    burst: float
    tokens: float = -1.0
    stamp: float = 0.0

    def take(self, now: float) -> bool:
        if self.tokens < 0:
            self.tokens, self.stamp = self.burst, now
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


def origin_allowed(origin: str | None, host: str | None, allowed: list[str]) -> bool:
    """Browsers always send Origin: it must be this server itself or an allowed origin.

    A missing Origin means a non-browser client (scripts, the Python clients): it is
    allowed here; the panel role asks more (see `panel_origin_ok`). `null` (sandboxed
    frames, file://) is refused, and so is anything that only looks like our host.
    """
    if origin is None:
        return True
    origin = origin.strip()
    if origin == "null" or not origin:
        return False
    if origin in allowed or "*" in allowed:
        return True
    parts = urlsplit(origin)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.path not in {"", "/"}:
        return False
    return host is not None and parts.netloc.lower() == host.strip().lower()


def foreign_request(origin: str | None, fetch_site: str | None, host: str | None,
                    allowed: list[str]) -> bool:
    """Did a page of another site make this request? (Its `Origin`, or the browser's
    `Sec-Fetch-Site`, says so.) Such a request may carry no animator credential that
    counts: a foreign page must not be able to lock the animator's address out."""
    if fetch_site is not None and fetch_site.strip().lower() in {"cross-site", "same-site"}:
        return True
    return origin is not None and not origin_allowed(origin, host, allowed)


class SignedLinks:
    """Short-lived links to one animator page or download, for where a header cannot go
    (a page opened in a new tab). The link names its path and expiry and is signed with
    a key derived from the animator secret: it opens that path only, for a minute, and a
    wrong or stale one is refused without counting as a guess of the secret.
    """

    def __init__(self, secret: str, ttl_s: float = 60.0) -> None:
        self._key = hashlib.sha256(b"crowd-links\0" + secret.encode()).digest()
        self.ttl_s = ttl_s

    def _mac(self, path: str, expires: int) -> str:
        digest = hmac.new(self._key, f"{path}\n{expires}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:18]).decode()

    def sign(self, path: str, now: float) -> str:
        expires = int(now + self.ttl_s)
        return f"{expires}.{self._mac(path, expires)}"

    def verify(self, path: str, token: str, now: float) -> bool:
        raw, _, mac = token.partition(".")
        if not raw.isdigit() or len(raw) > 12 or int(raw) < now:
            return False
        return hmac.compare_digest(mac.encode(), self._mac(path, int(raw)).encode())


def panel_origin_ok(origin: str | None, host: str | None, allowed: list[str]) -> bool:
    """The panel changes rooms: it must name an origin, and a good one."""
    return origin is not None and origin_allowed(origin, host, allowed)
