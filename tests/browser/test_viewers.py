"""Viewers: image, CSV/TSV (virtualised), JSON tree, HTML (sandboxed), and "Open With"."""

from __future__ import annotations

import base64
import json

import pytest

from tests.browser.conftest import Lab

pytestmark = pytest.mark.browser

# A 2 by 2 red PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEklEQVR4nGP4z8DAwMDAwMAAAA0GAQBFm7nIAAAAAElFTkSuQmCC"
)


def refresh(lab: Lab) -> None:
    lab.page.get_by_role("button", name="Refresh File List").click()


def test_image_viewer(lab: Lab) -> None:
    (lab.server.root / "red.png").write_bytes(PNG)
    (lab.server.root / "shape.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        '<rect width="10" height="10"/></svg>'
    )
    refresh(lab)
    doc = lab.open_file("red.png")
    assert doc.get_attribute("data-viewer") == "image"
    assert doc.locator("img").evaluate("img => img.complete && img.naturalWidth") == 2
    doc = lab.open_file("shape.svg")
    assert doc.locator("img").evaluate("img => img.naturalWidth") == 10


def test_csv_table_is_virtualised(lab: Lab) -> None:
    rows = ["id,name,value"] + [f'{i},"name, {i}",{i * 2}' for i in range(100_000)]
    (lab.server.root / "big.csv").write_text("\n".join(rows) + "\n")
    refresh(lab)
    doc = lab.open_file("big.csv")
    grid = doc.locator("[role=grid]")
    assert grid.get_attribute("aria-rowcount") == "100001"
    assert "100,000 rows \u00d7 3 columns" in doc.inner_text()
    # Only the rows in view exist in the DOM.
    assert doc.locator(".carnet-Table-body [role=row]").count() < 100
    header = doc.locator(".carnet-Table-head [role=columnheader]").all_inner_texts()
    assert header == ["#", "id", "name", "value"]
    first = doc.locator(".carnet-Table-body [role=row]:not([hidden])").first
    assert first.locator("[role=gridcell]").all_inner_texts() == ["0", "name, 0", "0"]
    doc.locator(".carnet-Table-scroller").evaluate("s => { s.scrollTop = s.scrollHeight; }")
    doc.locator(".carnet-Table-body [role=gridcell]", has_text="name, 99999").wait_for()
    assert doc.locator(".carnet-Table-body [role=row]").count() < 100


def test_tsv_and_json_tree(lab: Lab) -> None:
    root = lab.server.root
    (root / "t.tsv").write_text("a\tb\n1\t2\n")
    (root / "d.json").write_text(json.dumps({"name": "carnet", "list": [1, 2, {"deep": True}]}))
    refresh(lab)
    doc = lab.open_file("t.tsv")
    assert doc.locator(".carnet-Table-head [role=columnheader]").all_inner_texts() == [
        "#",
        "a",
        "b",
    ]
    # JSON opens in the editor; the tree is one "Open With" away.
    lab.item("d.json").click(button="right")
    lab.page.locator(".lm-Menu:visible .lm-Menu-item", has_text="Open With").hover()
    sub = lab.page.locator(".lm-Menu:visible").nth(1)
    sub.locator(".lm-Menu-item", has_text="JSON Tree").click()
    tree = lab.page.locator(".carnet-Document[data-viewer='json'] [role=tree]")
    tree.wait_for()
    assert tree.locator(".carnet-Json-leaf", has_text='name: "carnet"').count() == 1
    branch = tree.locator("[role=treeitem][aria-expanded=false]", has_text="list")
    branch.locator(".carnet-Json-toggle").first.click()
    tree.locator("[role=treeitem][aria-level='2'][aria-expanded=true]", has_text="list").wait_for()
    # Keyboard: Down to the nested object, Right unfolds it.
    tree.locator("[role=treeitem][aria-level='3'][aria-expanded=false]").wait_for()
    tree.locator("[role=treeitem][aria-level='3'][aria-expanded=false]").focus()
    lab.page.keyboard.press("ArrowRight")
    tree.locator(".carnet-Json-leaf", has_text="deep: true").wait_for()


def test_html_runs_in_a_sandbox(lab: Lab) -> None:
    (lab.server.root / "page.html").write_text(
        "<!doctype html><title>t</title><h1 id=h>static</h1>"
    )
    refresh(lab)
    doc = lab.open_file("page.html")
    frame = doc.locator("iframe")
    assert frame.get_attribute("sandbox") == "allow-scripts"
    content = lab.page.frame_locator(".carnet-Document[data-viewer='html'] iframe")
    content.locator("#h", has_text="static").wait_for()


def _pdf() -> bytes:
    """A one-page PDF with valid cross-references."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def test_pdf_viewer(lab: Lab) -> None:
    (lab.server.root / "doc.pdf").write_bytes(_pdf())
    refresh(lab)
    doc = lab.open_file("doc.pdf")
    assert doc.get_attribute("data-viewer") == "pdf"
    src = doc.locator("iframe").get_attribute("src") or ""
    assert "/files/doc.pdf" in src
