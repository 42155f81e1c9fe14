"""Regenerate the golden websocket frames: ``python tests/protocol/golden/generate.py``.

The frames are written by carnet's encoders from fixed messages, then frozen: the tests
check that encoding and decoding still reproduce them exactly, and the TypeScript client
tests read the same files. Only regenerate on a deliberate format change, and review the
diff. The layouts follow jupyter-facts.md §2.2-2.3 (jupyter_server 2.x).
"""

from __future__ import annotations

import base64
import json
import struct
from pathlib import Path
from typing import Any

from carnet.protocol import Message, encode_legacy, encode_v1

HERE = Path(__file__).parent


def _header(msg_id: str, msg_type: str, session: str = "c5d3b3a0-client") -> str:
    return json.dumps(
        {
            "msg_id": msg_id,
            "msg_type": msg_type,
            "username": "user",
            "session": session,
            "date": "2026-11-25T18:06:02.842921Z",
            "version": "5.4",
        },
        separators=(",", ":"),
    )


EXEC = _header("exec-1", "execute_request")
EXEC_PARENT = json.loads(EXEC)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _msg(channel: str, parts: list[str], buffers: list[bytes]) -> Message:
    return Message(channel, [p.encode("utf-8") for p in parts] + buffers)


def _case(
    name: str, direction: str, channel: str, parts: list[str], buffers: list[bytes], frame: Any
) -> dict[str, Any]:
    case: dict[str, Any] = {
        "name": name,
        "direction": direction,
        "channel": channel,
        "parts": parts,
        "buffers": [_b64(b) for b in buffers],
    }
    if isinstance(frame, str):
        case["frame_text"] = frame
    else:
        case["frame_base64"] = _b64(frame)
    return case


def kernel_messages() -> list[tuple[str, str, list[str], list[bytes]]]:
    parent = EXEC
    return [
        (
            "iopub status busy",
            "iopub",
            [_header("k-1", "status", "kernel"), parent, "{}", '{"execution_state":"busy"}'],
            [],
        ),
        (
            "iopub execute_result with non-ASCII text",
            "iopub",
            [
                _header("k-2", "execute_result", "kernel"),
                parent,
                "{}",
                json.dumps(
                    {
                        "execution_count": 1,
                        "data": {"text/plain": "'héllo wörld ✓ 🚀'"},
                        "metadata": {},
                    },
                    ensure_ascii=False,
                ),
            ],
            [],
        ),
        (
            "iopub comm_msg with two buffers",
            "iopub",
            [
                _header("k-3", "comm_msg", "kernel"),
                parent,
                "{}",
                '{"comm_id":"abc","data":{"buffer_paths":[["x"],["y"]]}}',
            ],
            [bytes(range(8)), b"\x00\xff" * 3],
        ),
        (
            "shell execute_reply",
            "shell",
            [
                _header("k-4", "execute_reply", "kernel"),
                parent,
                '{"started":"2026-11-25T18:06:02.850000Z"}',
                '{"status":"ok","execution_count":1,"user_expressions":{},"payload":[]}',
            ],
            [],
        ),
        (
            "stdin input_request",
            "stdin",
            [
                _header("k-5", "input_request", "kernel"),
                parent,
                "{}",
                '{"prompt":"name? ","password":false}',
            ],
            [],
        ),
        (
            "iopub display_data with an empty buffer",
            "iopub",
            [
                _header("k-6", "display_data", "kernel"),
                parent,
                "{}",
                '{"data":{},"metadata":{},"transient":{}}',
            ],
            [b""],
        ),
    ]


def client_messages() -> list[tuple[str, str, list[str], list[bytes]]]:
    return [
        (
            "shell execute_request",
            "shell",
            [
                EXEC,
                "{}",
                "{}",
                '{"code":"1+1","silent":false,"store_history":true,"user_expressions":{},'
                '"allow_stdin":true,"stop_on_error":true}',
            ],
            [],
        ),
        (
            "stdin input_reply with non-ASCII text",
            "stdin",
            [_header("c-2", "input_reply"), "{}", "{}", '{"value":"Zoë ✓"}'],
            [],
        ),
        (
            "shell comm_msg with one buffer",
            "shell",
            [
                _header("c-3", "comm_msg"),
                "{}",
                "{}",
                '{"comm_id":"abc","data":{"buffer_paths":[["b"]]}}',
            ],
            [b"\x01\x02\x03\x04"],
        ),
        (
            "control interrupt_request",
            "control",
            [_header("c-4", "interrupt_request"), "{}", "{}", "{}"],
            [],
        ),
    ]


def _legacy_client_frame(channel: str | None, parts: list[str], buffers: list[bytes]) -> Any:
    """A frame as JupyterLab's serializer writes it (JSON.stringify key order)."""
    msg: dict[str, Any] = {
        "header": json.loads(parts[0]),
        "parent_header": json.loads(parts[1]),
        "metadata": json.loads(parts[2]),
        "content": json.loads(parts[3]),
    }
    if channel is not None:
        msg["channel"] = channel
    if not buffers:
        msg["buffers"] = []
        return json.dumps(msg, ensure_ascii=False)
    blobs = [json.dumps(msg, ensure_ascii=False).encode("utf-8"), *buffers]
    offsets = [4 * (len(blobs) + 1)]
    for blob in blobs[:-1]:
        offsets.append(offsets[-1] + len(blob))
    return struct.pack(f">{len(blobs) + 1}I", len(blobs), *offsets) + b"".join(blobs)


def _canonical(parts: list[str]) -> list[str]:
    """What carnet sends the kernel for a legacy client message: compact JSON."""
    return [json.dumps(json.loads(p), separators=(",", ":"), ensure_ascii=False) for p in parts]


def v1_cases() -> list[dict[str, Any]]:
    cases = []
    for name, channel, parts, buffers in kernel_messages():
        frame = encode_v1(_msg(channel, parts, buffers))
        cases.append(_case(name, "kernel-to-client", channel, parts, buffers, frame))
    for name, channel, parts, buffers in client_messages():
        frame = encode_v1(_msg(channel, parts, buffers))
        cases.append(_case(name, "client-to-kernel", channel, parts, buffers, frame))
    return cases


def legacy_cases() -> list[dict[str, Any]]:
    cases = []
    for name, channel, parts, buffers in kernel_messages():
        frame = encode_legacy(_msg(channel, parts, buffers))
        cases.append(_case(name, "kernel-to-client", channel, parts, buffers, frame))
    for name, channel, parts, buffers in client_messages():
        frame = _legacy_client_frame(channel, parts, buffers)
        cases.append(_case(name, "client-to-kernel", channel, _canonical(parts), buffers, frame))
    name, _, parts, buffers = client_messages()[0]
    frame = _legacy_client_frame(None, parts, buffers)
    cases.append(
        _case(
            name + " without channel (means shell)",
            "client-to-kernel",
            "shell",
            _canonical(parts),
            buffers,
            frame,
        )
    )
    return cases


def invalid_cases() -> list[dict[str, Any]]:
    ok = encode_v1(_msg(*client_messages()[0][1:]))
    count = struct.unpack_from("<Q", ok)[0]

    def v1(name: str, frame: bytes) -> dict[str, Any]:
        return {"name": name, "framing": "v1", "frame_base64": _b64(frame)}

    def legacy(name: str, frame: Any) -> dict[str, Any]:
        key = "frame_text" if isinstance(frame, str) else "frame_base64"
        return {
            "name": name,
            "framing": "legacy",
            key: frame if key == "frame_text" else _b64(frame),
        }

    table = bytearray(ok)
    struct.pack_into("<Q", table, 8 * 2, 10**9)  # offsets[1] far past the end
    shrunk = bytearray(ok)
    struct.pack_into("<Q", shrunk, 0, 3)
    unknown = encode_v1(Message("hb", [b"{}", b"{}", b"{}", b"{}"]))
    binary = _legacy_client_frame("shell", client_messages()[2][2], [b"abcd"])
    bad_offsets = bytearray(binary)
    struct.pack_into(">I", bad_offsets, 8, 10**6)
    return [
        v1("empty frame", b""),
        v1("truncated offset table", ok[: 8 * count]),
        v1("frame cut short", ok[:-1]),
        v1("offset past the end", bytes(table)),
        v1("too few parts", bytes(shrunk)),
        v1("unknown channel", unknown),
        legacy("not JSON", "{not json"),
        legacy("JSON array", "[]"),
        legacy("no header", '{"channel":"shell","content":{}}'),
        legacy("header without msg_type", '{"header":{"msg_id":"x"},"channel":"shell"}'),
        legacy("unknown channel", '{"header":{"msg_id":"x","msg_type":"y"},"channel":"hb"}'),
        legacy("content not an object", '{"header":{"msg_id":"x","msg_type":"y"},"content":[]}'),
        legacy(
            "buffers in a text frame",
            '{"header":{"msg_id":"x","msg_type":"y"},"buffers":["AAAA"]}',
        ),
        legacy("binary frame too short", b"\x00\x00\x00"),
        legacy("binary frame with zero parts", b"\x00\x00\x00\x00\x00\x00\x00\x00"),
        legacy("binary offset past the end", bytes(bad_offsets)),
    ]


def main() -> None:
    files = {
        "v1.json": {
            "framing": "v1.kernel.websocket.jupyter.org",
            "cases": v1_cases(),
        },
        "legacy.json": {
            "framing": "legacy (JSON text; binary when buffers)",
            "cases": legacy_cases(),
        },
        "invalid.json": {"framing": "frames every decoder must reject", "cases": invalid_cases()},
    }
    for name, data in files.items():
        text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
        (HERE / name).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
