"""Server-rendered HTML pages (login, logout, placeholders) with a strict CSP.

The only style is one inline block whose hash goes into the CSP, so no page needs
``unsafe-inline`` and none runs script.
"""

from __future__ import annotations

import base64
import hashlib
import html

STYLE = """
body{font:15px/1.5 system-ui,sans-serif;margin:0;display:flex;min-height:100vh;
align-items:center;justify-content:center;background:#f5f6f8;color:#1d1f23}
main{background:#fff;padding:2rem 2.5rem;border-radius:10px;box-shadow:0 2px 12px #0002;
width:min(22rem,90vw)}
h1{font-size:1.4rem;margin:0 0 1rem}label{display:block;margin:.5rem 0 .25rem}
input[type=password]{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem;
border:1px solid #bbb;border-radius:6px}
button{margin-top:1rem;padding:.5rem 1.2rem;font-size:1rem;border:0;border-radius:6px;
background:#2f6fdf;color:#fff;cursor:pointer}
.error{background:#fde8e8;color:#8a1c1c;padding:.5rem .75rem;border-radius:6px}
.note{color:#555;font-size:.9rem}
@media (prefers-color-scheme:dark){body{background:#16181c;color:#e6e6e6}
main{background:#23262b}input[type=password]{background:#16181c;color:#eee;border-color:#555}
.note{color:#aaa}}
"""

_STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
PAGE_CSP = (
    f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )


def login_page(
    *, action: str, next_url: str, xsrf: str, error: str | None, password_mode: bool
) -> str:
    label = "Password" if password_mode else "Password or token"
    message = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
    hint = (
        ""
        if password_mode
        else '<p class="note">The token is in the URL carnet printed when it started '
        "(<code>carnet list</code> shows it again).</p>"
    )
    return page(
        "Log in - carnet",
        "<h1>carnet</h1>"
        f"{message}"
        f'<form method="post" action="{html.escape(action, quote=True)}">'
        f'<input type="hidden" name="_xsrf" value="{html.escape(xsrf, quote=True)}">'
        f'<input type="hidden" name="next" value="{html.escape(next_url, quote=True)}">'
        f'<label for="password">{label}</label>'
        '<input type="password" id="password" name="password" autocomplete="current-password"'
        " autofocus required>"
        '<button type="submit" id="login_submit">Log in</button></form>'
        f"{hint}",
    )


def logout_page(login_url: str) -> str:
    return page(
        "Logged out - carnet",
        "<h1>Logged out</h1><p>You have been logged out.</p>"
        f'<p><a href="{html.escape(login_url, quote=True)}">Log in again</a></p>',
    )


def frontend_missing_page() -> str:
    return page(
        "carnet",
        "<h1>carnet</h1><p>The web interface has not been built. Run <code>make run</code> "
        "(or <code>make fe</code>) in the source tree, or install carnet from a wheel.</p>"
        '<p class="note">The REST API works without it.</p>',
    )
