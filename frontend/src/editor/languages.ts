/**
 * Editor languages, each loaded on demand (its own chunk): opening a Python file never
 * downloads the SQL grammar. Ids match `FileType.language`; plugins add more here.
 */
import type { Extension } from "@codemirror/state";

type Loader = () => Promise<Extension>;

const stream = async (load: () => Promise<Record<string, unknown>>, name: string): Promise<Extension> => {
  const [{ StreamLanguage }, mod] = await Promise.all([import("@codemirror/language"), load()]);
  return StreamLanguage.define(mod[name] as Parameters<typeof StreamLanguage.define>[0]);
};

const LOADERS: Record<string, Loader> = {
  python: async () => (await import("@codemirror/lang-python")).python(),
  markdown: async () => (await import("@codemirror/lang-markdown")).markdown(),
  json: async () => (await import("@codemirror/lang-json")).json(),
  javascript: async () => (await import("@codemirror/lang-javascript")).javascript({ jsx: true }),
  typescript: async () =>
    (await import("@codemirror/lang-javascript")).javascript({ jsx: true, typescript: true }),
  yaml: async () => (await import("@codemirror/lang-yaml")).yaml(),
  html: async () => (await import("@codemirror/lang-html")).html(),
  css: async () => (await import("@codemirror/lang-css")).css(),
  sql: async () => (await import("@codemirror/lang-sql")).sql(),
  shell: () => stream(() => import("@codemirror/legacy-modes/mode/shell"), "shell"),
  r: () => stream(() => import("@codemirror/legacy-modes/mode/r"), "r"),
  julia: () => stream(() => import("@codemirror/legacy-modes/mode/julia"), "julia"),
  toml: () => stream(() => import("@codemirror/legacy-modes/mode/toml"), "toml"),
  xml: () => stream(() => import("@codemirror/legacy-modes/mode/xml"), "xml"),
};

export function registerLanguage(id: string, loader: Loader): void {
  LOADERS[id] = loader;
}

export function hasLanguage(id: string): boolean {
  return id in LOADERS;
}

/** The language extension for `id`, or null for plain text / unknown ids. */
export async function loadLanguage(id: string | undefined): Promise<Extension | null> {
  const loader = id === undefined ? undefined : LOADERS[id];
  return loader === undefined ? null : loader();
}
