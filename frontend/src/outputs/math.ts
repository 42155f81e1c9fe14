/**
 * Math in outputs: TeX delimiters found in text (`$…$`, `$$…$$`, `\(…\)`, `\[…\]`,
 * `\begin{env}…\end{env}`), typeset with KaTeX, which loads on first use (katex-chunk.ts).
 */

export interface MathSegment {
  readonly tex: string;
  readonly display: boolean;
}

export type Segment = string | MathSegment;

const PATTERN =
  /\$\$([\s\S]+?)\$\$|\\\[([\s\S]+?)\\\]|\\\(([\s\S]+?)\\\)|(\\begin\{([a-zA-Z*]+)\}[\s\S]+?\\end\{\5\})|(?<![\\$])\$(?!\s)((?:\\.|[^$\\\n])+?)(?<!\s)\$(?!\d)/g;

/** Splits text into plain strings and math segments. */
export function splitMath(text: string): Segment[] {
  const out: Segment[] = [];
  let last = 0;
  for (const m of text.matchAll(PATTERN)) {
    const index = m.index;
    if (index > last) out.push(text.slice(last, index));
    if (m[1] !== undefined) out.push({ tex: m[1], display: true });
    else if (m[2] !== undefined) out.push({ tex: m[2], display: true });
    else if (m[3] !== undefined) out.push({ tex: m[3], display: false });
    else if (m[4] !== undefined) out.push({ tex: m[4], display: true });
    else out.push({ tex: m[6] ?? "", display: false });
    last = index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

type Loaded = typeof import("./katex-chunk");
let loading: Promise<Loaded> | null = null;

function loadKatex(): Promise<Loaded> {
  loading ??= import("./katex-chunk").catch((error: unknown) => {
    loading = null;
    throw error;
  });
  return loading;
}

/** An element that shows `tex` as source until KaTeX has loaded and typeset it. */
export function mathElement(tex: string, display: boolean): HTMLElement {
  const node = document.createElement(display ? "div" : "span");
  node.className = display ? "carnet-Math carnet-mod-display" : "carnet-Math";
  node.textContent = tex;
  node.dataset["carnetMath"] = "pending";
  loadKatex().then(
    (k) => k.renderTex(node, tex, display),
    (error: unknown) => {
      node.dataset["carnetMath"] = "error";
      console.warn("carnet: could not load KaTeX", error);
    },
  );
  return node;
}

const OPEN = "\uE000";
const CLOSE = "\uE001";
const CODE = /(```[\s\S]*?(?:```|$)|~~~[\s\S]*?(?:~~~|$)|`[^`\n]*`)/;

/**
 * Markdown with its math (outside code) replaced by placeholders, and the math found: marked
 * then never sees TeX, so `_` and `*` inside it stay TeX. `restoreMath` puts it back typeset.
 */
export function removeMath(text: string): [string, MathSegment[]] {
  const found: MathSegment[] = [];
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

/** Replaces the placeholders of `removeMath` under `root` with typeset math (or the TeX in code). */
export function restoreMath(root: Node, found: readonly MathSegment[]): void {
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

/** Text with its math typeset. */
export function mathFragment(text: string): DocumentFragment {
  const out = document.createDocumentFragment();
  for (const segment of splitMath(text)) {
    out.append(typeof segment === "string" ? segment : mathElement(segment.tex, segment.display));
  }
  return out;
}
