"""Fixtures for the contents tests: a real root directory, a manager on it, a tiny app.

The app is what the lead's server does around these routes, reduced to the contents and
files routes plus the `CarnetError` -> JSON handler, so routes are tested through HTTP
(Starlette's TestClient) without auth in the way.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.exceptions import StarletteDeprecationWarning
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount

with warnings.catch_warnings():
    # Starlette 1.10 prefers the `httpx2` fork for its TestClient; httpx works the same.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

from carnet.contents import ContentsManager
from carnet.errors import CarnetError
from carnet.web.routes import contents as contents_routes
from carnet.web.routes import files as files_routes

Events = list[tuple[str, dict[str, Any]]]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    path = tmp_path / "root"
    path.mkdir()
    return path


@pytest.fixture
def trash_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point send2trash's freedesktop trash at a temp dir (it reads XDG_DATA_HOME at import)."""
    import send2trash
    from send2trash import plat_other

    assert send2trash.send2trash is plat_other.send2trash, "expected the freedesktop trash"
    data_home = tmp_path / "xdg-data"
    data_home.mkdir()
    monkeypatch.setattr(plat_other, "XDG_DATA_HOME", bytes(data_home))
    monkeypatch.setattr(plat_other, "HOMETRASH_B", bytes(data_home / "Trash"))
    monkeypatch.setattr(plat_other, "HOMETRASH", str(data_home / "Trash"))
    return data_home / "Trash"


@pytest.fixture
def events() -> Events:
    return []


@pytest.fixture
def make_manager(root: Path, events: Events, trash_dir: Path) -> Callable[..., ContentsManager]:
    def make(**kwargs: Any) -> ContentsManager:
        kwargs.setdefault("on_change", lambda action, fields: events.append((action, fields)))
        return ContentsManager(root, **kwargs)

    return make


@pytest.fixture
def cm(make_manager: Callable[..., ContentsManager]) -> ContentsManager:
    return make_manager()


async def _carnet_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CarnetError)
    return JSONResponse({"message": exc.message, "reason": exc.reason}, exc.status)


def make_app(manager: ContentsManager, base_url: str = "") -> Starlette:
    routes = [*contents_routes.routes(manager), *files_routes.routes(manager)]
    return Starlette(
        routes=[Mount(base_url, routes=routes)] if base_url else routes,
        exception_handlers={CarnetError: _carnet_error},
    )


@pytest.fixture
def client(cm: ContentsManager) -> Iterator[TestClient]:
    with TestClient(make_app(cm), raise_server_exceptions=True) as c:
        yield c


@pytest.fixture
def make_client(
    make_manager: Callable[..., ContentsManager],
) -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def make(base_url: str = "", **kwargs: Any) -> TestClient:
        c = TestClient(make_app(make_manager(**kwargs), base_url))
        c.__enter__()
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.__exit__(None, None, None)
