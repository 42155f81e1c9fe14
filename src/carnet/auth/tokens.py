"""Shared-secret tokens: making one and checking one (the environment is read by config).

Jupyter accepts the token as ``?token=``, as ``Authorization: token <t>`` or
``Authorization: bearer <t>``; the web layer reads those and compares with
:func:`tokens_equal`, never with ``==``.
"""

from __future__ import annotations

import hmac
import re
import secrets

__all__ = ["generate_token", "parse_authorization", "tokens_equal"]

_TOKEN_BYTES = 24  # 48 hex characters, like jupyter_server
_AUTHORIZATION = re.compile(r"\s*(token|bearer)\s+(\S+)\s*", re.IGNORECASE)


def generate_token() -> str:
    """A new random token: 48 lowercase hex characters (192 bits)."""
    return secrets.token_hex(_TOKEN_BYTES)


def tokens_equal(a: str | None, b: str | None) -> bool:
    """Constant-time comparison of two tokens; an empty or missing token never matches."""
    if not isinstance(a, str) or not isinstance(b, str) or not a or not b:
        return False
    return hmac.compare_digest(
        a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass")
    )


def parse_authorization(header: str | None) -> str | None:
    """The token in an ``Authorization: token <t>`` or ``bearer <t>`` header, else None.

    The scheme is case-insensitive; other schemes (``Basic``…) and malformed headers give
    None.
    """
    if not header:
        return None
    match = _AUTHORIZATION.fullmatch(header)
    return match.group(2) if match else None
