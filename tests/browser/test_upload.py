"""Uploads: by button (file chooser), by drag and drop, and large files in JupyterLab's chunks."""

from __future__ import annotations

import json
import os

import pytest
from playwright.sync_api import FilePayload, Request

from tests.browser.conftest import Lab

pytestmark = pytest.mark.browser

# Records every value the progress bars show, so the test can see progress happen.
_WATCH_PROGRESS = """
window.__progress = [];
const record = (records) => {
  for (const r of records) {
    const nodes = r.type === "attributes" ? [r.target] : [...r.addedNodes];
    for (const n of nodes) {
      if (n instanceof Element) {
        for (const bar of [n, ...n.querySelectorAll(".carnet-Upload-bar")]) {
          if (bar.matches(".carnet-Upload-bar")) {
            window.__progress.push(Number(bar.dataset.percent));
          }
        }
      }
    }
  }
};
new MutationObserver(record).observe(document.body, {
  subtree: true, childList: true, attributes: true, attributeFilter: ["data-percent"],
});
"""


def test_upload_by_button(lab: Lab) -> None:
    page, root = lab.page, lab.server.root
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Upload Files").click()
    chooser.value.set_files(
        [
            FilePayload(name="hello.txt", mimeType="text/plain", buffer=b"hello upload"),
            FilePayload(
                name="bytes.bin", mimeType="application/octet-stream", buffer=bytes(range(256))
            ),
        ]
    )
    lab.wait_path(root / "hello.txt", content="hello upload")
    lab.wait_path(root / "bytes.bin")
    for _ in range(50):
        if (root / "bytes.bin").read_bytes() == bytes(range(256)):
            break
        page.wait_for_timeout(100)
    assert (root / "bytes.bin").read_bytes() == bytes(range(256))
    lab.item("hello.txt").wait_for()


def test_upload_notebook_goes_up_as_json(lab: Lab) -> None:
    nb = {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    with lab.page.expect_file_chooser() as chooser:
        lab.page.get_by_role("button", name="Upload Files").click()
    chooser.value.set_files(
        [FilePayload(name="n.ipynb", mimeType="application/json", buffer=json.dumps(nb).encode())]
    )
    path = lab.server.root / "n.ipynb"
    lab.wait_path(path)
    for _ in range(50):
        if path.stat().st_size > 0:
            break
        lab.page.wait_for_timeout(100)
    assert json.loads(path.read_text())["nbformat"] == 4


def test_large_upload_in_chunks_with_progress(lab: Lab) -> None:
    page, root = lab.page, lab.server.root
    page.evaluate(_WATCH_PROGRESS)
    size = 16 * 1024 * 1024 + 12345
    data = os.urandom(size)
    chunks: list[int] = []

    def on_request(request: Request) -> None:
        if request.method == "PUT" and "/api/contents/" in request.url:
            body = json.loads(request.post_data or "{}")
            if "chunk" in body:
                chunks.append(body["chunk"])

    page.on("request", on_request)
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Upload Files").click()
    chooser.value.set_files(
        [FilePayload(name="big.bin", mimeType="application/octet-stream", buffer=data)]
    )
    page.locator(
        ".carnet-Upload[data-upload='big.bin'] .carnet-Upload-state", has_text="done"
    ).wait_for(timeout=60_000)
    assert (root / "big.bin").read_bytes() == data
    # JupyterLab's numbering: 1 MiB pieces, chunk 1, 2, …, and -1 for the last one.
    assert chunks == [*range(1, 17), -1]
    seen = page.evaluate("window.__progress")
    assert any(0 < p < 100 for p in seen), seen
    assert seen[-1] == 100
    assert page.locator(".carnet-Upload-bar").first.get_attribute("max") == "100"


def test_upload_by_drag_and_drop(lab: Lab) -> None:
    root = lab.server.root
    (root / "into").mkdir()
    lab.page.get_by_role("button", name="Refresh File List").click()
    lab.item("into").wait_for()
    lab.page.evaluate(
        """([selector, name, text]) => {
          const dt = new DataTransfer();
          dt.items.add(new File([text], name, {type: "text/plain"}));
          const target = document.querySelector(selector);
          for (const type of ["dragenter", "dragover", "drop"]) {
            const init = {bubbles: true, cancelable: true, dataTransfer: dt};
            target.dispatchEvent(new DragEvent(type, init));
          }
        }""",
        [".carnet-FileList", "dropped.txt", "from the desktop"],
    )
    lab.wait_path(root / "dropped.txt", content="from the desktop")
    # Dropped on a folder row, a file goes into that folder.
    lab.page.evaluate(
        """([selector, name, text]) => {
          const dt = new DataTransfer();
          dt.items.add(new File([text], name, {type: "text/plain"}));
          const target = document.querySelector(selector);
          for (const type of ["dragenter", "dragover", "drop"]) {
            const init = {bubbles: true, cancelable: true, dataTransfer: dt};
            target.dispatchEvent(new DragEvent(type, init));
          }
        }""",
        [".carnet-FileItem[data-name='into']", "inner.txt", "into the folder"],
    )
    lab.wait_path(root / "into" / "inner.txt", content="into the folder")


def test_upload_over_an_existing_file_asks_first(lab: Lab) -> None:
    page, root = lab.page, lab.server.root
    (root / "keep.txt").write_text("original")
    page.get_by_role("button", name="Refresh File List").click()
    lab.item("keep.txt").wait_for()
    payload = [FilePayload(name="keep.txt", mimeType="text/plain", buffer=b"replacement")]
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Upload Files").click()
    chooser.value.set_files(payload)
    lab.dialog("confirm").get_by_role("button", name="Cancel").click()
    page.wait_for_timeout(300)
    assert (root / "keep.txt").read_text() == "original"
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Upload Files").click()
    chooser.value.set_files(payload)
    lab.dialog("confirm").get_by_role("button", name="Replace").click()
    lab.wait_path(root / "keep.txt", content="replacement")
