"""Shared-secret tokens: making one, finding one in the environment, and checking one.

Jupyter accepts the token as ``?token=``, as ``Authorization: token <t>`` or
``Authorization: bearer <t>``; the web layer reads those and compares with
:func:`tokens_equal`, never with ``==``.
"""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Mapping
from pathlib import Path

from carnet.auth._files import describe_os_error
from carnet.auth.errors import SecretFileError

__all__ = ["generate_token", "parse_authorization", "token_from_env", "tokens_equal"]

_TOKEN_BYTES = 24  # 48 hex characters, like jupyter_server
_AUTHORIZATION = re.compile(r"\s*(token|bearer)\s+(\S+)\s*", re.IGNORECASE)


def generate_token() -> str:
    """A new random token: 48 lowercase hex characters (192 bits)."""
    return secrets.token_hex(_TOKEN_BYTES)


def token_from_env(environ: Mapping[str, str]) -> str | None:
    """The token configured in ``environ``, or None if there is none.

    ``JUPYTER_TOKEN`` wins if it is non-empty; otherwise the file named by
    ``JUPYTER_TOKEN_FILE`` is read (surrounding whitespace, such as the newline ``echo``
    adds, is dropped). Unlike Jupyter, an empty or unreadable token file is an error, not
    an empty token that would turn authentication off: raises :class:`SecretFileError`.
    """
    token = environ.get("JUPYTER_TOKEN")
    if token:
        return token
    token_file = environ.get("JUPYTER_TOKEN_FILE")
    if not token_file:
        return None
    path = Path(token_file)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SecretFileError(f"the token file {path} is not UTF-8 text") from exc
    except OSError as exc:
        raise SecretFileError(
            f"cannot read the token file {path} (JUPYTER_TOKEN_FILE): {describe_os_error(exc)}"
        ) from exc
    token = text.strip()
    if not token:
        raise SecretFileError(f"the token file {path} (JUPYTER_TOKEN_FILE) is empty")
    return token


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
