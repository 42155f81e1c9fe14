"""Exports with nbconvert on a real carnet: ``GET api/nbconvert`` and
``GET nbconvert/{format}/{path}`` (carnet.documents.export, web/routes/nbconvert.py)."""

from __future__ import annotations

import base64
import io
import json
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
import pytest

from tests.conftest import CarnetServer
from tests.documents.yclient import YClient

# A 1x1 red PNG.
PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
        "0000000c4944415408d763f8cfc000000301010018dd8db00000000049454e44ae426082"
    )
).decode()


def sample() -> Any:
    v4 = nbformat.v4
    nb = v4.new_notebook()  # type: ignore[no-untyped-call]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {
        "name": "python",
        "file_extension": ".py",
        "nbconvert_exporter": "python",
    }
    nb.cells = [
        v4.new_markdown_cell("# Report\n\nSome *markdown* words."),  # type: ignore[no-untyped-call]
        v4.new_code_cell(  # type: ignore[no-untyped-call]
            "answer = 6 * 7\nprint(answer)",
            outputs=[
                v4.new_output("stream", name="stdout", text="42\n"),  # type: ignore[no-untyped-call]
                v4.new_output("display_data", {"image/png": PNG, "text/plain": "<Figure>"}),  # type: ignore[no-untyped-call]
            ],
        ),
    ]
    return nb


@pytest.fixture
def exported(server: CarnetServer) -> Callable[..., Any]:
    nbformat.write(sample(), server.root / "My Report.ipynb")  # type: ignore[no-untyped-call]

    def get(format: str, path: str = "My%20Report.ipynb", download: bool = True) -> Any:
        with server.client() as http:
            return http.get(f"nbconvert/{format}/{path}" + ("?download=true" if download else ""))

    return get


def disposition(r: Any) -> str:
    return str(r.headers.get("content-disposition", ""))


def test_exporters_list(server: CarnetServer) -> None:
    with server.client() as http:
        r = http.get("api/nbconvert")
    assert r.status_code == 200
    formats = r.json()
    for name in ("notebook", "script", "markdown", "html", "pdf", "webpdf", "latex"):
        assert name in formats, formats
    assert formats["html"] == {"output_mimetype": "text/html"}
    assert formats["notebook"] == {"output_mimetype": "application/json"}


def test_html_is_standalone_with_images_embedded(exported: Callable[..., Any]) -> None:
    r = exported("html")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert disposition(r) == "attachment; filename*=utf-8''My%20Report.html"
    assert "sandbox" in r.headers["content-security-policy"]
    html = r.text
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert f"data:image/png;base64,{PNG}" in html
    assert '<h1 id="Report">Report' in html and "answer" in html and "42" in html
    plain = exported("html", download=False)
    assert plain.status_code == 200 and "content-disposition" not in plain.headers


def test_script_markdown_and_notebook(exported: Callable[..., Any]) -> None:
    script = exported("script")
    assert script.status_code == 200, script.text
    assert disposition(script) == "attachment; filename*=utf-8''My%20Report.py"
    assert script.headers["content-type"].startswith("text/x-python")
    assert "answer = 6 * 7\nprint(answer)" in script.text
    assert "# # Report" in script.text  # markdown as comments

    notebook = exported("notebook")
    assert notebook.status_code == 200
    assert disposition(notebook) == "attachment; filename*=utf-8''My%20Report.ipynb"
    assert (
        "".join(json.loads(notebook.text)["cells"][1]["source"]) == "answer = 6 * 7\nprint(answer)"
    )

    # Markdown with an image output: the .md and the image, zipped (as jupyter_server does).
    md = exported("markdown")
    assert md.status_code == 200, md.text
    assert disposition(md) == "attachment; filename*=utf-8''My%20Report.zip"
    with zipfile.ZipFile(io.BytesIO(md.content)) as archive:
        names = archive.namelist()
        text = archive.read("My Report.md").decode()
        images = [n for n in names if n.endswith(".png")]
        assert images and archive.read(images[0]) == base64.b64decode(PNG)
    assert "# Report" in text and "Some *markdown* words." in text
    assert "answer = 6 * 7" in text and f"]({images[0]})" in text


def test_markdown_without_images_is_one_file(server: CarnetServer) -> None:
    nb = sample()
    nb.cells[1].outputs = nb.cells[1].outputs[:1]
    nbformat.write(nb, server.root / "plain.ipynb")  # type: ignore[no-untyped-call]
    with server.client() as http:
        r = http.get("nbconvert/markdown/plain.ipynb?download=true")
    assert r.status_code == 200, r.text
    assert disposition(r) == "attachment; filename*=utf-8''plain.md"
    assert r.headers["content-type"] == "text/markdown; charset=utf-8"
    assert "Some *markdown* words." in r.text and "42" in r.text


def test_export_has_the_unsaved_document(
    carnet_factory: Callable[..., CarnetServer],
) -> None:
    server = carnet_factory("--YDocExtension.document_save_delay=600")
    nbformat.write(sample(), server.root / "live.ipynb")  # type: ignore[no-untyped-call]
    with YClient(server, "live.ipynb") as client:
        with client.doc.transaction():
            client.notebook.ycells[1]["source"].insert(0, "unsaved_edit = 1\n")
        client.flush()
        with server.client() as http:
            r = http.get("nbconvert/script/live.ipynb")
        assert r.status_code == 200
        assert "unsaved_edit = 1\nanswer = 6 * 7" in r.text
        assert "unsaved_edit" not in (server.root / "live.ipynb").read_text()


def test_bad_requests(exported: Callable[..., Any], server: CarnetServer) -> None:
    unknown = exported("klingon")
    assert (
        unknown.status_code == 404
        and "No exporter for format: klingon" in unknown.json()["message"]
    )
    missing = exported("html", "nope.ipynb")
    assert missing.status_code == 404
    for hostile in ("%2E%2E/secret.ipynb", "..%2Fsecret.ipynb", "%2Fetc%2Fpasswd"):
        r = exported("html", hostile)
        assert 400 <= r.status_code < 500, (hostile, r.status_code)
        assert "message" in r.json()
    (server.root / "t.txt").write_text("x")
    assert exported("html", "t.txt").status_code == 400
    (server.root / "bad.ipynb").write_text("{not json")
    bad = exported("html", "bad.ipynb")
    assert (
        bad.status_code == 422 and "bad.ipynb is not a readable notebook" in bad.json()["message"]
    )
    with server.client(token=False) as anonymous:
        r = anonymous.get("nbconvert/html/My%20Report.ipynb", follow_redirects=False)
        assert r.status_code in (302, 401, 403)


def test_missing_tools_are_named(carnet_factory: Callable[..., CarnetServer]) -> None:
    # PATH with only this Python: no xelatex, no pandoc.
    started = time.monotonic()
    server = carnet_factory(env={"PATH": str(Path(sys.executable).parent)})
    nbformat.write(sample(), server.root / "n.ipynb")  # type: ignore[no-untyped-call]
    with server.client() as http:
        pdf = http.get("nbconvert/pdf/n.ipynb?download=true")
        assert pdf.status_code == 422, pdf.text
        assert pdf.json()["message"] == (
            "PDF export needs xelatex and pandoc, which are not installed on the server"
        )
        latex = http.get("nbconvert/latex/n.ipynb")
        assert latex.status_code == 422
        assert latex.json()["message"] == (
            "LaTeX export needs pandoc, which is not installed on the server"
        )
        # Formats without an outside tool still work there.
        assert http.get("nbconvert/html/n.ipynb").status_code == 200
    assert time.monotonic() - started < 120
