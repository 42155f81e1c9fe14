"""Tell the hub when this server was last used, so its idle culler sees real activity.

Every ``JUPYTERHUB_ACTIVITY_INTERVAL`` seconds (and once at start) the reporter posts
``{"servers": {name: {"last_activity": iso}}, "last_activity": iso}`` to the activity URL
with the server's API token, as jupyterhub-singleuser does. A failed post is logged and
retried at the next interval; it never stops the server.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timezone

import anyio

from carnet.hub.client import HubClient, HubUnavailable

log = logging.getLogger("carnet.hub")


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).isoformat().replace("+00:00", "Z")


class ActivityReporter:
    """Posts ``last_activity()`` (a Unix time) to ``activity_url``; ``run`` until cancelled."""

    def __init__(
        self,
        client: HubClient,
        activity_url: str,
        server_name: str,
        interval_s: float,
        last_activity: Callable[[], float],
    ) -> None:
        self._client = client
        self._url = activity_url
        self._server = server_name
        self._interval = interval_s
        self._last = last_activity
        self.reported: float | None = None

    async def report(self) -> bool:
        last = self._last()
        stamp = iso(last)
        body = {"servers": {self._server: {"last_activity": stamp}}, "last_activity": stamp}
        try:
            response = await self._client.request("POST", self._url, json_body=body)
        except HubUnavailable as exc:
            log.warning("Could not report activity to the hub: %s", exc)
            return False
        if response.status >= 400:
            log.warning("The hub refused the activity report (%d)", response.status)
            return False
        self.reported = last
        return True

    async def run(self) -> None:
        if not self._url or self._interval <= 0:
            return
        while True:
            await self.report()
            await anyio.sleep(self._interval)
