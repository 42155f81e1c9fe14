/**
 * Static syntax highlighting of a cell that has no editor yet (a `<pre>` with the same token
 * classes as the editor): parsing with Lezer is far cheaper than building a CodeMirror view.
 * Python only; other languages show plain text until the cell is edited.
 */
import { pythonLanguage } from "@codemirror/lang-python";
import { highlightCode } from "@lezer/highlight";
import { tokenClasses } from "../editor/token-classes";

/** Longer sources stay plain (an editor highlights them when opened). */
const MAX_CHARS = 20_000;

export function highlightStatic(code: string, language: string | null): DocumentFragment | null {
  if (language !== "python" || code.length > MAX_CHARS) return null;
  const out = document.createDocumentFragment();
  const tree = pythonLanguage.parser.parse(code);
  highlightCode(
    code,
    tree,
    tokenClasses,
    (text, classes) => {
      if (classes === "") {
        out.append(text);
      } else {
        const span = document.createElement("span");
        span.className = classes;
        span.textContent = text;
        out.append(span);
      }
    },
    () => out.append("\n"),
  );
  return out;
}
