"""The golden frames in ``golden/`` still encode and decode exactly."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from carnet.protocol import (
    FrameError,
    Message,
    decode_legacy,
    decode_v1,
    encode_legacy,
    encode_v1,
)

GOLDEN = Path(__file__).parent / "golden"


def _cases(name: str) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads((GOLDEN / name).read_text("utf-8"))["cases"]
    return cases


def _message(case: dict[str, Any]) -> Message:
    parts = [p.encode("utf-8") for p in case["parts"]]
    buffers = [base64.b64decode(b) for b in case["buffers"]]
    return Message(case["channel"], parts + buffers)


def _frame(case: dict[str, Any]) -> str | bytes:
    if "frame_text" in case:
        return str(case["frame_text"])
    return base64.b64decode(case["frame_base64"])


def _ids(cases: list[dict[str, Any]]) -> list[str]:
    return [f"{c.get('direction', c.get('framing'))}: {c['name']}" for c in cases]


V1 = _cases("v1.json")
LEGACY = _cases("legacy.json")
INVALID = _cases("invalid.json")


def test_golden_files_cover_both_directions_and_buffers() -> None:
    for cases in (V1, LEGACY):
        assert {c["direction"] for c in cases} == {"kernel-to-client", "client-to-kernel"}
        assert any(c["buffers"] for c in cases if c["direction"] == "kernel-to-client")
        assert any(c["buffers"] for c in cases if c["direction"] == "client-to-kernel")


@pytest.mark.parametrize("case", V1, ids=_ids(V1))
def test_v1_golden(case: dict[str, Any]) -> None:
    msg = _message(case)
    frame = _frame(case)
    assert isinstance(frame, bytes)
    assert encode_v1(msg) == frame
    assert decode_v1(frame) == msg


@pytest.mark.parametrize("case", LEGACY, ids=_ids(LEGACY))
def test_legacy_golden(case: dict[str, Any]) -> None:
    msg = _message(case)
    frame = _frame(case)
    if case["direction"] == "kernel-to-client":
        assert encode_legacy(msg) == frame
        # A client decoding the frame sees the same JSON values.
        back = decode_legacy(frame)
        assert back.channel == msg.channel
        assert [json.loads(p) for p in back.parts[:4]] == [json.loads(p) for p in msg.parts[:4]]
        assert back.buffers == msg.buffers
    else:
        assert decode_legacy(frame) == msg


@pytest.mark.parametrize("case", INVALID, ids=_ids(INVALID))
def test_invalid_golden_frames_are_rejected(case: dict[str, Any]) -> None:
    frame = _frame(case)
    with pytest.raises(FrameError):
        if case["framing"] == "v1":
            assert isinstance(frame, bytes)
            decode_v1(frame)
        else:
            decode_legacy(frame)
