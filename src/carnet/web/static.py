"""The built frontend: ``/static/...`` routes and the ``index.html`` page template.

``npm run build`` (in ``frontend/``) writes the UI into a static dir (``carnet/static/`` in the
package): content-hashed, never-changing files under ``assets/``, a few fixed names (favicon)
beside them, ``.gz``/``.br`` twins of every compressible file over 1 KiB, and ``index.html``.

Serving rules, chosen so a browser loads the UI once and then revalidates nothing but the page:

* ``/static/assets/*`` is immutable (``max-age`` one year): a new build makes new names.
  Everything else is ``no-cache``: always revalidated, answered ``304`` when the ETag matches.
* ``Accept-Encoding`` picks the precompressed twin (br > gzip > identity); nothing is
  compressed per request. ``Vary: Accept-Encoding`` whenever a twin exists.
* Only regular files inside the static dir are served (no ``..``, no dotfiles, symlinks
  resolved); anything else, and a missing file, is a JSON ``404`` like every other carnet error.

Files are looked up on every request (one ``stat`` per candidate), so ``vite build --watch``
works against a running server.
"""

from __future__ import annotations

import email.utils
import html
import mimetypes
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

if TYPE_CHECKING:
    from starlette.types import Receive, Scope, Send

__all__ = [
    "BASE_URL_PLACEHOLDER",
    "IMMUTABLE_CACHE_CONTROL",
    "bundled_static_dir",
    "fill_index",
    "read_index",
    "static_routes",
]

IMMUTABLE_CACHE_CONTROL = "public, max-age=31536000, immutable"
REVALIDATE_CACHE_CONTROL = "no-cache"
BASE_URL_PLACEHOLDER = "{{base_url}}"

# Content-hashed build output: a changed file always gets a new name.
_IMMUTABLE_PREFIX = "assets/"
# (content-coding, file suffix), best first.
_ENCODINGS = (("br", ".br"), ("gzip", ".gz"))
_METHODS = ("GET", "HEAD")

# Explicit types for what the build emits: `mimetypes` reads the OS registry on Windows,
# where `.js` is sometimes `text/plain` — and browsers refuse modules served like that.
_CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".ico": "image/vnd.microsoft.icon",
    ".png": "image/png",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".wasm": "application/wasm",
    ".txt": "text/plain; charset=utf-8",
}


def bundled_static_dir() -> Path:
    """The static dir inside the installed package (where wheels and ``make fe`` put the UI)."""
    return Path(__file__).resolve().parent.parent / "static"


def read_index(static_dir: Path) -> str | None:
    """The built ``index.html`` template, or None when the frontend was not built."""
    try:
        return (static_dir / "index.html").read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None


def fill_index(template: str, base_url: str) -> str:
    """The page to send: ``template`` with every ``{{base_url}}`` replaced by ``base_url``.

    ``base_url`` is Jupyter's, ``/``-terminated (``/`` or ``/user/ada/``); it lands in
    attributes (``src``, ``href``, the ``carnet-base-url`` meta tag), so it is HTML-escaped.
    """
    return template.replace(BASE_URL_PLACEHOLDER, html.escape(base_url, quote=True))


def static_routes(static_dir: Path) -> list[BaseRoute]:
    """Routes serving ``/static/<path>`` from ``static_dir``; mount them under the base URL."""
    # An ASGI app rather than a function endpoint, so every method reaches it and gets a
    # JSON 405 instead of Starlette's plain-text one.
    return [Route("/static/{path:path}", _StaticFiles(static_dir), name="static")]


class _StaticFiles:
    def __init__(self, static_dir: Path) -> None:
        self._root = static_dir.resolve()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self.respond(Request(scope, receive))
        await response(scope, receive, send)

    async def respond(self, request: Request) -> Response:
        if request.method not in _METHODS:
            return _error(405, "Method not allowed", {"Allow": ", ".join(_METHODS)})
        rel: str = request.path_params["path"]
        source = self._locate(rel)
        if source is None:
            return _error(404, "Static file not found")
        path, st = source

        immutable = rel.startswith(_IMMUTABLE_PREFIX)
        headers = {
            "Cache-Control": IMMUTABLE_CACHE_CONTROL if immutable else REVALIDATE_CACHE_CONTROL,
            "X-Content-Type-Options": "nosniff",
        }
        twins = [(coding, self._file(path, suffix)) for coding, suffix in _ENCODINGS]
        if any(found is not None for _, found in twins):
            headers["Vary"] = "Accept-Encoding"

        accepted = _accepted_codings(request.headers.get("accept-encoding", ""))
        coding: str | None = None
        for candidate, found in twins:
            if found is not None and accepted.get(candidate, accepted.get("*", 0.0)) > 0:
                coding, (path_sent, st) = candidate, found
                break
        else:
            path_sent = path

        # Strong, per representation: the br and gzip bytes are different entities.
        headers["ETag"] = f'"{st.st_size:x}-{st.st_mtime_ns:x}{"-" + coding if coding else ""}"'
        if _not_modified(request, headers["ETag"], st):
            return Response(status_code=304, headers=headers)
        if coding is not None:
            headers["Content-Encoding"] = coding
        return _AssetResponse(
            path_sent, headers=headers, media_type=_content_type(path), stat_result=st
        )

    def _locate(self, rel: str) -> tuple[Path, os.stat_result] | None:
        """The regular file ``rel`` names inside the root, or None for anything else."""
        if not rel or "\x00" in rel or "\\" in rel:
            return None
        for part in rel.split("/"):
            # Empty, ".", "..", dotfiles, and Windows drive or stream names ("C:", "a:b").
            if not part or part.startswith(".") or ":" in part:
                return None
        return self._file(self._root / rel, "")

    def _file(self, path: Path, suffix: str) -> tuple[Path, os.stat_result] | None:
        candidate = path.with_name(path.name + suffix) if suffix else path
        try:
            resolved = candidate.resolve(strict=True)
            st = resolved.stat()
        except (OSError, RuntimeError):  # missing, unreadable, name too long, symlink loop
            return None
        if not resolved.is_relative_to(self._root) or not stat.S_ISREG(st.st_mode):
            return None
        return resolved, st


class _AssetResponse(FileResponse):
    """A FileResponse without byte ranges.

    Assets are small and loaded whole; without ranges there is no range parsing whose errors
    Starlette answers in plain text, and no range of a compressed twin to get wrong.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope = {
            **scope,
            "headers": [(k, v) for k, v in scope["headers"] if k not in (b"range", b"if-range")],
        }
        self.headers["accept-ranges"] = "none"
        await super().__call__(scope, receive, send)


def _content_type(path: Path) -> str:
    known = _CONTENT_TYPES.get(path.suffix.lower())
    if known is not None:
        return known
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def _accepted_codings(header: str) -> dict[str, float]:
    """``Accept-Encoding`` as {coding: q}; malformed q-values count as 0 (not acceptable)."""
    accepted: dict[str, float] = {}
    for item in header.split(","):
        coding, _, params = item.partition(";")
        coding = coding.strip().lower()
        if not coding:
            continue
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
                if not 0.0 <= q <= 1.0:  # also rejects nan
                    q = 0.0
        accepted[coding] = q
    return accepted


def _not_modified(request: Request, etag: str, st: os.stat_result) -> bool:
    """Whether the client's cached copy is current (RFC 9110 §13.1: If-None-Match wins)."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
        return "*" in tags or etag in tags
    if_modified_since = request.headers.get("if-modified-since")
    if if_modified_since is None:
        return False
    try:
        since = email.utils.parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError, IndexError):
        return False
    if since.tzinfo is None:
        return False
    return int(st.st_mtime) <= since.timestamp()


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        {"message": message, "reason": None},
        status_code=status,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )
