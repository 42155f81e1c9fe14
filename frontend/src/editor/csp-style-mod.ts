/**
 * style-mod, CSP-safe. CodeMirror injects its CSS through style-mod, which writes a `<style>`
 * element into the document; carnet's pages forbid inline styles (`style-src 'self'`, no
 * nonce). Constructed stylesheets (`adoptedStyleSheets`) are not inline styles and CSP allows
 * them; style-mod already uses them for shadow roots. This wrapper mounts into a detached
 * shadow root (so style-mod builds a constructed sheet) and adopts that sheet into the
 * document. Vite aliases `style-mod` to this file (vite.config.ts).
 */
import { StyleModule as Original } from "style-mod-original";

const shadows = new WeakMap<Document, ShadowRoot>();

function shadowFor(doc: Document): ShadowRoot {
  let shadow = shadows.get(doc);
  if (shadow === undefined) {
    shadow = doc.createElement("div").attachShadow({ mode: "open" });
    shadows.set(doc, shadow);
  }
  return shadow;
}

export class StyleModule extends Original {
  static override mount(
    root: Document | ShadowRoot,
    modules: Original | readonly Original[],
    options?: { nonce?: string },
  ): void {
    if (!(root instanceof Document) || root.adoptedStyleSheets === undefined) {
      Original.mount(root, modules as Original | Original[], options);
      return;
    }
    const shadow = shadowFor(root);
    Original.mount(shadow, modules as Original | Original[], options);
    const sheets = shadow.adoptedStyleSheets.filter((s) => !root.adoptedStyleSheets.includes(s));
    if (sheets.length > 0) root.adoptedStyleSheets = [...sheets, ...root.adoptedStyleSheets];
  }
}
