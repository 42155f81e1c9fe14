"""The typed settings carnet runs with, built once from files, environment and command line."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Settings:
    """Every option of `carnet.config.options.OPTIONS`, resolved; ``origins`` says where each
    non-default value came from (a file path, ``command line`` or an environment variable)."""

    ip: str = "localhost"
    port: int = 8888
    port_retries: int = 50
    sock: str = ""
    certfile: str = ""
    keyfile: str = ""
    client_ca: str = ""
    base_url: str = "/"
    default_url: str = "/lab"
    custom_display_url: str = ""
    allow_remote_access: bool | None = None
    local_hostnames: tuple[str, ...] = ("localhost",)
    allow_origin: str = ""
    allow_origin_pat: str = ""
    allow_credentials: bool = False
    trust_xheaders: bool = False
    max_body_size: int = 536870912
    open_browser: bool = True
    browser: str = ""
    root_dir: str = ""
    preferred_dir: str = ""
    allow_hidden: bool = False
    delete_to_trash: bool = True
    always_delete_dir: bool = False
    hide_globs: tuple[str, ...] = ("__pycache__", "*.pyc", "*.pyo", ".DS_Store", "*~")
    hash_algorithm: str = "sha256"
    hashed_password: str = ""
    password_required: bool = False
    token: str | None = None
    cookie_name: str = ""
    cookie_max_age_days: float = 30.0
    cookie_secret_file: str = ""
    cookie_secret: str = ""
    disable_check_xsrf: bool = False
    login_max_failures: int = 5
    audit_log: str = ""
    allow_insecure_public: bool = False
    allow_root: bool = True
    shutdown_no_activity_timeout: int = 0
    cull_idle_timeout: int = 0
    cull_interval: int = 300
    cull_connected: bool = False
    cull_busy: bool = False
    kernel_pool_size: int = 1
    kernel_autorestart: bool = True
    gateway_url: str = ""
    gateway_ws_url: str = ""
    gateway_auth_token: str = ""
    gateway_headers: str = ""
    gateway_request_timeout: float = 42.0
    gateway_validate_cert: bool = True
    terminals_enabled: bool = True
    terminal_shell_command: tuple[str, ...] | None = None
    terminal_cull_inactive_timeout: int = 0
    terminal_cull_interval: int = 300
    document_save_delay: float = 1.0
    document_cleanup_delay: int = 60
    history_max_size: int = 200 * 1024 * 1024
    history_max_versions: int = 500
    log_level: str = "INFO"
    origins: Mapping[str, str] = field(default_factory=dict, compare=False)

    def origin(self, name: str) -> str:
        """Where the value of option ``name`` came from, for error messages."""
        return self.origins.get(name, "default")
