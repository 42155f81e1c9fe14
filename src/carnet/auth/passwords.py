"""Password hashes in the formats Jupyter writes, so existing config files keep working.

Formats (see ``jupyter_server.auth.passwd``):

* ``argon2:$argon2id$v=19$m=10240,t=10,p=8$<salt>$<hash>`` — the default since notebook 6.1.
* ``<hashlib name>:<salt>:<hex digest of name(password_utf8 + salt_ascii)>`` — the legacy form,
  e.g. ``sha1:0e112c3ddfce:a68df677475c2b47b6e86d0467eec97ac5f4b85a`` for ``"mypassword"``.

Verifying argon2 costs tens of milliseconds of CPU by design: callers on an event loop run
:func:`verify_password` in a worker thread.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

__all__ = ["hash_password", "verify_password"]

_ARGON2_PREFIX = "argon2:"
# jupyter_server's parameters; verification reads them back from the hash itself.
_ARGON2_MEMORY_COST = 10240
_ARGON2_TIME_COST = 10
_ARGON2_PARALLELISM = 8
_SALT_HEX_CHARS = 12


def hash_password(password: str, algorithm: str = "argon2") -> str:
    """Hash ``password`` exactly as ``jupyter_server.auth.passwd`` does.

    ``algorithm`` is ``"argon2"`` (recommended) or any fixed-length :mod:`hashlib` name
    (``"sha1"``, ``"sha256"``…), which gives the salted legacy form. Raises ``ValueError``
    for an unknown algorithm.
    """
    if algorithm == "argon2":
        from argon2 import PasswordHasher

        hasher = PasswordHasher(
            memory_cost=_ARGON2_MEMORY_COST,
            time_cost=_ARGON2_TIME_COST,
            parallelism=_ARGON2_PARALLELISM,
        )
        return _ARGON2_PREFIX + str(hasher.hash(password))
    if ":" in algorithm or _legacy_hexdigest(algorithm, "", "") is None:
        raise ValueError(f"unknown password hash algorithm: {algorithm!r}")
    salt = secrets.token_hex(_SALT_HEX_CHARS // 2)
    h = hashlib.new(algorithm)
    h.update(password.encode("utf-8") + salt.encode("ascii"))
    return f"{algorithm}:{salt}:{h.hexdigest()}"


def verify_password(hashed: str, password: str) -> bool:
    """Whether ``password`` matches ``hashed`` (any format Jupyter ever wrote).

    Never raises: a malformed, empty or unknown hash is simply ``False``. The final
    comparison is constant-time.
    """
    if not isinstance(hashed, str) or not isinstance(password, str):
        return False  # type: ignore[unreachable]  # untyped callers (config values) exist
    hashed = hashed.strip()
    if hashed.startswith(_ARGON2_PREFIX):
        return _verify_argon2(hashed[len(_ARGON2_PREFIX) :], password)
    parts = hashed.split(":", 2)
    if len(parts) != 3:
        return False
    algorithm, salt, expected = parts
    if not expected:
        return False
    actual = _legacy_hexdigest(algorithm, password, salt)
    if actual is None:
        return False
    try:
        expected_bytes = expected.lower().encode("ascii")
    except UnicodeEncodeError:
        return False
    return hmac.compare_digest(actual.encode("ascii"), expected_bytes)


def _verify_argon2(encoded: str, password: str) -> bool:
    from argon2 import PasswordHasher
    from argon2.exceptions import Argon2Error

    try:
        return bool(PasswordHasher().verify(encoded, password))
    except (Argon2Error, ValueError, TypeError):
        # Argon2Error covers mismatch and malformed hashes; ValueError/TypeError cover
        # hashes whose parameters argon2-cffi refuses to parse.
        return False


def _legacy_hexdigest(algorithm: str, password: str, salt: str) -> str | None:
    """``algorithm(password_utf8 + salt_ascii).hexdigest()``, or None if it cannot be computed."""
    try:
        h = hashlib.new(algorithm)
        h.update(password.encode("utf-8") + salt.encode("ascii"))
        return h.hexdigest()
    except (ValueError, TypeError, UnicodeEncodeError):
        # Unknown name, a variable-length digest (shake_*) or a non-ASCII salt.
        return None
