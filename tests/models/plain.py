"""A check every model's results must pass: plain values, ready for JSON or msgpack."""

from __future__ import annotations


def assert_plain(value: object) -> None:
    """Only None, bool, int, float, str, lists and tuples (no numpy scalars or arrays)."""
    if isinstance(value, (list, tuple)):
        for item in value:
            assert_plain(item)
    else:
        assert value is None or type(value) in (bool, int, float, str), type(value)
