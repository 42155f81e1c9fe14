"""A small in-process event bus and `/api/events/subscribe`, Jupyter's event websocket.

Services publish events (contents changes today; kernels and terminals later); every
subscribed websocket gets each one as JSON `{schema_id, version, data, timestamp}`. A slow
subscriber loses old events rather than holding memory (bounded queue per subscriber).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from carnet.web.activity import Activity, iso

CONTENTS_SCHEMA = "https://events.jupyter.org/jupyter_server/contents_service/v1"
_QUEUE = 1000


class EventBus:
    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[dict[str, Any]]] = set()

    def publish(self, schema_id: str, data: dict[str, Any], version: str = "1") -> None:
        event = {
            "schema_id": schema_id,
            "version": version,
            "data": data,
            "timestamp": iso(time.time()),
        }
        for queue in self._queues:
            if queue.full():
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait(event)

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(_QUEUE)
        self._queues.add(queue)
        try:
            yield queue
        finally:
            self._queues.discard(queue)


def routes(bus: EventBus, activity: Activity) -> list[BaseRoute]:
    async def subscribe(websocket: WebSocket) -> None:
        await websocket.accept()
        activity.connections += 1
        try:
            async with bus.subscribe() as queue:
                receiver = asyncio.ensure_future(websocket.receive())
                try:
                    while True:
                        getter = asyncio.ensure_future(queue.get())
                        done, _ = await asyncio.wait(
                            {receiver, getter}, return_when=asyncio.FIRST_COMPLETED
                        )
                        if receiver in done:
                            getter.cancel()
                            message = receiver.result()
                            if message["type"] == "websocket.disconnect":
                                return
                            receiver = asyncio.ensure_future(websocket.receive())
                            continue
                        await websocket.send_json(getter.result())
                finally:
                    receiver.cancel()
        except WebSocketDisconnect:
            pass
        finally:
            activity.connections -= 1

    return [WebSocketRoute("/api/events/subscribe", subscribe)]
