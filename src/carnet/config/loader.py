"""Read Jupyter config files, environment and command line into `Settings`.

Precedence, lowest first (as Jupyter's): system dirs, env dir (`{sys.prefix}/etc/jupyter`), user
dirs, `JUPYTER_CONFIG_PATH` entries, `JUPYTER_CONFIG_DIR`; within one dir the files
`jupyter_config`, `jupyter_server_config`, `jupyter_notebook_config`, `jupyter_lab_config`,
`carnet_config` with the running command's own family last, each `.py` before `.json`; then
environment variables; then the command line. A later source overrides an earlier one option by
option, whichever section or deprecated trait name it used.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from carnet.config.options import (
    BY_FIELD,
    IGNORED_TRAITS,
    OPTIONS,
    OWNED_SECTIONS,
    Option,
    OptionError,
    lookup,
    name_rank,
)
from carnet.config.settings import Settings

# Command family -> its own config file stem. `carnet` and `carnet lab` read the same files.
FAMILY_FILES = {
    "carnet": "carnet_config",
    "lab": "jupyter_lab_config",
    "notebook": "jupyter_notebook_config",
}
BASE_FILES = (
    "jupyter_config",
    "jupyter_server_config",
    "jupyter_notebook_config",
    "jupyter_lab_config",
    "carnet_config",
)


@dataclass(frozen=True)
class Assignment:
    """One `Section.trait = value` from one source."""

    section: str
    trait: str
    value: Any
    origin: str


def config_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where carnet writes config (`JUPYTER_CONFIG_DIR` or ``~/.jupyter``)."""
    env = os.environ if environ is None else environ
    configured = env.get("JUPYTER_CONFIG_DIR")
    return Path(configured).expanduser() if configured else Path.home() / ".jupyter"


def config_search_path() -> list[Path]:
    """Config dirs, highest priority first (jupyter_core's rules), the write dir included."""
    from jupyter_core.paths import jupyter_config_path

    dirs = [Path(p) for p in jupyter_config_path()]
    own = config_dir()
    if own not in dirs:
        dirs.insert(0, own)
    return dirs


def config_files(family: str, search_path: Sequence[Path] | None = None) -> list[Path]:
    """Existing config files, lowest priority first."""
    dirs = list(search_path) if search_path is not None else config_search_path()
    own = FAMILY_FILES.get(family, "carnet_config")
    stems = [s for s in BASE_FILES if s != own] + [own]
    files: list[Path] = []
    for directory in reversed(dirs):
        for stem in stems:
            for suffix in (".py", ".json"):
                candidate = directory / f"{stem}{suffix}"
                if candidate.is_file():
                    files.append(candidate)
    return files


def read_config_file(path: Path) -> list[Assignment]:
    """Every `Section.trait` assignment of one `.py` or `.json` config file."""
    origin = str(path)
    if path.suffix == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8") or "{}")
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise OptionError(f"{origin}: not a valid JSON config file ({exc})") from None
        if not isinstance(data, dict):
            raise OptionError(f"{origin}: a JSON config file must hold an object of sections")
    else:
        data = _load_python_config(path)
    found: list[Assignment] = []
    for section, traits in data.items():
        if not isinstance(traits, Mapping):
            continue
        for trait, value in traits.items():
            found.append(Assignment(str(section), str(trait), value, origin))
    return found


def _load_python_config(path: Path) -> dict[str, Any]:
    # traitlets costs ~0.1 s to import, so only when a .py config file exists.
    from traitlets.config.loader import ConfigFileNotFound, LazyConfigValue, PyFileConfigLoader

    loader = PyFileConfigLoader(path.name, path=str(path.parent))
    try:
        config = loader.load_config()
    except ConfigFileNotFound:
        return {}
    except Exception as exc:  # the file is user code: any error is the user's to see
        raise OptionError(f"{path}: error in config file: {type(exc).__name__}: {exc}") from None
    result: dict[str, Any] = {}
    for section, traits in config.items():
        if not isinstance(traits, Mapping):
            continue
        values: dict[str, Any] = {}
        for trait, value in traits.items():
            if isinstance(value, LazyConfigValue):
                value = value.get_value([])
            values[trait] = value
        result[section] = values
    return result


def environment_assignments(environ: Mapping[str, str]) -> list[Assignment]:
    found: list[Assignment] = []
    for option in OPTIONS:
        # An empty variable counts as unset (as in Jupyter): JUPYTER_TOKEN="" must not turn
        # authentication off.
        if option.env and environ.get(option.env):
            section, trait = option.names[0]
            found.append(Assignment(section, trait, environ[option.env], f"${option.env}"))
    if not environ.get("JUPYTER_TOKEN") and environ.get("JUPYTER_TOKEN_FILE"):
        token_file = Path(environ["JUPYTER_TOKEN_FILE"])
        try:
            token = token_file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            raise OptionError(
                f"token: cannot read JUPYTER_TOKEN_FILE {token_file}: {reason}"
            ) from None
        if not token:
            # Unlike Jupyter, an empty token file is an error, not "authentication off".
            raise OptionError(f"token: JUPYTER_TOKEN_FILE {token_file} is empty")
        found.append(Assignment("IdentityProvider", "token", token, "$JUPYTER_TOKEN_FILE"))
    return found


def resolve(sources: Iterable[Sequence[Assignment]], warnings: list[str] | None = None) -> Settings:
    """Fold sources (lowest priority first) into `Settings`.

    Raises `OptionError` naming the option and its origin for an unknown trait in a section
    carnet owns, or a value that does not parse. Jupyter traits carnet does not use are
    reported in ``warnings``; sections of other tools (`InlineBackend`, ...) are left alone.
    """
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for source in sources:
        chosen: dict[str, tuple[int, Assignment, Option]] = {}
        for item in source:
            option = lookup(item.section, item.trait)
            if option is None:
                _check_unknown(item, warnings)
                continue
            rank = name_rank(option, item.section, item.trait)
            previous = chosen.get(option.field)
            # Within one source the later assignment of the same name wins (`--port=1 --port=2`).
            if previous is None or rank <= previous[0]:
                chosen[option.field] = (rank, item, option)
        for rank, item, option in chosen.values():
            del rank
            try:
                values[option.field] = option.parse(item.value)
            except ValueError as exc:
                raise OptionError(
                    f"{item.section}.{item.trait}: invalid value {item.value!r} "
                    f"(from {item.origin}): {exc}"
                ) from None
            origins[option.field] = item.origin
    return Settings(**values, origins=origins)


def _check_unknown(item: Assignment, warnings: list[str] | None) -> None:
    if item.section not in OWNED_SECTIONS:
        return
    if item.trait in IGNORED_TRAITS:
        if warnings is not None:
            warnings.append(
                f"{item.section}.{item.trait} (from {item.origin}) is a Jupyter option "
                "carnet does not use; ignored"
            )
        return
    raise OptionError(
        f"{item.section}.{item.trait}: unknown option (from {item.origin}); "
        "see `carnet --help-all` for the options carnet understands"
    )


def load_settings(
    family: str,
    cli: Sequence[Assignment] = (),
    environ: Mapping[str, str] | None = None,
    warnings: list[str] | None = None,
    defaults: Sequence[Assignment] = (),
) -> Settings:
    """Settings for a command of ``family`` (`carnet`, `lab`, `notebook`); ``defaults`` are
    the command's own defaults, below every file."""
    env = os.environ if environ is None else environ
    sources: list[Sequence[Assignment]] = [defaults]
    if not env.get("JUPYTER_NO_CONFIG"):
        sources.extend(read_config_file(path) for path in config_files(family))
    sources.append(environment_assignments(env))
    sources.append(cli)
    return resolve(sources, warnings)


def option_for_field(name: str) -> Option:
    return BY_FIELD[name]
