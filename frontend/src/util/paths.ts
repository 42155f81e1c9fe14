/**
 * API paths: "/"-separated, relative to the server's root dir, no leading or trailing "/";
 * "" is the root. Pure string functions, so they behave the same in every browser.
 */

/** Joins segments, dropping empty ones and duplicate separators. */
export function joinPath(...parts: string[]): string {
  return parts
    .flatMap((p) => p.split("/"))
    .filter((s) => s !== "" && s !== ".")
    .join("/");
}

/** The folder of `path` ("" for a top-level entry). */
export function dirname(path: string): string {
  const clean = normalizePath(path);
  const i = clean.lastIndexOf("/");
  return i < 0 ? "" : clean.slice(0, i);
}

/** The last segment of `path`. */
export function basename(path: string): string {
  const clean = normalizePath(path);
  return clean.slice(clean.lastIndexOf("/") + 1);
}

/** The lower-case extension with its dot (".py"); "" when there is none. Dotfiles have none. */
export function extname(path: string): string {
  const name = basename(path);
  const i = name.lastIndexOf(".");
  return i <= 0 ? "" : name.slice(i).toLowerCase();
}

/** `path` without leading, trailing or doubled "/". */
export function normalizePath(path: string): string {
  return joinPath(path);
}

/** The folders from the root down to `path`, for breadcrumbs: [["", "/"], ["a", "a"], ...]. */
export function ancestors(path: string): { path: string; name: string }[] {
  const out = [{ path: "", name: "" }];
  let acc = "";
  for (const segment of normalizePath(path).split("/")) {
    if (segment === "") continue;
    acc = acc === "" ? segment : `${acc}/${segment}`;
    out.push({ path: acc, name: segment });
  }
  return out;
}

/** Whether `child` is `parent` or inside it. */
export function isInside(child: string, parent: string): boolean {
  const c = normalizePath(child);
  const p = normalizePath(parent);
  return p === "" || c === p || c.startsWith(`${p}/`);
}

/** "name.ext" -> "name-suffix.ext" (the suffix goes before the extension). */
export function withSuffix(path: string, suffix: string): string {
  const ext = extname(path);
  const base = ext === "" ? path : path.slice(0, -ext.length);
  return `${base}${suffix}${ext}`;
}
