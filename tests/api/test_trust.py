"""Notebook trust on a real carnet: Jupyter's signatures (nbformat's notary, secret and
database in the Jupyter data dir) on load, on save, through ``api/trust`` and ``carnet trust``
(carnet.contents.trust, documents/service.py, web/routes/nbconvert.py, cli/trust.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
from nbformat.sign import NotebookNotary

from tests.conftest import CarnetServer, JupyterEnv, run_cli
from tests.documents.yclient import YClient

HTML = '<b style="color: rgb(255, 0, 0)">red</b><script>document.title = "pwned"</script>'


def html_notebook(*, hostile_mark: bool = False) -> Any:
    nb = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]
    cell = nbformat.v4.new_code_cell(  # type: ignore[no-untyped-call]
        "display(HTML(...))",
        outputs=[
            nbformat.v4.new_output(  # type: ignore[no-untyped-call]
                "display_data", {"text/html": HTML, "text/plain": "<HTML>"}
            )
        ],
    )
    if hostile_mark:
        cell.metadata["trusted"] = True  # a file may say so: it must not count
    nb.cells = [nbformat.v4.new_markdown_cell("# From elsewhere"), cell]  # type: ignore[no-untyped-call]
    return nb


def write(path: Path, nb: Any) -> None:
    if "trusted" in str(nb):
        # nbformat.write drops cells' "trusted": write the JSON as a hostile file would.
        import json

        path.write_text(json.dumps(nb))
    else:
        nbformat.write(nb, path)  # type: ignore[no-untyped-call]


def notary(jenv: JupyterEnv) -> Any:
    jenv.data_dir.mkdir(parents=True, exist_ok=True)
    return NotebookNotary(data_dir=str(jenv.data_dir))


def signed(jenv: JupyterEnv, path: Path) -> bool:
    with notary(jenv) as n:
        return bool(n.check_signature(nbformat.read(path, nbformat.NO_CONVERT)))  # type: ignore[no-untyped-call]


def code_marks(client: YClient) -> list[Any]:
    return [
        dict(c.get("metadata") or {}).get("trusted")
        for c in client.notebook.ycells
        if c.get("cell_type") == "code"
    ]


def api_trusted(server: CarnetServer, name: str) -> bool:
    with server.client() as http:
        r = http.get(f"api/trust/{name}")
    assert r.status_code == 200, r.text
    return bool(r.json()["trusted"])


def test_a_notebook_from_elsewhere_is_untrusted_until_signed(server: CarnetServer) -> None:
    jenv = server.jenv
    path = server.root / "away.ipynb"
    write(path, html_notebook(hostile_mark=True))
    assert not api_trusted(server, "away.ipynb")
    with YClient(server, "away.ipynb") as client:
        assert code_marks(client) == [False]  # nbformat's mark_cells(nb, False)
    # Signed by Jupyter's own notary (as `jupyter trust` does): carnet trusts it.
    with notary(jenv) as n:
        n.sign(nbformat.read(path, nbformat.NO_CONVERT))  # type: ignore[no-untyped-call]
    assert api_trusted(server, "away.ipynb")
    path2 = server.root / "signed.ipynb"
    write(path2, html_notebook())
    with notary(jenv) as n:
        n.sign(nbformat.read(path2, nbformat.NO_CONVERT))  # type: ignore[no-untyped-call]
    with YClient(server, "signed.ipynb") as client:
        assert code_marks(client) == [True]


def test_trust_api_marks_the_open_document_and_signs(server: CarnetServer) -> None:
    jenv = server.jenv
    path = server.root / "t.ipynb"
    write(path, html_notebook())
    before = path.read_bytes()
    with YClient(server, "t.ipynb") as client:
        assert code_marks(client) == [False]
        with server.client() as http:
            r = http.post("api/trust/t.ipynb")
        assert r.status_code == 200, r.text
        assert r.json() == {"path": "t.ipynb", "trusted": True}
        client.wait_for(lambda: code_marks(client) == [True])
    assert signed(jenv, path)
    assert path.read_bytes() == before  # the trusted flag is never written
    assert api_trusted(server, "t.ipynb")


def test_saving_a_trusted_notebook_signs_the_new_bytes(server: CarnetServer) -> None:
    jenv = server.jenv
    path = server.root / "s.ipynb"
    untrusted = server.root / "u.ipynb"
    write(path, html_notebook())
    write(untrusted, html_notebook())
    with server.client() as http:
        assert http.post("api/trust/s.ipynb").status_code == 200
    for name in ("s.ipynb", "u.ipynb"):
        file = server.root / name
        old = file.read_bytes()
        with YClient(server, name) as client:
            with client.doc.transaction():
                client.notebook.ycells[0]["source"].insert(0, "edited ")
            client.wait_for(lambda file=file, old=old: file.read_bytes() != old)  # type: ignore[misc]
            client.wait_for(lambda: "saved" in client.carnet)
    assert b"edited" in path.read_bytes() and signed(jenv, path)
    assert b"edited" in untrusted.read_bytes() and not signed(jenv, untrusted)


def test_contents_api_saves_sign_notebooks_whose_cells_are_trusted(server: CarnetServer) -> None:
    """jupyter_server's check_and_sign: a client (JupyterLab, VS Code) marks the cells its user
    ran; a save through the Contents API with every code cell trusted is signed."""
    jenv = server.jenv
    ran = html_notebook(hostile_mark=True)  # the client says its user ran the cell
    foreign = html_notebook()
    with server.client() as http:
        for name, nb in (("ran.ipynb", ran), ("foreign.ipynb", foreign)):
            r = http.put(f"api/contents/{name}", json={"type": "notebook", "content": nb})
            assert r.status_code in (200, 201), r.text
    ran_path, foreign_path = server.root / "ran.ipynb", server.root / "foreign.ipynb"
    assert signed(jenv, ran_path) and api_trusted(server, "ran.ipynb")
    assert b'"trusted"' not in ran_path.read_bytes()  # the mark itself is never written
    assert not signed(jenv, foreign_path) and not api_trusted(server, "foreign.ipynb")
    # Opened later, the signed one shows trusted (its outputs were produced by its user).
    with YClient(server, "ran.ipynb") as client:
        assert code_marks(client) == [True]


def test_trust_api_refuses_bad_paths(server: CarnetServer) -> None:
    (server.root / "bad.ipynb").write_text("{not json")
    (server.root / "t.txt").write_text("x")
    with server.client() as http:
        for method in ("GET", "POST"):
            missing = http.request(method, "api/trust/nope.ipynb")
            assert missing.status_code == 404, missing.text
            hostile = http.request(method, "api/trust/%2E%2E/outside.ipynb")
            assert 400 <= hostile.status_code < 500 and "message" in hostile.json()
            text = http.request(method, "api/trust/t.txt")
            assert text.status_code == 400 and "not a notebook" in text.json()["message"]
            bad = http.request(method, "api/trust/bad.ipynb")
            assert bad.status_code == 422 and "not a readable notebook" in bad.json()["message"]
    with server.client(token=False) as anonymous:
        assert anonymous.post("api/trust/bad.ipynb").status_code in (401, 403)


def test_carnet_trust_cli(server: CarnetServer) -> None:
    jenv = server.jenv
    path = server.root / "cli.ipynb"
    write(path, html_notebook())
    assert not signed(jenv, path) and not api_trusted(server, "cli.ipynb")
    done = run_cli(jenv, "trust", str(path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Signing notebook: {path}"
    assert signed(jenv, path)
    assert api_trusted(server, "cli.ipynb")
    with YClient(server, "cli.ipynb") as client:
        assert code_marks(client) == [True]
    again = run_cli(jenv, "trust", str(path))
    assert again.returncode == 0 and again.stdout.strip() == f"Notebook already signed: {path}"
    (server.root / "bad.ipynb").write_text("{not json")
    failed = run_cli(
        jenv, "trust", str(server.root / "missing.ipynb"), str(server.root / "bad.ipynb")
    )
    assert failed.returncode == 1
    assert f"Notebook missing: {server.root / 'missing.ipynb'}" in failed.stderr
    assert "bad.ipynb: it is not a readable notebook" in failed.stderr
    usage = run_cli(jenv, "trust")
    assert usage.returncode == 2 and "carnet trust FILE" in usage.stderr
