"""Shared helpers for the auth tests."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


class FakeClock:
    """A clock that only moves when told to, so time-based rules are tested without sleeping."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def open_umask() -> Iterator[None]:
    """Run with umask 0, so only the code's own modes can keep files private."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: os.PathLike[str] | str) -> int:
    return os.stat(path).st_mode & 0o777
