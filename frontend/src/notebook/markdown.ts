/**
 * Markdown cells: rendered like Markdown files (views/viewers/markdown.ts: marked + DOMPurify,
 * relative links and images resolved against the notebook's folder), with TeX math taken out
 * before marked sees it (so `_` and `*` inside math stay TeX) and typeset by KaTeX after.
 */
import { mathElement, splitMath } from "../outputs/math";
import type { RendererContext } from "../views/viewers/text-viewer";
import { renderMarkdown } from "../views/viewers/markdown";

const OPEN = "\uE000";
const CLOSE = "\uE001";
const CODE = /(```[\s\S]*?(?:```|$)|~~~[\s\S]*?(?:~~~|$)|`[^`\n]*`)/;

interface Found {
  readonly tex: string;
  readonly display: boolean;
}

function removeMath(text: string): [string, Found[]] {
  const found: Found[] = [];
  const parts = text.split(CODE).map((part, i) => {
    if (i % 2 === 1) return part;
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

export function renderCellMarkdown(text: string, context: RendererContext): DocumentFragment {
  const [source, found] = removeMath(text);
  const fragment = renderMarkdown(source, context);
  restoreMath(fragment, found);
  return fragment;
}
