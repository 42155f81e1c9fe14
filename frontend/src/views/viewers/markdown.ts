/**
 * Markdown rendered with marked and sanitised with DOMPurify (marked lets raw HTML through).
 * No style attributes survive (the CSP would refuse them anyway); relative images load from
 * `/files/`, relative links open the file in carnet, other links open in a new tab.
 */
import DOMPurify from "dompurify";
import { Marked } from "marked";
import { filesUrl } from "../../api";
import { markdownHeadings } from "../../model/toc";
import { el } from "../../util/dom";
import { dirname, joinPath } from "../../util/paths";
import type { RendererContext, RendererFactory, TextRenderer } from "./text-viewer";

const marked = new Marked({ gfm: true, breaks: false });

function isRelative(url: string): boolean {
  return url !== "" && !/^[a-z][a-z0-9+.-]*:/i.test(url) && !url.startsWith("//") && !url.startsWith("#");
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

export function renderMarkdown(text: string, context: RendererContext): DocumentFragment {
  const html = stripHandlers(marked.parse(text, { async: false }));
  // A template's content is inert: nothing loads while DOMPurify works on it.
  const template = document.createElement("template");
  template.innerHTML = `<div>${html}</div>`;
  const root = template.content.firstElementChild;
  if (!(root instanceof HTMLElement)) return document.createDocumentFragment();
  DOMPurify.sanitize(root, { IN_PLACE: true, FORBID_ATTR: ["style"], FORBID_TAGS: ["style"] });
  const base = dirname(context.path());
  for (const img of root.querySelectorAll("img")) {
    const src = img.getAttribute("src") ?? "";
    if (isRelative(src)) img.src = filesUrl(context.conn, joinPath(base, decodeURI(src.split(/[?#]/)[0] ?? "")));
  }
  for (const a of root.querySelectorAll("a")) {
    const href = a.getAttribute("href") ?? "";
    if (isRelative(href)) {
      const target = joinPath(base, decodeURI(href.split(/[?#]/)[0] ?? ""));
      a.dataset["path"] = target;
      a.href = "#";
      a.addEventListener("click", (e) => {
        e.preventDefault();
        context.openFile(target);
      });
    } else if (!href.startsWith("#")) {
      a.target = "_blank";
      a.rel = "noopener noreferrer";
    }
  }
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
