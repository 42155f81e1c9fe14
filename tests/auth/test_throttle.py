from __future__ import annotations

import pytest

from carnet.auth.throttle import LoginThrottle

from .conftest import FakeClock


def make(clock: FakeClock, **kwargs: object) -> LoginThrottle:
    return LoginThrottle(clock=clock, **kwargs)  # type: ignore[arg-type]


def test_fresh_key_may_try(clock: FakeClock) -> None:
    assert make(clock).retry_after("ip:1.2.3.4") is None


def test_failures_below_threshold_do_not_lock(clock: FakeClock) -> None:
    throttle = make(clock, threshold=5)
    for _ in range(4):
        throttle.failure("k")
        assert throttle.retry_after("k") is None


def test_exponential_backoff_after_threshold(clock: FakeClock) -> None:
    throttle = make(clock, threshold=3, base_delay_s=1.0, max_delay_s=900.0)
    throttle.failure("k")
    throttle.failure("k")
    assert throttle.retry_after("k") is None
    expected = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0]
    for delay in expected:
        throttle.failure("k")
        assert throttle.retry_after("k") == delay
        clock.advance(delay)  # wait out the lock, then fail again
        assert throttle.retry_after("k") is None


def test_lock_counts_down(clock: FakeClock) -> None:
    throttle = make(clock, threshold=1, base_delay_s=10.0)
    throttle.failure("k")
    clock.advance(3)
    assert throttle.retry_after("k") == 7.0
    clock.advance(6.5)
    assert throttle.retry_after("k") == 0.5
    clock.advance(0.5)
    assert throttle.retry_after("k") is None


def test_delay_is_capped(clock: FakeClock) -> None:
    throttle = make(clock, threshold=1, base_delay_s=1.0, max_delay_s=60.0)
    for _ in range(20):
        throttle.failure("k")
        clock.advance(throttle.retry_after("k") or 0)
    throttle.failure("k")
    assert throttle.retry_after("k") == 60.0


def test_huge_failure_counts_stay_finite(clock: FakeClock) -> None:
    throttle = make(clock, threshold=1, max_delay_s=900.0, reset_after_s=10**9)
    for _ in range(2000):
        throttle.failure("k")
    assert throttle.retry_after("k") == 900.0


def test_other_keys_are_unaffected(clock: FakeClock) -> None:
    throttle = make(clock, threshold=2)
    throttle.failure("ip:1.1.1.1")
    throttle.failure("ip:1.1.1.1")
    assert throttle.retry_after("ip:1.1.1.1") == 1.0
    assert throttle.retry_after("ip:2.2.2.2") is None
    assert throttle.retry_after("user:alice") is None


def test_success_forgets_the_key(clock: FakeClock) -> None:
    throttle = make(clock, threshold=2)
    for _ in range(4):
        throttle.failure("k")
    clock.advance(throttle.retry_after("k") or 0)
    throttle.success("k")
    throttle.failure("k")
    assert throttle.retry_after("k") is None  # counting starts again from zero
    throttle.success("never-seen")  # harmless


def test_failures_are_forgotten_after_a_quiet_period(clock: FakeClock) -> None:
    throttle = make(clock, threshold=3, reset_after_s=3600.0)
    throttle.failure("k")
    throttle.failure("k")
    clock.advance(3599)
    throttle.failure("k")
    assert throttle.retry_after("k") == 1.0  # still within the window: third failure locks
    clock.advance(1 + 3600)
    assert throttle.retry_after("k") is None
    assert len(throttle) == 0
    throttle.failure("k")
    throttle.failure("k")
    assert throttle.retry_after("k") is None


def test_quiet_period_starts_when_the_lock_ends(clock: FakeClock) -> None:
    throttle = make(clock, threshold=1, base_delay_s=500.0, max_delay_s=500.0, reset_after_s=100.0)
    throttle.failure("k")
    clock.advance(550)  # lock over, but not yet 100 s quiet after it
    assert throttle.retry_after("k") is None
    throttle.failure("k")
    assert throttle.retry_after("k") == 500.0  # the count survived: second failure


def test_memory_is_bounded_and_oldest_entries_go_first(clock: FakeClock) -> None:
    throttle = make(clock, threshold=1, max_keys=3, base_delay_s=100.0, max_delay_s=100.0)
    for key in ("a", "b", "c"):
        throttle.failure(key)
        clock.advance(1)
    assert throttle.retry_after("a") is not None  # a knocks: it becomes the most recent
    throttle.failure("d")
    assert len(throttle) == 3
    assert throttle.retry_after("b") is None  # b was the least recently active
    assert throttle.retry_after("a") is not None
    assert throttle.retry_after("c") is not None
    assert throttle.retry_after("d") is not None


def test_many_keys_stay_within_bound(clock: FakeClock) -> None:
    throttle = make(clock, max_keys=100)
    for i in range(1000):
        throttle.failure(f"ip:{i}")
    assert len(throttle) == 100


def test_begin_counts_the_attempt_up_front(clock: FakeClock) -> None:
    throttle = make(clock, threshold=3)
    # Three parallel guesses each pass the check, are charged, and lock the key.
    assert [throttle.begin("k") for _ in range(3)] == [None, None, None]
    assert throttle.begin("k") == 1.0  # the fourth is refused without being evaluated
    assert throttle.retry_after("k") == 1.0  # refusal did not lengthen the lock
    clock.advance(1)
    assert throttle.begin("k") is None
    throttle.success("k")
    assert throttle.retry_after("k") is None


def test_default_clock_is_monotonic() -> None:
    throttle = LoginThrottle(threshold=1, base_delay_s=1000.0, max_delay_s=1000.0)
    throttle.failure("k")
    wait = throttle.retry_after("k")
    assert wait is not None and 0 < wait <= 1000.0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"threshold": 0},
        {"base_delay_s": 0.0},
        {"base_delay_s": 10.0, "max_delay_s": 5.0},
        {"max_keys": 0},
        {"reset_after_s": -1.0},
        {"reset_after_s": float("nan")},
    ],
)
def test_bad_settings_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        LoginThrottle(**kwargs)  # type: ignore[arg-type]
