"""`/api/metrics/v1`: memory used and its limit, in jupyter-resource-usage's shape, so the
status bar (and that extension's clients) can warn before the cgroup's limit is reached."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from carnet.hub.memory import memory_usage, metrics_v1


def routes() -> list[BaseRoute]:
    async def metrics(request: Request) -> Response:
        return JSONResponse(metrics_v1(memory_usage()))

    return [Route("/api/metrics/v1", metrics, methods=["GET"])]
