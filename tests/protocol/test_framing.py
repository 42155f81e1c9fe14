"""The websocket framings, checked against the layouts jupyter_server uses (facts §2.2-2.3)."""

from __future__ import annotations

import itertools
import json
import struct

import pytest

from carnet.protocol import (
    V1_SUBPROTOCOL,
    FrameError,
    Message,
    decode_legacy,
    decode_v1,
    encode_legacy,
    encode_v1,
    new_message,
)

HEADER = b'{"msg_id":"m1","msg_type":"execute_request","session":"s","username":"u"}'


def _msg(channel: str = "shell", *buffers: bytes) -> Message:
    return Message(channel, [HEADER, b"{}", b"{}", b'{"code":"1+1"}', *buffers])


def test_subprotocol_name() -> None:
    assert V1_SUBPROTOCOL == "v1.kernel.websocket.jupyter.org"


def test_v1_layout_for_four_parts() -> None:
    msg = _msg()
    frame = encode_v1(msg)
    (count,) = struct.unpack_from("<Q", frame, 0)
    offsets = struct.unpack_from(f"<{count}Q", frame, 8)
    assert count == 6  # channel start + channel end + 4 part ends
    assert offsets[0] == 56 == 8 * (count + 1)
    assert frame[offsets[0] : offsets[1]] == b"shell"
    assert [frame[a:b] for a, b in itertools.pairwise(offsets[1:])] == list(msg.parts)
    assert offsets[-1] == len(frame)


def test_v1_keeps_parts_as_raw_bytes() -> None:
    # Not even valid JSON: v1 forwarding never decodes content.
    raw = Message("iopub", [HEADER, b"{}", b"{}", b"\xff\xfe not json", b"\x00buffer"])
    assert decode_v1(encode_v1(raw)) == raw


def test_v1_round_trip_with_buffers() -> None:
    msg = _msg("shell", b"\x00\x01", b"", b"x" * 1000)
    assert decode_v1(encode_v1(msg)) == msg


def test_v1_rejects_decreasing_offsets() -> None:
    frame = bytearray(encode_v1(_msg()))
    struct.pack_into("<Q", frame, 8 * 3, 60)  # end of header before its start
    with pytest.raises(FrameError, match="decrease"):
        decode_v1(bytes(frame))


def test_v1_rejects_gap_before_channel() -> None:
    frame = bytearray(encode_v1(_msg()))
    struct.pack_into("<Q", frame, 8, 57)
    with pytest.raises(FrameError):
        decode_v1(bytes(frame))


def test_v1_rejects_non_utf8_channel() -> None:
    frame = encode_v1(_msg()).replace(b"shell", b"\xffhell", 1)
    with pytest.raises(FrameError, match="UTF-8"):
        decode_v1(frame)


def test_v1_rejects_huge_offset_count_without_allocating() -> None:
    frame = struct.pack("<Q", 2**63) + b"\x00" * 64
    with pytest.raises(FrameError):
        decode_v1(frame)


def test_legacy_text_has_the_redundant_fields_jupyter_adds() -> None:
    msg = new_message("iopub", "status", {"execution_state": "idle"}, session="k")
    frame = encode_legacy(msg)
    assert isinstance(frame, str)
    obj = json.loads(frame)
    assert obj["channel"] == "iopub"
    assert obj["buffers"] == []
    assert obj["msg_id"] == obj["header"]["msg_id"] == msg.msg_id
    assert obj["msg_type"] == obj["header"]["msg_type"] == "status"
    assert obj["parent_header"] == {}
    assert obj["metadata"] == {}
    assert obj["content"] == {"execution_state": "idle"}


def test_legacy_binary_layout() -> None:
    msg = _msg("iopub", b"abc", b"\x00" * 5)
    frame = encode_legacy(msg)
    assert isinstance(frame, bytes)
    (nbufs,) = struct.unpack_from(">I", frame, 0)
    offsets = struct.unpack_from(f">{nbufs}I", frame, 4)
    assert nbufs == 3
    assert offsets[0] == 4 * (nbufs + 1)
    obj = json.loads(frame[offsets[0] : offsets[1]])
    assert "buffers" not in obj
    assert obj["channel"] == "iopub"
    assert obj["header"]["msg_id"] == "m1"
    assert frame[offsets[1] : offsets[2]] == b"abc"
    assert frame[offsets[2] :] == b"\x00" * 5
    assert decode_legacy(frame).buffers == (b"abc", b"\x00" * 5)


def test_legacy_decode_fills_missing_parts_and_channel() -> None:
    msg = decode_legacy('{"header":{"msg_id":"a","msg_type":"kernel_info_request"}}')
    assert msg.channel == "shell"
    assert msg.parts[1:] == (b"{}", b"{}", b"{}")
    msg = decode_legacy(
        '{"header":{"msg_id":"a","msg_type":"x"},"parent_header":null,"channel":null}'
    )
    assert msg.channel == "shell"
    assert msg.parts[1] == b"{}"


def test_legacy_decode_keeps_non_ascii_and_escapes_lone_surrogates() -> None:
    msg = decode_legacy('{"header":{"msg_id":"a","msg_type":"x"},"content":{"t":"é\\ud800"}}')
    assert json.loads(msg.parts[3]) == {"t": "é\ud800"}
    msg = decode_legacy('{"header":{"msg_id":"a","msg_type":"x"},"content":{"t":"é"}}')
    assert msg.parts[3] == '{"t":"é"}'.encode()


@pytest.mark.parametrize(
    "frame",
    [
        '{"header":{"msg_id":"a","msg_type":"x"},"content":{"n":NaN}}',
        '{"header":{"msg_id":1,"msg_type":"x"}}',
        '{"header":{"msg_id":"a","msg_type":"x"},"metadata":"no"}',
        '{"header":{"msg_id":"a","msg_type":"x"},"channel":5}',
        '"just a string"',
        "",
    ],
)
def test_legacy_rejects_bad_json_messages(frame: str) -> None:
    with pytest.raises(FrameError):
        decode_legacy(frame)


def test_legacy_binary_rejects_non_json_first_part() -> None:
    blobs = [b"\xff\xfe", b"buf"]
    offsets = [12, 14]
    frame = struct.pack(">3I", 2, *offsets) + b"".join(blobs)
    with pytest.raises(FrameError):
        decode_legacy(frame)


def test_frame_error_is_a_bad_request() -> None:
    from carnet.errors import BadRequest

    with pytest.raises(BadRequest) as info:
        decode_v1(b"")
    assert info.value.status == 400
