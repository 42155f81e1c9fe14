"""`--help` and `--help-all`, generated from the option table."""

from __future__ import annotations

import textwrap

from carnet.config.options import OPTIONS

USAGE = """\
Usage: {prog} [SUBCOMMAND] [OPTIONS] [ROOT_DIR]

A light, fast and safe notebook server and web IDE, compatible with Jupyter.

Subcommands:
  lab            start carnet with the full IDE (the default)
  notebook       start carnet with the single-document view
  password       set the login password (stored hashed in the Jupyter config dir)
  list           list the running servers with their URLs
  stop [PORT]    stop the server on PORT (default 8888)
  certificate [HOST ...] [--cert FILE] [--key FILE] [--days N] [--force]
                 write a self-signed TLS certificate and key (key mode 0600)
  trust FILE [FILE ...]
                 trust notebooks (sign them, as `jupyter trust`): their outputs show
                 unsanitised and their JavaScript runs
  plugin list|enable NAME|disable NAME
                 list the plugins, or turn one on or off
  singleuser     run as JupyterHub's single-user server (`carnet-singleuser`; reads the
                 JUPYTERHUB_* environment, the hub authenticates every request)

Flags:
  --no-browser             do not open a web browser
  --allow-insecure-public  listen on a public address without TLS or password (unsafe)
  --allow-root             accepted for compatibility (carnet runs as root with a warning)
  --debug                  log at DEBUG level
  --generate-config        write a config file listing every option, commented out
  -y                       answer yes (overwrite with --generate-config)
  --json, --jsonlist       machine-readable output for `list`
  --version, -V            print the version
  --help, -h               this help; --help-all lists every --Section.option
"""


def render_help(prog: str, command: str, *, full: bool) -> str:
    out = [USAGE.format(prog=prog), "Options (each also as --ServerApp.<name>=<value>):"]
    for option in OPTIONS:
        names = list(option.cli) or [f"--{option.primary}"]
        head = f"  {' / '.join(n + '=<value>' for n in names)}"
        default = (
            repr(list(option.default))
            if isinstance(option.default, tuple)
            else repr(option.default)
        )
        out.append(head)
        body = f"{option.help} Default: {default}."
        if full:
            body += " Config: " + ", ".join(f"{s}.{t}" for s, t in option.names) + "."
        out += textwrap.wrap(body, width=88, initial_indent="      ", subsequent_indent="      ")
    if not full:
        out.append(
            "\nEvery option can be given as --Section.option=value; --help-all shows "
            "the config names of each."
        )
    return "\n".join(out)
