"""Memory used and the limit, from the server's cgroup, as a hub's users need to see them.

On Kubernetes and other container hosts a single-user server and its kernels share one
cgroup whose limit kills them when reached. ``memory_usage`` reads, in order:

* cgroup v2: ``memory.current`` minus ``inactive_file`` from ``memory.stat`` (the "working
  set" that Kubernetes compares with the limit; reclaimable page cache does not count) and
  the smallest ``memory.max`` of the cgroup and its ancestors;
* cgroup v1: ``memory.usage_in_bytes`` minus ``total_inactive_file`` and
  ``memory.limit_in_bytes`` (a huge value means no limit);
* else (no cgroup, not Linux) the resident size of this process and no limit.

``MEM_LIMIT`` (bytes, set by JupyterHub spawners that know the limit) is the limit when
the cgroup has none. Reads only small files; never raises for a missing or odd file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
PROC_CGROUP = Path("/proc/self/cgroup")
# cgroup v1 reports "no limit" as a page-rounded 2**63 - 1.
_V1_UNLIMITED = 1 << 60


@dataclass(frozen=True)
class MemoryUsage:
    used: int
    limit: int | None
    source: str  # "cgroup v2", "cgroup v1" or "process"


def _read_int(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except (OSError, ValueError):
        return None
    try:
        return int(text)
    except ValueError:
        return None


def _stat(path: Path, key: str) -> int:
    try:
        lines = path.read_text().splitlines()
    except (OSError, ValueError):
        return 0
    for line in lines:
        name, _, value = line.partition(" ")
        if name == key and value.strip().isdigit():
            return int(value)
    return 0


def _own_paths(proc_cgroup: Path) -> dict[str, str]:
    """``controller -> path`` from ``/proc/self/cgroup`` (``""`` is the v2 hierarchy)."""
    found: dict[str, str] = {}
    try:
        lines = proc_cgroup.read_text().splitlines()
    except (OSError, ValueError):
        return found
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        for controller in parts[1].split(",") if parts[1] else [""]:
            found[controller] = parts[2]
    return found


def _inside(root: Path, path: str) -> Path:
    return root.joinpath(*[p for p in path.split("/") if p and p != ".."])


def _v2(root: Path, path: str) -> MemoryUsage | None:
    here = _inside(root, path)
    # In a container with its own cgroup namespace, the path may not exist under the mount:
    # the mount's root is then the container's cgroup.
    if not (here / "memory.current").exists():
        here = root
    current = _read_int(here / "memory.current")
    if current is None:
        return None
    used = max(0, current - _stat(here / "memory.stat", "inactive_file"))
    limits = []
    node = here
    while True:
        value = _read_int(node / "memory.max")
        if value is not None:
            limits.append(value)
        if node == root or root not in node.parents:
            break
        node = node.parent
    return MemoryUsage(used, min(limits) if limits else None, "cgroup v2")


def _v1(root: Path, path: str) -> MemoryUsage | None:
    base = root / "memory"
    here = _inside(base, path)
    if not (here / "memory.usage_in_bytes").exists():
        here = base
    usage = _read_int(here / "memory.usage_in_bytes")
    if usage is None:
        return None
    used = max(0, usage - _stat(here / "memory.stat", "total_inactive_file"))
    candidates = [
        _read_int(here / "memory.limit_in_bytes"),
        _stat(here / "memory.stat", "hierarchical_memory_limit") or None,
    ]
    known = [c for c in candidates if c is not None and c < _V1_UNLIMITED]
    limit = min(known) if known else None
    return MemoryUsage(used, limit, "cgroup v1")


def _process_rss() -> int:
    try:
        fields = Path("/proc/self/statm").read_text().split()
        return int(fields[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        import resource
        import sys

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return int(peak if sys.platform == "darwin" else peak * 1024)


def memory_usage(
    *,
    root: Path = CGROUP_ROOT,
    proc_cgroup: Path = PROC_CGROUP,
    environ: Mapping[str, str] | None = None,
) -> MemoryUsage:
    env = os.environ if environ is None else environ
    paths = _own_paths(proc_cgroup)
    usage = None
    if (root / "cgroup.controllers").exists():
        usage = _v2(root, paths.get("", "/"))
    if usage is None and (root / "memory").is_dir():
        usage = _v1(root, paths.get("memory", "/"))
    if usage is None:
        usage = MemoryUsage(_process_rss(), None, "process")
    if usage.limit is None:
        raw = (env.get("MEM_LIMIT") or "").strip()
        if raw.isdigit() and int(raw) > 0:
            usage = MemoryUsage(usage.used, int(raw), usage.source)
    return usage


def metrics_v1(usage: MemoryUsage, warn_fraction: float = 0.9) -> dict[str, object]:
    """jupyter-resource-usage's ``/api/metrics/v1`` body: ``{"rss": used, "limits":
    {"memory": {"rss": limit, "warn": bool}}}`` (``memory`` only when there is a limit)."""
    limits: dict[str, object] = {}
    if usage.limit is not None:
        limits["memory"] = {"rss": usage.limit, "warn": usage.used >= warn_fraction * usage.limit}
    return {"rss": usage.used, "limits": limits, "source": usage.source}
