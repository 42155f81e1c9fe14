/**
 * Markdown rendered with marked (GitHub flavour: tables, task lists) and sanitised with
 * DOMPurify (marked lets raw HTML through). TeX math is taken out before marked sees it and
 * typeset by KaTeX after (outputs/math.ts). No style attributes survive (the CSP would refuse
 * them anyway). Headings get JupyterLab's ids (text, spaces as "-") and a ¶ link; `#id` links
 * scroll to the heading inside the document; relative images load from `/files/`; relative
 * links open the file in carnet; other links open in a new tab; fenced code is highlighted
 * (lazily, editor/highlight-code.ts). `attachment:NAME` images come from the context's
 * attachments (a notebook cell's), as `data:` URLs.
 */
import DOMPurify from "dompurify";
import { Marked } from "marked";
import { encodePath, filesUrl } from "../../api";
import { markdownHeadings } from "../../model/toc";
import { removeMath, restoreMath } from "../../outputs/math";
import { el } from "../../util/dom";
import { dirname, joinPath } from "../../util/paths";
import type { RendererContext, RendererFactory, TextRenderer } from "./text-viewer";

const marked = new Marked({ gfm: true, breaks: false });

function isRelative(url: string): boolean {
  return url !== "" && !/^[a-z][a-z0-9+.-]*:/i.test(url) && !url.startsWith("//") && !url.startsWith("#");
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Drops `on*=` attributes from the tags of marked's output before any parsing. Not a sanitiser
 * (DOMPurify is): Chromium reports a CSP violation as soon as it parses a handler attribute,
 * even in an inert document, so handlers must not reach the parser at all.
 */
export function stripHandlers(html: string): string {
  return html.replace(/<[a-zA-Z][^>]*>/g, (tag) =>
    tag.replace(/\s+on[a-z]+\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)/gi, ""),
  );
}

/** JupyterLab's heading id: the heading's text with each space replaced by "-". */
export function headingId(text: string): string {
  return text.replace(/ /g, "-");
}

/** Scrolls to the element with id `id` in the document (notebook, Markdown file) around `from`. */
function scrollToId(from: Element, id: string): void {
  const scope = from.closest(".carnet-Document") ?? from.ownerDocument;
  const target = scope.querySelector(`[id="${CSS.escape(id)}"]`);
  target?.scrollIntoView({ block: "start" });
}

/** `data:` URL of an attachment's image (nbformat: `{"image/png": "<base64>"}`), else null. */
export function attachmentUrl(bundle: unknown): string | null {
  if (typeof bundle !== "object" || bundle === null) return null;
  for (const [mime, value] of Object.entries(bundle as Record<string, unknown>)) {
    if (!/^image\/[a-z0-9.+-]+$/i.test(mime)) continue;
    const data = Array.isArray(value) ? value.join("") : value;
    if (typeof data !== "string") continue;
    if (mime === "image/svg+xml" && !/^[A-Za-z0-9+/=\s]*$/.test(data)) {
      return `data:${mime};charset=utf-8,${encodeURIComponent(data)}`;
    }
    return `data:${mime};base64,${data.replace(/\s+/g, "")}`;
  }
  return null;
}

function resolveAttachments(root: HTMLElement, context: RendererContext): void {
  for (const img of root.querySelectorAll("img")) {
    const src = img.getAttribute("src") ?? "";
    if (!src.startsWith("attachment:")) continue;
    const name = safeDecode(src.slice("attachment:".length));
    const url = attachmentUrl(context.attachments?.()[name]);
    if (url === null) {
      img.removeAttribute("src");
      img.classList.add("carnet-mod-missing");
      img.title = `No attachment named ${name}`;
    } else {
      img.setAttribute("src", url);
    }
  }
}

function addHeadingAnchors(root: HTMLElement): void {
  for (const heading of root.querySelectorAll<HTMLElement>("h1, h2, h3, h4, h5, h6")) {
    const id = headingId(heading.textContent ?? "");
    if (id === "") continue;
    heading.id = id;
    // The ¶ is drawn by CSS: the heading's text stays the heading's text.
    const anchor = el("a", { className: "carnet-HeadingAnchor", href: `#${encodeURIComponent(id)}` });
    anchor.setAttribute("aria-label", `Link to "${heading.textContent ?? ""}"`);
    heading.append(anchor);
  }
}

function highlightBlocks(root: HTMLElement): void {
  const blocks = [...root.querySelectorAll<HTMLElement>("pre > code[class*='language-']")];
  if (blocks.length === 0) return;
  void import("../../editor/highlight-code").then(
    async ({ highlightElement }) => {
      for (const code of blocks) {
        const name = /(?:^|\s)language-(\S+)/.exec(code.className)?.[1];
        if (name !== undefined && (await highlightElement(code, name))) code.dataset["highlighted"] = "1";
      }
    },
    (error: unknown) => console.warn("carnet: could not load the highlighter", error),
  );
}

function wireLinks(root: HTMLElement, context: RendererContext): void {
  const base = dirname(context.path());
  for (const a of root.querySelectorAll("a")) {
    const href = a.getAttribute("href") ?? "";
    if (href.startsWith("#")) {
      const id = safeDecode(href.slice(1));
      a.addEventListener("click", (e) => {
        e.preventDefault();
        scrollToId(a, id);
      });
    } else if (isRelative(href)) {
      const target = joinPath(base, safeDecode(href.split(/[?#]/)[0] ?? ""));
      a.dataset["path"] = target;
      // A middle click opens carnet on the file in a new browser tab; a click opens it here.
      a.href = `${context.conn.baseUrl}lab/tree/${encodePath(target)}`;
      a.addEventListener("click", (e) => {
        if (e.ctrlKey || e.metaKey || e.shiftKey) return;
        e.preventDefault();
        context.openFile(target);
      });
    } else {
      a.target = "_blank";
      a.rel = "noopener noreferrer";
    }
  }
}

export function renderMarkdown(text: string, context: RendererContext): DocumentFragment {
  const [source, math] = removeMath(text);
  const html = stripHandlers(marked.parse(source, { async: false }));
  // A template's content is inert: nothing loads while DOMPurify works on it.
  const template = document.createElement("template");
  template.innerHTML = `<div>${html}</div>`;
  const root = template.content.firstElementChild;
  if (!(root instanceof HTMLElement)) return document.createDocumentFragment();
  resolveAttachments(root, context);
  DOMPurify.sanitize(root, { IN_PLACE: true, FORBID_ATTR: ["style"], FORBID_TAGS: ["style"] });
  const base = dirname(context.path());
  for (const img of root.querySelectorAll("img")) {
    const src = img.getAttribute("src") ?? "";
    if (isRelative(src)) img.src = filesUrl(context.conn, joinPath(base, safeDecode(src.split(/[?#]/)[0] ?? "")));
  }
  for (const box of root.querySelectorAll("li > input[type=checkbox]:first-child")) {
    box.parentElement?.classList.add("carnet-TaskItem");
  }
  restoreMath(root, math);
  addHeadingAnchors(root);
  wireLinks(root, context);
  highlightBlocks(root);
  const out = document.createDocumentFragment();
  out.append(...document.adoptNode(root).childNodes);
  return out;
}

class MarkdownView implements TextRenderer {
  private readonly article: HTMLElement;
  private lines: number[] = [];

  constructor(
    host: HTMLElement,
    private readonly context: RendererContext,
  ) {
    this.article = el("article", { className: "carnet-Markdown", tabindex: "0" });
    host.append(this.article);
  }

  update(text: string): void {
    const scroll = this.article.parentElement?.scrollTop ?? 0;
    this.article.replaceChildren(renderMarkdown(text, this.context));
    this.lines = markdownHeadings(text).map((h) => h.line);
    if (this.article.parentElement !== null) this.article.parentElement.scrollTop = scroll;
  }

  outline(text: string): ReturnType<typeof markdownHeadings> {
    return markdownHeadings(text);
  }

  revealLine(line: number): void {
    const index = this.lines.indexOf(line);
    const headings = this.article.querySelectorAll("h1, h2, h3, h4, h5, h6");
    headings[index]?.scrollIntoView({ block: "start" });
  }

  dispose(): void {
    this.article.replaceChildren();
  }
}

export const createMarkdownView: RendererFactory = (host, context) => new MarkdownView(host, context);
