"""Codec vectors through both encodings, and the schema checks after decoding."""

from __future__ import annotations

import contextlib
import json

import msgpack
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crowd.core.errors import BadFrame, BadMessage, CrowdError
from crowd.core.protocol import (
    ActivityNew,
    Encoding,
    Hello,
    Project,
    Respond,
    Reveal,
    decode,
    decode_message,
    encode,
    parse,
)
from crowd.core.types import Role

VECTORS = [
    ({"v": 1, "t": "hello", "role": "phone", "room": "KXT4"},
     Hello(role=Role.PHONE, room="KXT4")),
    ({"t": "hello", "role": "panel", "secret": "s3cret", "seq": 0},
     Hello(role=Role.PANEL, secret="s3cret", seq=0)),
    ({"v": 1, "t": "respond", "activity": "KXT4-1", "value": 2, "seq": 7},
     Respond(activity="KXT4-1", value=2, seq=7)),
    ({"v": 1, "t": "respond", "activity": "KXT4-2", "value": [2, 0, 1], "seq": 8},
     Respond(activity="KXT4-2", value=[2, 0, 1], seq=8)),
    ({"v": 1, "t": "respond", "activity": "KXT4-3", "value": 1355.5, "seq": 9},
     Respond(activity="KXT4-3", value=1355.5, seq=9)),
    ({"v": 1, "t": "respond", "activity": "KXT4-4", "value": ["pain", "vin"], "seq": 2**53 - 1},
     Respond(activity="KXT4-4", value=["pain", "vin"], seq=2**53 - 1)),
    ({"v": 1, "t": "activity_new", "room": "KXT4",
      "spec": {"kind": "choice", "prompt": "Où ?", "options": ["ici", "là"]}},
     ActivityNew(room="KXT4", spec={"kind": "choice", "prompt": "Où ?",
                                    "options": ["ici", "là"]})),
    ({"t": "reveal", "activity": "KXT4-1"}, Reveal(activity="KXT4-1", on=True)),
    ({"t": "project", "room": "KXT4", "activity": None}, Project(room="KXT4", activity=None)),
]


@pytest.mark.parametrize(("raw", "expected"), VECTORS)
@pytest.mark.parametrize("encoding", list(Encoding))
def test_vectors_decode_the_same_in_both_encodings(raw: dict, expected: object,
                                                   encoding: Encoding) -> None:
    frame = (json.dumps(raw, ensure_ascii=False) if encoding is Encoding.JSON
             else msgpack.packb(raw, use_bin_type=True))
    msg, seen = decode_message(frame)
    assert seen is encoding
    assert msg == expected


@pytest.mark.parametrize("encoding", list(Encoding))
def test_encode_round_trips(encoding: Encoding) -> None:
    msg = {"v": 1, "t": "frame", "snapshot": {"counts": [1, 2], "median": 3.5, "x": None},
           "chart": {"bars": {"label": ["é", "b"], "value": (1, 2)}}}
    decoded, seen = decode(encode(msg, encoding))
    assert seen is encoding
    assert decoded["snapshot"] == msg["snapshot"]
    assert decoded["chart"]["bars"]["value"] == [1, 2]


@pytest.mark.parametrize("frame", [
    b"\xc1", b"", b"\x92\x01\x02", "not json", "[1, 2]", '{"t": NaN}', "3",
    msgpack.packb({1: 2}), b"\x81\xa1t",
])
def test_garbage_frames_are_bad_frames(frame: bytes | str) -> None:
    with pytest.raises(BadFrame):
        decode(frame)


@pytest.mark.parametrize(("raw", "fragment"), [
    ({"t": "vote"}, "unknown message type"),
    ({"v": 2, "t": "ping"}, "version"),
    ({"seq": 3}, "'t'"),
    ({"t": "respond", "activity": "A-1", "seq": 4}, "'value'"),
    ({"t": "respond", "activity": "A-1", "value": True, "seq": 4}, "'value'"),
    ({"t": "respond", "activity": "A-1", "value": None, "seq": 4}, "'value'"),
    ({"t": "respond", "activity": 12, "value": 1, "seq": 4}, "'activity'"),
    ({"t": "respond", "activity": "A-1", "value": 1, "seq": -1}, "'seq'"),
    ({"t": "respond", "activity": "A-1", "value": 1, "seq": "1"}, "'seq'"),
    ({"t": "hello", "role": "admin"}, "'role'"),
    ({"t": "activity_new", "room": "R", "spec": []}, "'spec'"),
    ({"t": "respond", "activity": "A-1", "value": [[1]], "seq": 4}, "'value'"),
])
def test_ill_typed_messages_are_refused_with_the_seq(raw: dict, fragment: str) -> None:
    with pytest.raises(BadMessage, match=fragment) as info:
        parse(raw)
    if raw.get("seq") == 4:
        assert info.value.seq == 4


@settings(max_examples=2000, deadline=None)
@given(st.binary(max_size=64))
def test_random_bytes_never_escape_the_error_tree(frame: bytes) -> None:
    with contextlib.suppress(CrowdError):
        decode_message(frame)


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(st.sampled_from(["t", "v", "seq", "role", "room", "activity", "value",
                                        "spec", "on", "title", "name", "activities"]),
                       st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                                 st.text(max_size=8), st.lists(st.integers(), max_size=3),
                                 st.sampled_from(["respond", "hello", "phone", "open"])),
                       max_size=6))
def test_schema_aware_maps_never_escape_the_error_tree(raw: dict) -> None:
    with contextlib.suppress(CrowdError):
        parse(raw)
