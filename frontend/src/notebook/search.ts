/**
 * Find and replace over a notebook's shared model: every cell's source (its Y.Text) and,
 * optionally, the text of its outputs. The model, not the DOM: far cells are not laid out and
 * have no editor (chunks.ts), yet a search covers all of them. No DOM here.
 *
 * Matches never have zero length (`^` or `a*` would otherwise match everywhere). Replacing
 * follows `String.prototype.replace` (`$1`, `$<name>`, `$&`) with a regex, and inserts the
 * text as is without one.
 */
import { type YCell, cellId, cellSource, cellType, outputsJSON, sourceText } from "./model";

export interface FindOptions {
  readonly query: string;
  readonly caseSensitive: boolean;
  readonly regex: boolean;
  /** Search the outputs' text too (their matches are read-only). */
  readonly outputs: boolean;
}

export interface Match {
  /** The cell's index in the notebook. */
  readonly cell: number;
  readonly cellId: string;
  /** -1 for the source, else the index of the output. */
  readonly output: number;
  /** UTF-16 offsets in the source (CodeMirror and Y.Text offsets) or in the output's text. */
  readonly from: number;
  readonly to: number;
}

/** More matches than anyone steps through: the count then says "10000+". */
export const MAX_MATCHES = 10_000;

export type Compiled = { readonly regex: RegExp } | { readonly error: string };

/** The options as a global RegExp; null for an empty query; an error for an invalid regex. */
export function compile(options: FindOptions): Compiled | null {
  if (options.query === "") return null;
  const source = options.regex ? options.query : options.query.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  try {
    return { regex: new RegExp(source, options.caseSensitive ? "gm" : "gim") };
  } catch (error: unknown) {
    const message = error instanceof Error ? error.message : String(error);
    // Chromium: "Invalid regular expression: /(a/gim: Unterminated group" -> the reason.
    return { error: message.replace(/^Invalid regular expression: (\/.*\/[a-z]*: )?/, "") };
  }
}

/** Offsets [from, to) of the non-empty matches of `regex` (global) in `text`. */
export function matchesIn(text: string, regex: RegExp, limit = MAX_MATCHES): [number, number][] {
  const out: [number, number][] = [];
  regex.lastIndex = 0;
  for (let m = regex.exec(text); m !== null && out.length < limit; m = regex.exec(text)) {
    if (m[0] === "") {
      regex.lastIndex += 1;
      continue;
    }
    out.push([m.index, m.index + m[0].length]);
  }
  return out;
}

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07/g;

function joined(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map((x) => (typeof x === "string" ? x : "")).join("");
  return "";
}

/** The searchable text of an nbformat output: a stream's text, an error's traceback, or the
 * plain-text form of rich data (what a reader sees of most outputs). */
export function outputText(output: Record<string, unknown>): string {
  const type = output["output_type"];
  if (type === "stream") return joined(output["text"]).replace(ANSI, "");
  if (type === "error") {
    const traceback = joined(Array.isArray(output["traceback"]) ? (output["traceback"] as unknown[]).join("\n") : "");
    const head = `${joined(output["ename"])}: ${joined(output["evalue"])}`;
    return (traceback === "" ? head : traceback).replace(ANSI, "");
  }
  const data = output["data"];
  if (typeof data !== "object" || data === null) return "";
  const bundle = data as Record<string, unknown>;
  for (const mime of ["text/plain", "text/markdown", "text/latex"]) {
    if (mime in bundle) return joined(bundle[mime]);
  }
  return "";
}

/** Every match in `cells`, in document order (sources before outputs within a cell). */
export function findAll(cells: readonly YCell[], regex: RegExp, outputs: boolean): Match[] {
  const out: Match[] = [];
  for (let i = 0; i < cells.length && out.length < MAX_MATCHES; i += 1) {
    const cell = cells[i];
    if (cell === undefined) continue;
    const id = cellId(cell);
    for (const [from, to] of matchesIn(sourceText(cell), regex, MAX_MATCHES - out.length)) {
      out.push({ cell: i, cellId: id, output: -1, from, to });
    }
    if (!outputs || cellType(cell) !== "code") continue;
    outputsJSON(cell).forEach((output, n) => {
      for (const [from, to] of matchesIn(outputText(output), regex, MAX_MATCHES - out.length)) {
        out.push({ cell: i, cellId: id, output: n, from, to });
      }
    });
  }
  return out;
}

/** The text that replaces the match at [from, to) of `text` (with `expand`, $-patterns of
 * `template` are expanded); null when `regex` no longer matches exactly there. */
export function replacementFor(
  text: string,
  from: number,
  to: number,
  regex: RegExp,
  template: string,
  expand: boolean,
): string | null {
  // A sticky copy matches exactly at `from`; String.replace then expands the template with the
  // real groups, lookbehinds and all.
  const sticky = new RegExp(regex.source, regex.flags.replace("g", "") + "y");
  sticky.lastIndex = from;
  const m = sticky.exec(text);
  if (m === null || m.index + m[0].length !== to) return null;
  if (!expand) return template;
  sticky.lastIndex = from;
  const replaced = text.replace(sticky, template);
  return replaced.slice(from, replaced.length - (text.length - to));
}

/**
 * Replaces the source matches of each cell (the ones given, which must be current) in its
 * Y.Text, last first so earlier offsets stay valid. Call inside one transaction.
 */
export function replaceMatches(
  cells: readonly YCell[],
  matches: readonly Match[],
  regex: RegExp,
  template: string,
  expand: boolean,
): number {
  const byCell = new Map<number, Match[]>();
  for (const m of matches) {
    if (m.output >= 0) continue;
    const list = byCell.get(m.cell) ?? [];
    list.push(m);
    byCell.set(m.cell, list);
  }
  let count = 0;
  for (const [index, list] of byCell) {
    const cell = cells[index];
    if (cell === undefined) continue;
    const ytext = cellSource(cell);
    const text = ytext.toString();
    for (const m of [...list].sort((a, b) => b.from - a.from)) {
      if (m.to > text.length) continue;
      const replacement = replacementFor(text, m.from, m.to, regex, template, expand);
      if (replacement === null) continue;
      ytext.delete(m.from, m.to - m.from);
      if (replacement !== "") ytext.insert(m.from, replacement);
      count += 1;
    }
  }
  return count;
}

/** Replaces every source match of `regex` in `cells` (no cap); returns how many. Call inside
 * one transaction, so that one undo restores them all. */
export function replaceAll(cells: readonly YCell[], regex: RegExp, template: string, expand: boolean): number {
  let count = 0;
  for (const cell of cells) {
    const text = sourceText(cell);
    const found = matchesIn(text, regex, Number.POSITIVE_INFINITY);
    if (found.length === 0) continue;
    const ytext = cellSource(cell);
    for (const [from, to] of found.reverse()) {
      const replacement = replacementFor(text, from, to, regex, template, expand);
      if (replacement === null) continue;
      ytext.delete(from, to - from);
      if (replacement !== "") ytext.insert(from, replacement);
      count += 1;
    }
  }
  return count;
}
