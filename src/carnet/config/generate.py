"""`--generate-config`: a config file listing every option, commented out, grouped by section."""

from __future__ import annotations

import textwrap
from collections import defaultdict

from carnet.config.options import OPTIONS, Option

# The section each family's generated file uses for server options: the guide writes
# `c.NotebookApp.port` in jupyter_notebook_config.py, so that is what that file shows.
FAMILY_SECTION = {"notebook": "NotebookApp", "lab": "ServerApp", "carnet": "ServerApp"}
FAMILY_TITLE = {"notebook": "jupyter-notebook", "lab": "lab", "carnet": "carnet"}
SECTION_ORDER = (
    "ServerApp",
    "NotebookApp",
    "LabApp",
    "CarnetApp",
    "IdentityProvider",
    "PasswordIdentityProvider",
    "ContentsManager",
    "FileContentsManager",
    "MappingKernelManager",
    "AsyncMappingKernelManager",
    "Application",
)


def _display_name(option: Option, family: str) -> tuple[str, str]:
    preferred = FAMILY_SECTION.get(family, "ServerApp")
    for section, trait in option.names:
        if section == preferred:
            return section, trait
    return option.names[0]


def _default_repr(option: Option) -> str:
    if option.default is None:
        return "None"
    if isinstance(option.default, tuple):
        return repr(list(option.default))
    return repr(option.default)


def render(family: str) -> str:
    """The text of the default config file for ``family``."""
    from carnet import __version__

    by_section: dict[str, list[tuple[str, Option]]] = defaultdict(list)
    for option in OPTIONS:
        section, trait = _display_name(option, family)
        by_section[section].append((trait, option))
    lines = [
        f"# Configuration file for {FAMILY_TITLE.get(family, 'carnet')} (carnet {__version__}).",
        "#",
        "# Every option carnet understands is listed below, commented out, with its default.",
        "# Uncomment and edit a line to change it. Jupyter's section names also work:",
        "# ServerApp, NotebookApp, LabApp and CarnetApp set the same server options.",
        "",
        "c = get_config()  # noqa",
        "",
    ]
    order = [s for s in SECTION_ORDER if s in by_section] + sorted(
        s for s in by_section if s not in SECTION_ORDER
    )
    for section in order:
        lines += [
            "# " + "-" * 78,
            f"# {section} configuration",
            "# " + "-" * 78,
            "",
        ]
        for trait, option in by_section[section]:
            wrapped = textwrap.wrap(option.help, width=78)
            lines.append("## " + wrapped[0])
            lines += ["#  " + more for more in wrapped[1:]]
            others = [f"{s}.{t}" for s, t in option.names if (s, t) != (section, trait)]
            if others:
                also = textwrap.wrap("Also settable as: " + ", ".join(others), width=78)
                lines += ["#  " + text for text in also]
            if option.cli:
                lines.append("#  Command line: " + ", ".join(option.cli))
            if option.env:
                lines.append(f"#  Environment: {option.env}")
            lines.append(f"#  Default: {_default_repr(option)}")
            lines.append(f"# c.{section}.{trait} = {_default_repr(option)}")
            lines.append("")
    return "\n".join(lines)
