"""Text files on document rooms: two browsers edit one file, see each other's text and
cursors, undo only their own edits, and the file on disk gets it (views/editor-widget.ts)."""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest

from tests.browser.conftest import Lab
from tests.conftest import CarnetServer

pytestmark = pytest.mark.browser

EDITOR = ".carnet-Document[data-path='{name}'] .cm-content"


def open_editor(lab: Lab, name: str) -> None:
    lab.page.get_by_role("button", name="Refresh File List").click()
    lab.open_file(name)
    lab.page.locator(EDITOR.format(name=name)).click()


def wait_text(lab: Lab, name: str, expected: str) -> None:
    """The editor shows ``expected`` (remote carets, which carry names, left out)."""
    lab.page.wait_for_function(
        """([sel, text]) => [...document.querySelectorAll(sel + ' .cm-line')].map((line) => {
            const copy = line.cloneNode(true);
            copy.querySelectorAll('.cm-carnetCaret').forEach((c) => c.remove());
            return copy.textContent;
        }).join('\\n') === text""",
        arg=[EDITOR.format(name=name), expected],
    )


def test_two_browsers_edit_one_text_file(
    server: CarnetServer, new_lab: Callable[[CarnetServer], Lab]
) -> None:
    path = server.root / "shared.txt"
    path.write_text("line one\nline two\n")
    alice, bob = new_lab(server).open(), new_lab(server).open()
    open_editor(alice, "shared.txt")
    open_editor(bob, "shared.txt")

    alice.page.keyboard.press("Control+Home")
    alice.page.keyboard.insert_text("A: ")
    bob.page.keyboard.press("Control+End")
    bob.page.keyboard.insert_text("B was here")
    expected = "A: line one\nline two\nB was here"
    wait_text(alice, "shared.txt", expected)
    wait_text(bob, "shared.txt", expected)
    # Each sees the other's cursor.
    bob.page.locator(".cm-carnetCaret").first.wait_for()
    alice.page.locator(".cm-carnetCaret").first.wait_for()
    alice.wait_path(path, content=expected)

    # Undo is per user: Alice's undo removes her edit, not Bob's.
    alice.page.locator(EDITOR.format(name="shared.txt")).click()
    alice.page.keyboard.press("Control+z")
    expected = "line one\nline two\nB was here"
    wait_text(bob, "shared.txt", expected)
    alice.wait_path(path, content=expected)

    # Ctrl+S saves now and checkpoints.
    bob.page.keyboard.press("Control+s")
    bob.page.locator("#carnet-statusbar", has_text="Saved").wait_for()
    assert (server.root / ".ipynb_checkpoints" / "shared-checkpoint.txt").read_text() == expected


def test_outside_change_reaches_the_open_editor(lab: Lab) -> None:
    path = lab.server.root / "o.txt"
    path.write_text("before\n")
    open_editor(lab, "o.txt")
    path.write_text("after\n")
    wait_text(lab, "o.txt", "after\n")


@pytest.mark.allow_errors  # the page logs failed requests while the server is down
def test_the_editor_rejoins_after_a_server_restart(
    carnet_factory: Callable[..., CarnetServer], new_lab: Callable[[CarnetServer], Lab]
) -> None:
    """Same file: the room continues its lineage and the editor resyncs. Changed while the
    server was down: a new lineage (4409), and the editor starts afresh on it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    args = (f"--port={port}", "--IdentityProvider.token=restart-token")
    server = carnet_factory(*args)
    path = server.root / "r.txt"
    path.write_text("start\n")
    lab = new_lab(server).open()
    open_editor(lab, "r.txt")
    lab.page.keyboard.press("Control+Home")
    lab.page.keyboard.insert_text("A ")
    lab.wait_path(path, content="A start\n")

    server.stop()
    second = carnet_factory(*args)
    lab.page.keyboard.insert_text("B ")  # typed while reconnecting: merged on resync
    lab.wait_path(path, content="A B start\n")

    second.stop()
    path.write_text("changed offline\n")
    carnet_factory(*args)
    wait_text(lab, "r.txt", "changed offline\n")
    lab.page.locator(EDITOR.format(name="r.txt")).click()
    lab.page.keyboard.press("Control+Home")
    lab.page.keyboard.insert_text("C ")
    lab.wait_path(path, content="C changed offline\n")
