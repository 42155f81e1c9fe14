"""Errors that services raise and the web layer turns into Jupyter-style JSON replies.

Every service reports a failure the caller can act on with one of these; the web layer
answers ``{"message": ..., "reason": ...}`` with ``status``. Anything else is a bug and
becomes a 500 whose body reveals nothing.
"""

from __future__ import annotations


class CarnetError(Exception):
    """A failure with an HTTP status, a human message and an optional short reason."""

    status = 500

    def __init__(self, message: str, reason: str | None = None, *, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.reason = reason
        if status is not None:
            self.status = status


class BadRequest(CarnetError):
    status = 400


class Forbidden(CarnetError):
    status = 403


class NotFound(CarnetError):
    status = 404


class Conflict(CarnetError):
    status = 409


class Gone(CarnetError):
    status = 410


class PayloadTooLarge(CarnetError):
    status = 413


class TooManyRequests(CarnetError):
    status = 429

    def __init__(self, message: str, retry_after: int, reason: str | None = None):
        super().__init__(message, reason)
        self.retry_after = retry_after


class ServiceUnavailable(CarnetError):
    status = 503
