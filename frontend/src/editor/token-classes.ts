/**
 * The token classes of highlighted code (`cm-k` keyword, `cm-s` string, …), one definition
 * for editors and for static highlighting alike; colours come from style/editor.css.
 */
import { HighlightStyle } from "@codemirror/language";
import type { Tree } from "@lezer/common";
import { highlightCode, tags as t } from "@lezer/highlight";

export const tokenClasses = HighlightStyle.define([
  { tag: [t.keyword, t.controlKeyword, t.moduleKeyword, t.operatorKeyword], class: "cm-k" },
  { tag: [t.string, t.special(t.string), t.regexp], class: "cm-s" },
  { tag: [t.number, t.bool, t.null, t.atom], class: "cm-n" },
  { tag: [t.comment, t.lineComment, t.blockComment, t.docComment], class: "cm-c" },
  { tag: [t.function(t.variableName), t.function(t.propertyName)], class: "cm-f" },
  { tag: [t.definition(t.variableName), t.definition(t.function(t.variableName))], class: "cm-d" },
  { tag: [t.className, t.typeName, t.namespace], class: "cm-t" },
  { tag: [t.propertyName, t.attributeName], class: "cm-p" },
  { tag: [t.tagName, t.heading], class: "cm-h" },
  { tag: [t.operator, t.punctuation, t.bracket], class: "cm-o" },
  { tag: [t.meta, t.processingInstruction, t.annotation], class: "cm-m" },
  { tag: t.link, class: "cm-l" },
  { tag: t.emphasis, class: "cm-em" },
  { tag: t.strong, class: "cm-strong" },
  { tag: t.invalid, class: "cm-invalid" },
]);

/** `code` as text and `<span class="cm-…">` tokens, from its syntax tree. */
export function highlightedFragment(code: string, tree: Tree): DocumentFragment {
  const out = document.createDocumentFragment();
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
