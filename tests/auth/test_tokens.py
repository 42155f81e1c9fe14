from __future__ import annotations

import re

import pytest

from carnet.auth.tokens import generate_token, parse_authorization, tokens_equal


def test_generated_tokens_are_48_hex_and_unique() -> None:
    tokens = {generate_token() for _ in range(100)}
    assert len(tokens) == 100
    assert all(re.fullmatch(r"[0-9a-f]{48}", t) for t in tokens)


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
