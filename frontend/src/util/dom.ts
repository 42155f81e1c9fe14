/**
 * Tiny DOM builder for the Lumino side of the UI (Preact renders the rest). Text always goes
 * in through `textContent`: file names and file contents are user data, never markup. There
 * is no way to set `style` here: the page's CSP forbids style attributes.
 */
type Attrs = Record<string, string | boolean | undefined>;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (key === "style") throw new Error("style attributes are blocked by the CSP");
    node.setAttribute(key === "className" ? "class" : key, value === true ? "" : value);
  }
  node.append(...children);
  return node;
}
