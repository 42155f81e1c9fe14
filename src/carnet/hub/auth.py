"""Who a hub token belongs to, whether they may use this server, and the OAuth login.

Every token (from an ``Authorization`` header, a websocket's ``?token=`` or the OAuth
cookie) is checked with ``GET {api_url}/user``; the answer is cached briefly, so the hub
sees about one request per token and minute while a stopped user or revoked token stops
working within that minute. A user may use this server when the token's scopes grant one of
the server's access scopes (``access:servers!server=<user>/<name>``), resolving scope
filters as jupyterhub's own ``check_scopes`` does (group filters are not resolved into
users, as there).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from carnet.hub.client import HubClient, HubUnavailable
from carnet.hub.environment import HubEnvironment

log = logging.getLogger("carnet.hub")

CACHE_TTL_S = 60.0
CACHE_MAX_ENTRIES = 1024


class OAuthError(Exception):
    """The OAuth login could not finish (bad code, expired state); the message says why."""


@dataclass(frozen=True)
class HubUser:
    """The owner of a hub token, from the hub's ``/user`` model."""

    name: str
    kind: str  # "user" or "service"
    scopes: frozenset[str]
    groups: tuple[str, ...] = ()
    admin: bool = False


@dataclass(frozen=True)
class LoginStart:
    """Where to send a browser to log in, and what to remember until it comes back."""

    url: str
    state: str
    code_verifier: str


def scope_grants(held: str, required: str) -> bool:
    """Whether the scope ``held`` grants ``required`` (both possibly filtered).

    ``access:servers`` grants every ``access:servers!…``; ``…!user=alice`` grants
    ``…!server=alice/<any>``; otherwise filters must be equal.
    """
    held_name, _, held_filter = held.partition("!")
    required_name, _, required_filter = required.partition("!")
    if held_name != required_name:
        return False
    if not held_filter or held_filter == required_filter:
        return True
    if held_filter.startswith("user=") and required_filter.startswith("server="):
        owner = required_filter[len("server=") :].partition("/")[0]
        return held_filter[len("user=") :] == owner
    return False


def has_access(held: Iterable[str], required: Iterable[str]) -> bool:
    """True when any held scope grants any required one."""
    needed = list(required)
    return any(scope_grants(h, r) for h in held for r in needed)


def _user_from_model(model: object) -> HubUser | None:
    if not isinstance(model, dict):
        return None
    name = model.get("name")
    if not isinstance(name, str) or not name:
        return None
    scopes = model.get("scopes")
    groups = model.get("groups")
    return HubUser(
        name=name,
        kind=str(model.get("kind") or "user"),
        scopes=frozenset(s for s in scopes if isinstance(s, str))
        if isinstance(scopes, list)
        else frozenset(),
        groups=tuple(g for g in groups if isinstance(g, str)) if isinstance(groups, list) else (),
        admin=model.get("admin") is True,
    )


class HubAuth:
    """Token checks (cached) and OAuth for one single-user server."""

    def __init__(
        self,
        env: HubEnvironment,
        client: HubClient,
        *,
        cache_ttl_s: float = CACHE_TTL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.env = env
        self.client = client
        self._ttl = cache_ttl_s
        self._clock = clock
        # sha256(token) -> (expires, user or None for a token the hub refused)
        self._cache: OrderedDict[bytes, tuple[float, HubUser | None]] = OrderedDict()
        self.hub_version = ""
        # Set once the start-up check of the hub is over, whatever its outcome.
        self.checked = asyncio.Event()

    async def user_for_token(self, token: str) -> HubUser | None:
        """The token's owner, or None if the hub does not know the token.

        Raises :class:`HubUnavailable` when the hub cannot answer: never treat that as
        access.
        """
        if not token:
            return None
        key = hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()
        now = self._clock()
        cached = self._cache.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        response = await self.client.request("GET", "user", token=token)
        if response.status == 200:
            user = _user_from_model(response.json())
            if user is None:
                raise HubUnavailable("the hub's /user reply has no user name")
        elif response.status in (401, 403, 404):
            user = None
        else:
            raise HubUnavailable(f"the hub answered {response.status} to a token check")
        self._cache[key] = (now + self._ttl, user)
        self._cache.move_to_end(key)
        while len(self._cache) > CACHE_MAX_ENTRIES:
            self._cache.popitem(last=False)
        return user

    def allowed(self, user: HubUser) -> bool:
        """Whether ``user`` may use this server (its token holds one of the access scopes)."""
        return has_access(user.scopes, self.env.access_scopes)

    def forget(self, token: str) -> None:
        key = hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()
        self._cache.pop(key, None)

    # -- OAuth (authorization code with PKCE) ------------------------------------------------

    def begin_login(self) -> LoginStart:
        state = secrets.token_urlsafe(16)
        verifier = secrets.token_urlsafe(32)
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .decode()
            .rstrip("=")
        )
        query = urlencode(
            {
                "client_id": self.env.client_id,
                "redirect_uri": self.env.oauth_callback_url,
                "response_type": "code",
                "state": state,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            }
        )
        return LoginStart(
            url=f"{self.env.authorize_url}?{query}", state=state, code_verifier=verifier
        )

    async def token_for_code(self, code: str, code_verifier: str) -> str:
        """Exchange the authorization code for an access token (the server authenticates
        with its API token as the client secret)."""
        response = await self.client.request(
            "POST",
            "oauth2/token",
            form={
                "client_id": self.env.client_id,
                "client_secret": self.env.api_token,
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self.env.oauth_callback_url,
                "code_verifier": code_verifier,
            },
        )
        body = response.json()
        token = body.get("access_token") if isinstance(body, dict) else None
        if response.status != 200 or not isinstance(token, str) or not token:
            raise OAuthError(f"the hub refused the login code ({response.status})")
        return token

    async def check_hub(self) -> str:
        """Ask the hub's API root (as jupyterhub-singleuser does on start) and remember its
        version, which every reply then carries in ``X-JupyterHub-Version``."""
        try:
            response = await self.client.request("GET", "")
        finally:
            self.checked.set()
        version = next(
            (v for k, v in response.headers.items() if k.lower() == "x-jupyterhub-version"), ""
        )
        if not version:
            body = response.json()
            if isinstance(body, dict) and isinstance(body.get("version"), str):
                version = body["version"]
        if version:
            self.hub_version = version
        return version
