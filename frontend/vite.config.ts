// Builds the UI into the Python package (src/carnet/static/), where the wheel picks it up.
//
// URLs: the server is mounted under a configurable base URL (Jupyter's `base_url`, e.g.
// `/user/ada/`), unknown at build time. index.html is a template: the page route replaces
// every `{{base_url}}` with the real prefix, so URLs written into the HTML point at
// `{{base_url}}static/...`. URLs inside JS and CSS are emitted relative to the file that
// holds them, so chunks and fonts load from wherever the entry script was served.
//
// CSP: the pages are served with `default-src 'self'` (no 'unsafe-inline'/'unsafe-eval'), so
// nothing may be inlined: no data: URIs for small assets, no inline module-preload polyfill.
import { type Plugin, defineConfig } from "vite";
import { carnetImportMap } from "./plugin-importmap";

/**
 * xterm.js writes its themes and cell sizes into `<style>` elements and true colours into
 * `style` attributes (`setAttribute("style", …)`), both refused by the CSP. This rewrites its
 * bundle: `<style>` becomes `<carnet-style>` (src/terminal/csp-style-element.ts: a constructed
 * stylesheet) and the attribute becomes a CSSOM write, which CSP allows. The build fails if
 * xterm changes so that a rewrite no longer applies, rather than shipping a terminal that
 * trips the CSP.
 */
function xtermCsp(): Plugin {
  const STYLE_TAGS = 3;
  return {
    name: "carnet-xterm-csp",
    enforce: "pre",
    transform(code, id) {
      if (!/[\\/]@xterm[\\/]xterm[\\/]lib[\\/]xterm\.mjs$/.test(id.split("?")[0] ?? "")) return null;
      const tags = code.split('createElement("style")').length - 1;
      const addStyle =
        /(\w+)\.setAttribute\("style",`\$\{\1\.getAttribute\("style"\)\|\|""\}\$\{(\w+)\};`\)/g;
      const attrs = code.match(addStyle)?.length ?? 0;
      if (tags !== STYLE_TAGS || attrs !== 1 || /setAttribute\("style"/.test(code.replace(addStyle, ""))) {
        throw new Error(
          `xterm.mjs changed (${tags} <style> elements, ${attrs} style attributes): update the CSP rewrite in vite.config.ts`,
        );
      }
      return {
        code: code
          .replaceAll('createElement("style")', 'createElement("carnet-style")')
          .replace(addStyle, '$1.style.cssText+=$2+";"'),
        map: null,
      };
    },
  };
}

export default defineConfig({
  base: "/static/",
  publicDir: "public",
  plugins: [xtermCsp(), carnetImportMap()],
  resolve: {
    // CodeMirror's style-mod writes <style> tags, which the CSP refuses; this wrapper adopts
    // constructed stylesheets instead (src/editor/csp-style-mod.ts). Paths
    // starting with "/" are relative to this folder (Vite's root).
    alias: [
      { find: /^style-mod$/, replacement: "/src/editor/csp-style-mod.ts" },
      { find: /^style-mod-original$/, replacement: "/node_modules/style-mod/src/style-mod.js" },
    ],
  },
  oxc: {
    jsx: { runtime: "automatic", importSource: "preact" },
  },
  build: {
    outDir: "../src/carnet/static",
    emptyOutDir: true,
    assetsDir: "assets",
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: "es2022",
    sourcemap: false,
    reportCompressedSize: false,
  },
  experimental: {
    renderBuiltUrl(filename, { hostType }) {
      if (hostType === "html") {
        return `{{base_url}}static/${filename}`;
      }
      return { relative: true };
    },
  },
});
