"""A kernel websocket client for the API tests, with its own framing code.

It frames messages the way Jupyter clients do (facts §2.2-2.3), written independently of
``carnet.protocol`` so that a bug there cannot hide behind the same bug here.
"""

from __future__ import annotations

import asyncio
import json
import struct
import subprocess
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import psutil
from websockets.asyncio.client import ClientConnection, connect

from tests.conftest import CarnetServer

V1 = "v1.kernel.websocket.jupyter.org"
TIMEOUT = 60.0


def install_bash_kernel(prefix: Path) -> Path:
    """Install bash_kernel's kernelspec under ``prefix``; return the dir for JUPYTER_PATH."""
    subprocess.run(
        [sys.executable, "-m", "bash_kernel.install", "--prefix", str(prefix)],
        check=True,
        capture_output=True,
    )
    return prefix / "share" / "jupyter"


def kernel_pids(server: CarnetServer) -> set[int]:
    """PIDs of every process below the server (its kernels)."""
    try:
        return {p.pid for p in psutil.Process(server.proc.pid).children(recursive=True)}
    except psutil.NoSuchProcess:
        return set()


def alive(pids: set[int]) -> set[int]:
    out = set()
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                out.add(pid)
        except psutil.NoSuchProcess:
            pass
    return out


async def wait_until(predicate: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def wait_state(client: httpx.Client, kernel_id: str, *states: str) -> dict[str, Any]:
    """Poll the REST model until the kernel is in one of ``states``."""
    import time

    deadline = time.monotonic() + TIMEOUT
    while True:
        model: dict[str, Any] = client.get(f"api/kernels/{kernel_id}").json()
        if model.get("execution_state") in states:
            return model
        if time.monotonic() > deadline:
            raise AssertionError(f"kernel never reached {states}: {model}")
        time.sleep(0.05)


# -- framing (client side) ----------------------------------------------------------------


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj).encode()


def encode_v1(channel: str, parts: list[bytes]) -> bytes:
    offsets = [8 * (len(parts) + 3)]
    offsets.append(offsets[0] + len(channel.encode()))
    for part in parts:
        offsets.append(offsets[-1] + len(part))
    head = struct.pack(f"<{len(offsets) + 1}Q", len(offsets), *offsets)
    return head + channel.encode() + b"".join(parts)


def decode_v1(frame: bytes) -> tuple[str, list[bytes]]:
    (n,) = struct.unpack_from("<Q", frame)
    offsets = struct.unpack_from(f"<{n}Q", frame, 8)
    channel = frame[offsets[0] : offsets[1]].decode()
    parts = [frame[offsets[i] : offsets[i + 1]] for i in range(1, n - 1)]
    return channel, parts


def encode_legacy(msg: dict[str, Any], buffers: list[bytes]) -> str | bytes:
    if not buffers:
        return json.dumps({**msg, "buffers": []})
    blobs = [_dumps(msg), *buffers]
    offsets = [4 * (len(blobs) + 1)]
    for blob in blobs[:-1]:
        offsets.append(offsets[-1] + len(blob))
    return struct.pack(f">{len(blobs) + 1}I", len(blobs), *offsets) + b"".join(blobs)


def decode_legacy(frame: str | bytes) -> tuple[dict[str, Any], list[bytes]]:
    if isinstance(frame, str):
        msg = json.loads(frame)
        return msg, []
    (n,) = struct.unpack_from(">I", frame)
    offsets = [*struct.unpack_from(f">{n}I", frame, 4), len(frame)]
    blobs = [frame[offsets[i] : offsets[i + 1]] for i in range(n)]
    return json.loads(blobs[0]), blobs[1:]


# -- messages -----------------------------------------------------------------------------


@dataclass
class Msg:
    channel: str
    header: dict[str, Any]
    parent_header: dict[str, Any]
    metadata: dict[str, Any]
    content: dict[str, Any]
    buffers: list[bytes] = field(default_factory=list)
    frame_kind: str = ""  # "text" or "binary": how it travelled

    @property
    def msg_type(self) -> str:
        return str(self.header["msg_type"])

    @property
    def msg_id(self) -> str:
        return str(self.header["msg_id"])

    @property
    def parent_id(self) -> str | None:
        return self.parent_header.get("msg_id")

    def is_idle(self) -> bool:
        return self.msg_type == "status" and self.content.get("execution_state") == "idle"


@dataclass
class Execution:
    reply: Msg
    iopub: list[Msg]
    others: list[Msg]

    def stream(self, name: str = "stdout") -> str:
        return "".join(
            m.content["text"]
            for m in self.iopub
            if m.msg_type == "stream" and m.content["name"] == name
        )

    def of_type(self, msg_type: str) -> list[Msg]:
        return [m for m in self.iopub if m.msg_type == msg_type]

    def result(self) -> str:
        found = self.of_type("execute_result")
        assert found, f"no execute_result in {[m.msg_type for m in self.iopub]}"
        return str(found[0].content["data"]["text/plain"])


class KernelSocket:
    """One websocket to ``/api/kernels/<id>/channels``."""

    def __init__(self, ws: ClientConnection, session_id: str) -> None:
        self.ws = ws
        self.session_id = session_id

    @classmethod
    async def open(
        cls,
        server: CarnetServer,
        kernel_id: str,
        *,
        session_id: str | None = None,
        protocols: tuple[str, ...] = (V1,),
        **kwargs: Any,
    ) -> KernelSocket:
        session_id = session_id or uuid.uuid4().hex
        url = server.base.replace("http", "ws", 1) + f"api/kernels/{kernel_id}/channels"
        ws = await connect(
            f"{url}?session_id={session_id}",
            additional_headers={"Authorization": f"token {server.token}"},
            subprotocols=list(protocols) or None,  # type: ignore[arg-type]
            max_size=None,
            open_timeout=TIMEOUT,
            **kwargs,
        )
        return cls(ws, session_id)

    @property
    def v1(self) -> bool:
        return self.ws.subprotocol == V1

    async def close(self) -> None:
        await self.ws.close()

    async def __aenter__(self) -> KernelSocket:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def message(
        self,
        channel: str,
        msg_type: str,
        content: dict[str, Any],
        buffers: list[bytes] = (),  # type: ignore[assignment]
    ) -> dict[str, Any]:
        header = {
            "msg_id": uuid.uuid4().hex,
            "msg_type": msg_type,
            "username": "test",
            "session": self.session_id,
            "date": datetime.now(timezone.utc).isoformat(),
            "version": "5.3",
        }
        return {
            "header": header,
            "parent_header": {},
            "metadata": {},
            "content": content,
            "channel": channel,
            "buffers": list(buffers),
        }

    async def send(self, msg: dict[str, Any]) -> None:
        buffers = msg.get("buffers") or []
        if self.v1:
            parts = [_dumps(msg[k]) for k in ("header", "parent_header", "metadata", "content")]
            await self.ws.send(encode_v1(msg["channel"], [*parts, *buffers]))
        else:
            body = {k: v for k, v in msg.items() if k != "buffers"}
            await self.ws.send(encode_legacy(body, buffers))

    async def request(
        self,
        channel: str,
        msg_type: str,
        content: dict[str, Any],
        buffers: list[bytes] = (),  # type: ignore[assignment]
    ) -> dict[str, Any]:
        msg = self.message(channel, msg_type, content, buffers)
        await self.send(msg)
        return msg

    async def recv(self, timeout: float = TIMEOUT) -> Msg:
        frame = await asyncio.wait_for(self.ws.recv(), timeout)
        kind = "text" if isinstance(frame, str) else "binary"
        if self.v1:
            assert isinstance(frame, bytes), "v1 frames must be binary"
            channel, parts = decode_v1(frame)
            header, parent, metadata, content = (json.loads(p) for p in parts[:4])
            return Msg(channel, header, parent, metadata, content, parts[4:], kind)
        msg, buffers = decode_legacy(frame)
        return Msg(
            msg["channel"],
            msg["header"],
            msg["parent_header"],
            msg["metadata"],
            msg["content"],
            buffers,
            kind,
        )

    async def wait_for(self, predicate: Callable[[Msg], bool]) -> tuple[Msg, list[Msg]]:
        seen = []
        while True:
            got = await self.recv()
            if predicate(got):
                return got, seen
            seen.append(got)

    async def reply_to(self, request: dict[str, Any]) -> Msg:
        """The shell/control/stdin answer to ``request`` (IOPub traffic is skipped)."""
        msg_id = request["header"]["msg_id"]
        got, _ = await self.wait_for(lambda m: m.channel != "iopub" and m.parent_id == msg_id)
        return got

    async def execute_request(self, code: str, **options: Any) -> dict[str, Any]:
        content = {
            "code": code,
            "silent": False,
            "store_history": True,
            "user_expressions": {},
            "allow_stdin": False,
            "stop_on_error": True,
            **options,
        }
        return await self.request("shell", "execute_request", content)

    async def finish(
        self, request: dict[str, Any], on_input: Callable[[Msg], str] | None = None
    ) -> Execution:
        """Read until the reply and the IOPub idle of ``request`` have both arrived."""
        msg_id = request["header"]["msg_id"]
        reply: Msg | None = None
        idle = False
        iopub: list[Msg] = []
        others: list[Msg] = []
        while reply is None or not idle:
            got = await self.recv()
            if got.parent_id != msg_id:
                others.append(got)
            elif got.channel == "iopub":
                iopub.append(got)
                idle = got.is_idle()
            elif got.channel == "stdin" and got.msg_type == "input_request":
                assert on_input is not None, "unexpected input_request"
                answer = self.message("stdin", "input_reply", {"value": on_input(got)})
                answer["parent_header"] = got.header
                await self.send(answer)
            else:
                reply = got
        return Execution(reply, iopub, others)

    async def execute(self, code: str, **options: Any) -> Execution:
        return await self.finish(await self.execute_request(code, **options))


def start_kernel_server(
    tmp: Path, *args: str, bash: bool = False, env: dict[str, str] | None = None
) -> CarnetServer:
    """A carnet for kernel tests (isolated dirs; bash_kernel installed when ``bash``)."""
    from tests.conftest import _new_env, start_carnet

    jenv = _new_env(tmp)
    extra = dict(env or {})
    if bash:
        extra["JUPYTER_PATH"] = str(install_bash_kernel(tmp / "bashkernel"))
    return start_carnet(jenv, *args, env=extra)
