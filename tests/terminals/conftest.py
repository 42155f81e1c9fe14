"""A `TerminalService` on a tmp root dir running a plain ``sh``, and helpers to read from it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from carnet.terminals import Attachment, TerminalService

# A plain POSIX shell with a fixed prompt: no rc files, no bracketed paste noise.
SHELL = ["/bin/sh"]
ENV = {"PS1": "$ ", "ENV": None}
WAIT_S = 30.0


class Recorder:
    """Collects the service's events."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, object]]] = []

    def __call__(self, action: str, fields: dict[str, object]) -> None:
        self.events.append((action, fields))

    def named(self, action: str) -> list[dict[str, object]]:
        return [fields for kind, fields in self.events if kind == action]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    path = tmp_path / "root"
    path.mkdir()
    return path


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest_asyncio.fixture
async def service(root: Path, recorder: Recorder) -> AsyncIterator[TerminalService]:
    terminals = TerminalService(
        root_dir=root, shell_command=SHELL, extra_env=ENV, on_event=recorder
    )
    try:
        yield terminals
    finally:
        await terminals.aclose()


async def read_until(attachment: Attachment, needle: str, seen: str = "") -> str:
    """Output received until ``needle`` appears (after ``seen``); fails after WAIT_S."""

    async def loop() -> str:
        text = seen
        while needle not in text:
            chunk = await attachment.receive()
            assert chunk is not None, f"terminal ended before {needle!r}; got {text[-500:]!r}"
            text += chunk
        return text

    return await asyncio.wait_for(loop(), WAIT_S)


async def read_to_end(attachment: Attachment) -> str:
    async def loop() -> str:
        text = ""
        while (chunk := await attachment.receive()) is not None:
            text += chunk
        return text

    return await asyncio.wait_for(loop(), WAIT_S)


async def run(attachment: Attachment, command: str, marker: str) -> str:
    """Run ``command`` and return the output up to ``marker``'s line (printed after it)."""
    await attachment.send_input(f"{command}; echo {marker[:3]}''{marker[3:]}\r")
    text = await read_until(attachment, marker + "\r\n")
    return text


def gone(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True
