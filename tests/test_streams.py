"""Replay buffers: exactly what was missed, in order, or None beyond the window."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from crowd.server.streams import ReplayBuffer, Streams


def test_since_returns_exactly_the_missed_messages_in_order() -> None:
    buffer = ReplayBuffer(max_messages=5, max_age_s=60)
    for i in range(1, 4):
        assert buffer.append({"i": i}, now=float(i)) == i
    assert buffer.since(3, 4.0) == []
    assert [m["i"] for m in buffer.since(1, 4.0)] == [2, 3]
    assert [m["i"] for m in buffer.since(0, 4.0)] == [1, 2, 3]


def test_beyond_the_window_by_count_or_age_or_foreign_is_none() -> None:
    buffer = ReplayBuffer(max_messages=3, max_age_s=10)
    for i in range(1, 7):
        buffer.append({"i": i}, now=float(i))
    assert buffer.since(2, 7.0) is None  # 3 fell out by count
    assert [m["i"] for m in buffer.since(3, 7.0)] == [4, 5, 6]
    assert buffer.since(3, 15.0) is None  # message 4 is older than 10 s at t=15
    assert buffer.since(99, 7.0) is None and buffer.since(-1, 7.0) is None


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 50), st.integers(0, 60), st.integers(1, 20))
def test_resume_never_duplicates_or_skips(total: int, seen: int, window: int) -> None:
    buffer = ReplayBuffer(max_messages=window, max_age_s=1e9)
    for i in range(1, total + 1):
        buffer.append({"i": i}, now=0.0)
    missed = buffer.since(seen, 0.0)
    if seen > total or seen < total - window:
        assert missed is None
    else:
        assert missed is not None
        assert [m["i"] for m in missed] == list(range(seen + 1, total + 1))


def test_streams_number_per_channel() -> None:
    streams = Streams(device_messages=2)
    a = streams.number(("room", "R", "phone"), "rs", {"t": "x"}, 0.0)
    b = streams.number(("room", "R", "phone"), "rs", {"t": "y"}, 0.0)
    c = streams.number(("device", "d1"), "ds", {"t": "z"}, 0.0)
    assert (a["rs"], b["rs"], c["ds"]) == (1, 2, 1)
    assert streams.head(("room", "R", "phone")) == 2 and streams.head(("room", "R", "screen")) == 0
    for _ in range(3):
        streams.number(("device", "d1"), "ds", {"t": "z"}, 0.0)
    assert streams.channel(("device", "d1")).since(1, 0.0) is None  # device window is 2
