"""Errors of the auth layer's start-up checks.

These are configuration problems found before the server listens (a secret file that
cannot be read, a certificate that does not match its key). They are ``ValueError``s
whose message is one line naming the file, so the CLI can print it as is and exit.
Request-time failures use :mod:`carnet.errors` instead.
"""

from __future__ import annotations


class AuthConfigError(ValueError):
    """A security setting or file cannot be used; the message says which and why."""


class SecretFileError(AuthConfigError):
    """The cookie secret file or the token file cannot be read or created."""


class TLSConfigError(AuthConfigError):
    """A certificate, key or client CA file cannot be used for TLS."""
