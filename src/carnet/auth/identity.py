"""Who a request is: the user model of Jupyter's ``/api/me``.

JupyterLab shows ``display_name``, ``initials`` and ``color`` for collaborators and stores
the identity in the login cookie, so the model must stay exactly Jupyter's:
``{"username", "name", "display_name", "initials", "avatar_url", "color"}``.
A shared token or password does not name a person; like jupyter_server, each browser that
logs in with one gets an :func:`anonymous_user` named after a moon of Jupiter.
"""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from carnet.errors import BadRequest

__all__ = ["UPDATABLE_FIELDS", "User", "anonymous_user", "owner_user"]

# Fields a user may change through ``PATCH /api/me`` (jupyter_server's
# PasswordIdentityProvider allows these five).
UPDATABLE_FIELDS: tuple[str, ...] = ("name", "display_name", "initials", "avatar_url", "color")

_FIELDS = ("username", "name", "display_name", "initials", "avatar_url", "color")
_OPTIONAL = frozenset({"initials", "avatar_url", "color"})
_MAX_FIELD_CHARS = 1024

# Named moons of Jupiter, the source of anonymous names ("Anonymous Io").
_MOONS = (
    "Metis", "Adrastea", "Amalthea", "Thebe", "Io", "Europa", "Ganymede", "Callisto",
    "Themisto", "Leda", "Ersa", "Pandia", "Himalia", "Lysithea", "Elara", "Dia", "Carpo",
    "Valetudo", "Euporie", "Eupheme", "Helike", "Euanthe", "Hermippe", "Praxidike", "Thyone",
    "Thelxinoe", "Ananke", "Mneme", "Orthosie", "Harpalyke", "Iocaste", "Erinome", "Aitne",
    "Herse", "Taygete", "Eukelade", "Carme", "Isonoe", "Autonoe", "Philophrosyne", "Cyllene",
    "Pasithee", "Pasiphae", "Sponde", "Eurydome", "Kalyke", "Hegemone", "Kale", "Kallichore",
    "Chaldene", "Arche", "Eirene", "Kore", "Megaclite", "Aoede", "Callirrhoe", "Sinope",
)  # fmt: skip

# Distinct, readable on light and dark themes; used as a CSS colour by the frontend.
_COLORS = (
    "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4",
    "#42d4f4", "#f032e6", "#469990", "#9a6324", "#800000",
)  # fmt: skip


@dataclass(frozen=True)
class User:
    """An authenticated user. Only ``username`` is required; it must not be empty.

    ``name`` defaults to ``username`` and ``display_name`` to ``name``, as in jupyter_server.
    """

    username: str
    name: str = ""
    display_name: str = ""
    initials: str | None = None
    avatar_url: str | None = None
    color: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.username, str) or not self.username:
            raise ValueError("a user needs a non-empty username")
        if not self.name:
            object.__setattr__(self, "name", self.username)
        if not self.display_name:
            object.__setattr__(self, "display_name", self.name)

    def to_model(self) -> dict[str, str | None]:
        """The identity model of ``GET /api/me`` (also what the login cookie stores)."""
        return {field: getattr(self, field) for field in _FIELDS}

    @classmethod
    def from_model(cls, data: object) -> User | None:
        """Rebuild a user from :meth:`to_model` output, or None if ``data`` is unusable.

        Tolerant, because the input may come from an older cookie: fields that are missing,
        of the wrong type or absurdly long fall back to their defaults, and extra keys are
        ignored. Without a usable ``username`` (or, as jupyter_server allows, ``name``)
        there is no user.
        """
        if not isinstance(data, Mapping):
            return None
        values: dict[str, str] = {}
        for field in _FIELDS:
            value = data.get(field)
            if isinstance(value, str) and value and len(value) <= _MAX_FIELD_CHARS:
                values[field] = value
        if "username" not in values:
            if "name" not in values:
                return None
            values["username"] = values["name"]
        return cls(**values)

    def updated(
        self, changes: Mapping[str, object], updatable: Collection[str] = UPDATABLE_FIELDS
    ) -> User:
        """A copy with ``changes`` applied, as ``PATCH /api/me`` does.

        Raises :class:`~carnet.errors.BadRequest` (400) for an empty change set, a field
        not in ``updatable`` (``username`` never is), or a value that is not a string (or
        null, for the optional fields) of at most 1024 characters.
        """
        if not isinstance(changes, Mapping) or not changes:
            raise BadRequest("Expected a JSON object of identity fields to update")
        clean: dict[str, str | None] = {}
        for field, value in changes.items():
            if field not in updatable or field not in UPDATABLE_FIELDS:
                raise BadRequest(f"Field {field!r} is not updatable", "bad field")
            if value is None and field in _OPTIONAL:
                clean[field] = None
            elif isinstance(value, str) and len(value) <= _MAX_FIELD_CHARS:
                clean[field] = value
            else:
                raise BadRequest(
                    f"Field {field!r} must be a string of at most {_MAX_FIELD_CHARS} characters",
                    "bad value",
                )
        return dataclasses.replace(self, **clean)  # type: ignore[arg-type]


def anonymous_user() -> User:
    """A fresh anonymous user, as jupyter_server makes for shared-token logins.

    ``username`` is a uuid4 hex string, the name is ``"Anonymous <moon>"`` with initials
    ``"A<first letter of the moon>"``, and the colour is picked at random.
    """
    moon = secrets.choice(_MOONS)
    name = f"Anonymous {moon}"
    return User(
        username=uuid.uuid4().hex,
        name=name,
        display_name=name,
        initials=f"A{moon[0]}",
        color=secrets.choice(_COLORS),
    )


def owner_user(username: str) -> User:
    """The server's owner, as every login of a single-user server is.

    A password or token names no person, but it is the owner's: every browser that logs in
    with it is the same user, so layouts and settings stored per user follow the owner from
    browser to browser and survive a new login. The colour is derived from the name, so it
    is stable too.
    """
    name = username or "user"
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).digest()
    return User(
        username=name,
        name=name,
        display_name=name,
        initials=name[:1].upper(),
        color=_COLORS[digest[0] % len(_COLORS)],
    )
