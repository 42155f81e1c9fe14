"""A warm pool: kernels started ahead of time, per kernelspec, refilled in the background.

The pool only holds and hands out kernels; starting, preparing and stopping them are the
service's callbacks, so the pool's bookkeeping can be read (and tested) on its own.
A checkout takes a ready kernel, else waits for one that is already starting (it will be
ready sooner than a new cold start), else returns ``None`` so the caller starts cold.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from typing import Generic, TypeVar

from carnet.kernels._tasks import TaskOwner

__all__ = ["WarmPool"]

log = logging.getLogger("carnet.kernels")

K = TypeVar("K")


class WarmPool(Generic[K]):
    """Keeps ``sizes[name]`` kernels of each kernelspec ready.

    ``spawn(name)`` must return a started, ready kernel and clean up after itself when it
    fails or is cancelled; ``discard(kernel)`` stops one the pool no longer wants. After
    ``max_failures`` failed spawns in a row a kernelspec's pool is switched off (a broken
    kernel must not be restarted forever).
    """

    def __init__(
        self,
        sizes: Mapping[str, int],
        *,
        spawn: Callable[[str], Awaitable[K]],
        discard: Callable[[K], Awaitable[None]],
        tasks: TaskOwner,
        max_failures: int = 3,
    ) -> None:
        self._sizes = {name: n for name, n in sizes.items() if n > 0}
        self._spawn = spawn
        self._discard = discard
        self._tasks = tasks
        self._max_failures = max_failures
        self._ready: dict[str, deque[K]] = {name: deque() for name in self._sizes}
        self._starting: dict[str, int] = dict.fromkeys(self._sizes, 0)
        self._waiting: dict[str, int] = dict.fromkeys(self._sizes, 0)
        self._failures: dict[str, int] = dict.fromkeys(self._sizes, 0)
        self._changed = asyncio.Event()
        self._closed = False

    @property
    def sizes(self) -> dict[str, int]:
        """The target size per kernelspec (after any pool was switched off)."""
        return dict(self._sizes)

    def enabled(self, name: str) -> bool:
        return not self._closed and self._sizes.get(name, 0) > 0

    def ready_count(self, name: str) -> int:
        return len(self._ready.get(name, ()))

    def members(self) -> list[K]:
        """Every ready kernel (to watch for deaths and to stop at shutdown)."""
        return [k for ready in self._ready.values() for k in ready]

    def fill(self) -> None:
        """Start as many kernels as are missing, in the background."""
        if self._closed:
            return
        for name, size in self._sizes.items():
            missing = size - len(self._ready[name]) - self._starting[name]
            for _ in range(missing):
                self._starting[name] += 1
                self._tasks.spawn(self._grow(name), name=f"pool {name}")

    async def _grow(self, name: str) -> None:
        try:
            kernel = await self._spawn(name)
        except asyncio.CancelledError:
            raise
        except Exception:
            self._failures[name] += 1
            log.warning("Could not pre-start a %r kernel for the pool", name, exc_info=True)
            if self._failures[name] >= self._max_failures:
                log.error("Kernel pool for %r switched off after repeated failures", name)
                self._sizes[name] = 0
        else:
            self._failures[name] = 0
            if self._closed:
                await self._discard(kernel)
            else:
                self._ready[name].append(kernel)
        finally:
            self._starting[name] -= 1
            self._notify()
        self.fill()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def take(self, name: str) -> K | None:
        """A ready kernel of ``name``, or ``None`` when the caller should start one cold."""
        if not self.enabled(name):
            return None
        ready = self._ready[name]
        if not ready and self._starting[name] > self._waiting[name]:
            self._waiting[name] += 1
            try:
                while not ready and self._starting[name] > 0 and not self._closed:
                    await self._changed.wait()
            finally:
                self._waiting[name] -= 1
        if not ready or self._closed:
            return None
        kernel = ready.popleft()
        self.fill()
        return kernel

    def remove(self, kernel: K) -> bool:
        """Forget a ready kernel that died; the pool refills."""
        for ready in self._ready.values():
            if kernel in ready:
                ready.remove(kernel)
                self.fill()
                return True
        return False

    def close(self) -> list[K]:
        """Stop refilling; return the ready kernels for the caller to stop.

        Kernels still starting belong to tasks of the owner, which cancels them.
        """
        self._closed = True
        kernels = self.members()
        for ready in self._ready.values():
            ready.clear()
        self._notify()
        return kernels
