"""Server activity: when it started, when a user last did something, open connections."""

from __future__ import annotations

import time
from datetime import datetime, timezone


def iso(ts: float) -> str:
    """Jupyter's timestamp format: ISO 8601 UTC with microseconds and a Z."""
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Activity:
    def __init__(self) -> None:
        self.started = time.time()
        self.last = self.started
        self.connections = 0

    def touch(self) -> None:
        self.last = time.time()

    def idle_seconds(self) -> float:
        return time.time() - self.last
