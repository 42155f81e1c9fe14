"""`--generate-config`, `list`, `stop` and `certificate`."""

from __future__ import annotations

import json
import os
import signal
import socket
import ssl
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from carnet.cli.args import Parsed, UsageError
from carnet.config.loader import FAMILY_FILES, config_dir


def generate_config(family: str, *, yes: bool) -> int:
    from carnet.config.generate import render

    directory = config_dir()
    path = directory / f"{FAMILY_FILES.get(family, 'carnet_config')}.py"
    if path.exists() and not yes:
        answer = ""
        if sys.stdin is not None and sys.stdin.isatty():
            answer = input(f"Overwrite '{path}' with default config? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print(f"Not overwriting '{path}' (use -y to overwrite).", file=sys.stderr)
            return 1
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    print(f"Writing default config to: '{path}'")
    path.write_text(render(family), encoding="utf-8")
    return 0


def list_servers(*, as_json: bool, as_jsonlist: bool) -> int:
    from carnet.server.runtime import running_servers

    servers = running_servers()
    if as_jsonlist:
        print(json.dumps(servers))
        return 0
    if as_json:
        for info in servers:
            print(json.dumps(info))
        return 0
    print("Currently running servers:")
    for info in servers:
        token = info.get("token") or ""
        url = str(info.get("url", ""))
        shown = f"{url}?token={token}" if token else url
        print(f"{shown} :: {info.get('root_dir', '')}")
    return 0


def _server_for(port: int | None) -> dict[str, Any] | None:
    from carnet.server.runtime import running_servers

    for info in running_servers():
        if port is None or int(info.get("port", -1)) == port:
            return info
    return None


def stop_server(positional: list[str]) -> int:
    port: int | None = 8888
    if positional:
        if len(positional) > 1 or not positional[0].isdigit():
            raise UsageError("stop takes one port number, e.g. `carnet stop 8888`")
        port = int(positional[0])
    info = _server_for(port)
    if info is None:
        print(f"There is no carnet server running on port {port}.", file=sys.stderr)
        return 1
    pid = int(info["pid"])
    token = info.get("token") or ""
    if token:
        _request_shutdown(info, token)
    else:
        # A password-only server has no token to authenticate with; its runtime file
        # names its process, which belongs to this user.
        os.kill(pid, signal.SIGTERM)
    for _ in range(100):
        from carnet.server.runtime import pid_alive

        if not pid_alive(pid):
            print(f"Stopped the server on port {port}.")
            return 0
        time.sleep(0.05)
    os.kill(pid, signal.SIGTERM)
    time.sleep(1)
    from carnet.server.runtime import pid_alive

    if pid_alive(pid):
        os.kill(pid, signal.SIGKILL)
    print(f"Stopped the server on port {port}.")
    return 0


def _request_shutdown(info: dict[str, Any], token: str) -> None:
    port = int(info["port"])
    secure = bool(info.get("secure"))
    base = str(info.get("base_url", "/"))
    url = f"{'https' if secure else 'http'}://127.0.0.1:{port}{base}api/shutdown"
    request = urllib.request.Request(  # noqa: S310 - a URL we built for our own server
        url, method="POST", data=b"", headers={"Authorization": f"token {token}"}
    )
    context = None
    if secure:
        # Our own server on loopback, often with a self-signed certificate.
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(request, timeout=5, context=context):  # noqa: S310
            pass
    except (TimeoutError, urllib.error.URLError, OSError):
        os.kill(int(info["pid"]), signal.SIGTERM)


def make_certificate(parsed: Parsed) -> int:
    from carnet.auth.errors import TLSConfigError
    from carnet.auth.tls import write_certificate

    hosts = parsed.positional + parsed.command_options.get("--host", [])
    if not hosts:
        hosts = ["localhost", "127.0.0.1", "::1", socket.gethostname()]
    cert = Path(parsed.command_options.get("--cert", ["carnet-cert.pem"])[-1]).expanduser()
    key = Path(parsed.command_options.get("--key", ["carnet-key.pem"])[-1]).expanduser()
    days_text = parsed.command_options.get("--days", ["365"])[-1]
    if not days_text.isdigit() or int(days_text) < 1:
        raise UsageError("--days needs a positive number of days")
    try:
        write_certificate(
            cert, key, hosts, overwrite=parsed.has("--force", "-y", "--y"), days=int(days_text)
        )
    except (TLSConfigError, FileExistsError, OSError) as exc:
        print(f"carnet certificate: {exc}", file=sys.stderr)
        return 1
    print(f"Wrote certificate {cert} and private key {key} (mode 0600) for: {', '.join(hosts)}")
    print(f"Start carnet with: carnet --certfile={cert} --keyfile={key}")
    return 0
