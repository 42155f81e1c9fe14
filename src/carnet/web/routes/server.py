"""`/api`, `/api/status`, `/api/me`, `/api/shutdown`, `/api/spec.yaml`."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from carnet.auth.authenticator import Authenticator
from carnet.auth.identity import UPDATABLE_FIELDS, User
from carnet.errors import BadRequest
from carnet.web._json import json_response, read_json
from carnet.web.activity import Activity, iso
from carnet.web.security import SecurityPolicy, login_cookie

# The jupyter_server REST API version carnet implements (clients compare against it).
API_VERSION = "2.21.1"
RESOURCES = (
    "api",
    "contents",
    "kernels",
    "kernelspecs",
    "sessions",
    "terminals",
    "config",
    "nbconvert",
    "events",
    "csp",
    "server",
)


def routes(
    auth: Authenticator,
    policy: SecurityPolicy,
    activity: Activity,
    request_shutdown: Callable[[], None],
    kernel_count: Callable[[], int],
) -> list[BaseRoute]:
    from carnet import __version__

    async def api_root(request: Request) -> Response:
        return JSONResponse({"version": API_VERSION, "carnet": __version__})

    async def status(request: Request) -> Response:
        return JSONResponse(
            {
                "connections": activity.connections,
                "kernels": kernel_count(),
                "last_activity": iso(activity.last),
                "started": iso(activity.started),
            }
        )

    async def me(request: Request) -> Response:
        user: User = request.state.user
        raw = request.query_params.get("permissions")
        permissions: dict[str, list[str]] = {}
        if raw:
            try:
                asked = json.loads(raw)
            except ValueError:
                raise BadRequest("permissions should be a JSON object", "bad permissions") from None
            if not isinstance(asked, dict) or not all(
                isinstance(k, str) and isinstance(v, list) and all(isinstance(a, str) for a in v)
                for k, v in asked.items()
            ):
                raise BadRequest(
                    "permissions should be a JSON object of resource: [actions]",
                    "bad permissions",
                )
            # One user with full rights: every known action on every resource is allowed.
            permissions = {
                k: [a for a in v if a in ("read", "write", "execute")] for k, v in asked.items()
            }
        return JSONResponse(
            {
                "identity": user.to_model(),
                "permissions": {**permissions, "updatable_fields": list(UPDATABLE_FIELDS)}
                if raw
                else {"updatable_fields": list(UPDATABLE_FIELDS)},
            }
        )

    async def me_patch(request: Request) -> Response:
        user: User = request.state.user
        body = await read_json(request)
        assert body is not None
        updated = user.updated(body)
        request.state.user = updated
        response = json_response({"status": "success", "identity": updated.to_model()})
        if request.state.auth_via == "cookie":
            # The identity lives in the login cookie: re-issue it so the change persists.
            response.headers.append(
                "set-cookie",
                login_cookie(auth, policy, updated, https=request.url.scheme == "https"),
            )
        return response

    async def shutdown(request: Request) -> Response:
        request_shutdown()
        return JSONResponse({"message": "Shutting down"}, status_code=200)

    async def spec(request: Request) -> Response:
        text = resources.files("carnet.web").joinpath("spec.yaml").read_text(encoding="utf-8")
        return Response(text, media_type="text/x-yaml")

    return [
        Route("/api", api_root, methods=["GET"]),
        Route("/api/status", status, methods=["GET"]),
        Route("/api/me", me, methods=["GET"]),
        Route("/api/me", me_patch, methods=["PATCH"]),
        Route("/api/shutdown", shutdown, methods=["POST"]),
        Route("/api/spec.yaml", spec, methods=["GET"]),
    ]
