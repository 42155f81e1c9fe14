/**
 * Untrusted HTML into DOM nodes that can run nothing: parsed into an inert template,
 * sanitised in place with DOMPurify (no scripts, no handlers, no `javascript:` URLs, no
 * forms' actions), then adopted into the page. `<style>` elements and style attributes are
 * dropped for untrusted output; trusted output keeps its style attributes, re-applied through
 * CSSOM (which the page's CSP allows, unlike style attributes). Links open in a new tab.
 */
import DOMPurify from "dompurify";

/**
 * Drops `on*=` attributes from tags before any parsing: Chromium reports a CSP violation as
 * soon as it parses a handler attribute, even in an inert document.
 */
export function stripHandlers(html: string): string {
  return html.replace(/<[a-zA-Z][^>]*>/g, (tag) =>
    tag.replace(/\s+on[a-z]+\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)/gi, ""),
  );
}

const STYLE_ATTR = "data-carnet-style";

/** Sanitised nodes of `html`, owned by the page's document. */
export function sanitizeHtml(html: string, trusted: boolean): DocumentFragment {
  const template = document.createElement("template");
  // Style attributes are renamed before parsing, so the parser never sees one.
  const source = stripHandlers(html).replace(/<[a-zA-Z][^>]*>/g, (tag) =>
    tag.replace(/(\s)style(\s*=)/gi, `$1${STYLE_ATTR}$2`),
  );
  template.innerHTML = `<div>${source}</div>`;
  const root = template.content.firstElementChild;
  const out = document.createDocumentFragment();
  if (!(root instanceof HTMLElement)) return out;
  DOMPurify.sanitize(root, {
    IN_PLACE: true,
    FORBID_TAGS: ["style", "form", "base", "meta", "link"],
    FORBID_ATTR: ["style", "action", "formaction"],
    ADD_ATTR: [STYLE_ATTR, "target"],
  });
  const adopted = document.adoptNode(root);
  for (const node of adopted.querySelectorAll<HTMLElement>(`[${STYLE_ATTR}]`)) {
    const css = node.getAttribute(STYLE_ATTR) ?? "";
    node.removeAttribute(STYLE_ATTR);
    if (trusted) node.style.cssText = css;
  }
  for (const a of adopted.querySelectorAll("a[href]")) {
    const href = a.getAttribute("href") ?? "";
    if (!href.startsWith("#")) {
      a.setAttribute("target", "_blank");
      a.setAttribute("rel", "noopener noreferrer");
    }
  }
  out.append(...adopted.childNodes);
  return out;
}
