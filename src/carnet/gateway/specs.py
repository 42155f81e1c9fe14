"""Kernelspecs of a gateway, in the shape of :class:`~carnet.kernels.KernelSpecs`.

Models come from the gateway's ``/api/kernelspecs`` with their resource URLs rewritten to
this server's ``/kernelspecs/<name>/<file>``; a resource is fetched from the gateway once
and kept in a cache directory, so the route serves a local file as for local kernels.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from carnet.errors import NotFound
from carnet.gateway.client import GatewayClient
from carnet.kernels import KernelSpecs

_NAME = re.compile(r"^[A-Za-z0-9._-]+$")
_RESOURCE = re.compile(r"^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$")


def _rewrite(name: str, model: Any, base_url: str) -> dict[str, Any]:
    if not isinstance(model, dict):
        return {"name": name, "spec": {}, "resources": {}}
    resources = model.get("resources") if isinstance(model.get("resources"), dict) else {}
    local: dict[str, str] = {}
    for key, url in (resources or {}).items():
        if isinstance(url, str) and url:
            file = url.rstrip("/").rsplit("/", 1)[-1]
            local[key] = f"{base_url}kernelspecs/{quote(name)}/{quote(file)}"
    return {**model, "name": name, "resources": local}


class GatewaySpecs(KernelSpecs):
    def __init__(self, client: GatewayClient, cache_dir: Path) -> None:
        super().__init__(default_name="python3")
        self._client = client
        self._cache = cache_dir
        self._names: list[str] = []

    def names(self) -> list[str]:
        """The names seen at the last listing (the gateway is asked asynchronously)."""
        return list(self._names)

    async def models(self, base_url: str = "/") -> dict[str, Any]:
        reply = await self._client.request("GET", "api/kernelspecs")
        specs = reply.get("kernelspecs") if isinstance(reply, dict) else None
        specs = specs if isinstance(specs, dict) else {}
        default = reply.get("default") if isinstance(reply, dict) else None
        if isinstance(default, str) and default:
            self.default_name = default
        self._names = sorted(specs)
        return {
            "default": self.default_name,
            "kernelspecs": {n: _rewrite(n, m, base_url) for n, m in sorted(specs.items())},
        }

    async def model(self, name: str, base_url: str = "/") -> dict[str, Any]:
        if not isinstance(name, str) or not _NAME.match(name):
            raise NotFound(f"No such kernel: {name!r}", reason="No such kernel")
        return _rewrite(
            name, await self._client.request("GET", f"api/kernelspecs/{name}"), base_url
        )

    async def resource(self, name: str, resource: str) -> Path:
        missing = NotFound(f"No resource {resource!r} in kernel {name!r}", reason="Not Found")
        if not _NAME.match(name) or not _RESOURCE.match(resource) or ".." in resource:
            raise missing
        path = self._cache / name / resource
        if not path.is_file():
            try:
                data = await self._client.request("GET", f"kernelspecs/{name}/{resource}", raw=True)
            except NotFound:
                raise missing from None
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(path.name + ".part")
            partial.write_bytes(data)
            partial.replace(path)
        return path
