// The import map plugins resolve their bare imports with ("preact", "@lumino/widgets", "carnet"…).
//
// Each shared module becomes an extra entry chunk with its exports kept exactly
// (`preserveSignature: "strict"`); since the app imports the same modules, the bundler keeps one
// copy of each, shared by the app's chunks and these entries — so a plugin's `preact` is the
// app's `preact`. The build writes `importmap.json` ({"imports": {specifier: "assets/…js"}})
// into the static dir; the server turns it into an inline <script type="importmap"> that the
// page's CSP allows by hash (src/carnet/web/routes/plugins.py). A shared module costs nothing
// at first load: its entry is fetched only when a plugin imports it.
import type { Plugin } from "vite";

/** Bare specifier -> module id. "carnet" is the public plugin API (src/plugins/index.ts). */
export const SHARED_MODULES: Readonly<Record<string, string>> = {
  // Paths starting with "/" are relative to Vite's root (this folder).
  carnet: "/src/plugins/index.ts",
  preact: "preact",
  "preact/hooks": "preact/hooks",
  "preact/jsx-runtime": "preact/jsx-runtime",
  "@preact/signals": "@preact/signals",
  "@preact/signals-core": "@preact/signals-core",
  "@lumino/commands": "@lumino/commands",
  "@lumino/disposable": "@lumino/disposable",
  "@lumino/messaging": "@lumino/messaging",
  "@lumino/signaling": "@lumino/signaling",
  "@lumino/widgets": "@lumino/widgets",
  "@codemirror/commands": "@codemirror/commands",
  "@codemirror/language": "@codemirror/language",
  "@codemirror/state": "@codemirror/state",
  "@codemirror/view": "@codemirror/view",
  "@lezer/highlight": "@lezer/highlight",
  yjs: "yjs",
};

const chunkName = (specifier: string): string => `shared-${specifier.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "")}`;

export function carnetImportMap(): Plugin {
  const refs = new Map<string, string>();
  return {
    name: "carnet-importmap",
    apply: "build",
    buildStart() {
      refs.clear();
      for (const [specifier, id] of Object.entries(SHARED_MODULES)) {
        const ref = this.emitFile({ type: "chunk", id, name: chunkName(specifier), preserveSignature: "strict" });
        refs.set(specifier, ref);
      }
    },
    generateBundle() {
      const imports: Record<string, string> = {};
      for (const [specifier, ref] of refs) {
        imports[specifier] = this.getFileName(ref);
      }
      this.emitFile({
        type: "asset",
        fileName: "importmap.json",
        source: `${JSON.stringify({ imports }, null, 1)}\n`,
      });
    },
  };
}
