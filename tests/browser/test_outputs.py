"""Output rendering (frontend/src/outputs/) in the browser: rich MIME types, streams and
errors from a real kernel through the code console, rendered without running any of their
scripts in the page (a script that ran would set a window global; trusted ones run in a
sandboxed frame) and without CSP violations (conftest);
and a huge notebook output, truncated by the server, shown in full on demand."""

from __future__ import annotations

import re
from typing import Any

import nbformat
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Lab
from tests.browser.test_console import KERNEL_TIMEOUT_MS, new_console, run

pytestmark = pytest.mark.browser


def output(cell: Any, selector: str) -> Any:
    node = cell.locator(selector).first
    node.wait_for(timeout=KERNEL_TIMEOUT_MS)
    return node


def globals_set(lab: Lab, *names: str) -> list[str]:
    return list(lab.page.evaluate("names => names.filter((n) => n in window)", list(names)))


def test_matplotlib_png_and_svg_are_images(lab: Lab) -> None:
    new_console(lab)
    cell = run(
        lab,
        "%matplotlib inline\nimport matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nplt.show()",
    )
    img = output(cell, ".carnet-Output-image img[src^='data:image/png;base64,']")
    lab.page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=img.element_handle()
    )
    assert img.evaluate("img => img.naturalWidth") > 100

    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30">'
        "<script>window.__svgRan = 1</script>"
        '<rect width="40" height="30" fill="red"/></svg>'
    )
    cell = run(lab, f"from IPython.display import SVG, display\ndisplay(SVG({svg!r}))")
    img = output(cell, ".carnet-Output-image img[src^='blob:']")
    lab.page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=img.element_handle()
    )
    assert img.evaluate("img => img.naturalWidth") == 40
    assert globals_set(lab, "__svgRan") == []


def test_html_is_shown_and_its_scripts_never_run_in_the_page(lab: Lab) -> None:
    new_console(lab)
    html = (
        "<table class='t'><thead><tr><th>name</th><th>value</th></tr></thead>"
        "<tbody><tr><td>alpha</td><td style='color: rgb(200, 0, 0)'>1</td></tr></tbody></table>"
        "<a href='javascript:window.__linkRan = 1' id='jslink'>link</a>"
    )
    cell = run(lab, f"from IPython.display import HTML, display\ndisplay(HTML({html!r}))")
    table = output(cell, ".carnet-Output-html table")
    assert table.locator("td").first.is_visible()
    assert table.locator("td").all_inner_texts() == ["alpha", "1"]
    # Style attributes of trusted output are applied (through CSSOM, which the CSP allows).
    color = table.locator("td").nth(1).evaluate("td => getComputedStyle(td).color")
    assert color == "rgb(200, 0, 0)"
    assert cell.locator("#jslink").get_attribute("href") is None
    # With scripts, the (trusted) output runs in a sandboxed frame: never in the page.
    scripted = (
        "<script>window.__scriptRan = 1; document.body.dataset.ran = 'yes'</script>"
        "<div onclick='window.__handlerRan = 1; this.textContent = \"clicked\"' id='clickme'>"
        "click me</div>"
    )
    cell = run(lab, f"from IPython.display import HTML, display\ndisplay(HTML({scripted!r}))")
    assert cell.locator("script").count() == 0
    frame = cell.frame_locator("iframe.carnet-Output-frame")
    expect(frame.locator("body[data-ran='yes']")).to_have_count(1)
    frame.locator("#clickme").click()
    expect(frame.locator("#clickme")).to_have_text("clicked")
    js = run(
        lab, "from IPython.display import Javascript\ndisplay(Javascript('window.__jsRan = 1'))"
    )
    expect(js.locator("iframe.carnet-Output-frame")).to_have_count(1)
    assert globals_set(lab, "__scriptRan", "__handlerRan", "__linkRan", "__jsRan") == []


def test_latex_markdown_and_json(lab: Lab) -> None:
    new_console(lab)
    cell = run(
        lab, "from IPython.display import Latex, display\ndisplay(Latex(r'$$\\frac{a}{b}$$'))"
    )
    math = output(cell, ".carnet-Output-latex .katex")
    assert math.locator(".mfrac").count() > 0
    # KaTeX's stylesheet (a lazy chunk) is applied: its fonts, not the page's.
    font = math.evaluate("el => getComputedStyle(el).fontFamily")
    assert "KaTeX_Main" in font

    cell = run(
        lab,
        "from IPython.display import Markdown\n"
        "display(Markdown('# Heading\\n\\nSome **bold** text and $x^2$.'))",
    )
    md = output(cell, ".carnet-Output-markdown")
    assert md.locator("h1").inner_text() == "Heading"
    assert md.locator("strong").inner_text() == "bold"
    md.locator(".katex").first.wait_for()

    cell = run(
        lab,
        "from IPython.display import JSON\n"
        "display(JSON({'numbers': [1, 2], 'nested': {'key': 'value'}}))",
    )
    tree = output(cell, ".carnet-Output-json .carnet-JsonOut")
    # The first level is open; deeper ones open on a click.
    assert "numbers: Array(2)" in tree.inner_text()
    value = tree.locator(".carnet-JsonOut-string", has_text='"value"')
    assert not value.is_visible()
    tree.locator("summary", has_text="nested").click()
    value.wait_for(state="visible")


def test_streams_errors_and_ansi_colours(lab: Lab) -> None:
    new_console(lab)
    cell = run(lab, "print('\\x1b[31mred\\x1b[0m plain')")
    red = output(cell, ".carnet-Output-stream .ansi-red-fg")
    assert red.inner_text() == "red"
    assert red.evaluate("el => getComputedStyle(el).color") != red.evaluate(
        "el => getComputedStyle(el.parentElement).color"
    )
    assert cell.locator(".carnet-Output-stream").inner_text() == "red plain\n"

    # A progress bar redrawn with \r ends as one line.
    cell = run(
        lab,
        "import sys, time\n"
        "for i in range(5):\n"
        "    sys.stdout.write(f'\\rprogress {i}'); sys.stdout.flush(); time.sleep(0.05)\n"
        "print()\n"
        "print('done')",
    )
    assert cell.locator(".carnet-Output-stream").inner_text() == "progress 4\ndone\n"
    # A backspace erases the character before it; a longer line overwritten keeps its end.
    cell = run(lab, "print('abc\\bd')\nprint('0123456789\\rabc')")
    assert cell.locator(".carnet-Output-stream").inner_text() == "abd\nabc3456789\n"

    # The error's traceback keeps IPython's colours.
    cell = run(lab, "def f():\n    return 1 / 0\nf()")
    assert cell.get_attribute("data-state") == "error"
    error = output(cell, ".carnet-Output-error")
    assert "ZeroDivisionError" in error.inner_text()
    assert error.locator("[class*='ansi-']").count() > 0


def test_a_growing_stream_keeps_its_node(lab: Lab) -> None:
    new_console(lab)
    cell = run(
        lab,
        "import time\nfor i in range(4):\n    print('line', i, flush=True)\n    time.sleep(0.4)",
        wait=False,
    )
    pre = output(cell, ".carnet-Output-stream")
    handle = pre.element_handle()
    lab.page.wait_for_function("pre => pre.textContent.includes('line 3')", arg=handle)
    assert handle.evaluate("pre => pre.isConnected")
    assert cell.locator(".carnet-Output").count() == 1


def test_a_huge_notebook_stream_is_truncated_and_shown_in_full_on_demand(lab: Lab) -> None:
    nb = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_code_cell("for i in range(30000):\n    print(f'line {i}')")]  # type: ignore[no-untyped-call]
    nbformat.write(nb, lab.server.root / "big.ipynb")  # type: ignore[no-untyped-call]
    lab.page.get_by_role("button", name="Refresh File List").click()
    doc = lab.open_file("big.ipynb")
    expect(doc.locator(".carnet-NotebookToolbar-kernel")).to_have_text(re.compile(r"\| Idle$"))
    doc.locator(".carnet-Cell-code .carnet-Cell-static").first.click()
    lab.page.keyboard.press("Control+Enter")
    area = doc.locator(".carnet-Cell").first.locator(".carnet-OutputArea")
    bar = area.locator(".carnet-Output-truncated")
    expect(bar).to_contain_text("lines omitted", timeout=KERNEL_TIMEOUT_MS)
    expect(area).to_contain_text("line 29999", timeout=KERNEL_TIMEOUT_MS)
    # Head, omission, tail: the first line shows, a middle one does not.
    text = area.inner_text()
    assert "line 0\n" in text
    assert "line 15000\n" not in text
    bar.get_by_role("button", name="Show all").click()
    expect(bar).to_have_count(0)
    expect(area).to_contain_text("line 15000")
    full = area.locator(".carnet-Output-stream").inner_text()
    assert full.count("\n") == 30000


def test_a_million_lines_leave_the_tab_responsive(lab: Lab) -> None:
    """Printing 1,000,000 lines: the document keeps head and tail, the page keeps working
    (another cell takes typing meanwhile), and the whole text is there on demand."""
    nb = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        nbformat.v4.new_code_cell("for i in range(1_000_000):\n    print(i)"),  # type: ignore[no-untyped-call]
        nbformat.v4.new_code_cell(""),  # type: ignore[no-untyped-call]
    ]
    nbformat.write(nb, lab.server.root / "million.ipynb")  # type: ignore[no-untyped-call]
    lab.page.get_by_role("button", name="Refresh File List").click()
    doc = lab.open_file("million.ipynb")
    expect(doc.locator(".carnet-NotebookToolbar-kernel")).to_have_text(re.compile(r"\| Idle$"))
    first, second = doc.locator(".carnet-Cell").nth(0), doc.locator(".carnet-Cell").nth(1)
    first.locator(".carnet-Cell-static").click()
    lab.page.keyboard.press("Control+Enter")
    area = first.locator(".carnet-OutputArea")
    expect(area).to_contain_text("lines omitted", timeout=KERNEL_TIMEOUT_MS)
    # While the lines pour in, the other cell is edited as usual.
    second.locator(".carnet-Cell-static, .cm-content").first.click()
    lab.page.keyboard.type("typed meanwhile")
    expect(second.locator(".cm-content")).to_have_text("typed meanwhile")
    expect(first.locator(".carnet-Cell-inputPrompt")).to_have_text("[1]:", timeout=120_000)
    expect(area).to_contain_text("999999")
    shown = area.inner_text()
    assert shown.startswith("0\n1\n2\n")
    assert "500000\n" not in shown
    assert shown.count("\n") < 100_000  # bounded in the page, not a million nodes of text
    # The full text is fetched when asked for.
    area.locator(".carnet-Output-truncated").get_by_role("button", name="Show all").click()
    expect(area.locator(".carnet-Output-truncated")).to_have_count(0, timeout=KERNEL_TIMEOUT_MS)
    expect(area).to_contain_text("500000", timeout=KERNEL_TIMEOUT_MS)
    full = area.locator(".carnet-Output-stream").inner_text()
    assert full.count("\n") == 1_000_000
