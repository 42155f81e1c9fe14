"""Messages, signatures and the ZMQ multipart form."""

from __future__ import annotations

import json
import re

import pytest
from jupyter_client.session import Session

from carnet.protocol import (
    DELIM,
    FrameError,
    Message,
    Signer,
    dumps,
    from_zmq,
    iso_now,
    new_message,
    to_zmq,
)


def test_new_message_has_a_complete_header() -> None:
    msg = new_message("shell", "kernel_info_request", {}, session="abc")
    header = msg.header
    assert header["msg_type"] == "kernel_info_request"
    assert header["session"] == "abc"
    assert header["version"] == "5.4"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", header["date"])
    assert msg.parent_header == {}
    assert msg.parent_msg_id is None
    assert msg.content() == {}


def test_new_message_can_reuse_a_raw_parent() -> None:
    parent = new_message("shell", "execute_request", {}, session="client")
    notice = new_message(
        "iopub", "stream", {"name": "stderr", "text": "x"}, session="k", parent=parent.parts[0]
    )
    assert notice.parent_msg_id == parent.msg_id
    assert notice.parent_session == "client"


def test_iso_now_always_has_microseconds() -> None:
    assert re.fullmatch(r".*T\d\d:\d\d:\d\d\.\d{6}Z", iso_now())


def test_message_needs_four_parts() -> None:
    with pytest.raises(FrameError, match="4 parts"):
        Message("shell", [b"{}", b"{}", b"{}"])


@pytest.mark.parametrize(
    ("header", "attr"),
    [(b"not json", "header"), (b"[]", "header"), (b"{}", "msg_type"), (b'{"msg_id":1}', "msg_id")],
)
def test_bad_headers_raise_frame_errors(header: bytes, attr: str) -> None:
    msg = Message("shell", [header, b"{}", b"{}", b"{}"])
    with pytest.raises(FrameError):
        getattr(msg, attr)


def test_check_validates_the_header() -> None:
    msg = new_message("shell", "x", {}, session="s")
    assert msg.check() is msg
    with pytest.raises(FrameError):
        Message("shell", [b'{"msg_id":"a"}', b"{}", b"{}", b"{}"]).check()


def test_bad_parent_and_content() -> None:
    msg = Message("shell", [b'{"msg_id":"a","msg_type":"b"}', b"[1]", b"{}", b"{"])
    with pytest.raises(FrameError):
        _ = msg.parent_header
    with pytest.raises(FrameError):
        msg.content()
    assert "shell" in repr(msg)
    assert repr(Message("shell", [b"x", b"{}", b"{}", b"{}"])).startswith("<Message shell ?")


def test_messages_compare_by_channel_and_parts() -> None:
    a = Message("shell", [b"{}"] * 4)
    assert a == Message("shell", (b"{}",) * 4)
    assert a != Message("control", [b"{}"] * 4)
    assert a.__eq__("x") is NotImplemented


def test_dumps_refuses_what_a_kernel_cannot_read() -> None:
    assert dumps({"a": "é"}) == '{"a":"é"}'.encode()
    with pytest.raises(FrameError):
        dumps({"a": float("nan")})
    with pytest.raises(FrameError):
        dumps({"a": object()})


def test_signature_matches_jupyter_client() -> None:
    key = b"5ca1ab1e-c0da-b1ea-cafe-deadbeef0000"
    session = Session(key=key)
    msg = new_message("shell", "execute_request", {"code": "1+1"}, session="s")
    ours = Signer(key).sign(msg.parts)
    assert ours == session.sign(list(msg.parts[:4]))
    # Buffers are not signed (per the spec): same signature with a buffer appended.
    with_buffer = Message("shell", [*msg.parts, b"\x00buf"])
    assert Signer(key).sign(with_buffer.parts) == ours


def test_jupyter_client_accepts_what_we_send_and_we_accept_what_it_sends() -> None:
    key = b"secret"
    session = Session(key=key)
    signer = Signer(key)
    msg = new_message("shell", "execute_request", {"code": "x"}, session="s")
    frames = to_zmq(msg, signer, identities=[b"ident"])
    idents, rest = session.feed_identities(frames)
    assert idents == [b"ident"]
    decoded = session.deserialize(rest)
    assert decoded["content"] == {"code": "x"}
    # And the other way round.
    sent = session.serialize(session.msg("status", {"execution_state": "idle"}), ident=b"k")
    back = from_zmq("iopub", sent, signer)
    assert back.msg_type == "status"
    assert json.loads(back.parts[3]) == {"execution_state": "idle"}


def test_from_zmq_rejects_forgeries_and_garbage() -> None:
    signer = Signer(b"key")
    msg = new_message("shell", "x", {}, session="s")
    frames = to_zmq(msg, signer)
    forged = [*frames]
    forged[-1] = b'{"evil":true}'
    with pytest.raises(FrameError, match="signature"):
        from_zmq("shell", forged, signer)
    with pytest.raises(FrameError, match="delimiter"):
        from_zmq("shell", frames[1:], signer)
    with pytest.raises(FrameError, match="fewer"):
        from_zmq("shell", frames[:4], signer)


def test_empty_key_disables_signing() -> None:
    signer = Signer(b"")
    msg = new_message("shell", "x", {}, session="s")
    frames = to_zmq(msg, signer)
    assert frames[:2] == [DELIM, b""]
    assert from_zmq("shell", frames, signer) == msg


@pytest.mark.parametrize("scheme", ["sha256", "hmac-nosuchhash"])
def test_unknown_signature_schemes_are_refused(scheme: str) -> None:
    with pytest.raises(ValueError):
        Signer(b"k", scheme)


def test_other_hmac_schemes_match_jupyter_client() -> None:
    session = Session(key=b"k", signature_scheme="hmac-sha512")
    msg = new_message("shell", "x", {}, session="s")
    assert Signer(b"k", "hmac-sha512").sign(msg.parts) == session.sign(list(msg.parts[:4]))
