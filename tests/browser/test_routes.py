"""The page addresses open what they name (design.md §1 URLs)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.browser.conftest import Lab
from tests.conftest import CarnetServer

pytestmark = pytest.mark.browser


@pytest.fixture
def tree(server: CarnetServer) -> CarnetServer:
    (server.root / "dir" / "deeper").mkdir(parents=True)
    (server.root / "dir" / "file name.py").write_text("print('hi')\n")
    (server.root / "dir" / "pic.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"></svg>'
    )
    return server


def test_lab_tree_opens_a_file(tree: CarnetServer, new_lab: Callable[..., Lab]) -> None:
    lab = new_lab(tree).open("lab/tree/dir/file%20name.py")
    lab.page.locator(
        ".carnet-Document[data-path='dir/file name.py'][data-carnet-rendered='1']"
    ).wait_for()
    assert lab.page.title() == "file name.py - carnet"


def test_tree_shows_a_folder(tree: CarnetServer, new_lab: Callable[..., Lab]) -> None:
    lab = new_lab(tree).open("tree/dir")
    lab.page.locator(".carnet-Breadcrumb-link[data-path='dir'][aria-current]").wait_for()
    assert lab.item("deeper").is_visible()


def test_edit_is_a_single_document_view(tree: CarnetServer, new_lab: Callable[..., Lab]) -> None:
    lab = new_lab(tree).open("edit/dir/file%20name.py")
    doc = lab.page.locator(".carnet-Document[data-viewer='editor'][data-carnet-rendered='1']")
    doc.wait_for()
    assert not lab.page.locator("#carnet-left-tabs").is_visible()
    assert "print" in doc.locator(".cm-content").inner_text()


def test_view_uses_the_default_viewer(tree: CarnetServer, new_lab: Callable[..., Lab]) -> None:
    lab = new_lab(tree).open("view/dir/pic.svg")
    lab.page.locator(".carnet-Document[data-viewer='image'][data-carnet-rendered='1']").wait_for()


def test_notebooks_route_opens_the_notebook(
    tree: CarnetServer, new_lab: Callable[..., Lab]
) -> None:
    (tree.root / "n.ipynb").write_text(
        '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
    )
    lab = new_lab(tree).open("notebooks/n.ipynb")
    lab.page.locator(".carnet-Document[data-path='n.ipynb'][data-carnet-rendered='1']").wait_for()


def test_missing_path_is_reported(tree: CarnetServer, new_lab: Callable[..., Lab]) -> None:
    lab = new_lab(tree).open("lab/tree/nope.txt")
    lab.page.locator(".carnet-Notice", has_text="nope.txt does not exist").wait_for()


def test_carnet_notebook_opens_the_simpler_view(
    carnet_factory: Callable[..., CarnetServer], new_lab: Callable[..., Lab]
) -> None:
    """`carnet notebook` starts at /tree: the file browser beside one document at a time,
    without the IDE's split layout."""
    server = carnet_factory(command="notebook")
    (server.root / "a.py").write_text("print('a')\n")
    (server.root / "b.py").write_text("print('b')\n")
    lab = new_lab(server).open("")
    assert lab.page.url.split("?")[0].endswith("/tree")
    assert lab.item("a.py").is_visible()
    lab.open_file("a.py")
    lab.page.locator(".carnet-Document[data-path='a.py'][data-carnet-rendered='1']").wait_for()
    lab.open_file("b.py")
    lab.page.locator(".carnet-Document[data-path='b.py'][data-carnet-rendered='1']").wait_for()
    assert not lab.page.locator(".carnet-Document[data-path='a.py']").is_visible()
    assert lab.item("b.py").is_visible()  # the file browser stays beside the document
