"""Export a notebook with nbconvert (``GET /nbconvert/{format}/{path}``, ``GET /api/nbconvert``).

The notebook exported is what the user sees: the open document when the file has a room
(saved or not), the file otherwise. nbconvert is imported on first use (0.2 s) and every
conversion runs in a worker thread, one at a time, with a time limit. Formats whose tool is
missing (pdf needs xelatex and pandoc, latex/rst/asciidoc need pandoc, webpdf needs
Playwright's Chromium, qtpdf/qtpng need PyQtWebEngine) are refused with a 422 that says so,
before converting when that can be known, from nbconvert's own error otherwise. HTML is
standalone: output images are data URIs, and images that markdown cells link from the
notebook's folder are embedded too (nbconvert's ``embed_images``, confined to that folder).
Conversions whose output has several files (markdown with images) come as a zip, as in
jupyter_server.
"""

from __future__ import annotations

import importlib.util
import io
import logging
import mimetypes
import shutil
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio
import anyio.to_thread

from carnet.contents import ContentsManager, normalize_api_path
from carnet.errors import BadRequest, CarnetError, NotFound

if TYPE_CHECKING:
    from carnet.documents.service import DocumentService

log = logging.getLogger("carnet.documents")

DEFAULT_TIMEOUT_S = 120.0


class ExportError(CarnetError):
    """A format that cannot be produced here (a missing tool) or a conversion that failed."""

    status = 422


@dataclass(frozen=True)
class Exported:
    body: bytes
    filename: str
    mimetype: str


# Tools a format needs, checked before converting: (what, how to find it).
def _missing_tool(format: str) -> str | None:
    """A sentence naming the missing tool, or None if the format can be tried."""
    needs: list[str] = []
    if format == "pdf":
        needs = ["xelatex", "pandoc"]
    elif format in ("latex", "rst", "asciidoc"):
        needs = ["pandoc"]
    missing = [tool for tool in needs if shutil.which(tool) is None]
    label = _LABELS.get(format, format)
    if missing:
        tools = " and ".join(missing)
        verb = "is" if len(missing) == 1 else "are"
        return f"{label} export needs {tools}, which {verb} not installed on the server"
    if format == "webpdf" and importlib.util.find_spec("playwright") is None:
        return f"{label} export needs Playwright and Chromium, which are not installed"
    if format in ("qtpdf", "qtpng") and importlib.util.find_spec("PyQt5") is None:
        return f"{label} export needs PyQtWebEngine, which is not installed"
    return None


_LABELS = {
    "pdf": "PDF",
    "webpdf": "WebPDF",
    "latex": "LaTeX",
    "rst": "reStructuredText",
    "asciidoc": "AsciiDoc",
    "qtpdf": "Qt PDF",
    "qtpng": "Qt PNG",
    "html": "HTML",
    "markdown": "Markdown",
    "script": "Script",
    "python": "Python",
    "notebook": "Notebook",
    "slides": "Reveal.js slides",
}


def _explain(format: str, error: Exception) -> str:
    """A clear message for nbconvert's errors (missing tools first)."""
    label = _LABELS.get(format, format)
    name = type(error).__name__
    text = str(error).strip()
    first = text.splitlines()[0] if text else name
    if name == "PandocMissing":
        return f"{label} export needs pandoc, which is not installed on the server"
    if "not found on PATH" in text:
        tool = text.split(" ", 1)[0]
        return f"{label} export needs {tool}, which is not installed on the server"
    if "chromium" in text.lower() or "playwright" in text.lower():
        return f"{label} export needs Playwright's Chromium, which is not available: {first}"
    if name == "LatexFailed":
        return f"{label} export failed: LaTeX could not build the document"
    return f"{label} export failed: {first[:300]}"


class ExportService:
    """Notebook exports with nbconvert; see the module docstring."""

    def __init__(
        self,
        contents: ContentsManager,
        documents: DocumentService | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self._contents = contents
        self._documents = documents
        self.timeout = timeout
        self._limiter = anyio.CapacityLimiter(1)
        self._names: list[str] | None = None

    async def formats(self) -> dict[str, dict[str, str]]:
        """``GET api/nbconvert``: the exporters, as jupyter_server lists them."""
        return await anyio.to_thread.run_sync(_formats)

    async def _names_known(self) -> list[str]:
        """The exporters' names (their entry points: no exporter is made for this)."""
        if self._names is None:
            self._names = await anyio.to_thread.run_sync(_exporter_names)
        return self._names

    async def export(self, format: str, path: str) -> Exported:
        """The file ``path`` exported as ``format``."""
        if format not in await self._names_known():
            raise NotFound(f"No exporter for format: {format}", "unknown format")
        path = normalize_api_path(path)
        model = await self._contents.get(path, content=False)  # confinement, hidden, exists
        if model["type"] != "notebook":
            raise BadRequest(f"{path} is not a notebook", "not a notebook")
        missing = _missing_tool(format)
        if missing is not None:
            raise ExportError(missing, "missing tool")
        data = await self._current_bytes(path)
        os_path = str(self._contents.local_path(path))
        convert = partial(_convert, format, data, path, os_path, model.get("last_modified"))
        try:
            with anyio.fail_after(self.timeout):
                return await anyio.to_thread.run_sync(
                    convert, limiter=self._limiter, abandon_on_cancel=True
                )
        except TimeoutError:
            label = _LABELS.get(format, format)
            raise CarnetError(
                f"{label} export took longer than {self.timeout:g} s and was abandoned",
                "timeout",
                status=504,
            ) from None

    async def _current_bytes(self, path: str) -> bytes:
        """The open document's bytes (what the user sees), else the file's."""
        if self._documents is not None:
            data = await self._documents.notebook_bytes(path)
            if data is not None:
                return data
        os_path = str(self._contents.local_path(path))

        def read() -> bytes:
            with open(os_path, "rb") as f:
                return f.read()

        try:
            return await anyio.to_thread.run_sync(read)
        except FileNotFoundError:
            raise NotFound(f"No such file: {path}") from None
        except OSError as e:
            raise CarnetError(f"Cannot read {path}: {e.strerror}", status=403) from None


def _exporter_names() -> list[str]:
    from importlib.metadata import entry_points

    return sorted({e.name for e in entry_points(group="nbconvert.exporters")})


def _formats() -> dict[str, dict[str, str]]:
    from nbconvert.exporters.base import get_export_names, get_exporter

    found: dict[str, dict[str, str]] = {}
    for name in get_export_names():  # type: ignore[no-untyped-call]
        try:
            cls = get_exporter(name)  # type: ignore[no-untyped-call]
        except ValueError:
            continue
        found[name] = {"output_mimetype": str(cls.output_mimetype or "")}
    return found


def _convert(format: str, data: bytes, path: str, os_path: str, modified: Any) -> Exported:
    import nbformat
    from nbconvert.exporters.base import get_exporter

    try:
        nb = nbformat.reads(data.decode("utf-8"), as_version=4)  # type: ignore[no-untyped-call]
    except Exception as e:
        raise ExportError(f"{path} is not a readable notebook: {e}", "unreadable") from None
    name = path.rpartition("/")[2]
    stem = name[: -len(".ipynb")] if name.endswith(".ipynb") else name.rpartition(".")[0] or name
    when = modified if isinstance(modified, datetime) else datetime.now(timezone.utc)
    resources = {
        "metadata": {
            "name": stem,
            "modified_date": when.strftime("%B %d, %Y"),
            "path": str(Path(os_path).parent),
        }
    }
    if format == "script":
        _python_language_info(nb)
    options: dict[str, Any] = {}
    if format == "html":
        options["embed_images"] = True
    try:
        exporter = get_exporter(format)(**options)  # type: ignore[no-untyped-call]
        output, resources = exporter.from_notebook_node(nb, resources=resources)
    except Exception as e:
        log.info("Export of %s to %s failed: %r", path, format, e)
        raise ExportError(_explain(format, e), "export failed") from None
    body = output.encode("utf-8") if isinstance(output, str) else bytes(output)
    extension = str(resources.get("output_extension") or "")
    guessed = mimetypes.guess_type(f"x{extension}")[0]
    mimetype = (
        # A script's type follows its language (.py: text/x-python, not text/plain).
        (guessed if format == "script" else None)
        or str(exporter.output_mimetype or "")
        or guessed
        or "application/octet-stream"
    )
    if extension == ".pdf":
        mimetype = "application/pdf"
    outputs = resources.get("outputs") or {}
    if outputs:
        # Several files (e.g. markdown and its images): a zip, as jupyter_server answers.
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(stem + extension, body)
            for filename, content in outputs.items():
                archive.writestr(str(filename), content)
        return Exported(buffer.getvalue(), f"{stem}.zip", "application/zip")
    return Exported(body, stem + extension, mimetype)


_PYTHON_INFO = {
    "name": "python",
    "nbconvert_exporter": "python",
    "file_extension": ".py",
    "mimetype": "text/x-python",
}


def _python_language_info(nb: Any) -> None:
    """A Python notebook never run has no ``language_info`` (the kernel writes it): give it
    Python's, so that its script is a ``.py`` (nbconvert would make a ``.txt``)."""
    metadata = nb.setdefault("metadata", {})
    info = metadata.get("language_info")
    info = info if isinstance(info, dict) else {}
    kernelspec = metadata.get("kernelspec")
    language = info.get("name") or (kernelspec or {}).get("language")
    if str(language).lower() == "python" and "nbconvert_exporter" not in info:
        metadata["language_info"] = {**_PYTHON_INFO, **info}
