from __future__ import annotations

import dataclasses
import json
import re

import pytest

from carnet.auth.identity import UPDATABLE_FIELDS, User, anonymous_user
from carnet.errors import BadRequest

MODEL_KEYS = ["username", "name", "display_name", "initials", "avatar_url", "color"]


def test_defaults_follow_jupyter() -> None:
    user = User("alice")
    assert user.to_model() == {
        "username": "alice",
        "name": "alice",
        "display_name": "alice",
        "initials": None,
        "avatar_url": None,
        "color": None,
    }
    assert User("alice", name="Alice Liddell").display_name == "Alice Liddell"


def test_model_has_exactly_jupyters_keys_and_is_json() -> None:
    model = User("u", "N", "D", "ND", "https://example.org/a.png", "#123456").to_model()
    assert list(model) == MODEL_KEYS
    assert json.loads(json.dumps(model)) == model


@pytest.mark.parametrize("username", ["", None, 3])
def test_username_is_required(username: object) -> None:
    with pytest.raises(ValueError, match="username"):
        User(username)  # type: ignore[arg-type]


def test_user_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        User("alice").name = "mallory"  # type: ignore[misc]


def test_round_trip_through_model() -> None:
    user = User("u", "Name", "Disp", "NI", None, "#abcdef")
    assert User.from_model(user.to_model()) == user
    assert User.from_model(json.loads(json.dumps(user.to_model()))) == user


@pytest.mark.parametrize(
    "junk",
    [None, "alice", 42, [], ["username", "alice"], {}, {"username": ""}, {"username": 5},
     {"username": None, "name": None}, {"color": "#fff"}, {"username": "x" * 5000}],
)  # fmt: skip
def test_from_model_returns_none_for_junk(junk: object) -> None:
    assert User.from_model(junk) is None


def test_from_model_drops_bad_fields_and_extras() -> None:
    user = User.from_model(
        {
            "username": "alice",
            "name": 7,
            "display_name": ["x"],
            "initials": "A" * 5000,
            "avatar_url": None,
            "color": "#fff",
            "is_admin": True,
        }
    )
    assert user == User("alice", color="#fff")


def test_from_model_accepts_name_without_username() -> None:
    user = User.from_model({"name": "bob"})
    assert user is not None and user.username == "bob"


def test_anonymous_user_is_like_jupyter_servers() -> None:
    user = anonymous_user()
    assert re.fullmatch(r"[0-9a-f]{32}", user.username)
    match = re.fullmatch(r"Anonymous ([A-Z][a-z]+)", user.name)
    assert match is not None
    assert user.display_name == user.name
    assert user.initials == "A" + match.group(1)[0]
    assert user.color is not None and re.fullmatch(r"#[0-9a-f]{6}", user.color)
    assert user.avatar_url is None


def test_anonymous_users_differ() -> None:
    users = [anonymous_user() for _ in range(50)]
    assert len({u.username for u in users}) == 50
    assert len({u.name for u in users}) > 1
    assert len({u.color for u in users}) > 1


def test_updated_applies_allowed_fields() -> None:
    user = User("alice", color="#000000")
    new = user.updated({"display_name": "Al", "color": "#ff0000", "avatar_url": None})
    assert new == User("alice", "alice", "Al", None, None, "#ff0000")
    assert user.color == "#000000"  # the original is unchanged
    assert user.updated({"name": ""}).name == "alice"  # empty resets to the default


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"username": "mallory"},
        {"is_admin": True},
        {"name": None},
        {"display_name": 5},
        {"color": ["#fff"]},
        {"initials": "x" * 2000},
    ],
)
def test_updated_rejects_bad_changes(changes: dict[str, object]) -> None:
    with pytest.raises(BadRequest) as info:
        User("alice").updated(changes)
    assert info.value.status == 400


def test_updated_rejects_non_mapping() -> None:
    with pytest.raises(BadRequest):
        User("alice").updated(["color"])  # type: ignore[arg-type]


def test_updated_respects_a_narrower_updatable_set() -> None:
    user = User("alice")
    assert user.updated({"color": "#123456"}, updatable=["color"]).color == "#123456"
    with pytest.raises(BadRequest, match="not updatable"):
        user.updated({"name": "Al"}, updatable=["color"])


def test_updatable_fields_are_jupyters() -> None:
    assert set(UPDATABLE_FIELDS) == {"name", "display_name", "initials", "avatar_url", "color"}
