/**
 * Markdown outputs: marked (GitHub flavour), then the HTML sanitiser; math is taken out
 * before marked sees it (so `_` and `*` inside TeX stay TeX) and typeset with KaTeX after.
 */
import { Marked } from "marked";
import { mathElement, splitMath } from "./math";
import { sanitizeHtml } from "./sanitize";

const marked = new Marked({ gfm: true, breaks: false });
const OPEN = "\uE000";
const CLOSE = "\uE001";
const CODE = /(```[\s\S]*?(?:```|$)|~~~[\s\S]*?(?:~~~|$)|`[^`\n]*`)/;

interface Found {
  readonly tex: string;
  readonly display: boolean;
}

/** Markdown with math replaced by placeholders, and the math found. */
function removeMath(text: string): [string, Found[]] {
  const found: Found[] = [];
  const parts = text.split(CODE).map((part, i) => {
    if (i % 2 === 1) return part; // code: left alone
    return splitMath(part)
      .map((s) => {
        if (typeof s === "string") return s;
        found.push(s);
        return `${OPEN}${found.length - 1}${CLOSE}`;
      })
      .join("");
  });
  return [parts.join(""), found];
}

function restoreMath(root: Node, found: readonly Found[]): void {
  if (found.length === 0) return;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const texts: Text[] = [];
  for (let n = walker.nextNode(); n !== null; n = walker.nextNode()) {
    if (n instanceof Text && n.data.includes(OPEN)) texts.push(n);
  }
  const pattern = new RegExp(`${OPEN}(\\d+)${CLOSE}`, "g");
  for (const text of texts) {
    const inCode = text.parentElement?.closest("code, pre") != null;
    const out = document.createDocumentFragment();
    let last = 0;
    for (const m of text.data.matchAll(pattern)) {
      out.append(text.data.slice(last, m.index));
      const math = found[Number(m[1])];
      if (math === undefined) out.append(m[0]);
      else if (inCode) out.append(math.display ? `$$${math.tex}$$` : `$${math.tex}$`);
      else out.append(mathElement(math.tex, math.display));
      last = m.index + m[0].length;
    }
    out.append(text.data.slice(last));
    text.replaceWith(out);
  }
}

export function renderMarkdown(text: string, trusted: boolean): HTMLElement {
  const node = document.createElement("div");
  node.className = "carnet-Output-markdown carnet-Markdown";
  const [source, found] = removeMath(text);
  node.append(sanitizeHtml(marked.parse(source, { async: false }), trusted));
  restoreMath(node, found);
  return node;
}
