"""Trusted outputs with scripts run in a sandboxed iframe: untrusted ones stay sanitised and
run nothing; once trusted (or run by the user) their scripts run, isolated from carnet's page,
cookies and API; the sandbox page itself is static, public and always sandboxed."""

from __future__ import annotations

import re
from typing import Any

import nbformat
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Lab
from tests.browser.test_notebook import write_notebook
from tests.conftest import CarnetServer

pytestmark = pytest.mark.browser

FRAME = "iframe.carnet-Output-frame"
SCRIPTED = (
    '<div id="t">before</div>'
    "<script>document.getElementById('t').textContent='script ran'</script>"
)


def html_cell(html: str, javascript: str | None = None) -> Any:
    v4 = nbformat.v4
    outputs = [v4.new_output("display_data", {"text/html": html, "text/plain": "<HTML>"})]  # type: ignore[no-untyped-call]
    if javascript is not None:
        bundle = {"application/javascript": javascript, "text/plain": "<Javascript object>"}
        outputs.append(v4.new_output("display_data", bundle))  # type: ignore[no-untyped-call]
    return v4.new_code_cell("HTML(...)", outputs=outputs)  # type: ignore[no-untyped-call]


def open_notebook(lab: Lab, name: str, *, kernel: bool = False) -> Any:
    lab.page.get_by_role("button", name="Refresh File List").click()
    doc = lab.open_file(name)
    expect(doc.locator(".carnet-Cell").first).to_be_visible()
    if kernel:
        toolbar = doc.locator(".carnet-NotebookToolbar-kernel")
        expect(toolbar).to_have_text(re.compile(r"\| Idle$"))
    return doc


def trust(lab: Lab, doc: Any) -> None:
    lab.run_command("Trust Notebook")
    lab.dialog().get_by_role("button", name="Trust").click()
    expect(doc.locator(".carnet-NotebookToolbar-trust")).to_have_text("Trusted")


def test_untrusted_output_runs_nothing_until_trusted(lab: Lab) -> None:
    cell = html_cell(SCRIPTED, javascript="element.textContent = 'js ran'")
    write_notebook(lab, "scripted.ipynb", [cell])
    doc = open_notebook(lab, "scripted.ipynb")
    outputs = doc.locator(".carnet-Cell-outputArea")
    expect(doc.locator(".carnet-NotebookToolbar-trust")).to_have_text("Not Trusted")
    expect(outputs.locator("#t")).to_have_text("before")  # sanitised, inline
    expect(outputs.locator(".carnet-Output").nth(1)).to_have_text("<Javascript object>")
    expect(outputs.locator(FRAME)).to_have_count(0)
    expect(outputs.locator("script")).to_have_count(0)

    trust(lab, doc)
    expect(outputs.locator(FRAME)).to_have_count(2)
    expect(outputs.locator("#t")).to_have_count(0)  # no longer in carnet's page
    frames = outputs.locator(FRAME)
    expect(frames.nth(0).content_frame.locator("#t")).to_have_text("script ran")
    expect(frames.nth(1).content_frame.locator("body")).to_have_text("js ran")


def test_html_and_javascript_run_by_the_user(lab: Lab) -> None:
    write_notebook(lab, "run.ipynb", [nbformat.v4.new_code_cell("")])  # type: ignore[no-untyped-call]
    doc = open_notebook(lab, "run.ipynb", kernel=True)
    doc.locator(".carnet-Cell-code .carnet-Cell-static").first.click()
    source = (
        "from IPython.display import HTML, Javascript\n"
        'display(HTML(\'<p id="h">html</p><button id="b" onclick="this.textContent=1+1">'
        'click</button><script>document.getElementById("h").textContent=6*7</script>\'))\n'
        "display(Javascript('element.textContent = \"js says \" + (20 + 3)'))\n"
        "display(HTML('<b id=\"plain\">no script</b>'))"
    )
    lab.page.keyboard.insert_text(source)
    lab.page.keyboard.press("Shift+Enter")
    outputs = doc.locator(".carnet-Cell-outputArea")
    expect(outputs.locator(".carnet-Output")).to_have_count(3)
    frames = outputs.locator(FRAME)
    expect(frames).to_have_count(2)
    html = frames.nth(0).content_frame
    expect(html.locator("#h")).to_have_text("42")
    expect(frames.nth(1).content_frame.locator("body")).to_have_text("js says 23")
    # Output without scripts still renders inline, in the page.
    expect(outputs.locator("#plain")).to_have_text("no script")
    # The iframe takes its content's height (reported by the frame, set through CSSOM).
    height = html.locator("body").evaluate("b => Math.ceil(b.getBoundingClientRect().height)")
    assert height > 40
    expect(frames.nth(0)).to_have_css("height", f"{height}px")
    # Inline handlers run too.
    html.locator("#b").click()
    expect(html.locator("#b")).to_have_text("2")
    # The frames follow the app's colour scheme, also when it changes.
    expect(html.locator("html")).to_have_css("color-scheme", "light")
    lab.menu("Settings", "Theme", "Dark Theme")  # (keys would go to the focused frame)
    expect(html.locator("html")).to_have_css("color-scheme", "dark")
    text_colour = outputs.evaluate("node => getComputedStyle(node).color")
    expect(html.locator("html")).to_have_css("color", text_colour)


# The frame logs its refused requests (CSP, CORS) as console errors: expected here.
@pytest.mark.allow_errors
def test_trusted_scripts_cannot_reach_the_page_or_the_api(lab: Lab) -> None:
    probe = (
        '<p id="parent">pending</p><p id="fetch">pending</p><p id="cookie">pending</p>'
        "<script>"
        "try { parent.document.body.dataset.pwned = '1';"
        " document.getElementById('parent').textContent = 'parent reached'; }"
        " catch (e) { document.getElementById('parent').textContent = 'parent blocked'; }"
        "try { document.getElementById('cookie').textContent = 'cookie ' + document.cookie; }"
        " catch (e) { document.getElementById('cookie').textContent = 'cookie blocked'; }"
        "fetch('../api/contents', {credentials: 'include'})"
        ".then(r => r.text()).then(t => { document.getElementById('fetch').textContent ="
        " t.includes('probe.ipynb') ? 'listing read' : 'no listing'; })"
        ".catch(() => { document.getElementById('fetch').textContent = 'fetch failed'; });"
        "</script>"
    )
    write_notebook(lab, "probe.ipynb", [html_cell(probe)])
    doc = open_notebook(lab, "probe.ipynb")
    trust(lab, doc)
    frame = doc.frame_locator(FRAME)
    expect(frame.locator("#parent")).to_have_text("parent blocked")
    expect(frame.locator("#cookie")).to_have_text("cookie blocked")
    expect(frame.locator("#fetch")).to_have_text(re.compile(r"^(fetch failed|no listing)$"))
    assert lab.page.evaluate("document.body.dataset.pwned") is None
    assert lab.csp_violations() == []  # the page itself refused nothing


def test_sandbox_page_is_public_static_and_always_sandboxed(server: CarnetServer) -> None:
    with server.client(token=False) as anon:
        response = anon.get("sandbox/output.html")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    csp = response.headers["content-security-policy"]
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert "allow-scripts" in directives["sandbox"]
    assert "allow-same-origin" not in directives["sandbox"]
    assert directives["frame-ancestors"] == ["'self'"]
    assert "'self'" not in directives["connect-src"]
    assert server.token not in response.text
    assert "set-cookie" not in response.headers
