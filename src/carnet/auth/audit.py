"""The audit log: one JSON object per line for each security-relevant event.

A line reads ``{"time": "2026-11-25T18:06:02.842921Z", "event": "login.failure", ...fields}``.
Events written so far: ``login.success``, ``login.failure``, ``login.throttled``,
``token.failure``, ``logout``, ``contents.save|delete|rename|copy|create``; other layers add
theirs with the same ``area.action`` naming.

The log must never hold a secret, whatever a caller passes: a field whose name contains
``password``, ``token``, ``cookie``, ``secret``, ``authorization`` or ``xsrf`` is written as
``"[redacted]"`` (also inside nested dicts and lists), and ``token=``-like query parameters
inside string values are blanked. Auditing must never break a request either: a write error
is logged once and the event dropped.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import IO

from carnet.auth._files import PRIVATE_FILE_MODE, make_private_dir

__all__ = ["REDACTED", "AuditLog", "redact"]

_log = logging.getLogger(__name__)

REDACTED = "[redacted]"
_SECRET_WORDS = ("password", "passwd", "token", "cookie", "secret", "authorization", "xsrf")
_SECRET_QUERY = re.compile(
    r"(?i)([?&;](?:token|_xsrf|xsrf|password|auth|key|code|state)=)[^&;#\s]*"
)
_MAX_DEPTH = 8


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class AuditLog:
    """Appends audit events to ``path`` as JSON lines; ``path=None`` audits nothing.

    The file is created mode 0600 (its directory 0700 if missing) on the first event,
    kept open, and flushed after every line, so a crash loses nothing already recorded.
    Each line is written with one call under a lock, so events from coroutines and threads
    never interleave. ``clock`` gives the time of an event (tests pass a fixed one).
    """

    def __init__(self, path: Path | None, *, clock: Callable[[], datetime] = _utc_now) -> None:
        self._path = path
        self._clock = clock
        self._file: IO[str] | None = None
        self._lock = threading.Lock()
        self._failing = False

    @property
    def path(self) -> Path | None:
        return self._path

    def record(self, event: str, /, **fields: object) -> None:
        """Append one event. Never raises; secret-looking fields are redacted.

        ``time`` and ``event`` are set here; fields with those names are ignored.
        """
        if self._path is None:
            return
        line: dict[str, object] = {"time": _isoformat(self._clock()), "event": str(event)}
        for name, value in fields.items():
            if name not in line:
                line[name] = _redact_value(name, value, 0)
        try:
            text = _dumps(line)
        except (ValueError, TypeError, RecursionError):
            text = _dumps({**{k: line[k] for k in ("time", "event")}, "fields": "[unserialisable]"})
        with self._lock:
            try:
                self._write(text)
            except (OSError, ValueError) as exc:
                self._close_quietly()
                if not self._failing:
                    self._failing = True
                    _log.error("Cannot write the audit log %s: %s", self._path, exc)
            else:
                if self._failing:
                    self._failing = False
                    _log.warning("Writing the audit log %s again", self._path)

    def close(self) -> None:
        """Close the file; a later :meth:`record` opens it again."""
        with self._lock:
            self._close_quietly()

    def _write(self, text: str) -> None:
        if self._file is None:
            assert self._path is not None
            make_private_dir(self._path.parent)
            fd = os.open(self._path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_FILE_MODE)
            self._file = os.fdopen(fd, "a", encoding="utf-8", errors="backslashreplace")
        self._file.write(text)
        self._file.flush()

    def _close_quietly(self) -> None:
        if self._file is not None:
            try:
                self._file.close()
            except OSError:
                pass
            self._file = None


def redact(fields: dict[str, object]) -> dict[str, object]:
    """``fields`` with every secret-looking value replaced, as the audit log writes them."""
    return {name: _redact_value(name, value, 0) for name, value in fields.items()}


def _is_secret_name(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in _SECRET_WORDS)


def _redact_value(name: str, value: object, depth: int) -> object:
    if _is_secret_name(name):
        return REDACTED
    if isinstance(value, str):
        return _SECRET_QUERY.sub(lambda m: m.group(1) + REDACTED, value)
    if depth >= _MAX_DEPTH:
        return value if isinstance(value, (int, float, bool)) or value is None else REDACTED
    if isinstance(value, dict):
        return {str(k): _redact_value(str(k), v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redact_value("", v, depth + 1) for v in value]
    return value


def _dumps(line: dict[str, object]) -> str:
    return (
        json.dumps(line, ensure_ascii=False, allow_nan=False, default=str, separators=(",", ":"))
        + "\n"
    )


def _isoformat(moment: datetime) -> str:
    """Jupyter's timestamp style: UTC, microseconds, ``Z``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
