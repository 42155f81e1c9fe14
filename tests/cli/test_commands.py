"""The commands a user types, run as subprocesses with isolated Jupyter dirs."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from carnet.auth.passwords import verify_password
from carnet.config.options import OPTIONS
from tests.conftest import JupyterEnv, run_cli


def test_version_and_help(jupyter_env: JupyterEnv) -> None:
    from carnet import __version__

    assert run_cli(jupyter_env, "--version").stdout.strip() == __version__
    help_text = run_cli(jupyter_env, "--help").stdout
    for option in OPTIONS:
        names = option.cli or (f"--{option.primary}",)
        assert any(name in help_text for name in names), option.field
    for word in ("password", "list", "stop", "certificate", "--generate-config", "--no-browser"):
        assert word in help_text
    full = run_cli(jupyter_env, "--help-all").stdout
    assert "NotebookApp.notebook_dir" in full


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--port=abc"], "port"),
        (["--port", "abc"], "port"),
        (["--nonsense"], "--nonsense"),
        (["--ServerApp.nonsense=1"], "ServerApp.nonsense"),
        (["--certfile=/does/not/exist.pem"], "/does/not/exist.pem"),
        (["--keyfile=/x.key"], "certfile"),
        (["--root-dir=/does/not/exist"], "root_dir"),
        (["--ip"], "--ip"),
    ],
)
def test_bad_options_exit_2_with_one_clear_line(
    jupyter_env: JupyterEnv, args: list[str], needle: str
) -> None:
    result = run_cli(jupyter_env, "--no-browser", *args)
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert needle in lines[0] and "error" in lines[0]


def test_bad_value_in_config_file_names_the_file(jupyter_env: JupyterEnv) -> None:
    jupyter_env.config_dir.mkdir(parents=True)
    cfg = jupyter_env.config_dir / "jupyter_notebook_config.py"
    cfg.write_text("c.NotebookApp.port = 'abc'\n")
    result = run_cli(jupyter_env, "--no-browser", command="notebook")
    assert result.returncode == 2
    assert "NotebookApp.port" in result.stderr and str(cfg) in result.stderr


@pytest.mark.parametrize(
    ("command", "filename"),
    [
        ("notebook", "jupyter_notebook_config.py"),
        ("lab", "jupyter_lab_config.py"),
        ("carnet", "carnet_config.py"),
    ],
)
def test_generate_config(jupyter_env: JupyterEnv, command: str, filename: str) -> None:
    assert not jupyter_env.config_dir.exists()
    result = run_cli(jupyter_env, "--generate-config", command=command)
    assert result.returncode == 0, result.stderr
    path = jupyter_env.config_dir / filename
    assert f"Writing default config to: '{path}'" in result.stdout
    text = path.read_text()
    for option in OPTIONS:
        assert any(f"# c.{s}.{t} = " in text for s, t in option.names), option.field
    assert "# NotebookApp configuration" in text or "# ServerApp configuration" in text
    # Every assignment is commented out: executing the file sets nothing.
    namespace: dict[str, object] = {"get_config": dict}
    exec(compile(text, str(path), "exec"), namespace)
    assert namespace["c"] == {}
    # Not overwritten without a yes; -y overwrites.
    path.write_text("# mine\n")
    refused = run_cli(jupyter_env, "--generate-config", command=command)
    assert refused.returncode != 0 and path.read_text() == "# mine\n"
    accepted = run_cli(jupyter_env, "--generate-config", "-y", command=command)
    assert accepted.returncode == 0 and path.read_text() != "# mine\n"


@pytest.mark.parametrize(
    ("command", "filename"),
    [
        ("notebook", "jupyter_notebook_config.json"),
        ("lab", "jupyter_lab_config.json"),
        ("carnet", "carnet_config.json"),
    ],
)
def test_password_writes_hash_merged_0600(
    jupyter_env: JupyterEnv, command: str, filename: str
) -> None:
    jupyter_env.config_dir.mkdir(parents=True)
    path = jupyter_env.config_dir / filename
    path.write_text(json.dumps({"NotebookApp": {"port": 9999, "password": "sha1:old:old"}}))
    result = run_cli(jupyter_env, "password", command=command, stdin="s3cret\ns3cret\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"Wrote hashed password to {path}"
    data = json.loads(path.read_text())
    assert data["NotebookApp"] == {"port": 9999}
    hashed = data["IdentityProvider"]["hashed_password"]
    assert hashed.startswith("argon2:") and verify_password(hashed, "s3cret")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("stdin", "message"), [("a\nb\n", "do not match"), ("\n", "empty"), ("", "empty")]
)
def test_password_refused_writes_nothing(jupyter_env: JupyterEnv, stdin: str, message: str) -> None:
    result = run_cli(jupyter_env, "password", command="notebook", stdin=stdin)
    assert result.returncode != 0
    assert message in result.stderr
    assert not (jupyter_env.config_dir / "jupyter_notebook_config.json").exists()


def test_password_prompts_without_echo_on_a_tty(jupyter_env: JupyterEnv) -> None:
    import pty

    pid, fd = pty.fork()
    if pid == 0:  # child: the command on a real terminal
        os.environ.clear()
        os.environ.update(jupyter_env.env)
        os.execv(sys.executable, jupyter_env.carnet_cmd("password", command="notebook"))
    transcript = b""

    def read_until(marker: bytes) -> None:
        nonlocal transcript
        while marker not in transcript:
            chunk = os.read(fd, 1024)
            if not chunk:
                raise AssertionError(transcript)
            transcript += chunk

    read_until(b"Enter password:")
    os.write(fd, b"tty-secret\n")
    read_until(b"Verify password:")
    os.write(fd, b"tty-secret\n")
    read_until(b"Wrote hashed password")
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0
    assert b"tty-secret" not in transcript  # no echo


def test_certificate(jupyter_env: JupyterEnv, tmp_path: Path) -> None:
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    result = run_cli(
        jupyter_env, "certificate", "example.test", "127.0.0.1", f"--cert={cert}", "--key", str(key)
    )
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    from cryptography import x509

    loaded = x509.load_pem_x509_certificate(cert.read_bytes())
    san = loaded.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "example.test" in san.get_values_for_type(x509.DNSName)
    again = run_cli(jupyter_env, "certificate", f"--cert={cert}", f"--key={key}")
    assert again.returncode != 0 and "overwrite" in again.stderr


def test_jupyter_dispatcher_runs_carnet(jupyter_env: JupyterEnv) -> None:
    """`jupyter lab …` / `jupyter notebook …` find carnet's console scripts on PATH."""
    bindir = Path(sys.executable).parent
    jupyter = bindir / "jupyter"
    assert (bindir / "jupyter-lab").exists() and (bindir / "jupyter-notebook").exists()
    env = {**jupyter_env.env, "PATH": f"{bindir}{os.pathsep}{jupyter_env.env.get('PATH', '')}"}
    from carnet import __version__

    for sub in ("lab", "notebook"):
        out = subprocess.run(
            [str(jupyter), sub, "--version"], env=env, capture_output=True, text=True, timeout=60
        )
        assert out.stdout.strip() == __version__, out.stderr
    gen = subprocess.run(
        [str(jupyter), "notebook", "--generate-config"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert gen.returncode == 0, gen.stderr
    assert (jupyter_env.config_dir / "jupyter_notebook_config.py").exists()


def test_unreadable_cookie_secret_is_a_clear_error(jupyter_env: JupyterEnv, tmp_path: Path) -> None:
    result = run_cli(
        jupyter_env, "--no-browser", "--port=0", f"--ServerApp.cookie_secret_file={tmp_path}"
    )
    assert result.returncode == 2
    assert "cookie_secret_file" in result.stderr and str(tmp_path) in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
