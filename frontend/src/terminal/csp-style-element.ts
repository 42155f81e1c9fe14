/**
 * `<carnet-style>`: a stand-in for the `<style>` elements xterm.js creates, which carnet's
 * CSP (`style-src 'self'`, no 'unsafe-inline') refuses. Text written to its `textContent`
 * goes into a constructed stylesheet (not an inline style, so CSP allows it), adopted by the
 * document while the element is connected. The build rewrites xterm's
 * `createElement("style")` into `createElement("carnet-style")` (see vite.config.ts), the
 * way CodeMirror's style-mod is redirected (editor/csp-style-mod.ts).
 */
export const CSP_STYLE_TAG = "carnet-style";

class CspStyleElement extends HTMLElement {
  private readonly sheet = new CSSStyleSheet();
  private css = "";

  connectedCallback(): void {
    const doc = this.ownerDocument;
    if (!doc.adoptedStyleSheets.includes(this.sheet)) {
      doc.adoptedStyleSheets = [...doc.adoptedStyleSheets, this.sheet];
    }
  }

  disconnectedCallback(): void {
    const doc = this.ownerDocument;
    doc.adoptedStyleSheets = doc.adoptedStyleSheets.filter((s) => s !== this.sheet);
  }

  /** What xterm reads back; the element itself holds no text (an inline style would be refused). */
  getCss(): string {
    return this.css;
  }

  setCss(css: string): void {
    this.css = css;
    this.sheet.replaceSync(css);
  }
}

// `textContent` is a data property on Node in TypeScript's DOM types, so the accessor that
// xterm writes through is defined on the prototype here rather than in the class body.
Object.defineProperty(CspStyleElement.prototype, "textContent", {
  configurable: true,
  get(this: CspStyleElement): string {
    return this.getCss();
  },
  set(this: CspStyleElement, value: string | null) {
    this.setCss(value ?? "");
  },
});

if (customElements.get(CSP_STYLE_TAG) === undefined) {
  customElements.define(CSP_STYLE_TAG, CspStyleElement);
}
