/**
 * Markdown outputs: marked (GitHub flavour), then the HTML sanitiser; math is taken out
 * before marked sees it (so `_` and `*` inside TeX stay TeX) and typeset with KaTeX after.
 */
import { Marked } from "marked";
import { removeMath, restoreMath } from "./math";
import { sanitizeHtml } from "./sanitize";

const marked = new Marked({ gfm: true, breaks: false });

export function renderMarkdown(text: string, trusted: boolean): HTMLElement {
  const node = document.createElement("div");
  node.className = "carnet-Output-markdown carnet-Markdown";
  const [source, found] = removeMath(text);
  node.append(sanitizeHtml(marked.parse(source, { async: false }), trusted));
  restoreMath(node, found);
  return node;
}
