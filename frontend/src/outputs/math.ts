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

/** Text with its math typeset. */
export function mathFragment(text: string): DocumentFragment {
  const out = document.createDocumentFragment();
  for (const segment of splitMath(text)) {
    out.append(typeof segment === "string" ? segment : mathElement(segment.tex, segment.display));
  }
  return out;
}
