"""Kernels on a gateway, behind the interface of :class:`~carnet.kernels.KernelService`.

Starting, stopping, interrupting and restarting are REST calls to the gateway
(``/api/kernels``); each client connection (a browser websocket, the document executor) is
a websocket to the gateway's ``/api/kernels/<id>/channels`` in the legacy JSON framing, as
jupyter_server's gateway client does, with the same ``session_id`` so the gateway replays
what a returning session missed. Kernel models are cached and refreshed by polling, so the
synchronous parts of the interface (``get``, ``list``, ``in``) answer without I/O, and a
kernel the gateway culled disappears here too.
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import logging
import uuid
from collections import deque
from collections.abc import Coroutine, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote

from carnet.errors import BadRequest, CarnetError, NotFound, ServiceUnavailable
from carnet.gateway.client import GatewayClient
from carnet.gateway.specs import GatewaySpecs
from carnet.kernels import (
    CloseReason,
    ConnectionClosed,
    KernelConnection,
    KernelModel,
    KernelService,
    cwd_for_path,
)
from carnet.protocol import FrameError, Message, decode_legacy, encode_legacy

log = logging.getLogger("carnet.gateway")

POLL_INTERVAL_S = 10.0


def _model(data: object) -> KernelModel:
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        raise ServiceUnavailable("The kernel gateway sent an unusable kernel model")
    model = KernelModel(
        id=data["id"],
        name=str(data.get("name") or ""),
        last_activity=str(data.get("last_activity") or ""),
        execution_state=str(data.get("execution_state") or "unknown"),
        connections=int(data.get("connections") or 0),
    )
    if isinstance(data.get("reason"), str):
        model["reason"] = data["reason"]
    return model


class GatewayConnection(KernelConnection):
    """One websocket to the gateway, seen as a :class:`KernelConnection`."""

    def __init__(self, kernel_id: str, session_id: str, websocket: Any) -> None:
        # The base class's mailbox and channels are local-kernel things: not used here.
        self._kernel_id = kernel_id
        self._session_id = session_id
        self._ws = websocket
        self._messages: deque[Message] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._reason: CloseReason | None = None
        self._reader: asyncio.Task[None] | None = None

    @property
    def kernel_id(self) -> str:
        return self._kernel_id

    @property
    def session_id(self) -> str:
        return self._session_id

    @property
    def pending(self) -> int:
        return len(self._messages)

    def start_reading(self, task: asyncio.Task[None]) -> None:
        self._reader = task

    async def read(self) -> None:
        """Gateway -> this connection, until the gateway closes the websocket."""
        try:
            async for frame in self._ws:
                try:
                    self._messages.append(decode_legacy(frame))
                except FrameError as e:
                    log.warning("Kernel %s: dropped a bad gateway message: %s", self._kernel_id, e)
                    continue
                self._wake()
        except Exception as e:  # the socket broke: the kernel is gone for this client
            log.info("Kernel %s: gateway websocket ended: %s", self._kernel_id, e)
        finally:
            if self._reason is None:
                self._reason = CloseReason.KERNEL_SHUTDOWN
            self._wake()

    def receive_nowait(self) -> Message | None:
        if self._messages:
            return self._messages.popleft()
        if self._reason is not None:
            raise ConnectionClosed(self._reason)
        return None

    async def send(self, msg: Message) -> None:
        if self._reason is not None:
            raise ConnectionClosed(self._reason)
        try:
            await self._ws.send(encode_legacy(msg))
        except Exception:
            self._end(CloseReason.KERNEL_SHUTDOWN, keep_queue=True)
            raise ConnectionClosed(CloseReason.KERNEL_SHUTDOWN) from None

    def close(self) -> None:
        if self._reason is None:
            self._end(CloseReason.CLIENT, keep_queue=False)
        if self._reader is not None:
            self._reader.cancel()

    def _end(self, reason: CloseReason, *, keep_queue: bool) -> None:
        if self._reason is None:
            self._reason = reason
        if not keep_queue:
            self._messages.clear()
        self._wake()

    async def aclose(self) -> None:
        with contextlib.suppress(Exception):
            await self._ws.close()


class GatewayKernels(KernelService):
    """Kernels of one server, run by a gateway. Use as ``async with`` like the local one."""

    def __init__(self, client: GatewayClient, *, root_dir: Path, cache_dir: Path) -> None:
        # Not KernelService.__init__: no local processes, pool or ZMQ here.
        self.specs = GatewaySpecs(client, cache_dir)
        self.default_kernel_name = ""
        self._client = client
        self._root = root_dir.resolve()
        self._models: dict[str, KernelModel] = {}
        self._connections: dict[str, set[GatewayConnection]] = {}
        self._background: set[asyncio.Task[Any]] = set()
        self._closing = False
        try:
            self._username = getpass.getuser()
        except (KeyError, OSError):
            self._username = "user"

    # -- lifecycle ---------------------------------------------------------------------------

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(coro, name=f"gateway: {name}")
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    async def __aenter__(self) -> GatewayKernels:
        await self.startup()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def startup(self) -> None:
        self._spawn(self._poll(), "poll")

    async def aclose(self) -> None:
        await self.shutdown_all()

    async def shutdown_all(self) -> None:
        """Stop this server's kernels on the gateway and end every connection."""
        self._closing = True
        ids = list(self._models)
        await asyncio.gather(*(self._delete(i) for i in ids), return_exceptions=True)
        for kernel_id in ids:
            self._forget(kernel_id, CloseReason.SERVER_SHUTDOWN)
        tasks = list(self._background)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    @property
    def pool_sizes(self) -> dict[str, int]:
        return {}

    async def wait_pool_ready(self, timeout: float = 60.0) -> None:
        return None

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(POLL_INTERVAL_S)
            with contextlib.suppress(Exception):
                await self.refresh()

    async def refresh(self) -> None:
        """Update the cached models from the gateway; forget kernels it no longer has."""
        try:
            reply = await self._client.request("GET", "api/kernels")
            listed = reply if isinstance(reply, list) else []
        except CarnetError as e:
            if e.status != 403:
                raise
            # Kernel Gateway does not list kernels by default: ask for each one.
            listed = []
            for kernel_id in list(self._models):
                with contextlib.suppress(NotFound):
                    listed.append(
                        await self._client.request("GET", f"api/kernels/{quote(kernel_id)}")
                    )
        remote = {m["id"]: m for m in map(_model, listed)}
        for kernel_id in list(self._models):
            if kernel_id in remote:
                self._models[kernel_id] = remote[kernel_id]
            else:
                log.info("Kernel %s is gone from the gateway", kernel_id)
                self._forget(kernel_id, CloseReason.KERNEL_SHUTDOWN)

    def _forget(self, kernel_id: str, reason: CloseReason) -> None:
        self._models.pop(kernel_id, None)
        for connection in self._connections.pop(kernel_id, set()):
            connection._end(reason, keep_queue=True)
            if connection._reader is not None:
                connection._reader.cancel()
            self._spawn(connection.aclose(), f"close {kernel_id}")

    # -- queries -------------------------------------------------------------------------------

    def _get_model(self, kernel_id: str) -> KernelModel:
        model = self._models.get(kernel_id)
        if model is None:
            raise NotFound(f"Kernel does not exist: {kernel_id}", reason="Not Found")
        return model

    def get(self, kernel_id: str) -> KernelModel:
        model = KernelModel(**self._get_model(kernel_id))
        model["connections"] = len(self._connections.get(kernel_id, ()))
        return model

    def list(self) -> list[KernelModel]:
        return [self.get(kernel_id) for kernel_id in self._models]

    def __contains__(self, kernel_id: object) -> bool:
        return kernel_id in self._models

    def __len__(self) -> int:
        return len(self._models)

    def process_id(self, kernel_id: str) -> int | None:
        self._get_model(kernel_id)
        return None  # the process runs on the gateway's host

    def kernel_info(self, kernel_id: str) -> dict[str, Any] | None:
        self._get_model(kernel_id)
        return None

    # -- actions -------------------------------------------------------------------------------

    async def start(
        self,
        name: str | None = None,
        path: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> KernelModel:
        if self._closing:
            raise ServiceUnavailable("The server is shutting down", reason="Shutting down")
        if name is not None and not isinstance(name, str):
            raise BadRequest("The kernel name must be a string", reason="Bad name")
        specs = await self.specs.models()
        if name is None:
            name = str(specs["default"])
        if name not in specs["kernelspecs"]:
            installed = ", ".join(specs["kernelspecs"]) or "none"
            raise NotFound(
                f"No such kernel: {name!r}. Kernels on the gateway: {installed}.",
                reason="No such kernel",
            )
        cwd = cwd_for_path(self._root, path)
        kernel_env = {k: v for k, v in (env or {}).items() if k.startswith("KERNEL_")}
        kernel_env.setdefault("KERNEL_USERNAME", self._username)
        kernel_env.setdefault("KERNEL_WORKING_DIR", str(cwd))
        reply = await self._client.request("POST", "api/kernels", {"name": name, "env": kernel_env})
        model = _model(reply)
        self._models[model["id"]] = model
        log.info("Kernel started on the gateway: %s (%s)", model["id"], name)
        return self.get(model["id"])

    async def _delete(self, kernel_id: str) -> None:
        with contextlib.suppress(NotFound):
            await self._client.request("DELETE", f"api/kernels/{quote(kernel_id)}")

    async def shutdown(self, kernel_id: str) -> None:
        self._get_model(kernel_id)
        await self._delete(kernel_id)
        self._forget(kernel_id, CloseReason.KERNEL_SHUTDOWN)

    async def interrupt(self, kernel_id: str) -> None:
        self._get_model(kernel_id)
        await self._client.request("POST", f"api/kernels/{quote(kernel_id)}/interrupt", {})

    async def restart(self, kernel_id: str) -> KernelModel:
        self._get_model(kernel_id)
        reply = await self._client.request("POST", f"api/kernels/{quote(kernel_id)}/restart", {})
        self._models[kernel_id] = (
            _model(reply) if isinstance(reply, dict) else self._models[kernel_id]
        )
        return self.get(kernel_id)

    async def connect(self, kernel_id: str, session_id: str | None = None) -> KernelConnection:
        from websockets.asyncio.client import connect
        from websockets.exceptions import InvalidStatus, WebSocketException

        self._get_model(kernel_id)
        session = session_id or uuid.uuid4().hex
        settings = self._client.settings
        url = (
            f"{settings.ws_url}/api/kernels/{quote(kernel_id)}/channels?session_id={quote(session)}"
        )
        try:
            websocket = await connect(
                url,
                additional_headers=settings.request_headers(),
                open_timeout=settings.request_timeout_s,
                max_size=None,
                ssl=settings.ssl_context() if url.startswith("wss:") else None,
            )
        except InvalidStatus as e:
            if e.response.status_code == 404:
                self._forget(kernel_id, CloseReason.KERNEL_SHUTDOWN)
                raise NotFound(f"Kernel does not exist: {kernel_id}", reason="Not Found") from None
            raise ServiceUnavailable(
                f"The kernel gateway refused the websocket ({e.response.status_code})",
                reason="Gateway error",
            ) from None
        except (WebSocketException, OSError, asyncio.TimeoutError) as e:
            raise ServiceUnavailable(
                f"Cannot reach the kernel gateway's websocket: {e}", reason="Gateway unreachable"
            ) from None
        connection = GatewayConnection(kernel_id, session, websocket)
        connection.start_reading(self._spawn(connection.read(), f"read {kernel_id}"))
        connections = self._connections.setdefault(kernel_id, set())
        connections.add(connection)

        async def forget_when_done() -> None:
            reader = connection._reader
            if reader is not None:
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.shield(reader)
            connections.discard(connection)
            await connection.aclose()

        self._spawn(forget_when_done(), f"watch {kernel_id}")
        return connection
