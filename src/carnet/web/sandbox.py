"""The sandbox page trusted outputs with scripts render in (`GET sandbox/output.html`).

The notebook page's CSP runs no inline script, so a trusted output whose HTML carries
scripts (or an ``application/javascript`` output) is shown in an iframe of this page. The
page is static and holds no data: its own small script waits for the output's HTML from the
parent frame (``postMessage``, checked by ``event.source``), inserts it, re-creates its
``<script>`` elements so they run in order, and reports its height back.

Isolation does not depend on the iframe's ``sandbox`` attribute alone: the page's CSP
carries the ``sandbox`` directive too, so the document always has an opaque origin (no
carnet cookies, no same-origin access to carnet's pages or API), wherever it is opened;
``frame-ancestors 'self'`` keeps other sites from framing it. Scripts, styles, images and
fonts may come from ``https:`` (trusted outputs load plotly, vega or bokeh from CDNs) and
from ``data:``/``blob:``; ``connect-src`` allows ``https:`` only (data a chart loads), never
carnet's own plain-HTTP origin by name.
"""

from __future__ import annotations

SANDBOX_FLAGS = "allow-scripts allow-popups allow-popups-to-escape-sandbox allow-downloads"

SANDBOX_CSP = (
    f"sandbox {SANDBOX_FLAGS}; default-src 'none'; "
    "script-src 'unsafe-inline' 'unsafe-eval' https: data: blob:; "
    "style-src 'unsafe-inline' https: data: blob:; img-src https: data: blob:; "
    "font-src https: data:; media-src https: data: blob:; connect-src https: data: blob:; "
    "worker-src blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)

# The parent sends {carnet: "sandbox-render", kind: "html" | "javascript", source, theme}
# (and later {carnet: "sandbox-theme", theme}); the page answers {carnet: "sandbox-height"}.
_SCRIPT = """
(function () {
  "use strict";
  if (window.parent === window) return;
  var root = document.getElementById("carnet-output");
  var rendered = false;
  var last = -1;
  function report() {
    var height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ carnet: "sandbox-height", height: height }, "*");
  }
  new ResizeObserver(report).observe(document.body);
  function theme(t) {
    if (!t || typeof t !== "object") return;
    var s = document.documentElement.style;
    if (t.scheme === "dark" || t.scheme === "light") s.colorScheme = t.scheme;
    if (typeof t.color === "string") s.color = t.color;
    if (typeof t.font === "string") s.fontFamily = t.font;
    if (typeof t.size === "string") s.fontSize = t.size;
  }
  var CLASSIC = /^(?:|(?:text|application)\\/(?:java|ecma)script)$/i;
  async function runScripts(container) {
    var scripts = Array.prototype.slice.call(container.querySelectorAll("script"));
    for (var i = 0; i < scripts.length; i++) {
      var old = scripts[i];
      var script = document.createElement("script");
      for (var j = 0; j < old.attributes.length; j++) {
        script.setAttribute(old.attributes[j].name, old.attributes[j].value);
      }
      script.text = old.text;
      var type = (old.getAttribute("type") || "").trim();
      var wait = old.hasAttribute("src") && !old.hasAttribute("async") && CLASSIC.test(type)
        ? new Promise(function (done) {
            script.addEventListener("load", done);
            script.addEventListener("error", done);
          })
        : null;
      old.replaceWith(script);
      if (wait) await wait;
    }
  }
  window.addEventListener("message", function (event) {
    if (event.source !== window.parent) return;
    var data = event.data;
    if (!data || typeof data !== "object") return;
    if (data.carnet === "sandbox-theme") theme(data.theme);
    if (data.carnet !== "sandbox-render" || rendered || typeof data.source !== "string") return;
    rendered = true;
    theme(data.theme);
    if (data.kind === "javascript") {
      window.element = root;
      var script = document.createElement("script");
      script.text = data.source;
      document.body.appendChild(script);
    } else {
      root.innerHTML = data.source;
      void runScripts(root);
    }
  });
})();
"""

_STYLE = (
    "html{color-scheme:light dark}body{margin:0;display:flow-root;"
    "font:14px/1.4 system-ui,sans-serif;overflow-wrap:anywhere}"
)

SANDBOX_PAGE = (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
    '<base target="_blank"><title>carnet output</title>'
    f"<style>{_STYLE}</style></head>"
    f'<body><div id="carnet-output"></div><script>{_SCRIPT}</script></body></html>\n'
)
