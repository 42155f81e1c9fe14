"""A test-side kernel client that talks through a KernelConnection in a chosen framing.

It plays both ends of a websocket: what the browser would encode is decoded the way the
web layer will decode it, and every outgoing message is framed and parsed back, so the
tests exercise the framings end to end with real kernels.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from carnet.kernels import KernelConnection
from carnet.protocol import (
    Message,
    decode_legacy,
    decode_v1,
    encode_legacy,
    encode_v1,
    new_message,
)

TIMEOUT = 60.0


@dataclass
class Got:
    """A message as a browser sees it after framing."""

    channel: str
    header: dict[str, Any]
    parent_header: dict[str, Any]
    content: dict[str, Any]
    buffers: list[bytes] = field(default_factory=list)

    @property
    def msg_type(self) -> str:
        return str(self.header["msg_type"])

    @property
    def parent_id(self) -> str | None:
        return self.parent_header.get("msg_id")


@dataclass
class Execution:
    reply: Got
    iopub: list[Got]
    others: list[Got]

    def stream_text(self, name: str = "stdout") -> str:
        return "".join(
            m.content["text"]
            for m in self.iopub
            if m.msg_type == "stream" and m.content["name"] == name
        )

    def result(self) -> str:
        for m in self.iopub:
            if m.msg_type == "execute_result":
                return str(m.content["data"]["text/plain"])
        raise AssertionError(f"no execute_result in {[m.msg_type for m in self.iopub]}")


class Client:
    def __init__(self, conn: KernelConnection, framing: str = "v1") -> None:
        assert framing in ("v1", "legacy")
        self.conn = conn
        self.framing = framing
        self.frames_out: list[str | bytes] = []

    def _to_browser(self, msg: Message) -> Got:
        frame: str | bytes = encode_v1(msg) if self.framing == "v1" else encode_legacy(msg)
        self.frames_out.append(frame)
        back = decode_v1(frame) if self.framing == "v1" else decode_legacy(frame)  # type: ignore[arg-type]
        return Got(
            back.channel,
            back.header,
            back.parent_header,
            json.loads(back.parts[3]),
            list(back.buffers),
        )

    async def recv(self, timeout: float = TIMEOUT) -> Got:
        msg = await asyncio.wait_for(self.conn.receive(), timeout)
        return self._to_browser(msg)

    def pending(self) -> list[Got]:
        out = []
        while (msg := self.conn.receive_nowait()) is not None:
            out.append(self._to_browser(msg))
        return out

    def message(
        self,
        channel: str,
        msg_type: str,
        content: dict[str, Any],
        buffers: tuple[bytes, ...] = (),
    ) -> Message:
        msg = new_message(channel, msg_type, content, session=self.conn.session_id)
        return Message(channel, [*msg.parts, *buffers])

    async def send(self, msg: Message) -> None:
        frame: str | bytes = encode_v1(msg) if self.framing == "v1" else encode_legacy(msg)
        server_side = decode_v1(frame) if self.framing == "v1" else decode_legacy(frame)  # type: ignore[arg-type]
        await self.conn.send(server_side)

    async def start_execute(self, code: str, **options: Any) -> Message:
        content = {
            "code": code,
            "silent": False,
            "store_history": True,
            "user_expressions": {},
            "allow_stdin": False,
            "stop_on_error": True,
            **options,
        }
        msg = self.message("shell", "execute_request", content)
        await self.send(msg)
        return msg

    async def finish(
        self, request: Message, on_input: Callable[[Got], str] | None = None
    ) -> Execution:
        """Read until the reply and the IOPub idle status of ``request`` have both arrived."""
        reply: Got | None = None
        idle = False
        iopub: list[Got] = []
        others: list[Got] = []
        while reply is None or not idle:
            got = await self.recv()
            if got.parent_id != request.msg_id:
                others.append(got)
            elif got.channel == "iopub":
                iopub.append(got)
                idle = got.msg_type == "status" and got.content["execution_state"] == "idle"
            elif got.channel == "stdin" and got.msg_type == "input_request":
                assert on_input is not None, "unexpected input_request"
                answer = self.message("stdin", "input_reply", {"value": on_input(got)})
                await self.send(answer)
            else:
                reply = got
        return Execution(reply, iopub, others)

    async def execute(self, code: str, **options: Any) -> Execution:
        return await self.finish(await self.start_execute(code, **options))

    async def wait_for(self, predicate: Callable[[Got], bool]) -> tuple[Got, list[Got]]:
        seen = []
        while True:
            got = await self.recv()
            if predicate(got):
                return got, seen
            seen.append(got)
