"""The code that makes a pre-started ipykernel look as if it had just been started cold.

A cold ipykernel started for ``/root/dir/nb.ipynb`` differs from one started anywhere else
in exactly these places (measured by comparing the two, field by field): ``os.getcwd()``
(``sys.path`` holds ``''``, so it follows), ``JPY_SESSION_NAME`` in the environment, the
``__session__`` variable ipykernel derives from it, IPython's ``starting_dir`` and the
directory history ``_dh``. The code runs silently, without history, in a throwaway
namespace, so the user namespace, ``In``/``Out`` and the execution count are untouched.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["LATE_ENV", "ipykernel_prepare_code"]

#: Environment variables a pooled kernel can take on after start-up. Any other difference
#: from the pooled kernel's environment means a cold start (it may matter at start-up).
LATE_ENV = frozenset({"JPY_SESSION_NAME"})

_BODY = """\
import os
os.chdir(CWD)
os.environ.update(ENV)
ip = get_ipython()
ip.starting_dir = CWD
dh = ip.user_ns.get("_dh")
if isinstance(dh, list):
    dh[:] = [type(p)(CWD) for p in dh[:1]]
if ENV.get("JPY_SESSION_NAME"):
    ip.user_ns["__session__"] = ENV["JPY_SESSION_NAME"]
"""


def ipykernel_prepare_code(cwd: str, env: Mapping[str, str]) -> str:
    """Python source to execute (silently) in a pooled ipykernel before handing it out."""
    namespace = f"{{'get_ipython': get_ipython, 'CWD': {cwd!r}, 'ENV': {dict(env)!r}}}"
    return f"__import__('builtins').exec({_BODY!r}, {namespace})"
