"""`carnet password` / `jupyter notebook password` / `jupyter lab password`."""

from __future__ import annotations

import getpass
import json
import os
import sys
from pathlib import Path

from carnet.config.loader import FAMILY_FILES, config_dir


def _read_passwords() -> tuple[str, str] | None:
    if sys.stdin is not None and sys.stdin.isatty():
        first = getpass.getpass("Enter password: ")
        second = getpass.getpass("Verify password: ")
        return first, second
    # Not a terminal: one line (used for both) or two lines (password, verification).
    data = sys.stdin.read() if sys.stdin is not None else ""
    lines = data.splitlines()
    if not lines:
        return None
    first = lines[0]
    second = lines[1] if len(lines) > 1 else first
    return first, second


def set_password(family: str) -> int:
    passwords = _read_passwords()
    if passwords is None or not passwords[0]:
        print("Password not set: the password is empty.", file=sys.stderr)
        return 1
    first, second = passwords
    if first != second:
        print("Password not set: the passwords do not match.", file=sys.stderr)
        return 1

    from carnet.auth.passwords import hash_password

    hashed = hash_password(first)
    directory = config_dir()
    path = directory / f"{FAMILY_FILES.get(family, 'carnet_config')}.json"
    try:
        write_hashed_password(path, hashed)
    except (OSError, ValueError) as exc:
        print(f"Password not set: {exc}", file=sys.stderr)
        return 1
    print(f"Wrote hashed password to {path}")
    return 0


def write_hashed_password(path: Path, hashed: str) -> None:
    """Merge the hash into the JSON config at ``path`` (mode 0600), keeping its other keys."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    data: dict[str, object] = {}
    if path.exists():
        try:
            loaded = json.loads(path.read_text(encoding="utf-8") or "{}")
        except ValueError as exc:
            raise ValueError(f"{path} is not valid JSON ({exc}); fix or remove it") from None
        if not isinstance(loaded, dict):
            raise ValueError(f"{path} does not hold a JSON object; fix or remove it")
        data = loaded
    section = data.get("IdentityProvider")
    section = dict(section) if isinstance(section, dict) else {}
    section["hashed_password"] = hashed
    data["IdentityProvider"] = section
    # Older hashes under other names would be overridden anyway; drop them to avoid confusion.
    for old in ("NotebookApp", "ServerApp", "LabApp", "PasswordIdentityProvider"):
        value = data.get(old)
        if isinstance(value, dict):
            value.pop("password", None)
            value.pop("hashed_password", None)
            if not value:
                del data[old]
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(path)
    path.chmod(0o600)
