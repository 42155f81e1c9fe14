"""Atomic writes: old file or new file, never a partial one, even under kill -9."""

from __future__ import annotations

import os
import random
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from carnet.contents.atomic import TEMP_PREFIX, atomic_copy, atomic_write, default_file_mode

WRITER = textwrap.dedent(
    """
    import sys, time
    from carnet.contents.atomic import atomic_write

    target, megabytes, pause = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])

    def chunks():
        block = b"N" * (1 << 20)
        for i in range(megabytes):
            if i == 1:
                print("started", flush=True)
            if pause:
                time.sleep(pause)
            yield block

    atomic_write(target, chunks())
    print("done", flush=True)
    """
)

OLD = b"O" * 1000


def _temp_files(directory: Path) -> list[str]:
    return [n for n in os.listdir(directory) if n.startswith(TEMP_PREFIX)]


def _writer(target: Path, megabytes: int, pause: float) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(target), str(megabytes), str(pause)],
        stdout=subprocess.PIPE,
        text=True,
    )


def test_kill_9_in_the_middle_of_a_write_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "big.bin"
    target.write_bytes(OLD)
    proc = _writer(target, 1000, 0.02)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "started"  # a chunk is on disk, more to come
        assert _temp_files(tmp_path), "the writer should be writing its temp file"
    finally:
        proc.kill()
        proc.wait()
    assert target.read_bytes() == OLD


def test_kill_9_at_random_moments_never_leaves_a_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "big.bin"
    new = b"N" * (24 << 20)
    rng = random.Random(7)
    outcomes = set()
    for _ in range(6):
        target.write_bytes(OLD)
        proc = _writer(target, 24, 0.0)
        try:
            assert proc.stdout is not None
            proc.stdout.readline()
            try:
                proc.wait(timeout=rng.uniform(0.0, 0.15))
            except subprocess.TimeoutExpired:
                pass
        finally:
            proc.kill()
            proc.wait()
        data = target.read_bytes()
        assert data in (OLD, new), f"partial file of {len(data)} bytes"
        outcomes.add(data == new)
    # (Which outcome each round saw depends on timing; both are correct.)
    assert outcomes


def test_a_completed_write_replaces_the_file(tmp_path: Path) -> None:
    target = tmp_path / "big.bin"
    target.write_bytes(OLD)
    proc = _writer(target, 3, 0.0)
    assert proc.stdout is not None
    assert proc.stdout.read().split() == ["started", "done"]
    assert proc.wait() == 0
    assert target.read_bytes() == b"N" * (3 << 20)
    assert _temp_files(tmp_path) == []


def test_a_failed_write_removes_its_temp_file_and_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    target.write_bytes(OLD)

    def chunks() -> Iterator[bytes]:
        yield b"new"
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        atomic_write(target, chunks())
    assert target.read_bytes() == OLD
    assert _temp_files(tmp_path) == []


def test_the_mode_of_an_existing_file_is_kept(tmp_path: Path) -> None:
    target = tmp_path / "script.sh"
    target.write_bytes(b"old")
    target.chmod(0o751)
    atomic_write(target, b"new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o751
    assert target.read_bytes() == b"new"


def test_a_new_file_gets_the_umask_mode_or_the_given_one(tmp_path: Path) -> None:
    atomic_write(tmp_path / "a", b"x")
    assert stat.S_IMODE((tmp_path / "a").stat().st_mode) == default_file_mode()
    atomic_write(tmp_path / "b", b"x", mode=0o600)
    assert stat.S_IMODE((tmp_path / "b").stat().st_mode) == 0o600


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown")
def test_the_owner_of_an_existing_file_is_kept_when_allowed(tmp_path: Path) -> None:
    target = tmp_path / "theirs.txt"
    target.write_bytes(b"old")
    os.chown(target, 12345, 23456)
    atomic_write(target, b"new")
    st = target.stat()
    assert (st.st_uid, st.st_gid) == (12345, 23456)


def test_newlines_are_written_as_given(tmp_path: Path) -> None:
    atomic_write(tmp_path / "a.txt", b"a\nb\r\nc")
    assert (tmp_path / "a.txt").read_bytes() == b"a\nb\r\nc"


def test_atomic_copy_keeps_times_on_request(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.write_bytes(b"data" * 1000)
    os.utime(src, ns=(1_000_000_000_000_000_000, 1_500_000_000_123_456_789))
    atomic_copy(str(src), str(tmp_path / "dst"), keep_times=True)
    assert (tmp_path / "dst").read_bytes() == src.read_bytes()
    assert (tmp_path / "dst").stat().st_mtime_ns == 1_500_000_000_123_456_789
    atomic_copy(str(src), str(tmp_path / "plain"))
    assert (tmp_path / "plain").stat().st_mtime_ns != 1_500_000_000_123_456_789
