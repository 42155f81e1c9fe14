"""Who is asking: tokens, passwords and login cookies, with throttling and an audit trail.

One object answers the questions the web layer asks of every request. It knows nothing of
HTTP: callers pass the presented secret and the client's address, and get an outcome.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from carnet.auth.identity import User
from carnet.auth.passwords import verify_password
from carnet.auth.tokens import tokens_equal

if TYPE_CHECKING:
    from carnet.auth.audit import AuditLog
    from carnet.auth.signing import CookieSigner
    from carnet.auth.throttle import LoginThrottle


@dataclass(frozen=True)
class Outcome:
    """The result of presenting a secret.

    ``status``: ``ok`` (``user`` is set), ``denied`` (wrong secret) or ``throttled`` (not
    evaluated; ``retry_after`` seconds to wait).
    """

    status: Literal["ok", "denied", "throttled"]
    user: User | None = None
    retry_after: float = 0.0


class Authenticator:
    """Checks tokens, passwords and cookies for one server.

    ``token``: the shared token, or "" when tokens are off (a password is set, or
    authentication is disabled). ``hashed_password``: Jupyter's hash format, or "".
    Failed attempts are counted per client address in two throttles (password logins and
    token guesses); a valid token is always accepted, since it cannot be guessed. Whoever
    presents the password or token is ``owner``: a single-user server has one user.
    """

    def __init__(
        self,
        *,
        token: str,
        hashed_password: str,
        signer: CookieSigner,
        cookie_max_age_s: float,
        login_throttle: LoginThrottle,
        token_throttle: LoginThrottle,
        audit: AuditLog,
        owner: User,
    ) -> None:
        self.owner = owner
        self.token = token
        self.hashed_password = hashed_password
        self._signer = signer
        self._max_age = cookie_max_age_s
        self._login_throttle = login_throttle
        self._token_throttle = token_throttle
        self._audit = audit

    @property
    def enabled(self) -> bool:
        """False only when both token and password are empty (explicitly insecure)."""
        return bool(self.token or self.hashed_password)

    def check_token(self, presented: str, address: str) -> Outcome:
        if self.token and tokens_equal(presented, self.token):
            self._token_throttle.success(address)
            return Outcome("ok", self.owner)
        wait = self._token_throttle.retry_after(address)
        if wait is not None:
            return Outcome("throttled", retry_after=wait)
        self._token_throttle.failure(address)
        self._audit.record("token.failure", address=address)
        return Outcome("denied")

    async def login(self, secret: str, address: str) -> Outcome:
        """Check a password (or the token typed in the password field) from the login form."""
        key = address
        wait = self._login_throttle.begin(key)
        if wait is not None:
            self._audit.record("login.throttled", address=address, retry_after=round(wait, 1))
            return Outcome("throttled", retry_after=wait)
        ok = False
        if self.hashed_password and secret:
            import anyio.to_thread

            # argon2 takes tens of milliseconds: keep the event loop free.
            ok = await anyio.to_thread.run_sync(verify_password, self.hashed_password, secret)
        if not ok and self.token:
            ok = tokens_equal(secret, self.token)
        if not ok:
            self._audit.record("login.failure", address=address, user=None)
            return Outcome("denied")
        self._login_throttle.success(key)
        user = self.owner
        self._audit.record("login.success", address=address, user=user.username)
        return Outcome("ok", user)

    def cookie_value(self, cookie_name: str, user: User) -> str:
        return self._signer.sign(cookie_name, json.dumps(user.to_model(), sort_keys=True))

    def user_from_cookie(self, cookie_name: str, value: str | None) -> User | None:
        if not value:
            return None
        text = self._signer.unsign(cookie_name, value, self._max_age)
        if text is None:
            return None
        try:
            data = json.loads(text)
        except ValueError:
            return None
        return User.from_model(data) if isinstance(data, dict) else None

    def record(self, event: str, **fields: object) -> None:
        self._audit.record(event, **fields)
