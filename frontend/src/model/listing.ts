/**
 * A directory listing as the file browser shows it: sorting, hidden files, multi-selection
 * and keyboard focus, as pure functions over immutable values (views own no such logic).
 */
/** What the listing needs of an entry (the API's ContentsEntry fits). */
export interface ListingEntry {
  readonly name: string;
  readonly path: string;
  readonly type: string;
  readonly lastModified: string;
  readonly size: number | null;
}

export type SortKey = "name" | "modified" | "size";

export interface SortOrder {
  readonly key: SortKey;
  readonly ascending: boolean;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

/** Folders first, then by `order`; ties by name so the order is stable. */
export function sortEntries<E extends ListingEntry>(entries: readonly E[], order: SortOrder): E[] {
  const dir = order.ascending ? 1 : -1;
  const byName = (a: E, b: E): number => collator.compare(a.name, b.name);
  const compare = (a: E, b: E): number => {
    const folders = Number(b.type === "directory") - Number(a.type === "directory");
    if (folders !== 0) return folders;
    let c = 0;
    if (order.key === "modified") {
      c = Date.parse(a.lastModified || "0") - Date.parse(b.lastModified || "0");
    } else if (order.key === "size") {
      c = (a.size ?? -1) - (b.size ?? -1);
    }
    return (c === 0 ? byName(a, b) : c) * dir;
  };
  return [...entries].sort(compare);
}

/** Entries to show: dotfiles only when `showHidden` (the server may not send them at all). */
export function visibleEntries<E extends ListingEntry>(
  entries: readonly E[],
  showHidden: boolean,
): E[] {
  return showHidden ? [...entries] : entries.filter((e) => !e.name.startsWith("."));
}

/** A cheap fingerprint: a poll that finds the same one changes nothing (no re-render). */
export function listingSignature(entries: readonly ListingEntry[]): string {
  return entries
    .map((e) => `${e.name}\u0000${e.type}\u0000${e.lastModified}\u0000${e.size ?? ""}`)
    .sort()
    .join("\u0001");
}

export interface Selection {
  /** Selected paths. */
  readonly paths: ReadonlySet<string>;
  /** The keyboard focus (and range anchor for Shift), a path or null. */
  readonly focus: string | null;
  readonly anchor: string | null;
}

export const EMPTY_SELECTION: Selection = { paths: new Set(), focus: null, anchor: null };

/** Click: select only `path`. Ctrl/Cmd-click: toggle it. Shift-click: the range from the anchor. */
export function clickSelect(
  sel: Selection,
  order: readonly string[],
  path: string,
  mode: "single" | "toggle" | "range",
): Selection {
  if (mode === "toggle") {
    const paths = new Set(sel.paths);
    if (paths.has(path)) paths.delete(path);
    else paths.add(path);
    return { paths, focus: path, anchor: path };
  }
  if (mode === "range" && sel.anchor !== null) {
    const a = order.indexOf(sel.anchor);
    const b = order.indexOf(path);
    if (a >= 0 && b >= 0) {
      const [lo, hi] = a < b ? [a, b] : [b, a];
      return { paths: new Set(order.slice(lo, hi + 1)), focus: path, anchor: sel.anchor };
    }
  }
  return { paths: new Set([path]), focus: path, anchor: path };
}

/** Arrow keys: move the focus by `delta` (clamped); `extend` (Shift) grows the selection. */
export function moveFocus(
  sel: Selection,
  order: readonly string[],
  delta: number,
  extend: boolean,
): Selection {
  if (order.length === 0) return EMPTY_SELECTION;
  const current = sel.focus === null ? -1 : order.indexOf(sel.focus);
  let next: number;
  if (current < 0) next = delta >= 0 ? 0 : order.length - 1;
  else next = Math.max(0, Math.min(order.length - 1, current + delta));
  const path = order[next] ?? null;
  if (path === null) return sel;
  return extend ? clickSelect(sel, order, path, "range") : clickSelect(sel, order, path, "single");
}

/** The selection restricted to paths that still exist (after a refresh). */
export function pruneSelection(sel: Selection, order: readonly string[]): Selection {
  const exists = new Set(order);
  const paths = new Set([...sel.paths].filter((p) => exists.has(p)));
  const focus = sel.focus !== null && exists.has(sel.focus) ? sel.focus : null;
  const anchor = sel.anchor !== null && exists.has(sel.anchor) ? sel.anchor : null;
  if (paths.size === sel.paths.size && focus === sel.focus && anchor === sel.anchor) return sel;
  return { paths, focus, anchor };
}

/** Checks a new name for a file or folder; returns an error message or null. */
export function nameProblem(name: string): string | null {
  if (name.trim() === "") return "A name cannot be empty.";
  if (name.includes("/") || name.includes("\\")) return 'A name cannot contain "/" or "\\".';
  if (name === "." || name === "..") return `"${name}" is not a valid name.`;
  if (name !== name.trim()) return "A name cannot start or end with spaces.";
  return null;
}
