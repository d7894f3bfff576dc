"""User strings are measured before any costly work on them.

A 4 KiB word of 2,000 combining marks was normalised before its length was checked:
3 to 5 ms of CPU per input, and 30 phones at their budget slowed the whole server.
"""

from __future__ import annotations

from typing import Any

import pytest

from crowd.activities import activity_type, polls
from crowd.core.errors import BadMessage, BadValue
from crowd.core.protocol import parse

COMBINING = "e" + "\u0301" * 2_000  # one letter under 2,000 accents


@pytest.fixture
def normalisations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = polls.unicodedata.normalize

    def counting(form: Any, text: str) -> str:
        calls.append(text)
        return real(form, text)

    monkeypatch.setattr(polls.unicodedata, "normalize", counting)
    return calls


def test_an_oversized_word_is_refused_before_it_is_normalised(
        normalisations: list[str]) -> None:
    words = activity_type("words")
    spec = words.normalize_spec({"kind": "words", "prompt": "Un mot ?"})
    for value in ([COMBINING], COMBINING, ["pain"] * 50):
        with pytest.raises(BadValue):
            words.validate(spec, value)
    assert normalisations == []
    # the spelling is kept (screens show it); variants are counted together by the tally
    assert words.validate(spec, ["Pain!", "e\u0301te\u0301"]) == ["Pain", "été"]


@pytest.mark.parametrize("frame", [
    {"t": "nick", "name": COMBINING},
    {"t": "volunteer", "call": "ABCD-1", "nickname": COMBINING},
    {"t": "volunteer", "call": "ABCD-1", "contact": COMBINING},
    {"t": "create_room", "title": COMBINING * 2},
    {"t": "respond", "activity": "A" * 65, "value": 1},
])
def test_the_protocol_refuses_oversized_fields_before_any_handler(frame: dict[str, Any]) -> None:
    with pytest.raises(BadMessage):
        parse(frame)
