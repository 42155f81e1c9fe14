"""Login throttling: lockout with exponential backoff per key.

A key is whatever the caller wants to limit — typically one key per client address
(``"ip:203.0.113.9"``) and one per user name (``"user:alice"``), checked together. Jupyter
has no throttle at all; carnet locks a key out after a few failures:

* failures ``1 .. threshold-1``: no delay;
* failure ``n >= threshold``: locked for ``min(max_delay_s, base_delay_s * 2 ** (n - threshold))``;
* a success forgets the key; so does ``reset_after_s`` without failures once a lock has expired.

While a key is locked the caller must refuse the attempt *without* checking the password
(so a locked-out guesser learns nothing), answering 429 with ``Retry-After``.
Not thread-safe: use it from the event loop.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["LoginThrottle"]

# 2**64 seconds is already far beyond any sane cap; keeps the float math finite.
_MAX_EXPONENT = 64


@dataclass
class _Entry:
    failures: int = 0
    locked_until: float = 0.0
    last_failure: float = 0.0


class LoginThrottle:
    """Counts login failures per key and locks noisy keys out, with bounded memory.

    ``clock`` returns monotonic seconds (tests pass a fake one). At most ``max_keys`` keys
    are remembered; past that the least recently active key is forgotten. A locked key that
    keeps knocking (asking :meth:`retry_after`) counts as active, so a flood of new keys
    evicts idle entries before the ones under attack.

    >>> throttle = LoginThrottle(threshold=2, clock=lambda: 100.0)
    >>> throttle.retry_after("ip:203.0.113.9") is None
    True
    >>> throttle.failure("ip:203.0.113.9")
    >>> throttle.failure("ip:203.0.113.9")
    >>> throttle.retry_after("ip:203.0.113.9")
    1.0
    """

    def __init__(
        self,
        threshold: int = 5,
        base_delay_s: float = 1.0,
        max_delay_s: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 10000,
        *,
        reset_after_s: float = 3600.0,
    ) -> None:
        if threshold < 1:
            raise ValueError("threshold must be at least 1")
        if not (0 < base_delay_s <= max_delay_s):
            raise ValueError("delays must satisfy 0 < base_delay_s <= max_delay_s")
        if max_keys < 1:
            raise ValueError("max_keys must be at least 1")
        if not (reset_after_s >= 0):
            raise ValueError("reset_after_s must not be negative")
        self._threshold = threshold
        self._base = base_delay_s
        self._max = max_delay_s
        self._clock = clock
        self._max_keys = max_keys
        self._reset_after = reset_after_s
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    def retry_after(self, key: str) -> float | None:
        """Seconds until ``key`` may try again, or None if it may try now."""
        entry = self._live_entry(key)
        if entry is None:
            return None
        remaining = entry.locked_until - self._clock()
        if remaining <= 0:
            return None
        self._entries.move_to_end(key)
        return remaining

    def failure(self, key: str) -> None:
        """Record a failed attempt by ``key``; may start or lengthen its lock."""
        now = self._clock()
        entry = self._live_entry(key)
        if entry is None:
            entry = self._entries[key] = _Entry()
        entry.failures += 1
        entry.last_failure = now
        if entry.failures >= self._threshold:
            exponent = min(entry.failures - self._threshold, _MAX_EXPONENT)
            delay = min(self._max, self._base * 2.0**exponent)
            entry.locked_until = max(entry.locked_until, now + delay)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_keys:
            self._entries.popitem(last=False)

    def success(self, key: str) -> None:
        """Forget ``key``'s failures: it proved it knows the secret."""
        self._entries.pop(key, None)

    def begin(self, key: str) -> float | None:
        """Check ``key`` and, if it may try, count this attempt as a failure up front.

        Returns what :meth:`retry_after` returns. Use this instead of ``retry_after`` +
        ``failure`` when the check itself is slow (argon2 in a thread): parallel guesses
        are then counted before they are evaluated, so a burst cannot slip past the
        threshold. Call :meth:`success` when the attempt turns out right.
        """
        wait = self.retry_after(key)
        if wait is None:
            self.failure(key)
        return wait

    def __len__(self) -> int:
        return len(self._entries)

    def _live_entry(self, key: str) -> _Entry | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        quiet_since = max(entry.locked_until, entry.last_failure)
        if self._clock() - quiet_since >= self._reset_after:
            del self._entries[key]
            return None
        return entry
