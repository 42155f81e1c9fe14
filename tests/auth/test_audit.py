from __future__ import annotations

import json
import logging
import re
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from carnet.auth.audit import REDACTED, AuditLog, redact

from .conftest import mode

FIXED = datetime(2026, 11, 25, 18, 6, 2, 842921, tzinfo=timezone.utc)


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_record_appends_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path, clock=lambda: FIXED)
    log.record("login.success", user="alice", ip="127.0.0.1")
    log.record("contents.save", path="notebooks/a.ipynb", size=123)
    log.close()
    assert lines(path) == [
        {
            "time": "2026-11-25T18:06:02.842921Z",
            "event": "login.success",
            "user": "alice",
            "ip": "127.0.0.1",
        },
        {
            "time": "2026-11-25T18:06:02.842921Z",
            "event": "contents.save",
            "path": "notebooks/a.ipynb",
            "size": 123,
        },
    ]
    assert path.read_text().endswith("\n")


def test_default_time_is_utc_iso_with_z(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    AuditLog(path).record("logout")
    (entry,) = lines(path)
    assert isinstance(entry["time"], str)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", entry["time"])


def test_non_utc_and_naive_times_are_written_as_utc(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    plus_two = FIXED.astimezone(timezone(timedelta(hours=2)))
    AuditLog(path, clock=lambda: plus_two).record("a")
    AuditLog(path, clock=lambda: FIXED.replace(tzinfo=None)).record("b")
    assert [e["time"] for e in lines(path)] == ["2026-11-25T18:06:02.842921Z"] * 2


def test_file_is_created_private_with_private_parent(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "logs" / "deeper" / "audit.jsonl"
    AuditLog(path).record("login.failure", user="bob")
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700


def test_existing_file_is_appended_not_truncated(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    AuditLog(path).record("first")
    log = AuditLog(path)
    log.record("second")
    log.close()
    log.record("third")  # reopens after close
    log.close()
    assert [e["event"] for e in lines(path)] == ["first", "second", "third"]


def test_none_path_records_nothing(tmp_path: Path) -> None:
    log = AuditLog(None)
    assert log.path is None
    log.record("login.success", password="x")
    log.close()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "name",
    [
        "password",
        "new_password",
        "Password",
        "token",
        "xsrf_token",
        "cookie",
        "Cookie",
        "set_cookie",
        "secret",
        "cookie_secret",
        "authorization",
        "Authorization",
        "_xsrf",
        "passwd",
    ],
)
def test_secret_fields_are_redacted(tmp_path: Path, name: str) -> None:
    path = tmp_path / "audit.jsonl"
    AuditLog(path).record("login.failure", **{name: "hunter2", "user": "alice"})
    (entry,) = lines(path)
    assert entry[name] == REDACTED
    assert entry["user"] == "alice"
    assert "hunter2" not in path.read_text()


def test_nested_secrets_and_urls_are_redacted(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    AuditLog(path).record(
        "token.failure",
        headers={"Authorization": "token abc", "Host": "x", "cookie": "c=1"},
        items=[{"password": "p"}, "ok"],
        url="/lab?token=abc123&x=1&_xsrf=zzz#frag",
        nested={"a": {"b": {"c": {"secret": "s"}}}},
    )
    text = path.read_text()
    for secret in ("token abc", "c=1", '"p"', "abc123", "zzz", '"s"'):
        assert secret not in text
    (entry,) = lines(path)
    assert entry["headers"] == {"Authorization": REDACTED, "Host": "x", "cookie": REDACTED}
    assert entry["items"] == [{"password": REDACTED}, "ok"]
    assert entry["url"] == f"/lab?token={REDACTED}&x=1&_xsrf={REDACTED}#frag"


def test_redact_helper_matches_the_log() -> None:
    assert redact({"token": "t", "user": "u", "n": 1}) == {"token": REDACTED, "user": "u", "n": 1}


def test_deeply_nested_values_are_cut_off(tmp_path: Path) -> None:
    value: dict[str, object] = {"leaf": "x"}
    for _ in range(50):
        value = {"d": value}
    path = tmp_path / "audit.jsonl"
    AuditLog(path).record("e", deep=value)
    assert REDACTED in path.read_text()


def test_time_and_event_cannot_be_overridden(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    AuditLog(path, clock=lambda: FIXED).record("real", time="fake", event="fake")
    (entry,) = lines(path)
    assert entry == {"time": "2026-11-25T18:06:02.842921Z", "event": "real"}


def test_odd_values_are_serialised_not_raised(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path)
    log.record("e", where=Path("a/b"), obj=object(), t=(1, 2), s={3}, u="日本\ud800")
    log.record("nan", value=float("nan"))
    entries = lines(path)
    assert entries[0]["where"] == "a/b"
    assert entries[0]["t"] == [1, 2]
    assert entries[1] == {"time": entries[1]["time"], "event": "nan", "fields": "[unserialisable]"}


def test_write_error_is_logged_once_and_never_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "audit.jsonl"
    path.mkdir()  # a directory where the file should be
    log = AuditLog(path)
    with caplog.at_level(logging.WARNING, logger="carnet.auth.audit"):
        log.record("a", password="hunter2")
        log.record("b")
        log.record("c")
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert str(path) in errors[0].getMessage()
    assert "hunter2" not in caplog.text

    caplog.clear()
    path.rmdir()
    with caplog.at_level(logging.WARNING, logger="carnet.auth.audit"):
        log.record("d")
    assert [e["event"] for e in lines(path)] == ["d"]
    assert "again" in caplog.text


def test_concurrent_writers_never_interleave(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path)
    payload = "x" * 5000

    def write(worker: int) -> None:
        for i in range(200):
            log.record("contents.save", worker=worker, i=i, payload=payload)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    log.close()
    entries = lines(path)
    assert len(entries) == 800
    assert {(e["worker"], e["i"]) for e in entries} == {
        (w, i) for w in range(4) for i in range(200)
    }
