"""`carnet plugin list|enable|disable NAME`, run as a user would, with isolated Jupyter dirs."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import JupyterEnv, run_cli
from tests.plugins.helpers import add_plugin, fake_dist, pythonpath

HELLO = "export function activate(app) {}\n"


def test_list_without_plugins(jupyter_env: JupyterEnv) -> None:
    done = run_cli(jupyter_env, "plugin", "list")
    assert done.returncode == 0, done.stderr
    assert "No plugins" in done.stdout
    assert str(jupyter_env.data_dir / "carnet" / "plugins") in done.stdout
    # `carnet plugin` alone lists too.
    assert run_cli(jupyter_env, "plugin").stdout == done.stdout


def test_disable_and_enable(jupyter_env: JupyterEnv) -> None:
    add_plugin(jupyter_env, "word-count", HELLO)
    add_plugin(jupyter_env, "panel", HELLO, folder=True)
    listed = run_cli(jupyter_env, "plugin", "list").stdout
    assert "word-count" in listed and "panel" in listed
    assert listed.count("enabled") == 2

    done = run_cli(jupyter_env, "plugin", "disable", "word-count")
    assert done.returncode == 0, done.stderr
    assert "word-count: disabled" in done.stdout
    state = json.loads((jupyter_env.data_dir / "carnet" / "plugins.json").read_text())
    assert state == {"disabled": ["word-count"]}
    assert "already disabled" in run_cli(jupyter_env, "plugin", "disable", "word-count").stdout
    as_json = json.loads(run_cli(jupyter_env, "plugin", "list", "--json").stdout)
    enabled = {p["name"]: p["enabled"] for p in as_json["plugins"]}
    assert enabled == {"panel": True, "word-count": False}

    assert "word-count: enabled" in run_cli(jupyter_env, "plugin", "enable", "word-count").stdout
    state = json.loads((jupyter_env.data_dir / "carnet" / "plugins.json").read_text())
    assert state == {"disabled": []}


def test_unknown_plugin_and_usage_errors(jupyter_env: JupyterEnv) -> None:
    add_plugin(jupyter_env, "known", HELLO)
    unknown = run_cli(jupyter_env, "plugin", "disable", "nope")
    assert unknown.returncode == 1
    assert "no plugin named 'nope'" in unknown.stdout and "known" in unknown.stdout
    assert not (jupyter_env.data_dir / "carnet" / "plugins.json").exists()
    for args in (("plugin", "disable"), ("plugin", "frobnicate"), ("plugin", "enable", "a", "b")):
        done = run_cli(jupyter_env, *args)
        assert done.returncode == 2, args
        assert "usage: carnet plugin" in done.stderr


def test_lists_packages_and_their_errors(jupyter_env: JupyterEnv, tmp_path: Path) -> None:
    site = fake_dist(
        tmp_path / "site",
        "carnet-demo",
        {
            "carnet.plugins": {"broken": "no_such_module:plugin"},
            "carnet.server_extensions": {"srv": "srv_ext:setup"},
        },
        {"srv_ext.py": "def setup(api):\n    pass\n"},
    )
    jupyter_env.env.update(pythonpath(site))
    done = run_cli(jupyter_env, "plugin", "list")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    broken = next(i for i, line in enumerate(lines) if line.startswith("broken"))
    assert "package, 1.2.3" in lines[broken]
    assert "error: cannot import no_such_module:plugin" in lines[broken + 1]
    srv = next(line for line in lines if line.startswith("srv"))
    assert "server-extension, 1.2.3, server" in srv
    # A disabled package plugin can be enabled again even while it fails to import.
    assert run_cli(jupyter_env, "plugin", "disable", "broken").returncode == 0
    assert run_cli(jupyter_env, "plugin", "enable", "broken").returncode == 0


def test_help_mentions_plugin(jupyter_env: JupyterEnv) -> None:
    assert "plugin list|enable NAME|disable NAME" in run_cli(jupyter_env, "--help").stdout
