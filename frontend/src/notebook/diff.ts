/**
 * Cell-level diff of two notebooks (a saved version and the current one) and line diff of two
 * sources, by longest common subsequence. Cells pair up by id or, failing that, by identical
 * type and source; paired cells whose type or source differ are "changed". No DOM here.
 */
import type { CellType } from "./model";

export interface DiffCell {
  readonly id: string;
  readonly type: CellType;
  readonly source: string;
}

export type CellChange =
  | { readonly kind: "same"; readonly old: DiffCell; readonly new: DiffCell }
  | { readonly kind: "changed"; readonly old: DiffCell; readonly new: DiffCell; readonly lines: readonly LineChange[] }
  /** In the old notebook only. */
  | { readonly kind: "removed"; readonly old: DiffCell }
  /** In the new notebook only. */
  | { readonly kind: "added"; readonly new: DiffCell };

export interface LineChange {
  readonly kind: "same" | "added" | "removed";
  readonly text: string;
}

/** Beyond this many table cells (after trimming equal ends), the middle is not aligned. */
const MAX_TABLE = 4_000_000;

/**
 * Index pairs (i, j) of a longest common subsequence of two sequences of lengths `n` and
 * `m` under `eq`, in order. Equal heads and tails are paired first, cheaply.
 */
export function commonPairs(n: number, m: number, eq: (i: number, j: number) => boolean): [number, number][] {
  let start = 0;
  while (start < n && start < m && eq(start, start)) start++;
  let endA = n;
  let endB = m;
  while (endA > start && endB > start && eq(endA - 1, endB - 1)) {
    endA--;
    endB--;
  }
  const pairs: [number, number][] = [];
  for (let i = 0; i < start; i++) pairs.push([i, i]);
  const a = endA - start;
  const b = endB - start;
  if (a > 0 && b > 0 && (a + 1) * (b + 1) <= MAX_TABLE) {
    // lengths[i][j]: LCS length of the suffixes from start+i and start+j.
    const width = b + 1;
    const lengths = new Uint32Array((a + 1) * width);
    for (let i = a - 1; i >= 0; i--) {
      for (let j = b - 1; j >= 0; j--) {
        lengths[i * width + j] = eq(start + i, start + j)
          ? (lengths[(i + 1) * width + j + 1] ?? 0) + 1
          : Math.max(lengths[(i + 1) * width + j] ?? 0, lengths[i * width + j + 1] ?? 0);
      }
    }
    let i = 0;
    let j = 0;
    while (i < a && j < b) {
      if (eq(start + i, start + j)) {
        pairs.push([start + i, start + j]);
        i++;
        j++;
      } else if ((lengths[(i + 1) * width + j] ?? 0) >= (lengths[i * width + j + 1] ?? 0)) {
        i++;
      } else {
        j++;
      }
    }
  }
  for (let k = 0; endA + k < n; k++) pairs.push([endA + k, endB + k]);
  return pairs;
}

/** Walks two sequences along their common pairs: unpaired items of `a`, then of `b`, then the pair. */
function walk(
  n: number,
  m: number,
  pairs: readonly [number, number][],
  visit: { onlyA(i: number): void; onlyB(j: number): void; both(i: number, j: number): void },
): void {
  let i = 0;
  let j = 0;
  for (const [pi, pj] of [...pairs, [n, m] as [number, number]]) {
    for (; i < pi; i++) visit.onlyA(i);
    for (; j < pj; j++) visit.onlyB(j);
    if (pi < n && pj < m) visit.both(pi, pj);
    i = pi + 1;
    j = pj + 1;
  }
}

export function diffLines(a: string, b: string): LineChange[] {
  const left = a.split("\n");
  const right = b.split("\n");
  const out: LineChange[] = [];
  walk(left.length, right.length, commonPairs(left.length, right.length, (i, j) => left[i] === right[j]), {
    onlyA: (i) => out.push({ kind: "removed", text: left[i] ?? "" }),
    onlyB: (j) => out.push({ kind: "added", text: right[j] ?? "" }),
    both: (i) => out.push({ kind: "same", text: left[i] ?? "" }),
  });
  return out;
}

/** How `b` (the current notebook) differs from `a` (a saved version), cell by cell. */
export function diffCells(a: readonly DiffCell[], b: readonly DiffCell[]): CellChange[] {
  const eq = (i: number, j: number): boolean => {
    const x = a[i];
    const y = b[j];
    if (x === undefined || y === undefined) return false;
    return (x.id !== "" && x.id === y.id) || (x.type === y.type && x.source === y.source);
  };
  const out: CellChange[] = [];
  walk(a.length, b.length, commonPairs(a.length, b.length, eq), {
    onlyA: (i) => {
      const old = a[i];
      if (old !== undefined) out.push({ kind: "removed", old });
    },
    onlyB: (j) => {
      const cell = b[j];
      if (cell !== undefined) out.push({ kind: "added", new: cell });
    },
    both: (i, j) => {
      const old = a[i];
      const cell = b[j];
      if (old === undefined || cell === undefined) return;
      if (old.type === cell.type && old.source === cell.source) out.push({ kind: "same", old, new: cell });
      else out.push({ kind: "changed", old, new: cell, lines: diffLines(old.source, cell.source) });
    },
  });
  return out;
}
