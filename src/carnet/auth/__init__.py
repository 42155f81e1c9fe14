"""Authentication building blocks: who a request is and which secrets prove it.

Pure domain code (no HTTP): password hashes, tokens, signed cookies, login throttling,
the audit log, user identities and TLS material. The web layer's security middleware
composes them.
"""

from carnet.auth.audit import REDACTED, AuditLog, redact
from carnet.auth.errors import AuthConfigError, SecretFileError, TLSConfigError
from carnet.auth.identity import UPDATABLE_FIELDS, User, anonymous_user
from carnet.auth.passwords import hash_password, verify_password
from carnet.auth.signing import CookieSigner, derive_cookie_key, load_or_create_secret
from carnet.auth.throttle import LoginThrottle
from carnet.auth.tls import (
    DEFAULT_HOSTNAMES,
    generate_self_signed,
    server_ssl_context,
    write_certificate,
)
from carnet.auth.tokens import generate_token, parse_authorization, tokens_equal

__all__ = [
    "DEFAULT_HOSTNAMES",
    "REDACTED",
    "UPDATABLE_FIELDS",
    "AuditLog",
    "AuthConfigError",
    "CookieSigner",
    "LoginThrottle",
    "SecretFileError",
    "TLSConfigError",
    "User",
    "anonymous_user",
    "derive_cookie_key",
    "generate_self_signed",
    "generate_token",
    "hash_password",
    "load_or_create_secret",
    "parse_authorization",
    "redact",
    "server_ssl_context",
    "tokens_equal",
    "verify_password",
    "write_certificate",
]
