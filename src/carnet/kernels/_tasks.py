"""An owner for background tasks, so none outlives the object that started it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

log = logging.getLogger("carnet.kernels")

T = TypeVar("T")


class TaskOwner:
    """Starts tasks, logs their failures, and cancels and awaits all of them on :meth:`aclose`.

    Unlike an anyio task group it may be opened and closed from different tasks (a
    service is built in one place and closed in another), and one failing task does not
    cancel its siblings: it is logged, because these are independent background jobs.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closed = False

    def __len__(self) -> int:
        return len(self._tasks)

    @property
    def closed(self) -> bool:
        return self._closed

    def spawn(self, coro: Coroutine[Any, Any, T], *, name: str) -> asyncio.Task[T]:
        if self._closed:
            coro.close()
            raise RuntimeError(f"{self.name} is closed")
        task = asyncio.get_running_loop().create_task(coro, name=f"{self.name}: {name}")
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("Background task %r failed", task.get_name(), exc_info=task.exception())

    async def aclose(self) -> None:
        """Cancel every task (except the caller's own) and wait until all have finished."""
        self._closed = True
        current = asyncio.current_task()
        while True:
            tasks = [t for t in self._tasks if t is not current]
            if not tasks:
                return
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
