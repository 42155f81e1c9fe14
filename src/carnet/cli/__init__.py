"""The `carnet`, `jupyter-lab` and `jupyter-notebook` commands; the only layer that prints.

`carnet` is `carnet lab`. `jupyter lab ...` and `jupyter notebook ...` reach the same code
through jupyter_core's dispatcher (it runs `jupyter-lab` / `jupyter-notebook` from PATH), with
their own config file family (`jupyter_lab_config`, `jupyter_notebook_config`).
"""

from __future__ import annotations

import sys

from carnet.cli.args import Parsed, UsageError, parse

EXIT_USAGE = 2


def main(argv: list[str] | None = None) -> int:
    return run("carnet", sys.argv[1:] if argv is None else argv)


def lab_main(argv: list[str] | None = None) -> int:
    return run("lab", sys.argv[1:] if argv is None else argv)


def notebook_main(argv: list[str] | None = None) -> int:
    return run("notebook", sys.argv[1:] if argv is None else argv)


def singleuser_main(argv: list[str] | None = None) -> int:
    """``carnet-singleuser``: ``carnet singleuser``, the server JupyterHub spawns."""
    return run("carnet", ["singleuser", *(sys.argv[1:] if argv is None else argv)])


def program_name(family: str) -> str:
    return {"lab": "jupyter lab", "notebook": "jupyter notebook"}.get(family, "carnet")


def error(family: str, message: str) -> int:
    print(f"{program_name(family)}: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def run(family: str, argv: list[str]) -> int:
    default_command = "notebook" if family == "notebook" else "lab"
    try:
        parsed = parse(argv, default_command)
    except UsageError as exc:
        return error(family, str(exc))
    if parsed.has("--version", "-V"):
        from carnet import __version__

        print(__version__)
        return 0
    if parsed.has("--help", "-h", "--help-all"):
        from carnet.cli.help import render_help

        print(render_help(program_name(family), parsed.command, full=parsed.has("--help-all")))
        return 0
    if parsed.has("--generate-config"):
        from carnet.cli.manage import generate_config

        return generate_config(family, yes=parsed.has("-y", "--y"))
    try:
        return _dispatch(family, parsed)
    except UsageError as exc:
        return error(family, str(exc))
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130


def _dispatch(family: str, parsed: Parsed) -> int:
    command = parsed.command
    if command == "password":
        from carnet.cli.password import set_password

        return set_password(family)
    if command == "list":
        from carnet.cli.manage import list_servers

        return list_servers(as_json=parsed.has("--json"), as_jsonlist=parsed.has("--jsonlist"))
    if command == "stop":
        from carnet.cli.manage import stop_server

        return stop_server(parsed.positional)
    if command == "plugin":
        from carnet.cli.plugin import plugin_command

        return plugin_command(parsed)
    if command == "trust":
        from carnet.cli.trust import trust_notebooks

        return trust_notebooks(parsed.positional)
    if command == "certificate":
        from carnet.cli.manage import make_certificate

        return make_certificate(parsed)
    from carnet.cli.serve import serve

    return serve(family, parsed)
