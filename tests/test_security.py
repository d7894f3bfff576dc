"""Device tokens, the secret guard, the token bucket and the Origin rule, with a fake clock."""

from __future__ import annotations

import pytest

from crowd.server.security import (
    DeviceTokens,
    SecretGuard,
    TokenBucket,
    origin_allowed,
    panel_origin_ok,
)


def test_device_tokens_are_signed_and_not_guessable() -> None:
    tokens = DeviceTokens(b"k" * 32)
    token = tokens.mint()
    assert tokens.verify(token)
    body, _, mac = token.partition(".")
    assert not tokens.verify(body + "." + mac[::-1])
    assert not tokens.verify(body)
    assert not DeviceTokens(b"other" * 8).verify(token)
    assert len({tokens.mint() for _ in range(1000)}) == 1000


def test_secret_guard_slows_then_locks_out_and_forgets() -> None:
    guard = SecretGuard("right")
    delays = [guard.check("1.2.3.4", "wrong", now=t)[1] for t in range(9)]
    assert delays[:3] == [0, 0, 0] and delays[3] > 0 and delays == sorted(delays)
    assert not guard.locked("1.2.3.4", 9)
    assert guard.check("1.2.3.4", "wrong", now=9) == (False, 5.0)
    assert guard.locked("1.2.3.4", 10) and not guard.locked("5.6.7.8", 10)
    assert guard.check("5.6.7.8", "right", now=10) == (True, 0.0)
    assert not guard.locked("1.2.3.4", 10 + 301)


def test_token_bucket_allows_bursts_then_the_rate() -> None:
    bucket = TokenBucket(rate=8, burst=5)
    assert sum(bucket.take(0.0) for _ in range(20)) == 5
    assert sum(bucket.take(1.0) for _ in range(20)) == 5  # refilled, capped at the burst
    # then one token every 1/8 s (binary-exact steps), twice asked each time
    assert sum(bucket.take(1.0 + 0.125 * i) for i in range(1, 9) for _ in range(2)) == 8


@pytest.mark.parametrize(("origin", "ok"), [
    (None, True),
    ("http://10.0.0.5:8000", True),
    ("http://10.0.0.5:8000/", True),
    ("null", False),
    ("", False),
    ("http://10.0.0.5:8000.evil.example", False),
    ("http://evil.example", False),
    ("http://10.0.0.5:8001", False),
    ("ftp://10.0.0.5:8000", False),
    ("http://10.0.0.5:8000@evil.example", False),
])
def test_origin_must_be_this_server(origin: str | None, ok: bool) -> None:
    assert origin_allowed(origin, "10.0.0.5:8000", []) is ok


def test_panel_needs_an_origin_and_allow_list_works() -> None:
    assert not panel_origin_ok(None, "h:1", [])
    assert panel_origin_ok("https://crowd.example", "h:1", ["https://crowd.example"])


def test_the_right_secret_clears_earlier_mistakes() -> None:
    guard = SecretGuard("right")
    for t in range(3):
        guard.check("1.2.3.4", "typo", now=t)
    assert guard.check("1.2.3.4", "right", now=4) == (True, 0.0)
    assert guard.check("1.2.3.4", "typo", now=5) == (False, 0.0)  # counting starts afresh
