"""The built UI: first-load weight within budget, heavy parts lazy, nothing inline (CSP)."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from carnet.web.static import bundled_static_dir

BUDGET_BYTES = 300 * 1024


@pytest.fixture(scope="module")
def static() -> Path:
    folder = bundled_static_dir()
    if not (folder / "index.html").is_file():
        pytest.fail("the frontend is not built: run `make fe` (cd frontend && npm run build)")
    return folder


def eager_files(static: Path) -> list[Path]:
    """What the page loads before anything is opened: its scripts, styles and preloads."""
    html = (static / "index.html").read_text()
    refs = re.findall(r'(?:src|href)="\{\{base_url\}\}static/([^"]+)"', html)
    files = [static / ref for ref in refs if ref.endswith((".js", ".css"))]
    assert files, "index.html references no script"
    return files


def gzipped(path: Path) -> int:
    twin = path.with_name(path.name + ".gz")
    return twin.stat().st_size if twin.exists() else len(gzip.compress(path.read_bytes(), 9))


def test_first_load_fits_the_budget(static: Path) -> None:
    total = sum(gzipped(f) for f in eager_files(static))
    assert total <= BUDGET_BYTES, f"first load is {total / 1024:.1f} KiB gzipped"


def test_editor_terminal_markdown_and_languages_load_on_demand(static: Path) -> None:
    eager = "".join(f.read_text() for f in eager_files(static) if f.suffix == ".js")
    assert "cm-scroller" not in eager  # CodeMirror
    assert "DOMPurify" not in eager
    assert "xterm-helper-textarea" not in eager  # xterm.js
    lazy = [p.name for p in (static / "assets").glob("*.js")]
    for chunk in ("codemirror", "markdown", "csv-table", "json-tree", "xterm"):
        assert any(name.startswith(chunk) for name in lazy), chunk


def test_terminal_chunk_writes_no_style_element_or_attribute(static: Path) -> None:
    """xterm.js is rewritten at build time to stay within the CSP (see vite.config.ts)."""
    (chunk,) = (static / "assets").glob("xterm-*.js")
    code = chunk.read_text()
    assert re.search(r"createElement\([\"'`]style[\"'`]\)", code) is None
    assert re.search(r"setAttribute\([\"'`]style[\"'`]", code) is None
    assert len(re.findall(r"createElement\([\"'`]carnet-style[\"'`]\)", code)) == 3


def test_page_template_has_nothing_inline(static: Path) -> None:
    html = (static / "index.html").read_text()
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None
    assert "<style" not in html
    assert re.search(r"\sstyle=", html) is None
    assert re.search(r"\son[a-z]+=", html) is None
