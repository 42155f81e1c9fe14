"""The server's life: TLS, the public-server guide, secure defaults, runtime files, list/stop,
signals, the spec, ports."""

from __future__ import annotations

import json
import os
import signal
import socket
import ssl
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import yaml

from tests.conftest import CarnetServer, JupyterEnv, run_cli, start_carnet


def make_cert(jenv: JupyterEnv, directory: Path, *hosts: str) -> tuple[Path, Path]:
    cert, key = directory / "mycert.pem", directory / "mykey.key"
    result = run_cli(
        jenv,
        "certificate",
        *(hosts or ("localhost", "127.0.0.1", "::1")),
        f"--cert={cert}",
        f"--key={key}",
    )
    assert result.returncode == 0, result.stderr
    return cert, key


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def raw_http(port: int, request: bytes, host: str = "127.0.0.1") -> bytes:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.settimeout(10)
        sock.connect((host, port))
        sock.sendall(request)
        chunks = []
        while True:
            data = sock.recv(65536)
            if not data:
                break
            chunks.append(data)
    return b"".join(chunks)


# -- TLS ----------------------------------------------------------------------------------------


def test_https_with_generated_certificate(
    jupyter_env: JupyterEnv, carnet_factory: Callable[..., CarnetServer], tmp_path: Path
) -> None:
    cert, key = make_cert(jupyter_env, tmp_path)
    server = carnet_factory(f"--certfile={cert}", "--keyfile", str(key))
    assert server.info["secure"] is True and server.info["url"].startswith("https://")
    assert f"https://localhost:{server.port}/lab?token=" in server.output()
    with httpx.Client(verify=ssl.create_default_context(cafile=str(cert))) as client:
        response = client.get(
            f"https://localhost:{server.port}/api/status",
            headers={"Authorization": f"token {server.token}"},
        )
        assert response.status_code == 200
        login = client.get(f"https://localhost:{server.port}/login")
        assert "secure" in login.headers["set-cookie"].lower()
    # Plain HTTP to the TLS port: a clear answer, not a hang or a reset.
    reply = raw_http(
        server.port, b"GET /lab?x=1 HTTP/1.1\r\nHost: localhost:%d\r\n\r\n" % server.port
    )
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 301")
    assert f"Location: https://localhost:{server.port}/lab?x=1".encode() in head
    assert b"only speaks HTTPS" in body
    post = raw_http(server.port, b"POST /api/x HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n")
    assert post.startswith(b"HTTP/1.1 400") and b"https://h/api/x" in post


def _client_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for TLS client authentication (EKU clientAuth)."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "carnet test client")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "client.pem", directory / "client.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_mutual_tls_client_ca(
    jupyter_env: JupyterEnv, carnet_factory: Callable[..., CarnetServer], tmp_path: Path
) -> None:
    cert, key = make_cert(jupyter_env, tmp_path)
    client_cert, client_key = _client_certificate(tmp_path)
    server = carnet_factory(f"--certfile={cert}", f"--keyfile={key}", f"--client-ca={client_cert}")
    url = f"https://localhost:{server.port}/api/status"
    headers = {"Authorization": f"token {server.token}"}
    anonymous = ssl.create_default_context(cafile=str(cert))
    with pytest.raises(httpx.HTTPError), httpx.Client(verify=anonymous) as client:
        client.get(url, headers=headers)
    with_cert = ssl.create_default_context(cafile=str(cert))
    with_cert.load_cert_chain(str(client_cert), str(client_key))
    with httpx.Client(verify=with_cert) as client:
        assert client.get(url, headers=headers).status_code == 200


def test_certificate_key_mismatch_and_unreadable_files(
    jupyter_env: JupyterEnv, tmp_path: Path
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    cert_a, _ = make_cert(jupyter_env, tmp_path / "a")
    _, key_b = make_cert(jupyter_env, tmp_path / "b")
    mismatch = run_cli(
        jupyter_env, "--no-browser", "--port=0", f"--certfile={cert_a}", f"--keyfile={key_b}"
    )
    assert mismatch.returncode == 2
    assert "match" in mismatch.stderr and str(key_b) in mismatch.stderr
    unreadable = run_cli(
        jupyter_env, "--no-browser", "--port=0", f"--certfile={tmp_path}", f"--keyfile={key_b}"
    )
    assert unreadable.returncode == 2 and str(tmp_path) in unreadable.stderr
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate")
    bad = run_cli(
        jupyter_env, "--no-browser", "--port=0", f"--certfile={garbage}", f"--keyfile={key_b}"
    )
    assert bad.returncode == 2 and "garbage.pem" in bad.stderr
    for result in (mismatch, unreadable, bad):
        assert len(result.stderr.strip().splitlines()) == 1


# -- the public-server guide, verbatim ------------------------------------------------------------


def test_public_server_guide(jupyter_env: JupyterEnv, tmp_path: Path) -> None:
    bindir = Path(sys.executable).parent
    env = {**jupyter_env.env, "PATH": f"{bindir}{os.pathsep}{jupyter_env.env.get('PATH', '')}"}
    jupyter = str(bindir / "jupyter")

    def jupyter_cmd(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [jupyter, *args], env=env, input=stdin, capture_output=True, text=True, timeout=60
        )

    assert jupyter_cmd("notebook", "--generate-config").returncode == 0
    password = jupyter_cmd("notebook", "password", stdin="guide-pass\nguide-pass\n")
    assert password.returncode == 0, password.stderr
    assert "Wrote hashed password to" in password.stdout
    cert, key = make_cert(jupyter_env, jupyter_env.config_dir)
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    (notebooks / "hello.txt").write_text("hi")
    port = 9999 if _port_free(9999) else free_port()
    config = jupyter_env.config_dir / "jupyter_notebook_config.py"
    config.write_text(
        config.read_text()
        + f"""
c.NotebookApp.certfile = {str(cert)!r}
c.NotebookApp.keyfile = {str(key)!r}
c.NotebookApp.ip = '*'
c.NotebookApp.open_browser = False
c.NotebookApp.port = {port}
c.LabApp.notebook_dir = {str(notebooks)!r}
"""
    )
    runtime = jupyter_env.runtime_dir
    proc = subprocess.Popen(
        [jupyter, "lab"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        info_path = runtime / f"jpserver-{proc.pid}.json"
        deadline = time.monotonic() + 30
        while not info_path.exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.2)
        info = json.loads(info_path.read_text())
        assert info["port"] == port and info["secure"] is True and info["password"] is True
        assert info["root_dir"] == str(notebooks.resolve()) and info["token"] == ""
        context = ssl.create_default_context(cafile=str(cert))
        for host in ("127.0.0.1", "[::1]"):
            with httpx.Client(verify=context, follow_redirects=False) as client:
                page = client.get(f"https://{host}:{port}/lab")
                assert page.status_code == 302 and "/login" in page.headers["location"]
                assert client.get(f"https://{host}:{port}/api/status").status_code == 403
        # Listening on all interfaces: IPv4 and IPv6 wildcard sockets.
        listening = _listening_addresses(proc.pid, port)
        assert {"0.0.0.0", "::"} <= listening, listening
        # HTTPS only.
        assert raw_http(port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").startswith(b"HTTP/1.1 301")
        with httpx.Client(
            verify=context, follow_redirects=False, base_url=f"https://localhost:{port}/"
        ) as browser:
            import re

            form = browser.get("login").text
            xsrf = re.search(r'name="_xsrf" value="([^"]+)"', form)
            assert xsrf
            ok = browser.post("login", data={"_xsrf": xsrf.group(1), "password": "guide-pass"})
            assert ok.status_code == 302
            listing = browser.get("api/contents").json()
            assert [e["name"] for e in listing["content"]] == ["hello.txt"]
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
    assert "Opening in existing browser" not in out + err


def _port_free(port: int) -> bool:
    for family, host in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((host, port))
            except OSError:
                return False
    return True


def _listening_addresses(pid: int, port: int) -> set[str]:
    import psutil

    return {
        conn.laddr.ip
        for conn in psutil.Process(pid).net_connections(kind="inet")
        if conn.status == psutil.CONN_LISTEN and conn.laddr.port == port
    }


# -- secure defaults ----------------------------------------------------------------------------


def test_public_address_without_tls_is_refused(jupyter_env: JupyterEnv) -> None:
    result = run_cli(jupyter_env, "--no-browser", "--port=0", "--ip=0.0.0.0")
    assert result.returncode == 2
    assert "without TLS" in result.stderr and "carnet certificate" in result.stderr


def test_public_address_without_secret_is_refused(jupyter_env: JupyterEnv, tmp_path: Path) -> None:
    cert, key = make_cert(jupyter_env, tmp_path)
    result = run_cli(
        jupyter_env,
        "--no-browser",
        "--port=0",
        "--ip=*",
        f"--certfile={cert}",
        f"--keyfile={key}",
        "--IdentityProvider.token=",
    )
    assert result.returncode == 2 and "password or token" in result.stderr


def test_allow_insecure_public_warns(carnet_factory: Callable[..., CarnetServer]) -> None:
    server = carnet_factory("--ip=0.0.0.0", "--allow-insecure-public")
    assert "WARNING" in server.stderr_path.read_text()
    with server.client() as client:
        assert client.get("api/status").status_code == 200


def test_password_required_without_password(jupyter_env: JupyterEnv) -> None:
    result = run_cli(
        jupyter_env, "--no-browser", "--port=0", "--PasswordIdentityProvider.password_required=True"
    )
    assert result.returncode == 2 and "carnet password" in result.stderr


def test_root_warning_and_no_browser_as_root(server: CarnetServer) -> None:
    if os.geteuid() == 0:
        assert "root" in server.stderr_path.read_text()


@pytest.mark.parametrize(
    ("euid", "environ", "platform", "expected"),
    [
        (0, {"DISPLAY": ":0"}, "linux", False),
        (1000, {"DISPLAY": ":0"}, "linux", True),
        (1000, {"WAYLAND_DISPLAY": "wayland-0"}, "linux", True),
        (1000, {}, "linux", False),
        (1000, {}, "darwin", True),
        (0, {}, "darwin", False),
    ],
)
def test_browser_decision(
    euid: int, environ: dict[str, str], platform: str, expected: bool
) -> None:
    from carnet.cli.serve import can_open_browser

    assert can_open_browser(euid, environ, platform) is expected


# -- runtime files, list, stop, signals, shutdown ----------------------------------------------


@pytest.mark.parametrize("how", ["SIGTERM", "SIGINT", "shutdown"])
def test_runtime_files_and_clean_exit(
    jupyter_env: JupyterEnv, carnet_factory: Callable[..., CarnetServer], how: str
) -> None:
    server = carnet_factory()
    info_path = jupyter_env.runtime_dir / f"jpserver-{server.proc.pid}.json"
    open_path = jupyter_env.runtime_dir / f"jpserver-{server.proc.pid}-open.html"
    assert stat.S_IMODE(info_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(jupyter_env.runtime_dir.stat().st_mode) == 0o700
    assert server.token in open_path.read_text()
    info = json.loads(info_path.read_text())
    assert {
        "base_url",
        "hostname",
        "password",
        "pid",
        "port",
        "root_dir",
        "secure",
        "sock",
        "token",
        "url",
        "version",
    } <= set(info)
    if how == "shutdown":
        with server.client() as client:
            assert client.post("api/shutdown").status_code == 200
        server.proc.wait(timeout=15)
    else:
        server.stop(getattr(signal, how))
    assert server.proc.returncode == 0
    assert not info_path.exists() and not open_path.exists()


def test_list_and_stop(
    jupyter_env: JupyterEnv, carnet_factory: Callable[..., CarnetServer]
) -> None:
    server = carnet_factory()
    listed = run_cli(jupyter_env, "list")
    assert "Currently running servers:" in listed.stdout
    assert f"http://localhost:{server.port}/?token={server.token} :: {server.root}" in listed.stdout
    as_json = json.loads(run_cli(jupyter_env, "list", "--jsonlist").stdout)
    assert [s["port"] for s in as_json] == [server.port]
    stopped = run_cli(jupyter_env, "stop", str(server.port))
    assert stopped.returncode == 0, stopped.stderr
    server.proc.wait(timeout=15)
    assert run_cli(jupyter_env, "list").stdout == "Currently running servers:\n"
    assert run_cli(jupyter_env, "stop", "1").returncode == 1


def test_busy_port_moves_to_next(
    jupyter_env: JupyterEnv, carnet_factory: Callable[..., CarnetServer]
) -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        server = carnet_factory(f"--port={port}", default_args=False)
        assert server.port > port
        with pytest.raises(RuntimeError, match=r"no free port|cannot listen"):
            start_carnet(jupyter_env, f"--port={port}", "--port-retries=0", "--no-browser")


def test_shutdown_no_activity_timeout(carnet_factory: Callable[..., CarnetServer]) -> None:
    server = carnet_factory("--ServerApp.shutdown_no_activity_timeout=1")
    assert server.proc.wait(timeout=20) == 0


# -- the API document ------------------------------------------------------------------------


def _route_table() -> set[tuple[str, str]]:
    from starlette.routing import Route, WebSocketRoute

    from carnet.web.app import all_routes

    class Fake:
        def __getattr__(self, name: str) -> object:
            return Fake()

        def __call__(self, *args: object, **kwargs: object) -> object:
            return Fake()

    from carnet.web.security import SecurityPolicy

    deps = Fake()
    deps.policy = SecurityPolicy()  # type: ignore[attr-defined]
    deps.default_url = "/lab"  # type: ignore[attr-defined]
    deps.static_dir = Path("/nonexistent")  # type: ignore[attr-defined]
    table = set()
    for route in all_routes(deps):  # type: ignore[arg-type]
        path = route.path.replace("{path:path}", "/{path}").replace("//", "/")  # type: ignore[attr-defined]
        if isinstance(route, WebSocketRoute):
            table.add((path, "get"))
            continue
        assert isinstance(route, Route)
        methods = route.methods or {"GET"}
        table.update((path, m.lower()) for m in methods if m != "HEAD" or path.startswith("/files"))
    return table


def test_spec_lists_exactly_the_routes(server: CarnetServer) -> None:
    with server.client() as client:
        response = client.get("api/spec.yaml")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/x-yaml")
    spec = yaml.safe_load(response.text)
    assert spec["openapi"].startswith("3.")
    documented = {
        (path, method)
        for path, item in spec["paths"].items()
        for method in item
        if method in ("get", "put", "post", "patch", "delete", "head")
    }
    assert documented == _route_table()


def test_unknown_route_and_method_are_json(server: CarnetServer) -> None:
    with server.client() as client:
        missing = client.get("api/nope")
        assert missing.status_code == 404 and missing.json()["message"]
        wrong = client.delete("api/status")
        assert wrong.status_code == 405 and wrong.json()["message"]


def test_me(server: CarnetServer) -> None:
    with server.client() as client:
        me = client.get("api/me", params={"permissions": '{"contents": ["read", "write"]}'})
        body = me.json()
        assert body["permissions"]["contents"] == ["read", "write"]
        assert client.get("api/me", params={"permissions": "{bad"}).status_code == 400
        assert client.patch("api/me", content=b"{bad").status_code == 400
        patched = client.patch("api/me", json={"display_name": "Ada"})
        assert patched.json()["identity"]["display_name"] == "Ada"
        assert client.patch("api/me", json={"username": "root"}).status_code == 400


def test_config_dirs_env_and_command_line_precedence(
    jupyter_env: JupyterEnv, carnet_factory: Callable[..., CarnetServer], tmp_path: Path
) -> None:
    extra = tmp_path / "extra-config"
    extra.mkdir()
    (extra / "carnet_config.json").write_text(
        json.dumps({"ServerApp": {"base_url": "/from-path/", "allow_hidden": True}})
    )
    jupyter_env.config_dir.mkdir(parents=True)
    (jupyter_env.config_dir / "jupyter_server_config.py").write_text(
        "c.ServerApp.base_url = '/from-user/'\nc.ContentsManager.allow_hidden = False\n"
    )
    server = carnet_factory(env={"JUPYTER_CONFIG_PATH": str(extra)})
    # As jupyter_core orders them: JUPYTER_CONFIG_PATH entries outrank the user dir.
    assert server.info["base_url"] == "/from-path/"
    (server.root / ".hidden").write_text("h")
    with server.client() as client:
        assert client.get("api/contents/.hidden").status_code == 200
    override = carnet_factory("--base-url=/cli/", env={"JUPYTER_CONFIG_PATH": str(extra)})
    assert override.info["base_url"] == "/cli/"
