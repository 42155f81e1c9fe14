"""Contents: the root-confined file system behind the Jupyter Contents API.

`ContentsManager` is the service (models, checkpoints, trash, chunked uploads, notebooks
through nbformat); `atomic_write` is the crash-safe writer it uses, for other layers that
write files (document autosave); `dumps_compact` / `dumps_notebook` are its fast JSON.
"""

from carnet.contents.atomic import atomic_write
from carnet.contents.jsonfmt import dumps_compact, dumps_notebook
from carnet.contents.manager import DEFAULT_HIDE_GLOBS, ContentsManager
from carnet.contents.paths import normalize_api_path

__all__ = [
    "DEFAULT_HIDE_GLOBS",
    "ContentsManager",
    "atomic_write",
    "dumps_compact",
    "dumps_notebook",
    "normalize_api_path",
]
