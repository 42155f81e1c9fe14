/**
 * KaTeX and its stylesheet (with fonts), a chunk of its own: loaded the first time an output
 * shows math. `katex.render` builds DOM nodes and writes their styles through CSSOM, which
 * the page's CSP allows (`renderToString` would produce style attributes, which it refuses).
 */
import katex from "katex";
import "katex/dist/katex.min.css";

export function renderTex(target: HTMLElement, tex: string, display: boolean): void {
  try {
    katex.render(tex, target, { displayMode: display, throwOnError: true, output: "htmlAndMathml" });
    target.dataset["carnetMath"] = "rendered";
  } catch (error: unknown) {
    // KaTeX's own error node carries a style attribute: show the source and the reason instead.
    target.textContent = tex;
    target.classList.add("carnet-Math-error");
    target.title = error instanceof Error ? error.message : String(error);
    target.dataset["carnetMath"] = "error";
  }
}
