"""Signed, timestamped cookie values and the secret they are signed with.

A signed value reads ``1|<unix seconds>|<base64url value>|<base64url HMAC-SHA256>``. The MAC
covers the cookie *name* too, so a value signed for one cookie is refused under another.
The key is :func:`derive_cookie_key` of the server secret and the password hash, as in
Jupyter: changing the password logs every browser out.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import re
import secrets
import time
from collections.abc import Callable
from pathlib import Path

from carnet.auth._files import (
    describe_os_error,
    is_loose,
    make_private_dir,
    write_private_file,
)
from carnet.auth.errors import SecretFileError

__all__ = ["CookieSigner", "derive_cookie_key", "load_or_create_secret"]

_log = logging.getLogger(__name__)

_VERSION = "1"
_MIN_KEY_BYTES = 16
_SECRET_BYTES = 32
# Browsers cap a cookie near 4 KiB; anything much longer is not ours and not worth a MAC.
_MAX_SIGNED_CHARS = 8192
# A cookie stamped further ahead than this was not signed by a sane clock.
_MAX_FUTURE_S = 86400.0
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


class CookieSigner:
    """Signs cookie values and checks them back, in constant time.

    ``secret`` is the signing key (at least 16 bytes; use :func:`derive_cookie_key`).
    ``clock`` returns Unix seconds; tests pass a fake one.

    >>> signer = CookieSigner(b"k" * 32)
    >>> signer.unsign("user", signer.sign("user", "alice"), max_age_s=60)
    'alice'
    """

    def __init__(self, secret: bytes, *, clock: Callable[[], float] = time.time) -> None:
        if not isinstance(secret, bytes) or len(secret) < _MIN_KEY_BYTES:
            raise ValueError(f"a cookie signing key needs at least {_MIN_KEY_BYTES} bytes")
        self._secret = secret
        self._clock = clock

    def sign(self, name: str, value: str) -> str:
        """Return ``value`` signed for the cookie ``name``, stamped with the current time."""
        stamp = str(int(self._clock()))
        payload = _b64encode(value.encode("utf-8"))
        body = f"{_VERSION}|{stamp}|{payload}"
        return f"{body}|{self._mac(name, body)}"

    def unsign(self, name: str, signed: str, max_age_s: float) -> str | None:
        """The value inside ``signed``, or None if it is not a valid, fresh value for ``name``.

        None covers every failure — garbage, a tampered value or timestamp, a value signed
        for another cookie or with another key, one older than ``max_age_s`` seconds — so
        the caller treats them all as "not logged in".
        """
        if not isinstance(signed, str) or len(signed) > _MAX_SIGNED_CHARS:
            return None
        parts = signed.split("|")
        if len(parts) != 4 or parts[0] != _VERSION:
            return None
        body, _, mac = signed.rpartition("|")
        try:
            expected = self._mac(name, body).encode("ascii")
        except UnicodeEncodeError:
            return None
        if not hmac.compare_digest(expected, mac.encode("utf-8", "replace")):
            return None
        stamp, payload = parts[1], parts[2]
        if not _TIMESTAMP.fullmatch(stamp):
            return None
        age = self._clock() - int(stamp)
        # Written so that a NaN max_age rejects instead of accepting.
        if not (age <= max_age_s and age >= -_MAX_FUTURE_S):
            return None
        try:
            return _b64decode(payload).decode("utf-8")
        except (ValueError, binascii.Error):
            return None

    def _mac(self, name: str, body: str) -> str:
        name_bytes = name.encode("utf-8")
        message = b"carnet-cookie\0%d:%s|%s" % (len(name_bytes), name_bytes, body.encode("ascii"))
        return _b64encode(hmac.new(self._secret, message, hashlib.sha256).digest())


def derive_cookie_key(secret: bytes, hashed_password: str) -> bytes:
    """The cookie signing key for ``secret`` and the current password hash.

    HMAC-SHA256(secret, hashed_password), as jupyter_server derives its ``cookie_secret``:
    a new password gives a new key, so every cookie signed before it stops working.
    """
    return hmac.new(secret, hashed_password.encode("utf-8"), hashlib.sha256).digest()


def load_or_create_secret(path: Path) -> bytes:
    """Read the server secret at ``path``, creating 32 random bytes there if it is missing.

    A new file is created mode 0600 (its directory 0700 if it did not exist) atomically, so
    two servers starting together agree on one secret. An existing file is used as is
    (Jupyter's ``jupyter_cookie_secret`` holds base64 text, which works too). Raises
    :class:`SecretFileError` with a one-line reason if the file cannot be read or made, or
    holds fewer than 16 bytes.
    """
    for _ in range(2):
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise SecretFileError(
                f"cannot read the secret file {path}: {describe_os_error(exc)}"
            ) from exc
        else:
            if len(data) < _MIN_KEY_BYTES:
                raise SecretFileError(
                    f"the secret file {path} holds {len(data)} bytes, fewer than "
                    f"{_MIN_KEY_BYTES}; delete it and carnet will make a new one"
                )
            if is_loose(path):
                _log.warning("The secret file %s is readable by other users; chmod 600 it", path)
            return data
        secret = secrets.token_bytes(_SECRET_BYTES)
        try:
            make_private_dir(path.parent)
            write_private_file(path, secret, replace=False)
        except FileExistsError:
            continue  # another process created it first: read theirs
        except OSError as exc:
            raise SecretFileError(
                f"cannot create the secret file {path}: {describe_os_error(exc)}"
            ) from exc
        return secret
    raise SecretFileError(f"cannot create the secret file {path}: it keeps disappearing")


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
