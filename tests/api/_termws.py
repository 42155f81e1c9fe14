"""A small terminado websocket client for the terminal API tests."""

from __future__ import annotations

import json
import time
from typing import Any

from websockets.sync.client import ClientConnection, connect

from tests.conftest import CarnetServer

WAIT_S = 30.0


def term_url(server: CarnetServer, name: str) -> str:
    """The terminal websocket's URL, under the server's base_url."""
    return "ws" + server.url(f"terminals/websocket/{name}").removeprefix("http")


class TermClient:
    """Connects to ``/terminals/websocket/{name}``; checks that ``setup`` comes first."""

    def __init__(self, server: CarnetServer, name: str, **kwargs: Any) -> None:
        headers = {"Authorization": f"token {server.token}"}
        self.ws: ClientConnection = connect(
            term_url(server, name), additional_headers=headers, open_timeout=WAIT_S, **kwargs
        ).__enter__()
        assert json.loads(self.ws.recv(timeout=WAIT_S)) == ["setup", {}]
        self.text = ""
        self.ended = False

    def __enter__(self) -> TermClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.ws.close()

    def send(self, *message: object) -> None:
        self.ws.send(json.dumps(list(message)))

    def stdin(self, text: str) -> None:
        self.send("stdin", text)

    def read_until(self, needle: str) -> str:
        """All stdout so far once ``needle`` is in it (searching from the last call on)."""
        start = len(self.text)
        deadline = time.monotonic() + WAIT_S
        while needle not in self.text[start:]:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"no {needle!r} in {self.text[-500:]!r}"
            self._receive(remaining)
            assert not self.ended, f"terminal ended before {needle!r}: {self.text[-500:]!r}"
        return self.text[start:]

    def run(self, command: str, marker: str) -> str:
        """Run ``command``; its output up to ``marker`` printed after it."""
        self.stdin(f"{command}; echo {marker[:3]}''{marker[3:]}\r")
        return self.read_until(marker + "\r\n")

    def read_to_disconnect(self) -> str:
        deadline = time.monotonic() + WAIT_S
        while not self.ended:
            remaining = deadline - time.monotonic()
            assert remaining > 0, "no disconnect message"
            self._receive(remaining)
        return self.text

    def _receive(self, timeout: float) -> None:
        message = json.loads(self.ws.recv(timeout=timeout))
        if message[0] == "stdout":
            self.text += message[1]
        elif message[0] == "disconnect":
            self.ended = True
