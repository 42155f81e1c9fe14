"""Plugins against a real carnet: the list endpoint, plugin files, the page's import map, and
server extensions from entry points (routes behind auth + XSRF, background tasks, a contents
provider, a failing extension that leaves the server working)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.conftest import CarnetServer, JupyterEnv
from tests.plugins.helpers import add_plugin, fake_dist, plugins_folder, pythonpath

HELLO = "export function activate(app) { app.notify('hello'); }\n"

EXTENSION = '''
import anyio
from starlette.responses import JSONResponse

from carnet.errors import Forbidden

ticks = {"n": 0}


class GuardedContents:
    pass


def setup(api):
    """Says hello."""
    from carnet.contents import ContentsManager

    class Guarded(ContentsManager):
        async def get(self, path, **kwargs):
            if path.strip("/") == "forbidden.txt":
                raise Forbidden("an extension forbids this file", "ext_forbidden")
            return await super().get(path, **kwargs)

    async def hello(request):
        return JSONResponse(
            {
                "who": request.path_params["who"],
                "ticks": ticks["n"],
                "api_version": api.api_version,
                "kernels": api.kernels is not None,
            }
        )

    async def echo(request):
        return JSONResponse({"echo": await request.json()})

    async def tick():
        while True:
            ticks["n"] += 1
            await anyio.sleep(0.02)

    async def crash():
        raise RuntimeError("a task that fails is only logged")

    api.add_route("/api/hello/{who}", hello)
    api.add_route("/api/hello-echo", echo, methods=["POST"])
    api.start_task(tick)
    api.start_task(crash)
    api.set_contents_manager(Guarded(**api.contents_options))
'''

BROKEN = """
def setup(api):
    async def never(request):
        raise AssertionError("a failed extension's routes must not be mounted")

    api.add_route("/api/broken", never)
    raise RuntimeError("broken on purpose")
"""


def _ext_env(tmp_path: Path) -> dict[str, str]:
    site = fake_dist(
        tmp_path / "site",
        "carnet-test-ext",
        {"carnet.server_extensions": {"hello": "hello_ext:setup", "broken": "broken_ext:setup"}},
        {"hello_ext.py": EXTENSION, "broken_ext.py": BROKEN},
    )
    return pythonpath(site)


# -- the list and the files ------------------------------------------------------------------


def test_no_plugins(server: CarnetServer) -> None:
    with server.client() as client:
        listing = client.get("api/carnet/plugins")
    assert listing.status_code == 200
    assert listing.json() == {"api_version": 1, "plugins": []}


def test_list_and_serve_data_dir_plugins(
    jupyter_env: JupyterEnv, carnet_factory: Callable[..., CarnetServer]
) -> None:
    add_plugin(jupyter_env, "one", HELLO)
    add_plugin(jupyter_env, "two", HELLO, folder=True)
    folder = plugins_folder(jupyter_env)
    (folder / "two" / "style.css").write_text("p{}")
    (folder / "two" / ".secret").write_text("no")
    (folder / "bad name.js").write_text(HELLO)  # not a valid name: ignored
    (folder / ".hidden.js").write_text(HELLO)
    (folder / "notes.txt").write_text("not a plugin")
    server = carnet_factory()
    with server.client() as client:
        plugins = {p["name"]: p for p in client.get("api/carnet/plugins").json()["plugins"]}
        assert set(plugins) == {"one", "two"}
        assert plugins["one"]["url"] == "carnet/plugins/one/one.js"
        assert plugins["two"]["url"] == "carnet/plugins/two/index.js"
        assert plugins["one"]["enabled"] and plugins["one"]["source"] == "data-dir"
        assert plugins["one"]["server"] is False and plugins["one"]["error"] is None

        module = client.get("carnet/plugins/one/one.js")
        assert module.status_code == 200 and module.text == HELLO
        assert module.headers["content-type"].startswith("text/javascript")
        assert module.headers["cache-control"] == "no-cache"
        assert client.get("carnet/plugins/two/style.css").status_code == 200
        # A one-file plugin serves itself only; folders serve no dotfiles; no escaping.
        for bad in (
            "carnet/plugins/one/notes.txt",
            "carnet/plugins/one/two/index.js",
            "carnet/plugins/two/.secret",
            "carnet/plugins/two/../one.js",
            "carnet/plugins/two/%2e%2e/one.js",
            "carnet/plugins/two/..%2Fone.js",
            "carnet/plugins/nope/index.js",
            "carnet/plugins/..%2F..%2Fcarnet/plugins.json",
        ):
            reply = client.get(bad)
            # (httpx resolves a literal "..": that URL names no plugin file at all)
            assert reply.status_code in (404, 307), bad
            assert reply.text != HELLO
        # Plugin files need a login like the API.
        anonymous = httpx.get(server.url("carnet/plugins/one/one.js"), follow_redirects=False)
        assert anonymous.status_code in (401, 403, 302)
        assert client.post("carnet/plugins/one/one.js").status_code == 405


def test_disabled_plugin_is_listed_but_not_served(
    jupyter_env: JupyterEnv, carnet_factory: Callable[..., CarnetServer]
) -> None:
    add_plugin(jupyter_env, "off", HELLO)
    (jupyter_env.data_dir / "carnet" / "plugins.json").write_text('{"disabled": ["off"]}')
    server = carnet_factory()
    with server.client() as client:
        [plugin] = client.get("api/carnet/plugins").json()["plugins"]
        assert plugin["name"] == "off" and plugin["enabled"] is False
        assert client.get("carnet/plugins/off/off.js").status_code == 404
        # The state is read per request: enabling needs no restart for frontend plugins.
        (jupyter_env.data_dir / "carnet" / "plugins.json").write_text('{"disabled": []}')
        assert client.get("carnet/plugins/off/off.js").status_code == 200


def test_page_import_map_is_allowed_by_hash(server: CarnetServer) -> None:
    with server.client() as client:
        page = client.get("lab")
        csp = page.headers["content-security-policy"]
        found = re.search(r'<script type="importmap">(.*?)</script>', page.text, re.S)
        assert found is not None, "the page has no import map"
        body = found.group(1)
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        script_src = re.search(r"script-src ([^;]*)", csp)
        assert script_src is not None
        assert script_src.group(1).split() == ["'self'", f"'sha256-{digest}'"]
        assert "unsafe-inline" not in csp
        # Before any module script, so it applies to them.
        assert page.text.index('type="importmap"') < page.text.index('type="module"')
        imports = json.loads(body)["imports"]
        for specifier in ("carnet", "preact", "@preact/signals-core", "@lumino/widgets", "yjs"):
            url = imports[specifier]
            assert url.startswith("/static/assets/"), url
            module = client.get(url.lstrip("/"))
            assert module.status_code == 200
            assert module.headers["content-type"].startswith("text/javascript")


def test_import_map_under_a_base_url(carnet_factory: Callable[..., CarnetServer]) -> None:
    server = carnet_factory("--ServerApp.base_url=/user/ada/")
    with server.client() as client:
        page = client.get("lab")
        found = re.search(r'<script type="importmap">(.*?)</script>', page.text, re.S)
        assert found is not None
        imports = json.loads(found.group(1))["imports"]
        assert all(url.startswith("/user/ada/static/assets/") for url in imports.values())
        assert client.get(imports["carnet"].removeprefix("/user/ada/")).status_code == 200


# -- server extensions -------------------------------------------------------------------------


def test_server_extension_routes_tasks_and_contents(
    carnet_factory: Callable[..., CarnetServer], tmp_path: Path
) -> None:
    server = carnet_factory(env=_ext_env(tmp_path))
    (server.root / "forbidden.txt").write_text("x")
    (server.root / "fine.txt").write_text("y")
    with server.client() as client:
        plugins = {p["name"]: p for p in client.get("api/carnet/plugins").json()["plugins"]}
        assert plugins["hello"]["source"] == "server-extension"
        assert plugins["hello"]["server_loaded"] is True and plugins["hello"]["error"] is None
        assert plugins["hello"]["version"] == "1.2.3"
        assert plugins["hello"]["description"] == "Says hello."
        assert plugins["broken"]["server_loaded"] is False
        assert "broken on purpose" in plugins["broken"]["error"]

        reply = client.get("api/hello/ada")
        assert reply.status_code == 200
        assert reply.json()["who"] == "ada" and reply.json()["api_version"] == 1
        # The background task runs in the server's lifespan.
        for _ in range(200):
            if client.get("api/hello/ada").json()["ticks"] > 2:
                break
        else:
            pytest.fail("the extension's background task never ran")
        assert client.post("api/hello-echo", json={"a": 1}).json() == {"echo": {"a": 1}}
        # The failed extension left no route behind; the server works.
        assert client.get("api/broken").status_code == 404
        assert client.get("api/status").status_code == 200
        # The contents provider is what the Contents API uses.
        denied = client.get("api/contents/forbidden.txt")
        assert denied.status_code == 403 and denied.json()["reason"] == "ext_forbidden"
        assert client.get("api/contents/fine.txt").json()["content"] == "y"
    assert "broken on purpose" in server.output()
    assert "a task that fails is only logged" in server.output()

    # Behind carnet's authentication and XSRF like every route.
    assert httpx.get(server.url("api/hello/ada")).status_code == 403
    with httpx.Client(base_url=server.base) as browser:
        login = browser.get(f"lab?token={server.token}", follow_redirects=True)
        assert login.status_code == 200
        assert browser.get("api/hello/ada").status_code == 200
        no_xsrf = browser.post("api/hello-echo", json={"a": 1})
        assert no_xsrf.status_code == 403
        xsrf = browser.cookies["_xsrf"]
        ok = browser.post("api/hello-echo", json={"a": 2}, headers={"X-XSRFToken": xsrf})
        assert ok.status_code == 200


def test_disabled_server_extension_is_not_loaded(
    jupyter_env: JupyterEnv, carnet_factory: Callable[..., CarnetServer], tmp_path: Path
) -> None:
    (jupyter_env.data_dir / "carnet").mkdir(parents=True)
    (jupyter_env.data_dir / "carnet" / "plugins.json").write_text('{"disabled": ["hello"]}')
    server = carnet_factory(env=_ext_env(tmp_path))
    with server.client() as client:
        plugins = {p["name"]: p for p in client.get("api/carnet/plugins").json()["plugins"]}
        assert plugins["hello"]["enabled"] is False
        assert plugins["hello"]["server_loaded"] is False
        assert client.get("api/hello/ada").status_code == 404
        assert client.get("api/contents/").status_code == 200


def test_package_plugin_with_static_folder_and_import_error(
    carnet_factory: Callable[..., CarnetServer], tmp_path: Path
) -> None:
    site = fake_dist(
        tmp_path / "site",
        "carnet-pkg",
        {
            "carnet.plugins": {
                "pkg": "pkg_plugin:plugin",
                "missing": "no_such_module:plugin",
                "notaplugin": "pkg_plugin:something_else",
            }
        },
        {
            "pkg_plugin/__init__.py": (
                "from pathlib import Path\nfrom carnet.plugins import Plugin\n"
                "plugin = Plugin(static=Path(__file__).parent / 'static', entry='main.js',"
                " description='a packaged plugin')\nsomething_else = 42\n"
            ),
            "pkg_plugin/static/main.js": HELLO,
        },
    )
    server = carnet_factory(env=pythonpath(site))
    with server.client() as client:
        plugins = {p["name"]: p for p in client.get("api/carnet/plugins").json()["plugins"]}
        assert plugins["pkg"]["url"] == "carnet/plugins/pkg/main.js"
        assert plugins["pkg"]["source"] == "package" and plugins["pkg"]["version"] == "1.2.3"
        assert client.get("carnet/plugins/pkg/main.js").text == HELLO
        assert client.get("carnet/plugins/pkg/__init__.py").status_code == 404
        assert plugins["missing"]["url"] is None
        assert "no_such_module" in plugins["missing"]["error"]
        assert "not a carnet.plugins.Plugin" in plugins["notaplugin"]["error"]
        assert client.get("carnet/plugins/missing/index.js").status_code == 404
