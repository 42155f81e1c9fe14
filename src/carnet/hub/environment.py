"""What a JupyterHub spawner tells its single-user server, read from the ``JUPYTERHUB_*``
environment (jupyter-facts §5.1), and the settings it implies.

No I/O beyond reading the mapping it is given: the caller passes ``os.environ``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from carnet.config.loader import Assignment

ORIGIN = "JupyterHub environment"
DEFAULT_ACTIVITY_INTERVAL_S = 300


class HubConfigError(ValueError):
    """The environment does not describe a usable hub; the message is one line."""


@dataclass(frozen=True)
class HubEnvironment:
    """The spawner's environment, parsed.

    ``api_url`` never ends with a slash; ``service_prefix`` and ``hub_prefix`` always do.
    ``access_scopes`` is the set of scopes of which a user needs one to use this server.
    """

    api_token: str
    api_url: str
    base_url: str
    service_prefix: str
    user: str
    server_name: str = ""
    client_id: str = ""
    oauth_callback_url: str = ""
    access_scopes: frozenset[str] = frozenset()
    activity_url: str = ""
    activity_interval_s: int = DEFAULT_ACTIVITY_INTERVAL_S
    service_url: str = ""
    host: str = ""
    root_dir: str = ""
    default_url: str = ""
    allow_token_in_url: bool = False
    ssl_keyfile: str = ""
    ssl_certfile: str = ""
    ssl_client_ca: str = ""

    @property
    def hub_prefix(self) -> str:
        """The hub's own pages (``/hub/``), under the hub's base URL."""
        return self.base_url + "hub/"

    @property
    def authorize_url(self) -> str:
        """Where a browser starts the OAuth login (relative to this host unless the hub
        runs on its own host, ``JUPYTERHUB_HOST``)."""
        return self.host + self.hub_prefix + "api/oauth2/authorize"

    @property
    def logout_url(self) -> str:
        return self.host + self.hub_prefix + "logout"

    @property
    def control_panel_url(self) -> str:
        return self.host + self.hub_prefix + "home"

    @property
    def server_label(self) -> str:
        """``user/`` or ``user/server``: how the hub's scope filters name this server."""
        return f"{self.user}/{self.server_name}"

    def assignments(self) -> list[Assignment]:
        """Settings a hub-spawned server runs with, as jupyterhub-singleuser sets them: the
        address of the service URL, the service prefix as base URL, no port retries, remote
        access through the proxy, forwarded headers trusted, no browser, no trash."""
        values: list[tuple[str, object]] = [
            ("base_url", self.service_prefix),
            ("port_retries", 0),
            ("allow_remote_access", True),
            ("trust_xheaders", True),
            ("open_browser", False),
            ("delete_to_trash", False),
        ]
        if self.service_url:
            parts = urlsplit(self.service_url)
            values.append(("ip", parts.hostname or ""))
            if parts.port is not None:
                values.append(("port", parts.port))
        if self.root_dir:
            values.append(("root_dir", self.root_dir))
        if self.default_url:
            values.append(("default_url", self.default_url))
        if self.ssl_certfile and self.ssl_keyfile:
            values += [("certfile", self.ssl_certfile), ("keyfile", self.ssl_keyfile)]
            if self.ssl_client_ca:
                values.append(("client_ca", self.ssl_client_ca))
        return [Assignment("ServerApp", trait, value, ORIGIN) for trait, value in values]


def _prefix(value: str) -> str:
    value = "/" + value.strip("/")
    return value if value == "/" else value + "/"


def _scopes(raw: str, name: str) -> frozenset[str]:
    try:
        value = json.loads(raw)
    except ValueError:
        raise HubConfigError(f"{name} is not a JSON list of scopes: {raw[:80]!r}") from None
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise HubConfigError(f"{name} is not a JSON list of scopes: {raw[:80]!r}")
    return frozenset(value)


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def read_environment(environ: Mapping[str, str]) -> HubEnvironment:
    """Parse the spawner's environment; raise :class:`HubConfigError` if a required variable
    (API token, API URL, user) is missing or a value is malformed."""
    env = environ
    token = env.get("JUPYTERHUB_API_TOKEN") or env.get("JPY_API_TOKEN") or ""
    api_url = (env.get("JUPYTERHUB_API_URL") or "").rstrip("/")
    user = env.get("JUPYTERHUB_USER") or ""
    missing = [
        name
        for name, value in (
            ("JUPYTERHUB_API_TOKEN", token),
            ("JUPYTERHUB_API_URL", api_url),
            ("JUPYTERHUB_USER", user),
        )
        if not value
    ]
    if missing:
        raise HubConfigError(
            f"{', '.join(missing)} not set: `carnet singleuser` is started by JupyterHub, "
            "which sets the JUPYTERHUB_* environment"
        )
    if urlsplit(api_url).scheme not in ("http", "https"):
        raise HubConfigError(f"JUPYTERHUB_API_URL is not an http(s) URL: {api_url!r}")
    server_name = env.get("JUPYTERHUB_SERVER_NAME") or ""
    base_url = _prefix(env.get("JUPYTERHUB_BASE_URL") or "/")
    default_prefix = f"{base_url}user/{user}/" + (f"{server_name}/" if server_name else "")
    prefix = _prefix(env.get("JUPYTERHUB_SERVICE_PREFIX") or default_prefix)
    raw_scopes = env.get("JUPYTERHUB_OAUTH_ACCESS_SCOPES") or env.get("JUPYTERHUB_OAUTH_SCOPES")
    if raw_scopes:
        name = (
            "JUPYTERHUB_OAUTH_ACCESS_SCOPES"
            if env.get("JUPYTERHUB_OAUTH_ACCESS_SCOPES")
            else "JUPYTERHUB_OAUTH_SCOPES"
        )
        scopes = _scopes(raw_scopes, name)
    else:
        # What the hub grants its users on their own servers (jupyterhub's default).
        scopes = frozenset({f"access:servers!server={user}/{server_name}"})
    interval_raw = env.get("JUPYTERHUB_ACTIVITY_INTERVAL") or ""
    try:
        interval = int(interval_raw) if interval_raw else DEFAULT_ACTIVITY_INTERVAL_S
    except ValueError:
        raise HubConfigError(
            f"JUPYTERHUB_ACTIVITY_INTERVAL is not a number of seconds: {interval_raw!r}"
        ) from None
    return HubEnvironment(
        api_token=token,
        api_url=api_url,
        base_url=base_url,
        service_prefix=prefix,
        user=user,
        server_name=server_name,
        client_id=env.get("JUPYTERHUB_CLIENT_ID") or f"jupyterhub-user-{user}",
        oauth_callback_url=env.get("JUPYTERHUB_OAUTH_CALLBACK_URL") or prefix + "oauth_callback",
        access_scopes=scopes,
        activity_url=env.get("JUPYTERHUB_ACTIVITY_URL") or "",
        activity_interval_s=max(0, interval),
        service_url=env.get("JUPYTERHUB_SERVICE_URL") or "",
        host=(env.get("JUPYTERHUB_HOST") or "").rstrip("/"),
        root_dir=env.get("JUPYTERHUB_ROOT_DIR") or "",
        default_url=env.get("JUPYTERHUB_DEFAULT_URL") or "",
        allow_token_in_url=_flag(env.get("JUPYTERHUB_ALLOW_TOKEN_IN_URL")),
        ssl_keyfile=env.get("JUPYTERHUB_SSL_KEYFILE") or "",
        ssl_certfile=env.get("JUPYTERHUB_SSL_CERTFILE") or "",
        ssl_client_ca=env.get("JUPYTERHUB_SSL_CLIENT_CA") or "",
    )
