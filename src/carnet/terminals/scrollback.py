"""The recent output of a terminal, kept so that a client that attaches later sees it."""

from __future__ import annotations

from collections import deque

__all__ = ["Scrollback"]

# Small reads are merged up to this size, so a byte-by-byte program cannot make the buffer
# hold millions of tiny strings.
_CHUNK = 4096


class Scrollback:
    """The last ``limit`` characters of output (at least one; fewer after trimming).

    When old output is dropped, the kept text starts after the first line break in the cut
    chunk where there is one, so a replay rarely begins inside an escape sequence.
    """

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("the scrollback limit must be at least 1 character")
        self.limit = limit
        self._chunks: deque[str] = deque()
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def append(self, text: str) -> None:
        if not text:
            return
        if self._chunks and len(self._chunks[-1]) + len(text) <= _CHUNK:
            self._chunks[-1] += text
        else:
            self._chunks.append(text)
        self._size += len(text)
        if self._size > self.limit:
            self._trim()

    def text(self) -> str:
        """Everything kept, oldest first."""
        if len(self._chunks) > 1:
            joined = "".join(self._chunks)
            self._chunks.clear()
            self._chunks.append(joined)
        return self._chunks[0] if self._chunks else ""

    def _trim(self) -> None:
        excess = self._size - self.limit
        while excess >= len(self._chunks[0]):
            dropped = self._chunks.popleft()
            excess -= len(dropped)
            self._size -= len(dropped)
        if excess > 0:
            head = self._chunks[0]
            newline = head.find("\n", excess)
            cut = newline + 1 if newline != -1 else excess
            self._chunks[0] = head[cut:]
            self._size -= cut
            if not self._chunks[0]:
                self._chunks.popleft()
