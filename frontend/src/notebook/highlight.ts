/**
 * Static syntax highlighting of a cell that has no editor yet (a `<pre>` with the same token
 * classes as the editor): parsing with Lezer is far cheaper than building a CodeMirror view.
 * Python only; other languages show plain text until the cell is edited.
 */
import { pythonLanguage } from "@codemirror/lang-python";
import { highlightedFragment } from "../editor/token-classes";

/** Longer sources stay plain (an editor highlights them when opened). */
const MAX_CHARS = 20_000;

export function highlightStatic(code: string, language: string | null): DocumentFragment | null {
  if (language !== "python" || code.length > MAX_CHARS) return null;
  return highlightedFragment(code, pythonLanguage.parser.parse(code));
}
