"""Command-line parsing, Jupyter style.

Accepts the aliases (`--ip`, `--port 9999`, `--certfile=X`, `--keyfile X`, ...), flags
(`--no-browser`, `-y`, ...) and `--Section.option=value` for any option, in any order around
one optional subcommand. Errors are `UsageError`: one line naming the option.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from carnet.config.loader import Assignment
from carnet.config.options import BY_CLI, IGNORED_TRAITS, OWNED_SECTIONS, lookup

SUBCOMMANDS = (
    "lab",
    "notebook",
    "password",
    "list",
    "stop",
    "certificate",
    "plugin",
    "singleuser",
    "trust",
)

# Flags: name -> (section, trait, value) it sets, or None for a command-level switch.
FLAGS: dict[str, tuple[str, str, object] | None] = {
    "--no-browser": ("ServerApp", "open_browser", False),
    "--allow-insecure-public": ("CarnetApp", "allow_insecure_public", True),
    "--allow-root": ("ServerApp", "allow_root", True),
    "--debug": ("CarnetApp", "log_level", "DEBUG"),
    "--generate-config": None,
    "-y": None,
    "--y": None,
    "--version": None,
    "-V": None,
    "--help": None,
    "-h": None,
    "--help-all": None,
    "--json": None,
    "--jsonlist": None,
    "--force": None,
}
# Options that only some subcommands take, with a value.
COMMAND_OPTIONS = ("--days", "--cert", "--key", "--host")


class UsageError(ValueError):
    pass


@dataclass
class Parsed:
    command: str = "lab"
    positional: list[str] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    switches: set[str] = field(default_factory=set)
    command_options: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def has(self, *names: str) -> bool:
        return any(name in self.switches for name in names)


def parse(argv: list[str], default_command: str = "lab") -> Parsed:
    parsed = Parsed(command=default_command)
    args = list(argv)
    i = 0
    command_seen = False
    while i < len(args):
        arg = args[i]
        i += 1
        if arg == "--":
            parsed.positional.extend(args[i:])
            break
        if arg.startswith("-") and arg != "-":
            name, eq, value = arg.partition("=")
            if name in FLAGS:
                if eq:
                    raise UsageError(f"{name} takes no value")
                target = FLAGS[name]
                if target is None:
                    parsed.switches.add(name)
                else:
                    section, trait, flag_value = target
                    parsed.assignments.append(
                        Assignment(section, trait, flag_value, "command line")
                    )
                continue
            if name in COMMAND_OPTIONS:
                if not eq:
                    value, i = _next_value(args, i, name)
                parsed.command_options.setdefault(name, []).append(value)
                continue
            if not eq:
                value, i = _next_value(args, i, name)
            parsed.assignments.append(_assignment(name, value, parsed.warnings))
            continue
        if not command_seen and not parsed.positional and arg in SUBCOMMANDS:
            parsed.command = arg
            command_seen = True
            continue
        parsed.positional.append(arg)
    return parsed


def _next_value(args: list[str], i: int, name: str) -> tuple[str, int]:
    if i >= len(args) or (args[i].startswith("--") and len(args[i]) > 2):
        raise UsageError(f"{name} needs a value, e.g. {name}=VALUE")
    return args[i], i + 1


def _assignment(name: str, value: str, warnings: list[str]) -> Assignment:
    if name in BY_CLI:
        section, trait = BY_CLI[name].names[0]
        return Assignment(section, trait, value, f"command line {name}")
    dotted = name[2:] if name.startswith("--") else ""
    section, dot, trait = dotted.partition(".")
    if dot and section and trait and "." not in trait:
        if lookup(section, trait) is not None:
            return Assignment(section, trait, value, f"command line {name}")
        if section in OWNED_SECTIONS and trait in IGNORED_TRAITS:
            warnings.append(f"{name} is a Jupyter option carnet does not use; ignored")
            return Assignment("_Ignored", trait, value, "command line")
        raise UsageError(f"unrecognized option {name}; `carnet --help-all` lists every option")
    raise UsageError(f"unrecognized option {name}; `carnet --help` lists the options")
