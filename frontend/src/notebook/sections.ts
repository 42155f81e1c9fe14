/**
 * Sections of a notebook, as JupyterLab has them: a markdown cell whose first heading has
 * level L starts a section that runs until the next cell whose first heading has a level of
 * L or less. A collapsed heading (`heading_collapsed: true` in the cell's metadata, as
 * JupyterLab writes it) hides the cells of its section. Pure functions over the cells' levels.
 */
import { markdownHeadings } from "../model/toc";

export interface SectionCell {
  /** Level (1–6) of the cell's first heading; null for cells that are not headings. */
  readonly level: number | null;
  readonly collapsed: boolean;
}

export function headingLevel(type: string, text: string): number | null {
  if (type !== "markdown") return null;
  return markdownHeadings(text)[0]?.level ?? null;
}

/** The end (exclusive) of the section that a heading of `level` at `index` starts. */
export function sectionEnd(cells: readonly SectionCell[], index: number, level: number): number {
  for (let i = index + 1; i < cells.length; i += 1) {
    const l = cells[i]?.level ?? null;
    if (l !== null && l <= level) return i;
  }
  return cells.length;
}

/** For each cell, whether a collapsed heading above it hides it. */
export function hiddenCells(cells: readonly SectionCell[]): boolean[] {
  const out: boolean[] = [];
  let collapsedAt = Infinity; // the level of the outermost collapsed heading in force
  for (const cell of cells) {
    if (cell.level !== null && cell.level <= collapsedAt) {
      out.push(false);
      collapsedAt = cell.collapsed ? cell.level : Infinity;
    } else {
      out.push(collapsedAt !== Infinity);
    }
  }
  return out;
}

/** The headings above `index` whose sections contain it (nearest first). */
export function ancestors(cells: readonly SectionCell[], index: number): number[] {
  const out: number[] = [];
  let bound = cells[index]?.level ?? Infinity;
  for (let i = index - 1; i >= 0 && bound > 1; i -= 1) {
    const l = cells[i]?.level ?? null;
    if (l !== null && l < bound) {
      out.push(i);
      bound = l;
    }
  }
  return out;
}

/** The heading cell whose section holds `index` (itself when it is a heading), or -1. */
export function sectionHead(cells: readonly SectionCell[], index: number): number {
  if ((cells[index]?.level ?? null) !== null) return index;
  return ancestors(cells, index)[0] ?? -1;
}
