/**
 * File types: how a path is recognised (extension) and what it is (a kind the viewers
 * registry matches on, the editor language to load). Plugins add types to the same registry.
 */
import { extname } from "../util/paths";
import { Registry } from "./registry";

export type FileKind =
  | "text"
  | "notebook"
  | "markdown"
  | "json"
  | "csv"
  | "image"
  | "pdf"
  | "html"
  | "binary";

export interface FileType {
  readonly id: string;
  readonly label: string;
  /** Lower-case, with the dot: [".py"]. */
  readonly extensions: readonly string[];
  readonly kind: FileKind;
  /** The editor language id (see editor/languages.ts); none means plain text. */
  readonly language?: string;
  /** A short badge for lists ("PY", "MD"). */
  readonly badge?: string;
  readonly rank?: number;
}

const T = (
  id: string,
  label: string,
  extensions: string[],
  kind: FileKind,
  language?: string,
  badge?: string,
): FileType => ({
  id,
  label,
  extensions,
  kind,
  ...(language === undefined ? {} : { language }),
  ...(badge === undefined ? {} : { badge }),
});

export const DEFAULT_FILE_TYPES: readonly FileType[] = [
  T("notebook", "Notebook", [".ipynb"], "notebook", "json", "NB"),
  T("python", "Python", [".py", ".pyw", ".pyi"], "text", "python", "PY"),
  T("markdown", "Markdown", [".md", ".markdown", ".mdown"], "markdown", "markdown", "MD"),
  T("json", "JSON", [".json", ".geojson", ".jsonl", ".ndjson"], "json", "json", "{}"),
  T("csv", "CSV", [".csv"], "csv", undefined, "CSV"),
  T("tsv", "TSV", [".tsv", ".tab"], "csv", undefined, "TSV"),
  T("javascript", "JavaScript", [".js", ".mjs", ".cjs", ".jsx"], "text", "javascript", "JS"),
  T("typescript", "TypeScript", [".ts", ".mts", ".cts", ".tsx"], "text", "typescript", "TS"),
  T("yaml", "YAML", [".yaml", ".yml"], "text", "yaml", "YML"),
  T("html", "HTML", [".html", ".htm"], "html", "html", "<>"),
  T("css", "CSS", [".css", ".scss", ".less"], "text", "css", "CSS"),
  T("shell", "Shell", [".sh", ".bash", ".zsh"], "text", "shell", "SH"),
  T("r", "R", [".r", ".rmd"], "text", "r", "R"),
  T("julia", "Julia", [".jl"], "text", "julia", "JL"),
  T("sql", "SQL", [".sql"], "text", "sql", "SQL"),
  T("toml", "TOML", [".toml", ".ini", ".cfg"], "text", "toml", "CFG"),
  T("xml", "XML", [".xml", ".xsl", ".xsd"], "text", "xml", "XML"),
  T("svg", "SVG image", [".svg"], "image", "xml", "IMG"),
  T("image", "Image", [".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".ico", ".avif"], "image", undefined, "IMG"),
  T("pdf", "PDF", [".pdf"], "pdf", undefined, "PDF"),
  T("text", "Text", [".txt", ".log", ".text", ".rst", ".cfg", ".env"], "text", undefined, "TXT"),
  T("binary", "Binary", [".zip", ".gz", ".tar", ".bin", ".so", ".exe", ".whl", ".pkl", ".npy", ".parquet"], "binary", undefined, "BIN"),
];

export class FileTypeRegistry extends Registry<FileType> {
  constructor() {
    super("file types");
  }

  /** The type of `path`: the lowest-ranked type listing its extension, else plain text. */
  forPath(path: string): FileType {
    const ext = extname(path);
    const found = this.all().find((t) => t.extensions.includes(ext));
    return found ?? PLAIN_TEXT;
  }
}

export const PLAIN_TEXT: FileType = T("plain", "Text", [], "text", undefined, "TXT");
