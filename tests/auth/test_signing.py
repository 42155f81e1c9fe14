from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from pathlib import Path

import pytest

from carnet.auth import SecretFileError
from carnet.auth._files import write_private_file
from carnet.auth.signing import CookieSigner, derive_cookie_key, load_or_create_secret

from .conftest import FakeClock, mode

KEY = b"k" * 32
DAY = 86400.0


@pytest.fixture
def signer(clock: FakeClock) -> CookieSigner:
    return CookieSigner(KEY, clock=clock)


@pytest.mark.parametrize("value", ["alice", "", '{"username": "a|b"}', "日本語 ✓", "x" * 3000])
def test_round_trip(signer: CookieSigner, value: str) -> None:
    signed = signer.sign("username-localhost-8888", value)
    assert signer.unsign("username-localhost-8888", signed, max_age_s=DAY) == value


def test_signed_value_is_cookie_safe(signer: CookieSigner) -> None:
    signed = signer.sign("c", 'a "quoted"; value, with=stuff')
    assert all(ch.isalnum() or ch in "-_|" for ch in signed)


def test_default_clock_is_wall_time() -> None:
    signer = CookieSigner(KEY)
    assert signer.unsign("c", signer.sign("c", "v"), max_age_s=60) == "v"


def test_expired_value_is_refused(signer: CookieSigner, clock: FakeClock) -> None:
    signed = signer.sign("c", "alice")
    clock.advance(100)
    assert signer.unsign("c", signed, max_age_s=100) == "alice"
    clock.advance(1)
    assert signer.unsign("c", signed, max_age_s=100) is None


def test_nonpositive_or_nan_max_age_refuses(signer: CookieSigner, clock: FakeClock) -> None:
    signed = signer.sign("c", "alice")
    clock.advance(1)
    assert signer.unsign("c", signed, max_age_s=0) is None
    assert signer.unsign("c", signed, max_age_s=-5) is None
    assert signer.unsign("c", signed, max_age_s=float("nan")) is None


def test_far_future_timestamp_is_refused(clock: FakeClock) -> None:
    future = CookieSigner(KEY, clock=lambda: clock.now + 2 * DAY).sign("c", "alice")
    assert CookieSigner(KEY, clock=clock).unsign("c", future, max_age_s=30 * DAY) is None
    near_future = CookieSigner(KEY, clock=lambda: clock.now + 60).sign("c", "alice")
    assert CookieSigner(KEY, clock=clock).unsign("c", near_future, max_age_s=DAY) == "alice"


def test_wrong_name_is_refused(signer: CookieSigner) -> None:
    signed = signer.sign("username-a", "alice")
    assert signer.unsign("username-b", signed, max_age_s=DAY) is None
    assert signer.unsign("username-a ", signed, max_age_s=DAY) is None


def test_other_key_is_refused(signer: CookieSigner, clock: FakeClock) -> None:
    signed = signer.sign("c", "alice")
    other = CookieSigner(b"z" * 32, clock=clock)
    assert other.unsign("c", signed, max_age_s=DAY) is None


def _replace_part(signed: str, index: int, new: str) -> str:
    parts = signed.split("|")
    parts[index] = new
    return "|".join(parts)


def test_tampered_parts_are_refused(signer: CookieSigner) -> None:
    signed = signer.sign("c", "alice")
    _version, stamp, _payload, mac = signed.split("|")
    forged_payload = base64.urlsafe_b64encode(b"admin").rstrip(b"=").decode()
    tampered = [
        _replace_part(signed, 2, forged_payload),
        _replace_part(signed, 1, str(int(stamp) + 1)),
        _replace_part(signed, 1, str(int(stamp) - 1)),
        _replace_part(signed, 0, "2"),
        _replace_part(signed, 3, mac[:-1] + ("A" if mac[-1] != "A" else "B")),
        _replace_part(signed, 3, ""),
        signed + "|",
        signed[:-1],
        signed.upper(),
    ]
    for value in tampered:
        assert signer.unsign("c", value, max_age_s=DAY) is None, value


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "|",
        "|||",
        "1|||",
        "alice",
        "1|abc|YWxpY2U|mac",
        "1|-5|YWxpY2U|mac",
        "1|\uff11\uff12|YWxpY2U|mac",  # fullwidth digits
        "2|1|2|3|4",
        "1|1|ä|é",
        "\ud800|\udfff",
        "1|" + "9" * 40 + "|YQ|x",
        "x" * 100_000,
    ],
)
def test_garbage_is_refused(signer: CookieSigner, garbage: str) -> None:
    assert signer.unsign("c", garbage, max_age_s=DAY) is None


@pytest.mark.parametrize("garbage", [None, 1, b"1|2|3|4"])
def test_non_string_is_refused(signer: CookieSigner, garbage: object) -> None:
    assert signer.unsign("c", garbage, max_age_s=DAY) is None  # type: ignore[arg-type]


def test_forged_signature_with_valid_structure_but_bad_payload(signer: CookieSigner) -> None:
    # A MAC computed correctly over a payload that is not valid base64/UTF-8 must not crash.
    body = "1|1000000|_w"  # "_w" decodes to the invalid UTF-8 byte 0xff
    name = b"c"
    message = b"carnet-cookie\0%d:%s|%s" % (len(name), name, body.encode())
    mac = base64.urlsafe_b64encode(hmac.new(KEY, message, hashlib.sha256).digest())
    signed = f"{body}|{mac.rstrip(b'=').decode()}"
    assert signer.unsign("c", signed, max_age_s=DAY) is None


@pytest.mark.parametrize("secret", [b"", b"short", "a-str-not-bytes" * 4])
def test_weak_or_wrong_secret_is_refused(secret: object) -> None:
    with pytest.raises(ValueError, match="at least 16 bytes"):
        CookieSigner(secret)  # type: ignore[arg-type]


def test_derive_cookie_key_matches_jupyter_and_changes_with_password(clock: FakeClock) -> None:
    secret = b"s" * 32
    key = derive_cookie_key(secret, "argon2:$argon2id$one")
    assert key == hmac.new(secret, b"argon2:$argon2id$one", hashlib.sha256).digest()
    assert len(key) == 32
    assert derive_cookie_key(secret, "argon2:$argon2id$one") == key
    new_key = derive_cookie_key(secret, "argon2:$argon2id$two")
    assert new_key != key
    assert derive_cookie_key(b"t" * 32, "argon2:$argon2id$one") != key

    signed = CookieSigner(key, clock=clock).sign("c", "alice")
    assert CookieSigner(new_key, clock=clock).unsign("c", signed, max_age_s=DAY) is None


def test_secret_is_created_private(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "runtime" / "nested" / "carnet_cookie_secret"
    secret = load_or_create_secret(path)
    assert len(secret) == 32
    assert path.read_bytes() == secret
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    assert load_or_create_secret(path) == secret
    assert load_or_create_secret(tmp_path / "other") != secret
    assert [p.name for p in path.parent.iterdir()] == ["carnet_cookie_secret"]  # no temp left


def test_existing_directory_mode_is_left_alone(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    load_or_create_secret(tmp_path / "secret")
    assert mode(tmp_path) == 0o755


def test_existing_jupyter_secret_file_is_used_as_is(tmp_path: Path) -> None:
    path = tmp_path / "jupyter_cookie_secret"
    content = base64.encodebytes(b"r" * 32)
    path.write_bytes(content)
    path.chmod(0o600)
    assert load_or_create_secret(path) == content


@pytest.mark.parametrize("content", [b"", b"\n", b"0123456789abcde"])
def test_short_secret_file_is_a_clear_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "secret"
    path.write_bytes(content)
    with pytest.raises(SecretFileError, match="fewer than 16") as info:
        load_or_create_secret(path)
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_unreadable_secret_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    path.mkdir()
    with pytest.raises(SecretFileError, match="cannot read") as info:
        load_or_create_secret(path)
    assert str(path) in str(info.value)
    assert "directory" in str(info.value)


def test_uncreatable_secret_file_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    path = blocker / "secret"
    with pytest.raises(SecretFileError) as info:
        load_or_create_secret(path)
    assert str(path) in str(info.value)


def test_loose_secret_file_is_used_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "secret"
    path.write_bytes(b"q" * 32)
    path.chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="carnet.auth.signing"):
        assert load_or_create_secret(path) == b"q" * 32
    assert "readable by other users" in caplog.text


def test_exclusive_private_write_keeps_the_first_file(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "f"
    write_private_file(path, b"first", replace=False)
    with pytest.raises(FileExistsError):
        write_private_file(path, b"second", replace=False)
    assert path.read_bytes() == b"first"
    write_private_file(path, b"third", replace=True)
    assert path.read_bytes() == b"third"
    assert mode(path) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["f"]
