from __future__ import annotations

import hashlib
import re

import pytest
from argon2 import PasswordHasher, Type

from carnet.auth.passwords import hash_password, verify_password

JUPYTER_SHA1 = "sha1:0e112c3ddfce:a68df677475c2b47b6e86d0467eec97ac5f4b85a"


def test_known_jupyter_sha1_vector() -> None:
    assert verify_password(JUPYTER_SHA1, "mypassword")
    assert not verify_password(JUPYTER_SHA1, "mypassword ")
    assert not verify_password(JUPYTER_SHA1, "MyPassword")
    assert not verify_password(JUPYTER_SHA1, "")


def test_argon2_hash_has_jupyters_format_and_parameters() -> None:
    hashed = hash_password("s3cret")
    assert re.fullmatch(r"argon2:\$argon2id\$v=19\$m=10240,t=10,p=8\$[^$]+\$[^$]+", hashed)
    assert verify_password(hashed, "s3cret")
    assert not verify_password(hashed, "s3cret!")
    assert hash_password("s3cret") != hashed  # salted


def test_argon2_verifies_hashes_made_with_other_parameters_and_types() -> None:
    for hasher in (PasswordHasher(), PasswordHasher(type=Type.I, time_cost=2)):
        hashed = "argon2:" + hasher.hash("pw")
        assert verify_password(hashed, "pw")
        assert not verify_password(hashed, "pW")


@pytest.mark.parametrize("algorithm", ["sha1", "sha256", "sha512", "md5", "blake2b", "sha3_256"])
def test_legacy_algorithms_round_trip_in_jupyters_format(algorithm: str) -> None:
    hashed = hash_password("pässword", algorithm)
    name, salt, digest = hashed.split(":")
    assert name == algorithm
    assert re.fullmatch(r"[0-9a-f]{12}", salt)
    expected = hashlib.new(algorithm, "pässword".encode() + salt.encode("ascii")).hexdigest()
    assert digest == expected
    assert verify_password(hashed, "pässword")
    assert not verify_password(hashed, "password")


def test_unicode_and_empty_passwords_round_trip() -> None:
    for password in ("", "日本語 パスワード", "a" * 10_000):
        assert verify_password(hash_password(password, "sha256"), password)
    assert verify_password(hash_password("日本語"), "日本語")


@pytest.mark.parametrize("algorithm", ["nope", "shake_128", "sha1:x", ""])
def test_unknown_algorithm_is_a_value_error(algorithm: str) -> None:
    with pytest.raises(ValueError, match="unknown password hash algorithm"):
        hash_password("pw", algorithm)


def test_verify_tolerates_uppercase_digest_and_surrounding_whitespace() -> None:
    name, salt, digest = JUPYTER_SHA1.split(":")
    assert verify_password(f"  {name}:{salt}:{digest.upper()}\n", "mypassword")


@pytest.mark.parametrize(
    "hashed",
    [
        "",
        "   ",
        "mypassword",
        "argon2:",
        "argon2:garbage",
        "argon2:$argon2id$v=19$m=10240,t=10,p=8$$",
        "argon2:$argon2id$v=19$m=99999999999999,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
        "argon2:$argon2id$v=19$m=x,t=y,p=z$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
        "sha1",
        "sha1:",
        "sha1:0e112c3ddfce",
        "sha1:0e112c3ddfce:",
        "sha1::",
        "nope:0e112c3ddfce:a68df677475c2b47b6e86d0467eec97ac5f4b85a",
        "shake_128:0e112c3ddfce:a68df677475c2b47b6e86d0467eec97ac5f4b85a",
        "sha1:sälz:a68df677475c2b47b6e86d0467eec97ac5f4b85a",
        "sha1:0e112c3ddfce:é68df677475c2b47b6e86d0467eec97ac5f4b85a",
        "sha1:0e112c3ddfce:a68df677475c2b47b6e86d0467eec97ac5f4b85",
        "sha1:0e112c3ddfce:a68df677475c2b47b6e86d0467eec97ac5f4b85a:extra",
        "\x00:\x00:\x00",
    ],
)
def test_malformed_hashes_never_verify_and_never_raise(hashed: str) -> None:
    assert verify_password(hashed, "mypassword") is False


@pytest.mark.parametrize("hashed", [None, 123, b"sha1:0e112c3ddfce:a68d", ["sha1"]])
def test_non_string_hash_is_false(hashed: object) -> None:
    assert verify_password(hashed, "mypassword") is False  # type: ignore[arg-type]


def test_non_string_or_unencodable_password_is_false() -> None:
    assert verify_password(JUPYTER_SHA1, None) is False  # type: ignore[arg-type]
    assert verify_password(JUPYTER_SHA1, b"mypassword") is False  # type: ignore[arg-type]
    assert verify_password(JUPYTER_SHA1, "\ud800") is False
