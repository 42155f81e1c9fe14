from __future__ import annotations

import re
from pathlib import Path

import pytest

from carnet.auth import SecretFileError
from carnet.auth.tokens import generate_token, parse_authorization, token_from_env, tokens_equal


def test_generated_tokens_are_48_hex_and_unique() -> None:
    tokens = {generate_token() for _ in range(100)}
    assert len(tokens) == 100
    assert all(re.fullmatch(r"[0-9a-f]{48}", t) for t in tokens)


def test_env_token_wins_over_file(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("from-file")
    env = {"JUPYTER_TOKEN": "from-env", "JUPYTER_TOKEN_FILE": str(token_file)}
    assert token_from_env(env) == "from-env"


def test_token_file_is_read_and_stripped(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("  abc123\n")
    assert token_from_env({"JUPYTER_TOKEN_FILE": str(token_file)}) == "abc123"
    # An empty JUPYTER_TOKEN does not count, as in Jupyter.
    env = {"JUPYTER_TOKEN": "", "JUPYTER_TOKEN_FILE": str(token_file)}
    assert token_from_env(env) == "abc123"


def test_no_token_configured() -> None:
    assert token_from_env({}) is None
    assert token_from_env({"JUPYTER_TOKEN": "", "JUPYTER_TOKEN_FILE": ""}) is None
    assert token_from_env({"OTHER": "x"}) is None


@pytest.mark.parametrize("content", [b"", b"\n", b"   \t\n"])
def test_empty_token_file_is_an_error_not_an_open_door(tmp_path: Path, content: bytes) -> None:
    token_file = tmp_path / "token"
    token_file.write_bytes(content)
    with pytest.raises(SecretFileError, match="is empty") as info:
        token_from_env({"JUPYTER_TOKEN_FILE": str(token_file)})
    assert str(token_file) in str(info.value)


def test_missing_token_file_is_a_clear_error(tmp_path: Path) -> None:
    token_file = tmp_path / "missing"
    with pytest.raises(SecretFileError, match="no such file") as info:
        token_from_env({"JUPYTER_TOKEN_FILE": str(token_file)})
    assert str(token_file) in str(info.value)


def test_unreadable_token_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SecretFileError, match="directory") as info:
        token_from_env({"JUPYTER_TOKEN_FILE": str(tmp_path)})
    assert str(tmp_path) in str(info.value)


def test_binary_token_file_is_a_clear_error(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(SecretFileError, match="not UTF-8"):
        token_from_env({"JUPYTER_TOKEN_FILE": str(token_file)})


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [
        ("abc", "abc", True),
        ("abc", "abd", False),
        ("abc", "abcd", False),
        ("abc", "ABC", False),
        ("日本", "日本", True),
        ("日本", "日", False),
        ("", "", False),
        ("abc", "", False),
        (None, "abc", False),
        ("abc", None, False),
        (None, None, False),
        ("\ud800", "\ud800", True),
    ],
)
def test_tokens_equal(a: str | None, b: str | None, equal: bool) -> None:
    assert tokens_equal(a, b) is equal


def test_tokens_equal_rejects_non_strings() -> None:
    assert tokens_equal(b"abc", b"abc") is False  # type: ignore[arg-type]
    assert tokens_equal(123, 123) is False  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("token abc123", "abc123"),
        ("Token abc123", "abc123"),
        ("TOKEN abc123", "abc123"),
        ("bearer abc123", "abc123"),
        ("Bearer abc123", "abc123"),
        ("BeArEr   abc123  ", "abc123"),
        ("  token\tabc123", "abc123"),
        (None, None),
        ("", None),
        ("token", None),
        ("token ", None),
        ("bearer", None),
        ("Basic dXNlcjpwYXNz", None),
        ("tokenabc123", None),
        ("token abc 123", None),
        ("bearertoken abc", None),
        ("Digest token abc", None),
    ],
)
def test_parse_authorization(header: str | None, token: str | None) -> None:
    assert parse_authorization(header) == token
