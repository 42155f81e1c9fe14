"""Config files, environment and command line fold into Settings in Jupyter's precedence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from carnet.config.loader import (
    Assignment,
    config_files,
    environment_assignments,
    read_config_file,
    resolve,
)
from carnet.config.options import OPTIONS, OptionError
from carnet.config.settings import Settings


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def settings_from(files: list[Path], cli: list[Assignment] | None = None) -> Settings:
    return resolve([*(read_config_file(f) for f in files), cli or []])


def test_settings_fields_match_option_table() -> None:
    fields = set(Settings.__dataclass_fields__) - {"origins"}
    assert fields == {o.field for o in OPTIONS}
    defaults = Settings()
    for option in OPTIONS:
        assert getattr(defaults, option.field) == option.default, option.field


def test_guide_config_py_maps_notebookapp_and_labapp(tmp_path: Path) -> None:
    cfg = write(
        tmp_path / "jupyter_notebook_config.py",
        """
c.NotebookApp.certfile = '/c/mycert.pem'
c.NotebookApp.keyfile = '/c/mykey.key'
c.NotebookApp.ip = '*'
c.NotebookApp.open_browser = False
c.NotebookApp.port = 9999
c.LabApp.notebook_dir = '/data/notebooks'
c.NotebookApp.password = 'sha1:0e112c3ddfce:a68df677475c2b47b6e86d0467eec97ac5f4b85a'
""",
    )
    s = settings_from([cfg])
    assert (s.certfile, s.keyfile, s.ip, s.open_browser, s.port) == (
        "/c/mycert.pem",
        "/c/mykey.key",
        "",
        False,
        9999,
    )
    assert s.root_dir == "/data/notebooks"
    assert s.hashed_password.startswith("sha1:")
    assert s.origin("port") == str(cfg)


def test_json_beats_py_in_one_dir_and_family_file_is_last(tmp_path: Path) -> None:
    d = tmp_path / "cfg"
    write(d / "jupyter_notebook_config.py", "c.NotebookApp.port = 1111\n")
    write(d / "jupyter_notebook_config.json", json.dumps({"NotebookApp": {"port": 2222}}))
    write(d / "jupyter_lab_config.py", "c.ServerApp.port = 3333\n")
    lab = config_files("lab", [d])
    assert [p.name for p in lab] == [
        "jupyter_notebook_config.py",
        "jupyter_notebook_config.json",
        "jupyter_lab_config.py",
    ]
    assert settings_from(lab).port == 3333
    notebook = config_files("notebook", [d])
    assert notebook[-1].name == "jupyter_notebook_config.json"
    assert settings_from(notebook).port == 2222


def test_higher_priority_dir_wins(tmp_path: Path) -> None:
    user, system = tmp_path / "user", tmp_path / "system"
    write(
        system / "jupyter_server_config.json",
        json.dumps({"ServerApp": {"port": 1, "ip": "0.0.0.0"}}),
    )
    write(user / "jupyter_server_config.json", json.dumps({"ServerApp": {"port": 2}}))
    s = settings_from(config_files("carnet", [user, system]))
    assert (s.port, s.ip) == (2, "0.0.0.0")


def test_same_file_section_priority(tmp_path: Path) -> None:
    cfg = write(
        tmp_path / "carnet_config.py",
        "c.NotebookApp.port = 1\nc.ServerApp.port = 2\nc.CarnetApp.port = 3\n",
    )
    assert settings_from([cfg]).port == 3


def test_password_sources_in_precedence(tmp_path: Path) -> None:
    cfg = write(
        tmp_path / "jupyter_server_config.json",
        json.dumps(
            {
                "NotebookApp": {"password": "sha1:a:b"},
                "ServerApp": {"password": "sha1:c:d"},
                "IdentityProvider": {"hashed_password": "sha1:e:f"},
                "PasswordIdentityProvider": {"hashed_password": "argon2:x"},
            }
        ),
    )
    assert settings_from([cfg]).hashed_password == "argon2:x"


def test_command_line_overrides_files(tmp_path: Path) -> None:
    cfg = write(tmp_path / "jupyter_server_config.py", "c.ServerApp.port = 1111\n")
    cli = [Assignment("ServerApp", "port", "4444", "command line --port")]
    s = settings_from([cfg], cli)
    assert s.port == 4444
    assert s.origin("port") == "command line --port"


def test_bad_value_names_option_and_origin(tmp_path: Path) -> None:
    cfg = write(tmp_path / "jupyter_server_config.py", "c.ServerApp.port = 'abc'\n")
    with pytest.raises(OptionError) as info:
        settings_from([cfg])
    message = str(info.value)
    assert "ServerApp.port" in message and str(cfg) in message and "\n" not in message


def test_unknown_owned_option_is_an_error_foreign_section_is_not(tmp_path: Path) -> None:
    cfg = write(
        tmp_path / "jupyter_server_config.py",
        "c.InlineBackend.figure_format = 'svg'\nc.NotebookApp.prot = 9999\n",
    )
    with pytest.raises(OptionError, match=r"NotebookApp\.prot: unknown option"):
        settings_from([cfg])


def test_known_jupyter_trait_is_ignored_with_warning(tmp_path: Path) -> None:
    cfg = write(
        tmp_path / "jupyter_server_config.json",
        json.dumps({"ServerApp": {"jpserver_extensions": {"x": True}}}),
    )
    warnings: list[str] = []
    resolve([read_config_file(cfg)], warnings)
    assert any("jpserver_extensions" in w for w in warnings)


def test_python_config_error_is_reported(tmp_path: Path) -> None:
    cfg = write(tmp_path / "jupyter_server_config.py", "c.ServerApp.port = 1/0\n")
    with pytest.raises(OptionError, match="ZeroDivisionError"):
        read_config_file(cfg)


@pytest.mark.parametrize("text", ["{", "[1, 2]", "\x00"])
def test_malformed_json_config(tmp_path: Path, text: str) -> None:
    cfg = write(tmp_path / "jupyter_server_config.json", text)
    with pytest.raises(OptionError, match=str(cfg).replace("\\", "\\\\")):
        read_config_file(cfg)


def test_environment(tmp_path: Path) -> None:
    token_file = write(tmp_path / "tok", "secret-token\n")
    found = environment_assignments({"JUPYTER_PORT": "7777", "JUPYTER_TOKEN_FILE": str(token_file)})
    s = resolve([found])
    assert s.port == 7777 and s.token == "secret-token"
    assert resolve([environment_assignments({"JUPYTER_TOKEN": "t"})]).token == "t"


@pytest.mark.parametrize(
    ("field", "raw", "expected"),
    [
        ("ip", "*", ""),
        ("base_url", "carnet", "/carnet/"),
        ("base_url", "/", "/"),
        ("open_browser", "False", False),
        ("open_browser", "yes", True),
        ("local_hostnames", "['a', 'b']", ("a", "b")),
        ("local_hostnames", "a,b", ("a", "b")),
        ("cookie_max_age_days", "1.5", 1.5),
    ],
)
def test_parsers(field: str, raw: str, expected: object) -> None:
    option = next(o for o in OPTIONS if o.field == field)
    assert option.parse(raw) == expected


@pytest.mark.parametrize(
    ("field", "raw"),
    [
        ("port", "abc"),
        ("port", "70000"),
        ("port", True),
        ("open_browser", "maybe"),
        ("base_url", "http://x/"),
        ("default_url", "//evil"),
        ("port_retries", "-1"),
    ],
)
def test_parsers_refuse(field: str, raw: object) -> None:
    option = next(o for o in OPTIONS if o.field == field)
    with pytest.raises(ValueError):
        option.parse(raw)


def test_env_token_wins_over_file_and_empty_env_counts_as_unset(tmp_path: Path) -> None:
    token_file = write(tmp_path / "token", "  from-file\n")
    both = {"JUPYTER_TOKEN": "from-env", "JUPYTER_TOKEN_FILE": str(token_file)}
    assert resolve([environment_assignments(both)]).token == "from-env"
    empty = {"JUPYTER_TOKEN": "", "JUPYTER_TOKEN_FILE": str(token_file)}
    assert resolve([environment_assignments(empty)]).token == "from-file"
    assert resolve([environment_assignments({"JUPYTER_TOKEN": ""})]).token is None
    assert resolve([environment_assignments({"JUPYTER_PORT": ""})]).port == 8888


@pytest.mark.parametrize("content", ["", "\n", "   \t\n"])
def test_empty_token_file_is_an_error_not_an_open_door(tmp_path: Path, content: str) -> None:
    token_file = write(tmp_path / "token", content)
    with pytest.raises(OptionError, match="is empty"):
        environment_assignments({"JUPYTER_TOKEN_FILE": str(token_file)})


@pytest.mark.parametrize("name", ["missing", "."])
def test_unreadable_token_file_is_a_clear_error(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    with pytest.raises(OptionError, match="JUPYTER_TOKEN_FILE") as info:
        environment_assignments({"JUPYTER_TOKEN_FILE": str(path)})
    assert str(path) in str(info.value)


def test_binary_token_file_is_a_clear_error(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(OptionError, match="not UTF-8"):
        environment_assignments({"JUPYTER_TOKEN_FILE": str(token_file)})


def test_kernel_options_from_jupyter_sections(tmp_path: Path) -> None:
    cfg = write(
        tmp_path / "jupyter_server_config.json",
        '{"KernelManager": {"autorestart": false}, "MappingKernelManager": {"cull_interval": 5},'
        ' "CarnetApp": {"kernel_pool_size": 2}}',
    )
    s = settings_from([cfg])
    assert (s.kernel_autorestart, s.cull_interval, s.kernel_pool_size) == (False, 5, 2)
