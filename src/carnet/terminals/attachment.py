"""One client's connection to a terminal: its output queue, its window size, its keyboard.

terminado calls `on_pty_read` and `on_pty_died` on every client of a pty (the methods its
tornado ``TermSocket`` has); `Attachment` implements them for any transport. Output queues
up here until the transport takes it with `receive`, joined into frames of at most
``MAX_FRAME`` characters (as JSON, at most 6 bytes a character: under the 1 MiB message
limit of common websocket clients). A client that falls behind by more than ``HIGH_WATER``
characters pauses reading from the pty, so the program in it blocks on its writes, as on
a real terminal, instead of the server buffering without bound; reading resumes when every
client is back under ``LOW_WATER``.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from carnet.terminals.service import _Terminal

__all__ = ["HIGH_WATER", "LOW_WATER", "MAX_FRAME", "Attachment"]

MAX_FRAME = 64 * 1024
HIGH_WATER = 1024 * 1024
LOW_WATER = 256 * 1024
# A read at least this long suggests more output is on its way.
_BULK_READ = 1024
_BULK_YIELDS = 4


class Attachment:
    """A client of one terminal, from `TerminalService.attach` until `close`.

    The first output `receive` returns is the terminal's scrollback at the moment of
    attaching, then everything the terminal prints after it, without gap or overlap.
    """

    def __init__(self, terminal: _Terminal, backlog: str) -> None:
        self._terminal = terminal
        self._queue: deque[str] = deque([backlog] if backlog else [])
        self._pending = len(backlog)
        self._wake = asyncio.Event()
        self._ended = False
        self._closed = False
        # terminado sizes the pty to the smallest attached client; None until the client
        # says its size.
        self.size: tuple[int | None, int | None] = (None, None)

    @property
    def name(self) -> str:
        return self._terminal.name

    @property
    def pending(self) -> int:
        """Characters of output waiting for `receive`."""
        return self._pending

    @property
    def ended(self) -> bool:
        """Whether the terminal's process has ended (remaining output can still be received)."""
        return self._ended

    # -- called by terminado ---------------------------------------------------------------

    def on_pty_read(self, text: str) -> None:
        self._queue.append(text)
        self._pending += len(text)
        self._wake.set()
        if self._pending > HIGH_WATER:
            self._terminal.pause_reading()

    def on_pty_died(self) -> None:
        self._ended = True
        self._wake.set()

    # -- called by the transport -----------------------------------------------------------

    async def receive(self) -> str | None:
        """The next output, waiting for some; None once the terminal has ended and all its
        output was received, or after `close`."""
        while not self._queue:
            if self._ended or self._closed:
                return None
            self._wake.clear()
            await self._wake.wait()
        if len(self._queue[-1]) >= _BULK_READ:
            # Bulk output: let a few more pty reads arrive so that one frame carries them.
            # Fewer, larger frames halve the client's work; a keystroke's echo never waits.
            for _ in range(_BULK_YIELDS):
                before = self._pending
                await asyncio.sleep(0)
                if self._pending == before or self._pending >= MAX_FRAME:
                    break
        parts: list[str] = []
        size = 0
        while self._queue and size < MAX_FRAME:
            chunk = self._queue.popleft()
            room = MAX_FRAME - size
            if len(chunk) > room:
                self._queue.appendleft(chunk[room:])
                chunk = chunk[:room]
            parts.append(chunk)
            size += len(chunk)
        self._pending -= size
        if self._pending <= LOW_WATER:
            self._terminal.maybe_resume_reading()
        return "".join(parts)

    async def send_input(self, text: str) -> None:
        """Write ``text`` to the terminal as typed; dropped once the terminal has ended."""
        if not (self._ended or self._closed):
            await self._terminal.write(text)

    def resize(self, rows: int, cols: int) -> None:
        """Record this client's size; the pty takes the smallest size among its clients."""
        self.size = (rows, cols)
        if not (self._ended or self._closed):
            self._terminal.resize()

    def close(self) -> None:
        """Detach from the terminal, which keeps running. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._queue.clear()
        self._pending = 0
        self._wake.set()
        self._terminal.detach(self)
