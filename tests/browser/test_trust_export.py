"""Trust and export in the browser: a notebook from elsewhere shows sanitised until "Trust
Notebook", stays trusted after a restart (its signature), and File > Save and Export Notebook
As downloads what the server converted."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
import pytest
from playwright.sync_api import expect

from tests.api.test_export import PNG
from tests.browser.conftest import Lab
from tests.conftest import CarnetServer

pytestmark = pytest.mark.browser

# A styled element and a script that would mark the page if it ever ran.
HOSTILE = (
    '<p id="styled" style="color: rgb(255, 0, 0)">styled output</p>'
    '<script>document.body.dataset.pwned = "1"</script>'
)


def write_foreign(server: CarnetServer, name: str) -> None:
    """A notebook written to disk by someone else (never signed here)."""
    v4 = nbformat.v4
    nb = v4.new_notebook()  # type: ignore[no-untyped-call]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        v4.new_code_cell(  # type: ignore[no-untyped-call]
            "from IPython.display import HTML; HTML(...)",
            outputs=[
                v4.new_output("display_data", {"text/html": HOSTILE, "text/plain": "<HTML>"}),  # type: ignore[no-untyped-call]
                v4.new_output("display_data", {"image/png": PNG, "text/plain": "<Figure>"}),  # type: ignore[no-untyped-call]
            ],
        )
    ]
    nbformat.write(nb, server.root / name)  # type: ignore[no-untyped-call]


def open_notebook(lab: Lab, name: str) -> Any:
    """Opens the notebook (no kernel needed here: nothing runs)."""
    lab.page.get_by_role("button", name="Refresh File List").click()
    doc = lab.open_file(name)
    expect(doc.locator(".carnet-Cell").first).to_be_visible()
    return doc


def styled(doc: Any) -> Any:
    return doc.locator(".carnet-Cell-outputArea #styled")


def framed(doc: Any) -> Any:
    """The styled element once trusted: its output has a script, so it shows in a frame."""
    return doc.frame_locator(".carnet-Cell-outputArea iframe.carnet-Output-frame").locator(
        "#styled"
    )


def test_trust_notebook_renders_outputs_trusted_and_survives_a_restart(
    server: CarnetServer,
    carnet_factory: Callable[..., CarnetServer],
    new_lab: Callable[[CarnetServer], Lab],
) -> None:
    write_foreign(server, "foreign.ipynb")
    lab = new_lab(server).open()
    doc = open_notebook(lab, "foreign.ipynb")
    trust = doc.locator(".carnet-NotebookToolbar-trust")
    expect(trust).to_have_text("Not Trusted")
    expect(styled(doc)).to_have_text("styled output")
    expect(styled(doc)).not_to_have_css("color", "rgb(255, 0, 0)")  # sanitised: no style
    assert lab.page.evaluate("document.body.dataset.pwned") is None

    lab.run_command("Trust Notebook")
    dialog = lab.dialog()
    expect(dialog).to_contain_text("Trust only notebooks")
    dialog.get_by_role("button", name="Trust").click()
    expect(framed(doc)).to_have_css("color", "rgb(255, 0, 0)")  # re-rendered trusted
    expect(trust).to_have_text("Trusted")
    expect(styled(doc)).to_have_count(0)
    # The script ran, in its sandboxed frame: it marked the frame's body, not the page's.
    expect(
        doc.frame_locator("iframe.carnet-Output-frame").locator("body[data-pwned='1']")
    ).to_have_count(1)
    assert lab.page.evaluate("document.body.dataset.pwned") is None

    # A new server, without the lineage carnet kept of the document: only the file's
    # signature can say the notebook is trusted now.
    lab.page.close()
    server.stop()
    (server.jenv.data_dir / "carnet" / "documents.sqlite3").unlink()
    again = carnet_factory()
    lab2 = new_lab(again).open()
    doc2 = open_notebook(lab2, "foreign.ipynb")
    expect(doc2.locator(".carnet-NotebookToolbar-trust")).to_have_text("Trusted")
    expect(framed(doc2)).to_have_css("color", "rgb(255, 0, 0)")


def test_save_and_export_as_downloads_the_file(lab: Lab) -> None:
    write_foreign(lab.server, "export me.ipynb")
    open_notebook(lab, "export me.ipynb")
    with lab.page.expect_download() as info:
        lab.menu("File", "Save and Export Notebook As", "HTML")
    download = info.value
    assert download.suggested_filename == "export me.html"
    html = Path(download.path()).read_text(encoding="utf-8")
    assert f"data:image/png;base64,{PNG}" in html
    with lab.page.expect_download() as info:
        lab.menu("File", "Save and Export Notebook As", "Executable Script")
    script = info.value
    assert script.suggested_filename == "export me.py"
    assert "from IPython.display import HTML" in Path(script.path()).read_text(encoding="utf-8")


@pytest.mark.allow_errors  # the browser logs the 422 of the refused export
@pytest.mark.skipif(
    shutil.which("xelatex") is not None and shutil.which("pandoc") is not None,
    reason="xelatex and pandoc are installed here: PDF export works",
)
def test_export_with_a_missing_tool_says_so(lab: Lab) -> None:
    write_foreign(lab.server, "pdf.ipynb")
    open_notebook(lab, "pdf.ipynb")
    lab.menu("File", "Save and Export Notebook As", "PDF")
    expect(lab.page.locator(".carnet-Notice.carnet-mod-error")).to_contain_text(
        "Could not export pdf.ipynb: PDF export needs xelatex", timeout=20_000
    )
