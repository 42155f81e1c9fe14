"""Markdown cells as a user sees them: GitHub tables and task lists, TeX typeset by KaTeX,
highlighted code blocks, heading anchors, links to local files opening in carnet, and images
pasted into a cell stored as its attachments (and saved in the .ipynb)."""

from __future__ import annotations

import base64
import re
import struct
import zlib
from typing import Any

import nbformat
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Lab
from tests.browser.test_notebook import cells, markdown_cell, write_notebook

pytestmark = pytest.mark.browser

SOURCE = r"""# Results & notes

| name | value |
|------|------:|
| alpha | 1 |
| beta | 2 |

- [x] measured
- [ ] plotted

Inline $a^2 + b^2 = c^2$ and a display:

$$\int_0^1 x\,dx = \frac{1}{2}$$

\begin{equation}
E = mc^2
\end{equation}

\begin{align}
a &= 1 \\
b &= 2
\end{align}

```python
def f(x):
    return x + 1  # the answer
```

Read [the data](data/table.csv), or go [back to the top](#Results-&-notes).
"""


def open_rendered(lab: Lab, name: str, sources: list[str]) -> Any:
    write_notebook(lab, name, [markdown_cell(s) for s in sources])
    lab.page.get_by_role("button", name="Refresh File List").click()
    doc = lab.open_file(name)
    expect(cells(doc)).to_have_count(len(sources))
    return doc


def test_markdown_cell_renders_gfm_math_code_and_anchors(lab: Lab) -> None:
    (lab.server.root / "data").mkdir()
    (lab.server.root / "data" / "table.csv").write_text("city,people\nLyon,522250\n")
    filler = "\n\n".join(f"Paragraph {i}." for i in range(80))
    doc = open_rendered(lab, "md.ipynb", [SOURCE, filler, "[to the results](#Results-&-notes)"])
    rendered = cells(doc).nth(0).locator(".carnet-Cell-rendered")

    # GitHub table and task list (checkboxes shown, not editable).
    expect(rendered.locator("table td")).to_have_text(["alpha", "1", "beta", "2"])
    boxes = rendered.locator("li input[type=checkbox]")
    expect(boxes).to_have_count(2)
    expect(boxes.nth(0)).to_be_checked()
    expect(boxes.nth(0)).to_be_disabled()
    expect(boxes.nth(1)).not_to_be_checked()

    # Inline, display, equation and align math are typeset; no TeX delimiters remain.
    expect(rendered.locator(".carnet-Math[data-carnet-math='rendered']")).to_have_count(4)
    expect(rendered.locator(".carnet-Math .katex")).to_have_count(4)
    expect(rendered.locator(".carnet-Math.carnet-mod-display .katex-display")).to_have_count(3)
    text = rendered.evaluate(
        """n => { const c = n.cloneNode(true);
        c.querySelectorAll('.katex, pre').forEach(e => e.remove()); return c.textContent; }"""
    )
    assert "$" not in text and "\\begin" not in text, text
    # The fonts come from carnet itself (offline): KaTeX's main font is loaded.
    lab.page.wait_for_function(
        "[...document.fonts].some(f => f.family.includes('KaTeX_Main') && f.status === 'loaded')"
    )

    # The fenced code block is highlighted with the editor's token classes.
    code = rendered.locator("pre code.language-python")
    expect(code.locator("span.cm-k").first).to_have_text("def")
    expect(code.locator("span.cm-c")).to_have_text("# the answer")
    expect(code).to_have_text("def f(x):\n    return x + 1  # the answer\n")

    # Headings get JupyterLab's ids and a ¶ anchor shown on hover.
    heading = rendered.locator("h1")
    expect(heading).to_have_attribute("id", "Results-&-notes")
    anchor = heading.locator("a.carnet-HeadingAnchor")
    expect(anchor).to_have_attribute("href", "#Results-%26-notes")
    assert anchor.evaluate("a => getComputedStyle(a, '::after').content") == '"¶"'
    expect(heading).to_have_text("Results & notes")
    expect(anchor).to_be_hidden()
    heading.hover()
    expect(anchor).to_be_visible()

    # A link to the heading, at the bottom of the notebook, scrolls back up to it.
    url = lab.page.url
    lab.page.evaluate("window.__samePage = true")
    doc.locator(".carnet-Notebook").evaluate("s => { s.scrollTop = s.scrollHeight; }")
    expect(heading).not_to_be_in_viewport()
    cells(doc).nth(2).locator("a", has_text="to the results").click()
    expect(heading).to_be_in_viewport()
    assert lab.page.url == url
    assert lab.page.evaluate("window.__samePage") is True

    # A link to a local file opens it in a carnet tab, with carnet's viewer, in this page
    # (no navigation: the page keeps its state).
    lab.page.evaluate("window.__samePage = true")
    rendered.locator("a", has_text="the data").click()
    table = lab.page.locator(".carnet-Document[data-path='data/table.csv']")
    expect(table.locator("[role=gridcell]", has_text="Lyon")).to_be_visible()
    assert lab.page.evaluate("window.__samePage") is True
    assert len(lab.page.context.pages) == 1
    expect(lab.page.locator(".carnet-Document[data-path='md.ipynb']")).to_have_count(1)


def test_external_links_open_in_a_new_tab(lab: Lab) -> None:
    doc = open_rendered(lab, "links.ipynb", ["See [the docs](https://example.org/docs)."])
    link = cells(doc).nth(0).locator(".carnet-Cell-rendered a")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", re.compile(r"\bnoopener\b"))


def png(width: int, height: int) -> bytes:
    """A small valid PNG (solid red), written by hand."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + b"\xff\x00\x00" * width
    raw = zlib.compress(row * height)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def test_pasted_image_becomes_a_cell_attachment(lab: Lab) -> None:
    doc = open_rendered(lab, "attach.ipynb", ["Before the picture."])
    cell = cells(doc).nth(0)
    cell.locator(".carnet-Cell-rendered").dblclick()
    editor = cell.locator(".cm-content")
    expect(editor).to_be_visible()
    lab.page.keyboard.press("Control+End")
    lab.page.keyboard.press("Enter")
    data = png(12, 7)
    editor.evaluate(
        """(node, b64) => {
          const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
          const file = new File([bytes], 'image.png', { type: 'image/png' });
          const dt = new DataTransfer();
          dt.items.add(file);
          node.dispatchEvent(new ClipboardEvent('paste', {
            clipboardData: dt, bubbles: true, cancelable: true }));
        }""",
        base64.b64encode(data).decode(),
    )
    expect(editor).to_contain_text("![image.png](attachment:image.png)")
    # Another image of the same name, dropped on the editor, gets a name of its own.
    other = png(3, 3)
    editor.evaluate(
        """(node, b64) => {
          const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
          const dt = new DataTransfer();
          dt.items.add(new File([bytes], 'image.png', { type: 'image/png' }));
          const box = node.getBoundingClientRect();
          const at = { clientX: box.right - 2, clientY: box.bottom - 2 };
          for (const type of ['dragenter', 'dragover', 'drop']) {
            node.dispatchEvent(new DragEvent(type, {
              dataTransfer: dt, bubbles: true, cancelable: true, ...at }));
          }
        }""",
        base64.b64encode(other).decode(),
    )
    expect(editor).to_contain_text("![image-1.png](attachment:image-1.png)")
    lab.page.keyboard.press("Shift+Enter")
    image = cell.locator(".carnet-Cell-rendered img").first
    expect(image).to_have_attribute("alt", "image.png")
    lab.page.wait_for_function(
        "img => img.complete && img.naturalWidth === 12 && img.naturalHeight === 7",
        arg=image.element_handle(),
    )

    lab.page.keyboard.press("Control+S")
    path = lab.server.root / "attach.ipynb"
    for _ in range(100):
        nb = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
        if len(nb.cells[0].get("attachments", {})) == 2:
            break
        lab.page.wait_for_timeout(100)
    saved = nb.cells[0]
    assert saved["source"].startswith("Before the picture.\n![image.png](attachment:image.png)")
    assert "![image-1.png](attachment:image-1.png)" in saved["source"]

    def stored(name: str) -> bytes:
        value = saved["attachments"][name]["image/png"]
        return base64.b64decode("".join(value) if isinstance(value, list) else value)

    assert stored("image.png") == data
    assert stored("image-1.png") == other


def test_attachments_of_a_saved_notebook_render(lab: Lab) -> None:
    data = png(5, 9)
    cell = markdown_cell("![dot](attachment:dot.png) and ![missing](attachment:nope.png)")
    cell["attachments"] = {"dot.png": {"image/png": base64.b64encode(data).decode()}}
    write_notebook(lab, "saved.ipynb", [cell])
    lab.page.get_by_role("button", name="Refresh File List").click()
    doc = lab.open_file("saved.ipynb")
    image = doc.locator(".carnet-Cell-rendered img[alt='dot']")
    expect(image).to_have_attribute("src", re.compile(r"^data:image/png;base64,"))
    lab.page.wait_for_function(
        "img => img.complete && img.naturalWidth === 5", arg=image.element_handle()
    )
    # An unknown attachment shows no broken request to the server.
    missing = doc.locator(".carnet-Cell-rendered img[alt='missing']")
    expect(missing).not_to_have_attribute("src", re.compile("attachment|files"))


def test_markdown_file_preview_uses_the_same_renderer(lab: Lab) -> None:
    text = "# Top part\n\nEnergy $E = mc^2$.\n\n```js\nconst x = 1; // one\n```\n"
    (lab.server.root / "doc.md").write_text(text)
    lab.page.get_by_role("button", name="Refresh File List").click()
    lab.open_file("doc.md")
    lab.page.locator(".carnet-Document[data-path='doc.md'] .cm-content").click()
    lab.page.keyboard.press("Control+Shift+M")
    preview = lab.page.locator(".carnet-Document[data-viewer='markdown-preview']")
    expect(preview.locator("h1")).to_have_attribute("id", "Top-part")
    expect(preview.locator("h1 a.carnet-HeadingAnchor")).to_have_count(1)
    expect(preview.locator(".carnet-Math .katex")).to_have_count(1)
    expect(preview.locator("pre code span.cm-c")).to_have_text("// one")
