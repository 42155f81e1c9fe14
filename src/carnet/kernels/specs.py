"""Installed kernelspecs, found by jupyter_client, as jupyter_server's REST models.

``GET /api/kernelspecs`` answers :meth:`KernelSpecs.models`; ``GET
/api/kernelspecs/<name>`` answers :meth:`KernelSpecs.model`; ``GET
/kernelspecs/<name>/<resource>`` serves the file :meth:`KernelSpecs.resource` returns,
which is always inside that kernelspec's own directory.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from carnet.errors import NotFound

if TYPE_CHECKING:
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager

__all__ = ["KernelSpecs", "is_poolable"]

# Jupyter's rule for kernel names (kernelspec directory names).
_NAME = re.compile(r"^[a-z0-9._-]+$", re.IGNORECASE)


def _join_url(base_url: str, *segments: str) -> str:
    base = "/" + base_url.strip("/")
    base = base.rstrip("/")
    return base + "/" + "/".join(quote(s, safe="") for s in segments)


def _model(name: str, spec: dict[str, Any], resource_dir: str, base_url: str) -> dict[str, Any]:
    """One kernelspec model: ``{"name", "spec", "resources"}`` as jupyter_server builds it."""
    resources: dict[str, str] = {}
    folder = Path(resource_dir)
    for fname in ("kernel.js", "kernel.css"):
        if (folder / fname).exists():
            resources[fname] = _join_url(base_url, "kernelspecs", name, fname)
    for logo in sorted(folder.glob("logo-*")):
        resources[logo.stem] = _join_url(base_url, "kernelspecs", name, logo.name)
    return {"name": name, "spec": spec, "resources": resources}


def _tolerant_spec_class() -> type[KernelSpec]:
    """``KernelSpec`` that ignores keys it does not model (``codemirror_mode``…).

    Many kernels (bash_kernel, older IRkernel) write such keys; traitlets would emit a
    DeprecationWarning for each spec read. They are not part of the REST model anyway.
    """
    import json

    from jupyter_client.kernelspec import KernelSpec

    class TolerantKernelSpec(KernelSpec):
        @classmethod
        def from_resource_dir(cls, resource_dir: str) -> KernelSpec:
            with open(Path(resource_dir) / "kernel.json", encoding="utf-8") as f:
                data = json.load(f)
            if not isinstance(data, dict):
                raise ValueError(f"{resource_dir}/kernel.json is not a JSON object")
            known = {k: v for k, v in data.items() if cls.class_traits().get(k) is not None}
            return cls(resource_dir=resource_dir, **known)

    return TolerantKernelSpec


def is_poolable(spec: KernelSpec) -> bool:
    """Whether carnet can make a pre-started kernel of this spec look freshly started.

    Only ipykernel: carnet knows which of its state depends on the working directory
    and the session (see ``carnet.kernels.prepare``).
    """
    language = (spec.language or "").lower()
    return language == "python" and any("ipykernel" in str(arg) for arg in spec.argv)


class KernelSpecs:
    """The kernelspecs installed in Jupyter's data directories (or in ``kernel_dirs``).

    ``allowed`` restricts which names exist for carnet (Jupyter's
    ``KernelSpecManager.allowed_kernelspecs``). Discovery reads the disk on every call, as
    Jupyter does, so newly installed kernels appear without a restart; the async methods
    do it in a worker thread.
    """

    def __init__(
        self,
        *,
        kernel_dirs: Sequence[Path] | None = None,
        default_name: str = "python3",
        allowed: Collection[str] | None = None,
    ) -> None:
        self.default_name = default_name
        self._kernel_dirs = None if kernel_dirs is None else [str(d) for d in kernel_dirs]
        self._allowed = None if allowed is None else frozenset(allowed)
        self._manager: KernelSpecManager | None = None

    @property
    def manager(self) -> KernelSpecManager:
        """The jupyter_client ``KernelSpecManager`` (created on first use: it is heavy)."""
        if self._manager is None:
            from jupyter_client.kernelspec import KernelSpecManager

            manager = KernelSpecManager(kernel_spec_class=_tolerant_spec_class())
            if self._kernel_dirs is not None:
                manager.kernel_dirs = list(self._kernel_dirs)
            if self._allowed is not None:
                manager.allowed_kernelspecs = set(self._allowed)
            self._manager = manager
        return self._manager

    def names(self) -> list[str]:
        return sorted(self.manager.find_kernel_specs())

    def get(self, name: str) -> KernelSpec:
        """The spec called ``name``; :class:`NotFound` (with the installed names) if none."""
        from jupyter_client.kernelspec import NoSuchKernel

        if (
            isinstance(name, str)
            and _NAME.match(name)
            and (self._allowed is None or name in self._allowed)
        ):
            try:
                return self.manager.get_kernel_spec(name)
            except NoSuchKernel:
                pass
        installed = ", ".join(self.names()) or "none"
        raise NotFound(
            f"No such kernel: {name!r}. Installed kernels: {installed}.",
            reason="No such kernel",
        )

    def _models(self, base_url: str) -> dict[str, Any]:
        specs = self.manager.get_all_specs()
        return {
            "default": self.default_name,
            "kernelspecs": {
                name: _model(name, entry["spec"], entry["resource_dir"], base_url)
                for name, entry in sorted(specs.items())
            },
        }

    async def models(self, base_url: str = "/") -> dict[str, Any]:
        """``{"default": name, "kernelspecs": {name: model}}``, resource URLs under ``base_url``."""
        return await asyncio.to_thread(self._models, base_url)

    def _one(self, name: str, base_url: str) -> dict[str, Any]:
        spec = self.get(name)
        return _model(name, spec.to_dict(), spec.resource_dir, base_url)

    async def model(self, name: str, base_url: str = "/") -> dict[str, Any]:
        """The model of one kernelspec; :class:`NotFound` if it is not installed."""
        return await asyncio.to_thread(self._one, name, base_url)

    def _resource(self, name: str, resource: str) -> Path:
        missing = NotFound(f"No resource {resource!r} in kernel {name!r}", reason="Not Found")
        segments = resource.split("/")
        if (
            not resource
            or "\0" in resource
            or "\\" in resource
            or any(s in ("", ".", "..") for s in segments)
        ):
            raise missing
        base = Path(self.get(name).resource_dir).resolve()
        path = (base / resource).resolve()
        if not path.is_relative_to(base) or not path.is_file():
            raise missing
        return path

    async def resource(self, name: str, resource: str) -> Path:
        """The file ``resource`` (a relative path) of kernelspec ``name``.

        Raises :class:`NotFound` for unknown kernels, missing files and any path that
        would leave the kernelspec's directory (``..``, absolute paths, symlinks out).
        """
        return await asyncio.to_thread(self._resource, name, resource)
