"""Scale-out parts built from a `Plan`: single-user mode (``hub`` set, `carnet singleuser`)
and kernels on a gateway (``gateway_url`` set)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from carnet.gateway import GatewayKernels, GatewaySettings
    from carnet.hub.environment import HubEnvironment
    from carnet.server import Plan
    from carnet.web.activity import Activity
    from carnet.web.hub import HubGate

log = logging.getLogger("carnet")


def build_hub(
    plan: Plan, env: HubEnvironment, activity: Activity, cookie_max_age_s: int
) -> tuple[HubGate, list[Callable[[], Awaitable[None]]]]:
    """The gate the security middleware asks, and the background task that checks the hub
    and reports activity to it (owned by the app's lifespan)."""
    from carnet.auth.signing import CookieSigner, derive_cookie_key
    from carnet.hub import ActivityReporter, HubAuth, HubClient, HubUnavailable
    from carnet.hub.client import client_ssl_context
    from carnet.web.hub import HubGate

    client = HubClient(
        env.api_url,
        env.api_token,
        ssl_context=client_ssl_context(env.ssl_certfile, env.ssl_keyfile, env.ssl_client_ca),
    )
    auth = HubAuth(env, client)
    # A key of its own: hub cookies are not carnet login cookies.
    signer = CookieSigner(derive_cookie_key(plan.cookie_secret, "jupyterhub:" + env.client_id))
    gate = HubGate(
        auth, signer, cookie_max_age_s=cookie_max_age_s, secure=plan.ssl_context is not None
    )
    reporter = ActivityReporter(
        client,
        env.activity_url,
        env.server_name,
        env.activity_interval_s,
        last_activity=lambda: activity.last,
    )

    async def hub_task() -> None:
        try:
            version = await auth.check_hub()
            log.info("JupyterHub %s at %s", version or "(version unknown)", env.api_url)
        except HubUnavailable as exc:
            log.warning("JupyterHub is not reachable yet: %s", exc)
        await reporter.run()

    return gate, [hub_task]


def gateway_settings(plan: Plan) -> GatewaySettings:
    """The ``GatewayClient.*`` options, checked; ValueError names the bad one."""
    from carnet.gateway import GatewaySettings

    settings = plan.settings
    return GatewaySettings.parse(
        settings.gateway_url,
        ws_url=settings.gateway_ws_url,
        auth_token=settings.gateway_auth_token,
        headers=settings.gateway_headers,
        request_timeout_s=settings.gateway_request_timeout,
        validate_cert=settings.gateway_validate_cert,
    )


def gateway_kernels(plan: Plan) -> GatewayKernels:
    from carnet.gateway import GatewayClient, GatewayKernels

    log.info("Kernels run on the gateway at %s", plan.settings.gateway_url)
    return GatewayKernels(
        GatewayClient(gateway_settings(plan)),
        root_dir=plan.root,
        cache_dir=plan.runtime_dir / "carnet-gateway-kernelspecs",
    )
