"""Every option carnet understands, declared once as data.

The table drives everything that deals with configuration: loading files (which sections and
trait names set which option), the command line (`--ip`, `--Section.option=value`), `--help`,
`--generate-config` and validation messages. A Jupyter config file keeps working because each
option lists every section and trait name Jupyter has used for it (`NotebookApp.notebook_dir`,
`ServerApp.root_dir`, `LabApp.notebook_dir`, ...).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Sections that configure the server itself; a value may come from any of them.
SERVER_SECTIONS = ("CarnetApp", "ServerApp", "NotebookApp", "LabApp")
IDENTITY_SECTIONS = ("PasswordIdentityProvider", "IdentityProvider")
CONTENTS_SECTIONS = ("FileContentsManager", "ContentsManager")
KERNEL_SECTIONS = ("MappingKernelManager", "AsyncMappingKernelManager")

# The sections carnet owns: an unknown trait here is an error unless it is a Jupyter trait
# carnet deliberately ignores (listed in IGNORED_TRAITS).
OWNED_SECTIONS = (*SERVER_SECTIONS, *IDENTITY_SECTIONS, *CONTENTS_SECTIONS)


class OptionError(ValueError):
    """A bad option name or value; the message is one line naming the option and its origin."""


def _parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
    raise ValueError("expected true or false")


def _parse_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("expected an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip(), 10)
        except ValueError:
            pass
    raise ValueError("expected an integer")


def _parse_port(value: Any) -> int:
    port = _parse_int(value)
    if not 0 <= port <= 65535:
        raise ValueError("expected a port number between 0 and 65535")
    return port


def _parse_nonneg_int(value: Any) -> int:
    number = _parse_int(value)
    if number < 0:
        raise ValueError("expected an integer >= 0")
    return number


def _parse_float(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("expected a number")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            pass
    raise ValueError("expected a number")


def _parse_str(value: Any) -> str:
    if isinstance(value, str):
        return value
    raise ValueError("expected a string")


def _parse_str_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = ast.literal_eval(text)
            except (ValueError, SyntaxError):
                raise ValueError("expected a list of strings") from None
        else:
            return tuple(part.strip() for part in text.split(",") if part.strip())
    if isinstance(value, list | tuple | set) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ValueError("expected a list of strings")


def _parse_ip(value: Any) -> str:
    ip = _parse_str(value).strip()
    # Jupyter writes '*' for "all interfaces"; '' means the same.
    return "" if ip == "*" else ip


def _parse_base_url(value: Any) -> str:
    url = _parse_str(value).strip()
    if "://" in url or "?" in url or "#" in url or "\\" in url:
        raise ValueError("expected a URL path such as /carnet/")
    url = "/" + url.strip("/")
    return url if url == "/" else url + "/"


def _parse_default_url(value: Any) -> str:
    url = _parse_str(value).strip()
    if not url.startswith("/") or url.startswith("//") or "://" in url:
        raise ValueError("expected a path on this server such as /lab")
    return url


def _parse_terminado_settings(value: Any) -> tuple[str, ...] | None:
    """Jupyter's ``terminado_settings`` dict; only ``shell_command`` (a list, or a string split
    as a shell would) is used. None or no ``shell_command``: the default shell."""
    if isinstance(value, str):
        try:
            value = ast.literal_eval(value.strip() or "None")
        except (ValueError, SyntaxError):
            raise ValueError("expected a dict such as {'shell_command': ['bash']}") from None
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError("expected a dict such as {'shell_command': ['bash']}")
    command = value.get("shell_command")
    if command is None:
        return None
    if isinstance(command, str):
        import shlex

        try:
            command = shlex.split(command)
        except ValueError as exc:
            raise ValueError(f"shell_command: {exc}") from None
    if not isinstance(command, list | tuple) or not all(isinstance(c, str) for c in command):
        raise ValueError("shell_command must be a list of strings or a string")
    if not command or not command[0]:
        raise ValueError("shell_command must not be empty")
    return tuple(command)


PARSERS: dict[str, Callable[[Any], Any]] = {
    "bool": _parse_bool,
    "int": _parse_int,
    "port": _parse_port,
    "count": _parse_nonneg_int,
    "float": _parse_float,
    "str": _parse_str,
    "list": _parse_str_list,
    "ip": _parse_ip,
    "base_url": _parse_base_url,
    "default_url": _parse_default_url,
    "terminado_settings": _parse_terminado_settings,
}


@dataclass(frozen=True)
class Option:
    """One setting: its field on `Settings`, where it may be set, how to parse it, and its help.

    ``names`` are `Section.trait` pairs in priority order within one file: when a file sets the
    same option under two names, the earlier name wins (`CarnetApp.port` over `NotebookApp.port`).
    """

    field: str
    kind: str
    default: Any
    help: str
    names: tuple[tuple[str, str], ...]
    cli: tuple[str, ...] = ()
    env: str | None = None
    deprecated_names: tuple[tuple[str, str], ...] = ()

    @property
    def primary(self) -> str:
        section, trait = self.names[0]
        return f"{section}.{trait}"

    def parse(self, value: Any) -> Any:
        return PARSERS[self.kind](value)


def _server(trait: str, *sections: str) -> tuple[tuple[str, str], ...]:
    return tuple((section, trait) for section in (sections or SERVER_SECTIONS))


OPTIONS: tuple[Option, ...] = (
    # -- network ------------------------------------------------------------------------------
    Option(
        "ip",
        "ip",
        "localhost",
        "The address to listen on. 'localhost' (the default) is reachable only from this "
        "machine; '*' or '' means every IPv4 and IPv6 interface.",
        _server("ip"),
        cli=("--ip",),
    ),
    Option(
        "port",
        "port",
        8888,
        "The port to listen on (environment: JUPYTER_PORT).",
        _server("port"),
        cli=("--port",),
        env="JUPYTER_PORT",
    ),
    Option(
        "port_retries",
        "count",
        50,
        "How many following ports to try when the port is busy (0: fail if busy).",
        _server("port_retries"),
        cli=("--port-retries",),
        env="JUPYTER_PORT_RETRIES",
    ),
    Option(
        "sock",
        "str",
        "",
        "Listen on this UNIX socket path instead of a TCP port.",
        _server("sock"),
        cli=("--sock",),
    ),
    Option(
        "certfile",
        "str",
        "",
        "TLS certificate file (PEM). With keyfile, carnet serves HTTPS only.",
        _server("certfile"),
        cli=("--certfile",),
    ),
    Option(
        "keyfile",
        "str",
        "",
        "TLS private key file (PEM) matching certfile.",
        _server("keyfile"),
        cli=("--keyfile",),
    ),
    Option(
        "client_ca",
        "str",
        "",
        "CA certificate file: when set, clients must present a certificate it signed (mutual TLS).",
        _server("client_ca"),
        cli=("--client-ca",),
    ),
    Option(
        "base_url",
        "base_url",
        "/",
        "The URL prefix carnet serves under, e.g. /carnet/ behind a reverse proxy.",
        _server("base_url"),
        cli=("--base-url",),
    ),
    Option("default_url", "default_url", "/lab", "Where / redirects to.", _server("default_url")),
    Option(
        "custom_display_url",
        "str",
        "",
        "The URL shown at start instead of the computed one (the token is still appended).",
        _server("custom_display_url"),
    ),
    Option(
        "allow_remote_access",
        "bool",
        None,
        "Accept requests whose Host header is not a local name. Defaults to False when "
        "listening on a loopback address (protection against DNS rebinding), True otherwise.",
        _server("allow_remote_access"),
    ),
    Option(
        "local_hostnames",
        "list",
        ("localhost",),
        "Host names accepted as local when allow_remote_access is False.",
        _server("local_hostnames"),
    ),
    Option(
        "allow_origin",
        "str",
        "",
        "Origin allowed for cross-origin requests ('*' allows any). Empty: same origin only.",
        _server("allow_origin"),
    ),
    Option(
        "allow_origin_pat",
        "str",
        "",
        "Regular expression of allowed origins, used when allow_origin is empty.",
        _server("allow_origin_pat"),
    ),
    Option(
        "allow_credentials",
        "bool",
        False,
        "Send Access-Control-Allow-Credentials on allowed cross-origin requests.",
        _server("allow_credentials"),
    ),
    Option(
        "trust_xheaders",
        "bool",
        False,
        "Trust X-Forwarded-For/-Proto and X-Real-Ip from a reverse proxy.",
        _server("trust_xheaders"),
    ),
    Option(
        "max_body_size",
        "count",
        536870912,
        "The largest request body accepted, in bytes (larger uploads are sent in chunks).",
        _server("max_body_size"),
    ),
    # -- browser ------------------------------------------------------------------------------
    Option(
        "open_browser",
        "bool",
        True,
        "Open a web browser at start. Never done as root or without a display.",
        _server("open_browser"),
    ),
    Option(
        "browser",
        "str",
        "",
        "The browser command to open (see the webbrowser module); empty: the default one.",
        _server("browser"),
        cli=("--browser",),
    ),
    # -- files --------------------------------------------------------------------------------
    Option(
        "root_dir",
        "str",
        "",
        "The directory carnet serves (default: the current directory).",
        (*_server("root_dir"), *_server("notebook_dir")),
        cli=("--root-dir", "--notebook-dir"),
    ),
    Option(
        "preferred_dir",
        "str",
        "",
        "The directory the file browser opens first, relative to root_dir.",
        (*_server("preferred_dir"), *((s, "preferred_dir") for s in CONTENTS_SECTIONS)),
        cli=("--preferred-dir",),
    ),
    Option(
        "allow_hidden",
        "bool",
        False,
        "Show and serve hidden files (names starting with '.').",
        (*((s, "allow_hidden") for s in CONTENTS_SECTIONS), *_server("allow_hidden")),
    ),
    Option(
        "delete_to_trash",
        "bool",
        True,
        "Move deleted files to the system trash instead of removing them.",
        (*((s, "delete_to_trash") for s in CONTENTS_SECTIONS), *_server("delete_to_trash")),
    ),
    Option(
        "always_delete_dir",
        "bool",
        False,
        "Delete non-empty directories even when the trash is off.",
        tuple((s, "always_delete_dir") for s in CONTENTS_SECTIONS),
    ),
    Option(
        "hide_globs",
        "list",
        ("__pycache__", "*.pyc", "*.pyo", ".DS_Store", "*~"),
        "File name patterns never listed.",
        tuple((s, "hide_globs") for s in CONTENTS_SECTIONS),
    ),
    Option(
        "hash_algorithm",
        "str",
        "sha256",
        "hashlib algorithm for content hashes (GET ?hash=1).",
        tuple((s, "hash_algorithm") for s in CONTENTS_SECTIONS),
    ),
    # -- authentication -----------------------------------------------------------------------
    Option(
        "hashed_password",
        "str",
        "",
        "The hashed password (argon2:, sha1: or sha256: as written by `jupyter notebook "
        "password`). Set it with `carnet password`.",
        (
            ("PasswordIdentityProvider", "hashed_password"),
            ("IdentityProvider", "hashed_password"),
            *_server("password"),
        ),
    ),
    Option(
        "password_required",
        "bool",
        False,
        "Refuse to start without a password.",
        (("PasswordIdentityProvider", "password_required"), *_server("password_required")),
    ),
    Option(
        "token",
        "str",
        None,
        "The token that grants access (environment: JUPYTER_TOKEN or JUPYTER_TOKEN_FILE). "
        "Default: a random one, unless a password is set. An empty string disables "
        "authentication (only with allow_insecure_public on a public address).",
        (("IdentityProvider", "token"), *_server("token")),
        env="JUPYTER_TOKEN",
    ),
    Option(
        "cookie_name",
        "str",
        "",
        "Name of the login cookie (default: username-<host>-<port>).",
        (("IdentityProvider", "cookie_name"),),
    ),
    Option(
        "cookie_max_age_days",
        "float",
        30.0,
        "How long a login lasts, in days.",
        (("CarnetApp", "cookie_max_age_days"),),
    ),
    Option(
        "cookie_secret_file",
        "str",
        "",
        "File holding the secret that signs login cookies (default: "
        "<runtime dir>/jupyter_cookie_secret).",
        _server("cookie_secret_file"),
    ),
    Option(
        "cookie_secret",
        "str",
        "",
        "The secret that signs login cookies, as text; prefer cookie_secret_file.",
        _server("cookie_secret"),
    ),
    Option(
        "disable_check_xsrf",
        "bool",
        False,
        "Do not require the XSRF token on cookie-authenticated writes (unsafe).",
        _server("disable_check_xsrf"),
    ),
    Option(
        "login_max_failures",
        "count",
        5,
        "Failed logins from one address before it must wait (doubling each time).",
        (("CarnetApp", "login_max_failures"),),
    ),
    Option(
        "audit_log",
        "str",
        "",
        "Where the audit log (JSON lines) goes; default: carnet-audit.log in the runtime dir.",
        (("CarnetApp", "audit_log"),),
        cli=("--audit-log",),
    ),
    Option(
        "allow_insecure_public",
        "bool",
        False,
        "Allow listening on a public address without TLS or without a password/token.",
        (("CarnetApp", "allow_insecure_public"),),
    ),
    Option(
        "allow_root",
        "bool",
        True,
        "Allow running as root (carnet warns instead of refusing: containers and CI run as root).",
        _server("allow_root"),
    ),
    # -- lifecycle ----------------------------------------------------------------------------
    Option(
        "shutdown_no_activity_timeout",
        "count",
        0,
        "Stop the server after this many seconds with no requests, kernels or terminals "
        "(0: never).",
        _server("shutdown_no_activity_timeout"),
    ),
    Option(
        "cull_idle_timeout",
        "count",
        0,
        "Shut down kernels idle for this many seconds (0: never).",
        tuple((s, "cull_idle_timeout") for s in KERNEL_SECTIONS),
    ),
    Option(
        "cull_interval",
        "count",
        300,
        "How often, in seconds, to look for idle kernels.",
        tuple((s, "cull_interval") for s in KERNEL_SECTIONS),
    ),
    Option(
        "cull_connected",
        "bool",
        False,
        "Also cull idle kernels that have a client connected.",
        tuple((s, "cull_connected") for s in KERNEL_SECTIONS),
    ),
    Option(
        "cull_busy",
        "bool",
        False,
        "Also cull kernels that are busy.",
        tuple((s, "cull_busy") for s in KERNEL_SECTIONS),
    ),
    Option(
        "kernel_pool_size",
        "count",
        1,
        "Kernels of the default kernelspec kept started and ready (0: off).",
        (("CarnetApp", "kernel_pool_size"),),
    ),
    Option(
        "kernel_autorestart",
        "bool",
        True,
        "Restart a kernel that dies on its own (crash, out of memory), with a notice to clients.",
        (("CarnetApp", "kernel_autorestart"), ("KernelManager", "autorestart")),
    ),
    # -- remote kernels (a Kernel Gateway or Enterprise Gateway) -------------------------------
    Option(
        "gateway_url",
        "str",
        "",
        "Run kernels on this Jupyter Kernel Gateway or Enterprise Gateway (http(s)://host:port) "
        "instead of locally: kernelspecs, kernels and their websockets go there.",
        (("GatewayClient", "url"),),
        cli=("--gateway-url",),
        env="JUPYTER_GATEWAY_URL",
    ),
    Option(
        "gateway_ws_url",
        "str",
        "",
        "The gateway's websocket URL (default: gateway_url with ws(s)://).",
        (("GatewayClient", "ws_url"),),
        env="JUPYTER_GATEWAY_WS_URL",
    ),
    Option(
        "gateway_auth_token",
        "str",
        "",
        "Token sent to the gateway as `Authorization: token <auth_token>`.",
        (("GatewayClient", "auth_token"),),
        env="JUPYTER_GATEWAY_AUTH_TOKEN",
    ),
    Option(
        "gateway_headers",
        "str",
        "",
        "Extra headers for every gateway request, as a JSON object.",
        (("GatewayClient", "headers"),),
        env="JUPYTER_GATEWAY_HEADERS",
    ),
    Option(
        "gateway_request_timeout",
        "float",
        42.0,
        "Seconds to wait for a gateway request (kernel starts included).",
        (("GatewayClient", "request_timeout"),),
        env="JUPYTER_GATEWAY_REQUEST_TIMEOUT",
    ),
    Option(
        "gateway_validate_cert",
        "bool",
        True,
        "Check the gateway's TLS certificate.",
        (("GatewayClient", "validate_cert"),),
        env="JUPYTER_GATEWAY_VALIDATE_CERT",
    ),
    # -- terminals ----------------------------------------------------------------------------
    Option(
        "terminals_enabled",
        "bool",
        True,
        "Offer terminals (/api/terminals). False: no terminal can be started and the API answers "
        "404.",
        _server("terminals_enabled"),
    ),
    Option(
        "terminal_shell_command",
        "terminado_settings",
        None,
        "Terminal settings, as Jupyter's dict: {'shell_command': ['bash', '-l']} (a list, or a "
        "string split like a shell would). Without shell_command, terminals run $SHELL (as a "
        "login shell when carnet does not run in a terminal), else sh.",
        _server("terminado_settings"),
    ),
    Option(
        "terminal_cull_inactive_timeout",
        "count",
        0,
        "Stop terminals with no input or output for this many seconds (0: never).",
        (("TerminalManager", "cull_inactive_timeout"),),
    ),
    Option(
        "terminal_cull_interval",
        "count",
        300,
        "How often, in seconds, to look for inactive terminals.",
        (("TerminalManager", "cull_interval"),),
    ),
    Option(
        "document_save_delay",
        "float",
        1.0,
        "Seconds after the last change before an open document is saved (at least every "
        "ten times that while changes keep coming).",
        (("YDocExtension", "document_save_delay"),),
    ),
    Option(
        "document_cleanup_delay",
        "count",
        60,
        "Seconds an open document stays loaded once no client and no execution uses it.",
        (("YDocExtension", "document_cleanup_delay"),),
    ),
    Option(
        "history_max_size",
        "count",
        200 * 1024 * 1024,
        "Bytes the notebook history (every saved version, compressed, in "
        "<data dir>/carnet/history.sqlite3) may take; the oldest versions go first. "
        "0 turns the history off.",
        (("HistoryManager", "max_size"),),
    ),
    Option(
        "history_max_versions",
        "count",
        500,
        "Versions kept per notebook in the history (the oldest go first; 0: no limit).",
        (("HistoryManager", "max_versions"),),
    ),
    Option(
        "log_level",
        "str",
        "INFO",
        "Logging level: DEBUG, INFO, WARNING, ERROR or CRITICAL.",
        (("CarnetApp", "log_level"), ("Application", "log_level"), *_server("log_level")),
        cli=("--log-level",),
    ),
)

# Jupyter traits of the owned sections that carnet accepts and ignores, so that existing
# config files keep working. Anything else in those sections is reported as an error.
IGNORED_TRAITS = frozenset(
    {
        "jpserver_extensions",
        "nbserver_extensions",
        "extra_static_paths",
        "extra_template_paths",
        "kernel_manager_class",
        "contents_manager_class",
        "session_manager_class",
        "kernel_spec_manager_class",
        "config_manager_class",
        "login_handler_class",
        "logout_handler_class",
        "identity_provider_class",
        "authorizer_class",
        "tornado_settings",
        "webapp_settings",
        "ssl_options",
        "use_redirect_file",
        "webbrowser_open_new",
        "quit_button",
        "autoreload",
        "debug",
        "log_format",
        "log_datefmt",
        "show_banner",
        "iopub_msg_rate_limit",
        "iopub_data_rate_limit",
        "rate_limit_window",
        "limit_rate",
        "kernel_ws_protocol",
        "websocket_url",
        "allow_password_change",
        "use_atomic_writing",
        "pre_save_hook",
        "post_save_hook",
        "checkpoints_class",
        "untitled_notebook",
        "untitled_file",
        "untitled_directory",
        "max_buffer_size",
        "extra_services",
        "mathjax_url",
        "enable_mathjax",
        "collaborative",
        "expose_app_in_browser",
        "app_dir",
        "user_settings_dir",
        "workspaces_dir",
        "dev_mode",
        "watch",
        "core_mode",
        "default_url_params",
        "allow_unauthenticated_access",
        "authenticate_prometheus",
        "extra_log_scrub_param_keys",
        "get_secure_cookie_kwargs",
        "cookie_options",
        "secure_cookie",
        "updatable_fields",
        "local_hostnames_extra",
        "answer_yes",
        "generate_config",
        "config_file",
        "config_file_name",
        "sock_mode",
        "file_to_run",
        "notebook_manager_class",
        "min_open_files_limit",
        "reraise_server_extension_failures",
        "max_copy_folder_size_mb",
        "preferred_dir_extra",
        "shutdown_button",
        "transport",
        "kernel_spec_manager",
        "custom_display_url_extra",
        "password_extra",
    }
)

BY_FIELD: dict[str, Option] = {option.field: option for option in OPTIONS}
BY_NAME: dict[tuple[str, str], Option] = {
    name: option for option in OPTIONS for name in option.names
}
BY_CLI: dict[str, Option] = {flag: option for option in OPTIONS for flag in option.cli}


def lookup(section: str, trait: str) -> Option | None:
    return BY_NAME.get((section, trait))


def name_rank(option: Option, section: str, trait: str) -> int:
    """Position of `Section.trait` among the option's names: lower wins within one source."""
    return option.names.index((section, trait))
