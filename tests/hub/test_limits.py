"""Limits that fit a hub: memory used / limit from the cgroup (API and status bar), and idle
kernels and servers culled in single-user mode so the hub sees the server go."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from carnet.hub.memory import memory_usage, metrics_v1
from tests.conftest import CarnetServer
from tests.hub.conftest import Hub, poll

GiB = 1 << 30


def _tree(tmp: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp


def test_cgroup_v2_working_set_and_nearest_limit(tmp_path: Path) -> None:
    root = _tree(
        tmp_path / "cg",
        {
            "cgroup.controllers": "memory pids\n",
            "memory.max": "max\n",
            "kubepods/memory.max": f"{2 * GiB}\n",
            "kubepods/pod1/memory.max": "max\n",
            "kubepods/pod1/memory.current": f"{GiB}\n",
            "kubepods/pod1/memory.stat": f"anon 1\ninactive_file {256 << 20}\nactive_file 5\n",
        },
    )
    proc = _tree(tmp_path / "proc", {"cgroup": "0::/kubepods/pod1\n"}) / "cgroup"
    usage = memory_usage(root=root, proc_cgroup=proc, environ={"MEM_LIMIT": "999"})
    assert (usage.used, usage.limit, usage.source) == (GiB - (256 << 20), 2 * GiB, "cgroup v2")
    body = metrics_v1(usage)
    assert body["rss"] == usage.used
    assert body["limits"] == {"memory": {"rss": 2 * GiB, "warn": False}}
    # Near the limit: warn.
    assert metrics_v1(usage, warn_fraction=0.3)["limits"]["memory"]["warn"] is True  # type: ignore[index]


def test_cgroup_v2_namespace_root_without_limit_uses_mem_limit(tmp_path: Path) -> None:
    # Inside a container the cgroup path of /proc is not under the mount: its root is ours.
    root = _tree(
        tmp_path / "cg",
        {"cgroup.controllers": "memory\n", "memory.current": "1000\n", "memory.max": "max\n"},
    )
    proc = _tree(tmp_path / "proc", {"cgroup": "0::/../elsewhere\n"}) / "cgroup"
    usage = memory_usage(root=root, proc_cgroup=proc, environ={"MEM_LIMIT": "4096"})
    assert (usage.used, usage.limit) == (1000, 4096)
    assert memory_usage(root=root, proc_cgroup=proc, environ={}).limit is None


def test_cgroup_v1_limit_and_hierarchy(tmp_path: Path) -> None:
    root = _tree(
        tmp_path / "cg",
        {
            "memory/docker/abc/memory.usage_in_bytes": "5000\n",
            "memory/docker/abc/memory.limit_in_bytes": "9223372036854771712\n",
            "memory/docker/abc/memory.stat": "total_inactive_file 1000\n"
            "hierarchical_memory_limit 8000\n",
        },
    )
    proc = _tree(tmp_path / "proc", {"cgroup": "4:memory:/docker/abc\n1:cpu:/\n"}) / "cgroup"
    usage = memory_usage(root=root, proc_cgroup=proc, environ={})
    assert (usage.used, usage.limit, usage.source) == (4000, 8000, "cgroup v1")


def test_no_cgroup_reports_the_process(tmp_path: Path) -> None:
    usage = memory_usage(root=tmp_path / "none", proc_cgroup=tmp_path / "none", environ={})
    assert usage.source == "process" and usage.used > 0 and usage.limit is None


def test_metrics_api_is_not_activity(server: CarnetServer) -> None:
    with server.client() as client:
        before = client.get("api/status").json()["last_activity"]
        reply = client.get("api/metrics/v1")
        assert reply.status_code == 200
        body = reply.json()
        assert isinstance(body["rss"], int) and body["rss"] > 0
        assert isinstance(body["limits"], dict)
        expected = memory_usage(environ={})
        if expected.limit is not None:
            assert body["limits"]["memory"]["rss"] == expected.limit
        # Status-bar polling must not keep an idle server alive.
        assert client.get("api/status").json()["last_activity"] == before
    assert httpx.get(server.url("api/metrics/v1")).status_code == 403


@pytest.mark.hub
def test_idle_kernels_and_server_are_culled_under_the_hub(hub: Hub) -> None:
    hub.start_server("carol")
    token = hub.token_for("carol")
    headers = {"Authorization": f"token {token}"}
    base = hub.url + "user/carol/"
    created = httpx.post(
        base + "api/kernels", json={"name": "python3"}, headers=headers, timeout=60
    )
    assert created.status_code == 201, created.text
    poll(
        lambda: httpx.get(base + "api/kernels", headers=headers, timeout=30).json() == [],
        "carol's idle kernel to be culled",
        timeout=60,
    )
    # No more requests to carol's server: it stops itself, and the hub sees it go.
    poll(
        lambda: "" not in hub.user_model("carol")["servers"],
        "carol's idle server to stop and the hub to notice",
        timeout=90,
    )
